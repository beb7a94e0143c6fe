package lsce

import (
	"sync"
)

// blockSize is the number of elements summed together before the block sums
// are added in order. Fixed, so that results do not depend on Workers.
const blockSize = 64

// run computes every element, in parallel blocks, and reduces.
func (e *engine[T]) run() error {
	n := e.lay.elements()
	if n < e.opt.workers() && e.fast && e.lay.classes >= splitMinClasses {
		return e.runSplit()
	}
	blocks := (n + blockSize - 1) / blockSize
	d := e.dst
	if cap(d.partial) < blocks {
		d.partial = make([]sums, blocks)
	}
	part := d.partial[:blocks]
	workers := min(e.opt.workers(), blocks)
	sc := e.scratchRows(max(workers, 1))
	if workers <= 1 {
		for b := range blocks {
			if err := e.block(b, &part[b], sc[0]); err != nil {
				return err
			}
		}
	} else if err := e.runParallel(part, workers, sc); err != nil {
		return err
	}
	var total sums
	for b := range blocks {
		total.merge(part[b])
	}
	e.finish(total)
	return nil
}

// runParallel computes the blocks on workers goroutines, block b on worker
// b mod workers. (A function of its own, so that the single-worker path of
// run allocates nothing.)
func (e *engine[T]) runParallel(part []sums, workers int, sc [][]T) error {
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for b := w; b < len(part); b += workers {
				if err := e.block(b, &part[b], sc[w]); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	return FirstError(errs)
}

// sums are the running totals of the parts over elements.
type sums struct{ nll, smooth, z, floor, loss float64 }

// add counts element i's parts, and stores them per element for None.
func (t *sums) add(d *Result, i int, p parts) {
	l := p.loss()
	t.nll += p.nll
	t.smooth += p.smooth
	t.z += p.z
	t.floor += p.floor
	t.loss += l
	if len(d.Losses) > 0 {
		d.Losses[i], d.NLLs[i], d.Smooths[i] = l+p.z-p.floor, p.nll, p.smooth
	}
}

func (t *sums) merge(o sums) {
	t.nll += o.nll
	t.smooth += o.smooth
	t.z += o.z
	t.floor += o.floor
	t.loss += o.loss
}

// finish applies the reduction's factors and fills the reduced fields.
func (e *engine[T]) finish(t sums) {
	d := e.dst
	d.NLL, d.Smooth, d.Floor = t.nll*e.scale, t.smooth*e.scale, t.floor*e.scale
	d.ZLoss = t.z * e.zs
	d.Loss = t.loss*e.scale + d.ZLoss - d.Floor
}

// streamMinBytes is the gradient size from which fast rows stream their
// gradient to memory (see fusedRow); a smaller gradient is written through
// the cache, where the caller will find it.
const streamMinBytes = 16 << 20

// streamMinClasses is the row length from which streaming pays: shorter rows
// cover few whole cache lines, and streaming stores to partial lines, and
// the write at the target just after them, cost more than they save.
const streamMinClasses = 1024

// scratchRows returns one scratch row per worker for the gradient of fast
// rows (see fusedRow), kept in the Result between calls; the rows are only
// sized (and so used) when a gradient of at least streamMinBytes is asked for,
// or for short rows, where each holds a block of rows' exponentials (see
// shortBlock).
func (e *engine[T]) scratchRows(workers int) [][]T {
	rows, _ := e.dst.scratch.([][]T)
	if len(rows) < workers {
		rows = append(rows, make([][]T, workers-len(rows))...)
		e.dst.scratch = rows
	}
	rows = rows[:workers]
	if k := e.lay.classes; e.strided {
		// stridedBlock's tiles and stridedRow's gathered row and its
		// gradient, or only the latter for long rows.
		size := 2 * k
		if k <= shortMaxClasses[T]() {
			size = stridedScratch(k)
		}
		for w := range rows {
			if cap(rows[w]) < size {
				rows[w] = make([]T, size)
			}
		}
		return rows
	}
	if k := e.lay.classes; e.fast && k <= shortMaxClasses[T]() {
		// shortBlock's exponentials of a block of rows.
		for w := range rows {
			if cap(rows[w]) < blockSize*k {
				rows[w] = make([]T, blockSize*k)
			}
		}
		return rows
	}
	big := len(e.grad)*sizeOf[T]() >= streamMinBytes
	if k := e.lay.classes; big && e.fast && k >= streamMinClasses && k < splitMinClasses {
		for w := range rows {
			if cap(rows[w]) < k {
				rows[w] = make([]T, k)
			}
		}
	}
	return rows
}

// sizeOf is the size of T in bytes.
func sizeOf[T Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

// block computes elements [b·blockSize, …) and stores their sums in out;
// sc is the worker's scratch row (nil when not needed).
func (e *engine[T]) block(b int, out *sums, sc []T) error {
	lo := b * blockSize
	hi := min(lo+blockSize, e.lay.elements())
	short := e.lay.classes <= shortMaxClasses[T]()
	if e.fast && short && cap(sc) >= (hi-lo)*e.lay.classes {
		return e.shortBlock(lo, hi, out, sc)
	}
	if e.strided && short && cap(sc) >= stridedScratch(e.lay.classes) {
		return e.stridedBlock(lo, hi, out, sc[:cap(sc)])
	}
	return e.rowBlock(lo, hi, out, sc)
}

// rowBlock computes elements [lo, hi) row by row and stores their sums in
// out; sc is the worker's scratch row (nil when not needed).
func (e *engine[T]) rowBlock(lo, hi int, out *sums, sc []T) error {
	var t sums
	for i := lo; i < hi; i++ {
		p, err := e.element(i, sc)
		if err != nil {
			return err
		}
		t.add(e.dst, i, p)
	}
	*out = t
	return nil
}

// element computes one element's parts, and its gradient when asked.
func (e *engine[T]) element(i int, sc []T) (parts, error) {
	if !e.soft && e.in.Targets[i] == e.ign {
		e.zeroGrad(i)
		return parts{}, nil
	}
	if e.fast {
		off := i * e.lay.classes
		return e.fastRow(i, e.in.Logits[off:off+e.lay.classes], sc)
	}
	if e.strided {
		return e.stridedRow(i, sc)
	}
	return e.generalRow(i)
}

// zeroGrad clears the gradient of an ignored element.
func (e *engine[T]) zeroGrad(i int) {
	if e.grad == nil {
		return
	}
	off, stride := e.lay.base(i)
	for c := range e.lay.classes {
		e.grad[off+c*stride] = 0
	}
}
