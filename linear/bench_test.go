package linear

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lsce/lsce"
)

// BenchmarkGemm compares the matrix-product implementations on the fused
// loss's block shapes (256 rows × 1024 classes × 256 hidden), in both
// precisions. b.SetBytes(flops): "MB/s" reads as MFLOP/s.
func BenchmarkGemm(b *testing.B) {
	b.Run("T=float32", benchGemm[float32])
	b.Run("T=float64", benchGemm[float64])
}

func benchGemm[T Float](b *testing.B) {
	const m, n, k = DefaultRowBlock, DefaultClassBlock, 256
	rng := rand.New(rand.NewPCG(1, 1))
	rnd := func(c int) []T {
		x := make([]T, c)
		for i := range x {
			x[i] = T(rng.NormFloat64())
		}
		return x
	}
	h, w, z, dh, dw := rnd(m*k), rnd(n*k), rnd(m*n), rnd(m*k), rnd(n*k)
	defer func(v string) { gemmImpl = v }(gemmImpl)
	for _, impl := range gemmImpls() {
		gemmImpl = impl
		b.Run("impl="+impl+"/op=NT", func(b *testing.B) {
			b.SetBytes(2 * m * n * k)
			for b.Loop() {
				gemmNT(m, n, k, h, k, w, k, z, n)
			}
		})
		b.Run("impl="+impl+"/op=NN", func(b *testing.B) {
			b.SetBytes(2 * m * n * k)
			for b.Loop() {
				gemmNN(m, k, n, z, n, w, k, dh, k)
			}
		})
		b.Run("impl="+impl+"/op=TN", func(b *testing.B) {
			b.SetBytes(2 * m * n * k)
			for b.Loop() {
				gemmTN(n, k, m, z, n, h, k, dw, k)
			}
		})
	}
}

// BenchmarkFused times the fused loss and gradients against the
// materialised path on the same data, float32.
func BenchmarkFused(b *testing.B) {
	for _, sz := range []struct{ n, d, v int }{{1024, 256, 8192}} {
		in, g := benchProblem(sz.n, sz.d, sz.v)
		opt := lsce.Options{Epsilon: 0.1}
		name := fmt.Sprintf("N=%d/D=%d/V=%d", sz.n, sz.d, sz.v)
		b.Run(name+"/path=fused", func(b *testing.B) {
			for b.Loop() {
				if _, err := CrossEntropyGrad(g, in, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/path=materialised", func(b *testing.B) {
			for b.Loop() {
				if _, err := Materialised(g, in, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchProblem(n, d, v int) (Input[float32], Grads[float32]) {
	rng := rand.New(rand.NewPCG(2, 2))
	rnd := func(c int, s float64) []float32 {
		x := make([]float32, c)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * s)
		}
		return x
	}
	in := Input[float32]{H: rnd(n*d, 1), W: rnd(v*d, 0.05), B: rnd(v, 0.1), Rows: n, Hidden: d, Classes: v, Targets: make([]int, n)}
	for i := range in.Targets {
		in.Targets[i] = rng.IntN(v)
	}
	return in, Grads[float32]{H: make([]float32, n*d), W: make([]float32, v*d), B: make([]float32, v)}
}
