// Package fanout runs blocks of work over worker goroutines so that the
// results, and the error reported, never depend on the number of workers.
//
// Work is cut into blocks numbered in data order (rows, chunks, class
// blocks). Run deals block b to worker b mod workers, each worker taking its
// blocks in order and stopping at its first error; the error returned is the
// one of the lowest failing block. Every block below it was computed without
// error (its worker reached it before its own first failure, which is not
// lower), so the error is the one a single worker, going through the blocks
// in order, would have met first. Blocks that write per-block results (block
// sums merged afterwards in block order) give bit-identical results whatever
// the worker count.
package fanout

import (
	"runtime"
	"sync"
)

// Job is the work of one block on one worker. The worker index, in
// [0, workers), lets a job keep per-worker scratch.
type Job interface {
	Block(worker, block int) error
}

// Func adapts a function to Job.
type Func func(worker, block int) error

// Block calls f.
func (f Func) Block(worker, block int) error { return f(worker, block) }

// Run computes blocks [0, blocks) on min(workers, blocks) goroutines and
// returns the error of the lowest failing block, or nil. With one worker (or
// one block) it runs on the calling goroutine and allocates nothing, so a
// Job that is already a pointer costs no allocation.
func Run(blocks, workers int, job Job) error {
	if workers <= 1 || blocks <= 1 {
		for b := range blocks {
			if err := job.Block(0, b); err != nil {
				return err
			}
		}
		return nil
	}
	return runParallel(blocks, min(workers, blocks), job)
}

// runParallel is Run's parallel case, apart so that the sequential case
// neither allocates nor makes job escape before it must.
func runParallel(blocks, workers int, job Job) error {
	var errs Lowest
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for b := w; b < blocks; b += workers {
				if err := job.Block(w, b); err != nil {
					errs.Report(b, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return errs.Err()
}

// Lowest keeps the error of the lowest block reported to it; safe for
// concurrent use. The zero Lowest holds no error. Pipelines that hand blocks
// out in order (a reader feeding workers) use it directly: if every block
// handed out below a failing one is computed, the lowest failing block's
// error is the sequential one.
type Lowest struct {
	mu    sync.Mutex
	block int
	err   error
}

// Report records err (if not nil) as the error of block.
func (l *Lowest) Report(block int, err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	if l.err == nil || block < l.block {
		l.block, l.err = block, err
	}
	l.mu.Unlock()
}

// Err returns the error of the lowest block reported, or nil.
func (l *Lowest) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Failed reports whether an error was reported for a block below block:
// computing block would not change the result.
func (l *Lowest) Failed(block int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err != nil && l.block < block
}

// Workers resolves a requested worker count: n when n > 0, else
// GOMAXPROCS, but no more than one worker per minWork units of work (so
// that a default call spawns goroutines only when the work pays for them),
// and at least one.
func Workers(n, work, minWork int) int {
	if n > 0 {
		return n
	}
	w := runtime.GOMAXPROCS(0)
	if minWork > 0 {
		w = min(w, work/minWork)
	}
	return max(w, 1)
}
