package lsce_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/kernel"
)

// benchShapes are the (rows, classes) shapes benchmarked: an ImageNet-sized
// batch, a language-model batch, and one very long row.
var benchShapes = [][2]int{{65536, 10}, {524288, 21}, {256, 1000}, {4096, 32000}, {1, 1 << 20}}

// benchInput returns logits drawn from N(0, 3²) and uniform targets.
func benchInput[T lsce.Float](n, c int) lsce.Input[T] {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]T, n*c)
	for i := range x {
		x[i] = T(3 * r.NormFloat64())
	}
	y := make([]int, n)
	for i := range y {
		y[i] = r.IntN(c)
	}
	return lsce.Input[T]{Logits: x, Shape: []int{n, c}, Targets: y}
}

// BenchmarkCrossEntropy measures the forward pass (loss) and the forward pass
// with the gradient, one worker, per kernel implementation, shape and element
// type: BenchmarkCrossEntropy/impl=avx2/N=4096/C=32000/T=float32/pass=fwd.
// Bytes are the logits read.
func BenchmarkCrossEntropy(b *testing.B) {
	for _, impl := range []string{"avx512", "avx2", "generic"} {
		b.Run("impl="+impl, func(b *testing.B) {
			if !slices.Contains(kernel.Available(), impl) {
				b.Skipf("%s kernels are not available on this CPU or build", impl)
			}
			if err := kernel.Use(impl); err != nil {
				b.Fatal(err)
			}
			defer kernel.Use("auto")
			for _, sh := range benchShapes {
				b.Run(fmt.Sprintf("N=%d/C=%d", sh[0], sh[1]), func(b *testing.B) {
					b.Run("T=float32", func(b *testing.B) { benchPasses[float32](b, sh[0], sh[1], 1) })
					b.Run("T=float64", func(b *testing.B) { benchPasses[float64](b, sh[0], sh[1], 1) })
				})
			}
		})
	}
}

// BenchmarkCrossEntropyWorkers measures how the default kernels scale with
// workers: BenchmarkCrossEntropyWorkers/W=2/N=4096/C=32000/T=float32/pass=fwd.
func BenchmarkCrossEntropyWorkers(b *testing.B) {
	for _, w := range []int{1, 2} {
		for _, sh := range benchShapes {
			b.Run(fmt.Sprintf("W=%d/N=%d/C=%d/T=float32", w, sh[0], sh[1]), func(b *testing.B) {
				benchPasses[float32](b, sh[0], sh[1], w)
			})
		}
	}
}

// BenchmarkCrossEntropyDefault measures ordinary minibatches with the
// default Options (Workers 0: GOMAXPROCS, spawned only when the work pays)
// against one worker, float32, allocations reported:
// BenchmarkCrossEntropyDefault/N=128/C=10/W=default/pass=fwdbwd.
func BenchmarkCrossEntropyDefault(b *testing.B) {
	for _, sh := range [][2]int{{128, 10}, {1024, 100}, {256, 1000}, {4096, 1000}} {
		for _, w := range []int{0, 1} {
			name := fmt.Sprintf("N=%d/C=%d/W=%d", sh[0], sh[1], w)
			if w == 0 {
				name = fmt.Sprintf("N=%d/C=%d/W=default", sh[0], sh[1])
			}
			b.Run(name, func(b *testing.B) {
				benchInputPasses(b, benchInput[float32](sh[0], sh[1]), lsce.Options{Epsilon: 0.1, Workers: w})
			})
		}
	}
}

// BenchmarkCrossEntropyKDim measures K-dimensional input, a segmentation
// batch (8, 21, 256·256), one worker, float32, with the class axis 1 (the
// classes of an element a stride apart, gathered into the kernels) and
// class-last (the same logits transposed, rows contiguous):
// BenchmarkCrossEntropyKDim/axis=1/pass=fwd.
func BenchmarkCrossEntropyKDim(b *testing.B) {
	const n, c, d = 8, 21, 256 * 256
	last := benchInput[float32](n*d, c)
	axis1 := lsce.Input[float32]{Logits: make([]float32, len(last.Logits)), Shape: []int{n, c, d}, Targets: last.Targets}
	for o := range n {
		for p := range d {
			for k := range c {
				axis1.Logits[(o*c+k)*d+p] = last.Logits[(o*d+p)*c+k]
			}
		}
	}
	last.Shape = []int{n, d, c}
	b.Run("axis=1", func(b *testing.B) { benchInputPasses(b, axis1, lsce.Options{Epsilon: 0.1, Workers: 1}) })
	b.Run("axis=last", func(b *testing.B) {
		benchInputPasses(b, last, lsce.Options{Epsilon: 0.1, Workers: 1, ClassLast: true})
	})
}

func benchPasses[T lsce.Float](b *testing.B, n, c, workers int) {
	benchInputPasses(b, benchInput[T](n, c), lsce.Options{Epsilon: 0.1, Workers: workers})
}

// benchInputPasses runs the sub-benchmarks pass=fwd and pass=fwdbwd on in.
func benchInputPasses[T lsce.Float](b *testing.B, in lsce.Input[T], opt lsce.Options) {
	var z T
	bytes := int64(len(in.Logits)) * int64(sizeOf(z))
	var res lsce.Result
	grad := make([]T, len(in.Logits))
	for _, pass := range []string{"fwd", "fwdbwd"} {
		b.Run("pass="+pass, func(b *testing.B) {
			g := grad
			if pass == "fwd" {
				g = nil
			}
			b.SetBytes(bytes)
			b.ReportAllocs()
			for b.Loop() {
				if err := lsce.CrossEntropyInto(&res, g, in, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sizeOf[T lsce.Float](T) int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}
