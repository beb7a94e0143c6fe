package train

import (
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/dataset"
)

// BenchmarkEpochMNIST trains one epoch of MNIST (60000 images) with a
// 784-256-10 network, batch 128, in each precision; the target is
// ≤ 3 s per epoch on a 2-core machine. Run with -benchtime 1x or 3x.
func BenchmarkEpochMNIST(b *testing.B) {
	tr, _, err := dataset.Load("mnist", "")
	if err != nil {
		b.Skipf("MNIST is not available: %v", err)
	}
	b.Run("T=float64", func(b *testing.B) { benchEpoch[float64](b, tr) })
	b.Run("T=float32", func(b *testing.B) { benchEpoch[float32](b, tr) })
}

func benchEpoch[T lsce.Float](b *testing.B, tr *dataset.Set) {
	x := Inputs[T](tr.Pixels)
	m, err := NewMLP[T]([]int{tr.Dim(), 256, 10}, 1)
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{Epochs: 1, Batch: 128, LR: 0.2, Momentum: 0.9, Cosine: true, Epsilon: 0.1, Seed: 1}
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Train(m, x, tr.Labels, tr.N, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
	// CPU seconds (user + system, all threads) per epoch: a figure that a
	// busy machine inflates less than the wall time.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/epoch")
}

// BenchmarkFirstLayer times the forward product and the weight gradient of
// the first layer (batch 128 of real MNIST images, 784→256) three ways, in
// both precisions: gonum's dense product (which itself skips zero elements
// of A), and the column-sparse kernels of sparse.go with 1 and 2 workers.
func BenchmarkFirstLayer(b *testing.B) {
	tr, _, err := dataset.LoadFirst("mnist", "", 128)
	if err != nil {
		b.Skipf("MNIST is not available: %v", err)
	}
	b.Run("T=float64", func(b *testing.B) { benchFirstLayer[float64](b, tr) })
	b.Run("T=float32", func(b *testing.B) { benchFirstLayer[float32](b, tr) })
}

func benchFirstLayer[T lsce.Float](b *testing.B, tr *dataset.Set) {
	const n, in, out = 128, 784, 256
	x := Inputs[T](tr.Pixels[:n*in])
	m, _ := NewMLP[T]([]int{in, out, 10}, 1)
	w := m.W[0]
	delta := make([]T, n*out)
	for i := range delta {
		delta[i] = T(i%7) - 3
	}
	z := make([]T, n*out)
	g := make([]T, in*out)
	b.Run("impl=gonum", func(b *testing.B) {
		for b.Loop() {
			gemm(false, false, n, out, in, x, w, z)
			gemm(true, false, in, out, n, x, delta, g)
		}
	})
	for _, workers := range []int{1, 2} {
		b.Run("impl=sparse/workers="+string(rune('0'+workers)), func(b *testing.B) {
			var c columns[T]
			for b.Loop() {
				c.build(x, n, in)
				sparseForward(workers, &c, w, z, n, in, out)
				sparseGradW(workers, &c, delta, g, n, in, out)
			}
		})
	}
}
