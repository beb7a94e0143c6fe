package train

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
)

// TestAxpyF32 runs the float32 axpy kernels (assembly where it runs, the Go
// loop, gonum's Saxpy) on the same data, lengths swept across the 8- and
// 32-element steps of the assembly, with guard values after y to catch
// writes past the end; all must agree bit for bit with the Go loop.
func TestAxpyF32(t *testing.T) {
	if !hasAVX2() {
		t.Log("no AVX2 here (or LSCE_PUREGO/purego): the assembly is not tested, the fallbacks are")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	const guard = 12345.5
	for n := 0; n <= 100; n++ {
		x := make([]float32, n)
		y0 := make([]float32, n+4)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for i := range y0 {
			y0[i] = float32(rng.NormFloat64())
		}
		a := float32(rng.NormFloat64())
		want := append([]float32(nil), y0...)
		axpyF32Generic(a, x, want[:n])
		for name, f := range map[string]func(a float32, x, y []float32){
			"asm": axpyF32AVX2,
			"gonum": func(a float32, x, y []float32) {
				blas32.Implementation().Saxpy(len(y), a, x, 1, y, 1)
			},
			"dispatch": func(a float32, x, y []float32) { axpy(a, x, y) },
		} {
			got := append([]float32(nil), y0...)
			for i := n; i < len(got); i++ {
				got[i] = guard
			}
			f(a, x, got[:n])
			for i := range n {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s n=%d: y[%d] = %v, want %v", name, n, i, got[i], want[i])
				}
			}
			for i := n; i < len(got); i++ {
				if got[i] != guard {
					t.Fatalf("%s n=%d: wrote past the end at %d", name, n, i)
				}
			}
		}
	}
}

// BenchmarkAxpyF32 compares the float32 axpy kernels at the first layer's
// lengths (256 outputs, 128 per worker with two).
func BenchmarkAxpyF32(b *testing.B) {
	for _, n := range []int{128, 256} {
		x, y := make([]float32, n), make([]float32, n)
		for name, f := range map[string]func(a float32, x, y []float32){
			"impl=asm":   axpyF32AVX2,
			"impl=go":    axpyF32Generic,
			"impl=gonum": func(a float32, x, y []float32) { blas32.Implementation().Saxpy(len(y), a, x, 1, y, 1) },
		} {
			b.Run(name+"/n="+strconv.Itoa(n), func(b *testing.B) {
				b.SetBytes(int64(12 * n)) // read x and y, write y
				for b.Loop() {
					f(1e-9, x, y)
				}
			})
		}
	}
}
