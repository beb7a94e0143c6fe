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
	cfg := Config{Epochs: 1, Batch: 128, LR: 0.05, Momentum: 0.9, Epsilon: 0.1, Seed: 1}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Train(m, x, tr.Labels, tr.N, cfg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/epoch")
}
