package lsce

import "github.com/lsce/lsce/internal/fanout"

// path is how a call computes its elements. It is chosen once, by
// choosePath when the call is set up, from the input's kind alone; the
// scratch each worker needs follows from it (scratchSize), and block runs
// the one switch over it. Changing a buffer never changes the path.
type path int

const (
	// pathShort: contiguous rows of at most shortMaxClasses classes, index
	// targets, no soft-cap or mask: a block of rows in a few sweeps
	// (shortBlock, row_short.go).
	pathShort path = iota
	// pathContiguous: longer contiguous rows, same conditions: row by row
	// through the kernels (fastRow, row_contiguous.go).
	pathContiguous
	// pathSplit: fewer rows than workers, each of at least splitMinClasses
	// classes: every row's classes shared among the workers (runSplit,
	// row_split.go).
	pathSplit
	// pathStridedShort: K-dimensional input with the class axis 1 (classes a
	// stride apart), short rows: tiles of elements gathered and computed as
	// pathShort (stridedBlock, row_strided.go).
	pathStridedShort
	// pathStrided: as pathStridedShort with longer rows: each element's
	// classes gathered and computed as pathContiguous (stridedRow).
	pathStrided
	// pathGeneral: soft-cap, class masks or probability targets, any layout:
	// a scalar loop over the classes (generalRow, row_general.go).
	pathGeneral
)

// String names the path, for tests and errors.
func (p path) String() string {
	return [...]string{"short", "contiguous", "split", "strided-short", "strided", "general"}[p]
}

// minWorkPerWorker is the number of logits below which one more worker
// costs more than it saves (starting and joining a goroutine, a few
// microseconds): the default Options (Workers 0) spawn at most one worker per
// this many logits, so that ordinary minibatches run on the calling
// goroutine and allocate nothing (BenchmarkCrossEntropyDefault). Issue 15's
// figures put it between 1024×100 logits (two workers slower than one:
// 82–85 µs against 74–76) and 256×1000 (two workers faster).
const minWorkPerWorker = 1 << 16

// choosePath sets e.path, e.workers and e.stream from the input's kind.
func (e *engine[T]) choosePath() {
	n, k := e.lay.elements(), e.lay.classes
	e.workers = fanout.Workers(e.opt.Workers, n*k, minWorkPerWorker)
	simple := e.opt.SoftCap == 0 && e.opt.ClassMask == nil && !e.soft
	short := k <= shortMaxClasses[T]()
	switch {
	case !simple:
		e.path = pathGeneral
	case e.lay.inner > 1 && short:
		e.path = pathStridedShort
	case e.lay.inner > 1:
		e.path = pathStrided
	case n < e.workers && k >= splitMinClasses:
		e.path = pathSplit
	case short:
		e.path = pathShort
	default:
		e.path = pathContiguous
	}
	// Contiguous rows stream a large gradient to memory through a scratch
	// row (see fusedRow); a small one stays in cache for the caller.
	big := len(e.grad)*sizeOf[T]() >= streamMinBytes
	e.stream = e.path == pathContiguous && big && k >= streamMinClasses && k < splitMinClasses
}

// scratchSize is the number of scratch values each worker needs on the
// path: a block of rows' exponentials (pathShort); tiles and a gathered row
// (pathStridedShort, see stridedScratch); a gathered row and its gradient
// (pathStrided); a row of exponentials when streaming; else none.
func (e *engine[T]) scratchSize() int {
	k := e.lay.classes
	switch {
	case e.path == pathShort:
		return blockSize * k
	case e.path == pathStridedShort:
		return stridedScratch(k)
	case e.path == pathStrided:
		return 2 * k
	case e.stream:
		return k
	}
	return 0
}
