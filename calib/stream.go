package calib

import (
	"runtime"
	"sync"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/fanout"
)

// Source supplies the rows EvaluateStream reads, once per pass.
type Source[T lsce.Float] interface {
	// Rewind starts a pass at the first row.
	Rewind() error
	// Read fills targets and the matching rows of logits (len(targets) rows
	// of the classes) with the next rows in order, and returns how many it
	// filled: len(targets), or fewer only at the end of the data.
	Read(logits []T, targets []int) (int, error)
}

// Progress, when not nil, is told of a pass's progress from the goroutine
// reading the rows: rows = 0 when pass (numbered from 1) starts, then the
// count of rows each chunk read adds.
type Progress func(pass, rows int)

// chunkElems is the number of logits per chunk handed to a worker by
// EvaluateStream (4 MB of float32); a chunk holds at least one row.
const chunkElems = 1 << 20

// EvaluateStream computes the Report of rows rows of classes logits read
// from src, as Evaluate does for rows in memory, in memory that does not
// grow with the data: each pass (one per step of the temperature fit, one
// with opt.NoFit) reads every row once, in chunks of about 4 MB (no larger
// than the data), which opt.Workers goroutines add to Accumulators of their
// own. The workers are capped at GOMAXPROCS and at the number of chunks, so
// memory is at most workers + 2 chunks. The result and the error reported
// (the first bad row's, located as Add locates it, or the first read error)
// do not depend on the number of workers.
func EvaluateStream[T lsce.Float](src Source[T], rows, classes int, opt Options, progress Progress) (*Report, error) {
	if err := opt.validate(classes); err != nil {
		return nil, err
	}
	if rows < 0 {
		return nil, shapeError("%d rows: want ≥ 0", rows)
	}
	return Run(opt, newStream(src, rows, classes, opt.Workers, progress).pass)
}

// newStream sizes a stream: chunks of at most chunkElems logits and no more
// rows than the data, workers capped at GOMAXPROCS and the chunk count, and
// workers + 2 chunk buffers (no more than the chunks).
func newStream[T lsce.Float](src Source[T], rows, classes, workers int, progress Progress) *stream[T] {
	perChunk := max(1, min(chunkElems/classes, rows))
	chunks := (rows + perChunk - 1) / perChunk
	workers = max(1, min(fanout.Workers(workers, 0, 0), runtime.GOMAXPROCS(0), chunks))
	s := &stream[T]{src: src, rows: rows, classes: classes, perChunk: perChunk, workers: workers, progress: progress}
	for range min(workers+2, max(chunks, 1)) {
		s.bufs = append(s.bufs, &chunk[T]{logits: make([]T, perChunk*classes), targets: make([]int, perChunk)})
	}
	return s
}

// stream is EvaluateStream's state between passes.
type stream[T lsce.Float] struct {
	src                     Source[T]
	rows, classes, perChunk int
	workers                 int
	progress                Progress
	bufs                    []*chunk[T]
	passes                  int
}

// chunk is a run of whole rows: the index-th chunk of a pass, from row0.
type chunk[T lsce.Float] struct {
	index, row0, rows int
	logits            []T
	targets           []int
}

// pass reads every row once, in chunks, on the calling goroutine, and adds
// them on the workers. Chunks are numbered in row order and every chunk
// handed out below a failing one is added, so the lowest failing chunk's
// error (fanout.Lowest) is the one a sequential pass meets first.
func (s *stream[T]) pass(o Options) (*Accumulator, error) {
	s.passes++
	if s.progress != nil {
		s.progress(s.passes, 0)
	}
	accs, err := newAccumulators(s.workers, s.classes, o)
	if err != nil {
		return nil, err
	}
	free := make(chan *chunk[T], len(s.bufs))
	for _, c := range s.bufs {
		free <- c
	}
	jobs := make(chan *chunk[T], s.workers)
	var errs fanout.Lowest
	var wg sync.WaitGroup
	for _, a := range accs {
		wg.Go(func() {
			for c := range jobs {
				if !errs.Failed(c.index) {
					errs.Report(c.index, Add(a, c.row0, c.logits[:c.rows*s.classes], c.targets[:c.rows]))
				}
				free <- c
			}
		})
	}
	errs.Report(s.read(free, jobs, &errs)) // the chunk being read: after every chunk handed out
	close(jobs)
	wg.Wait()
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return mergeAccumulators(accs)
}

// read fills chunks in row order and hands them to jobs until the data ends
// or a chunk failed; a read error comes with the index of the chunk it
// stopped.
func (s *stream[T]) read(free chan *chunk[T], jobs chan<- *chunk[T], errs *fanout.Lowest) (int, error) {
	if err := s.src.Rewind(); err != nil {
		return 0, err
	}
	for index, row0 := 0, 0; row0 < s.rows; index++ {
		c := <-free
		if errs.Err() != nil {
			return 0, nil
		}
		rows := min(s.perChunk, s.rows-row0)
		n, err := s.src.Read(c.logits[:rows*s.classes], c.targets[:rows])
		if err == nil && n < rows {
			err = shapeError("rows %d…: the data ended after %d of %d rows", row0, row0+n, s.rows)
		}
		if err != nil {
			return index, err
		}
		c.index, c.row0, c.rows = index, row0, rows
		jobs <- c
		row0 += rows
		if s.progress != nil {
			s.progress(s.passes, rows)
		}
	}
	return 0, nil
}

// newAccumulators returns n empty Accumulators, one per worker.
func newAccumulators(n, classes int, o Options) ([]*Accumulator, error) {
	accs := make([]*Accumulator, n)
	for w := range accs {
		a, err := NewAccumulator(classes, o)
		if err != nil {
			return nil, err
		}
		accs[w] = a
	}
	return accs, nil
}

// mergeAccumulators merges the workers' Accumulators into the first.
func mergeAccumulators(accs []*Accumulator) (*Accumulator, error) {
	for _, a := range accs[1:] {
		if err := accs[0].Merge(a); err != nil {
			return nil, err
		}
	}
	return accs[0], nil
}
