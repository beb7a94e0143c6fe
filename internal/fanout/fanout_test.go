package fanout

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
)

// TestRunLowestError: with errors in several blocks, Run returns the lowest
// block's whatever the worker count, and computes every block below it.
func TestRunLowestError(t *testing.T) {
	const blocks = 50
	bad := map[int]bool{17: true, 23: true, 41: true}
	for workers := 1; workers <= 8; workers++ {
		var done [blocks]atomic.Bool
		err := Run(blocks, workers, Func(func(_, b int) error {
			done[b].Store(true)
			if bad[b] {
				return fmt.Errorf("block %d", b)
			}
			return nil
		}))
		if err == nil || err.Error() != "block 17" {
			t.Errorf("%d workers: err = %v, want block 17", workers, err)
		}
		for b := range 17 {
			if !done[b].Load() {
				t.Errorf("%d workers: block %d below the failing one not computed", workers, b)
			}
		}
	}
}

// TestRunWorkers: each block runs once, on the worker b mod workers.
func TestRunWorkers(t *testing.T) {
	const blocks = 40
	for _, workers := range []int{0, 1, 3, 64} {
		var runs [blocks]atomic.Int32
		err := Run(blocks, workers, Func(func(w, b int) error {
			runs[b].Add(1)
			if workers > 1 && w != b%min(workers, blocks) {
				return errors.New("block on the wrong worker")
			}
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		for b := range runs {
			if n := runs[b].Load(); n != 1 {
				t.Errorf("%d workers: block %d ran %d times", workers, b, n)
			}
		}
	}
}

// TestSequentialAllocs: one worker runs on the caller and allocates nothing.
func TestSequentialAllocs(t *testing.T) {
	job := new(countJob)
	if n := testing.AllocsPerRun(10, func() { _ = Run(100, 1, job) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

type countJob struct{ n int }

func (j *countJob) Block(_, _ int) error { j.n++; return nil }

// TestLowest: the lowest block wins in any order of reports; Failed tells
// the blocks that can no longer matter.
func TestLowest(t *testing.T) {
	var l Lowest
	if l.Err() != nil || l.Failed(100) {
		t.Fatal("the zero Lowest holds an error")
	}
	e7, e3 := errors.New("7"), errors.New("3")
	l.Report(5, nil)
	l.Report(7, e7)
	l.Report(3, e3)
	l.Report(9, errors.New("9"))
	if l.Err() != e3 || !l.Failed(4) || l.Failed(3) {
		t.Errorf("Err() = %v, Failed(4) = %v, Failed(3) = %v", l.Err(), l.Failed(4), l.Failed(3))
	}
}

// TestWorkers: explicit counts are kept; the default is GOMAXPROCS, capped
// at one per minWork, at least one.
func TestWorkers(t *testing.T) {
	p := runtime.GOMAXPROCS(0)
	for _, c := range []struct{ n, work, minWork, want int }{
		{3, 1, 100, 3}, {0, 0, 0, p}, {0, 50, 100, 1}, {0, 1 << 40, 100, p}, {0, 250, 100, min(p, 2)},
	} {
		if got := Workers(c.n, c.work, c.minWork); got != c.want {
			t.Errorf("Workers(%d, %d, %d) = %d, want %d", c.n, c.work, c.minWork, got, c.want)
		}
	}
}
