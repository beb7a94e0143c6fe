package calib

import (
	"runtime"
	"sync"

	"github.com/lsce/lsce"
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
	workers := opt.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	pass := func(o Options) (*Accumulator, error) {
		return evaluatePass(logits, c, targets, o, workers)
	}
	return Run(opt, pass)
}

// evaluatePass is one pass over in-memory rows with workers goroutines, each
// taking every workers-th block of evalBlock rows.
func evaluatePass[T lsce.Float](logits []T, c int, targets []int, o Options, workers int) (*Accumulator, error) {
	n := len(targets)
	blocks := (n + evalBlock - 1) / evalBlock
	workers = max(1, min(workers, blocks))
	accs := make([]*Accumulator, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			a, err := NewAccumulator(c, o)
			if err != nil {
				errs[w] = err
				return
			}
			accs[w] = a
			for b := w; b < blocks; b += workers {
				lo, hi := b*evalBlock, min((b+1)*evalBlock, n)
				if err := Add(a, lo, logits[lo*c:hi*c], targets[lo:hi]); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	if err := lsce.FirstError(errs); err != nil {
		return nil, err
	}
	for _, a := range accs[1:] {
		if err := accs[0].Merge(a); err != nil {
			return nil, err
		}
	}
	return accs[0], nil
}
