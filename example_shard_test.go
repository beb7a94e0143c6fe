package lsce_test

import (
	"fmt"
	"math"
	"sync"

	"github.com/lsce/lsce"
)

// Vocabulary-parallel cross-entropy: three goroutines stand in for three
// ranks, each holding the logits of its own slice of the classes. They
// exchange one RowStats per row (eight float64 scalars) through an
// all-reduce — here a merge in the main goroutine; with MPI or NCCL, a
// custom reduction over the same scalars — and each then writes its slice of
// the gradient. The result equals the unsharded loss, smoothing, z-loss and
// all: the smoothing term sees every shard's Σz and the whole row's K.
// PyTorch 1.13: F.cross_entropy(x, y, weight=w, label_smoothing=0.1) +
// 1e-3·mean(logsumexp(x)²) over the counted rows = 3.885670, z-loss 0.015637.
func ExampleShard() {
	const rows, classes = 4, 10
	logits := make([]float32, rows*classes)
	for i := range logits {
		logits[i] = float32(math.Sin(float64(i)*1.7) * 3)
	}
	targets := []int{2, 9, -100, 5} // row 2 is ignored
	opt := lsce.Options{Epsilon: 0.1, ZLoss: 1e-3, Weight: []float64{1, 1, 2, 1, 1, 1, 1, 1, 1, 0.5}}
	bounds := []int{0, 3, 7, 10} // rank r holds classes [bounds[r], bounds[r+1])

	// Each rank's shard: its columns of the logits.
	ranks := len(bounds) - 1
	shards := make([]lsce.Shard[float32], ranks)
	for r := range ranks {
		lo, hi := bounds[r], bounds[r+1]
		var cols []float32
		for i := range rows {
			cols = append(cols, logits[i*classes+lo:i*classes+hi]...)
		}
		shards[r] = lsce.Shard[float32]{Logits: cols, Rows: rows, Classes: classes, Start: lo, Stop: hi, Targets: targets}
	}

	// Round 1 on every rank: partial statistics.
	partial := make([][]lsce.RowStats, ranks)
	var wg sync.WaitGroup
	for r := range ranks {
		wg.Go(func() {
			partial[r] = make([]lsce.RowStats, rows)
			if err := shards[r].Stats(partial[r], opt); err != nil {
				panic(err)
			}
		})
	}
	wg.Wait()

	// The all-reduce: merge the ranks' statistics, in any order.
	merged := make([]lsce.RowStats, rows)
	if err := lsce.MergeStats(merged, partial[2], partial[0], partial[1]); err != nil {
		panic(err)
	}

	// Round 2 on every rank: the loss and the rank's slice of the gradient.
	res, err := lsce.ShardLoss(merged, targets, opt)
	if err != nil {
		panic(err)
	}
	grads := make([][]float32, ranks)
	for r := range ranks {
		wg.Go(func() {
			grads[r] = make([]float32, len(shards[r].Logits))
			if err := shards[r].Grad(grads[r], merged, opt); err != nil {
				panic(err)
			}
		})
	}
	wg.Wait()

	// The same on the whole rows, for comparison.
	whole := make([]float32, len(logits))
	want, err := lsce.CrossEntropyGrad(whole, lsce.Input[float32]{Logits: logits, Shape: []int{rows, classes}, Targets: targets}, opt)
	if err != nil {
		panic(err)
	}
	diff := 0.0
	for r := range ranks {
		width := bounds[r+1] - bounds[r]
		for i := range rows {
			for c := range width {
				d := float64(grads[r][i*width+c] - whole[i*classes+bounds[r]+c])
				diff = math.Max(diff, math.Abs(d))
			}
		}
	}
	fmt.Printf("sharded loss %.6f (z-loss %.6f), whole %.6f\n", res.Loss, res.ZLoss, want.Loss)
	fmt.Printf("largest gradient difference below 1e-6: %v\n", diff < 1e-6)
	// Output:
	// sharded loss 3.885670 (z-loss 0.015637), whole 3.885670
	// largest gradient difference below 1e-6: true
}
