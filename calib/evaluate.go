package calib

import (
	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/fanout"
)

// evalBlock is the number of rows a worker adds at a time in Evaluate.
const evalBlock = 512

// Evaluate computes the metrics of n rows of c logits held in memory
// (row-major, class-contiguous: logits[i*c+k]) against targets in [0, c),
// fits the temperature (unless opt.NoFit) and returns the Report. The work is
// spread over opt.Workers goroutines; the result does not depend on their
// number. Errors are *lsce.Error values locating the row and class.
func Evaluate[T lsce.Float](logits []T, n, c int, targets []int, opt Options) (*Report, error) {
	if err := opt.validate(c); err != nil {
		return nil, err
	}
	if n < 0 || len(targets) != n || len(logits) != n*c {
		return nil, shapeError("%d logits and %d targets for %d rows of %d classes: want %d and %d", len(logits), len(targets), n, c, n*c, n)
	}
	workers := fanout.Workers(opt.Workers, 0, 0)
	pass := func(o Options) (*Accumulator, error) {
		return evaluatePass(logits, c, targets, o, workers)
	}
	return Run(opt, pass)
}

// evaluatePass is one pass over in-memory rows with workers goroutines, each
// taking every workers-th block of evalBlock rows (fanout.Run: the error is
// the first bad row's whatever the number of workers).
func evaluatePass[T lsce.Float](logits []T, c int, targets []int, o Options, workers int) (*Accumulator, error) {
	n := len(targets)
	blocks := (n + evalBlock - 1) / evalBlock
	accs, err := newAccumulators(max(1, min(workers, blocks)), c, o)
	if err != nil {
		return nil, err
	}
	err = fanout.Run(blocks, len(accs), fanout.Func(func(w, b int) error {
		lo, hi := b*evalBlock, min((b+1)*evalBlock, n)
		return Add(accs[w], lo, logits[lo*c:hi*c], targets[lo:hi])
	}))
	if err != nil {
		return nil, err
	}
	return mergeAccumulators(accs)
}
