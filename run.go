package lsce

import (
	"github.com/lsce/lsce/internal/fanout"
	"github.com/lsce/lsce/internal/rowmath"
)

// blockSize is the number of elements summed together before the block sums
// are added in order. Fixed, so that results do not depend on Workers.
const blockSize = 64

// run computes every element, in blocks over the workers, and reduces.
func (e *engine[T]) run() error {
	if e.path == pathSplit {
		return e.runSplit()
	}
	n := e.lay.elements()
	blocks := (n + blockSize - 1) / blockSize
	part := e.dst.ws.partialSums(blocks)
	workers := min(e.workers, blocks)
	e.sc = e.space.scratchRows(max(workers, 1), e.scratchSize())
	e.part = part
	if err := fanout.Run(blocks, workers, e); err != nil {
		return err
	}
	var total sums
	for b := range blocks {
		total.merge(part[b], b*blockSize)
	}
	return e.finish(total)
}

// Block computes block b of elements on worker w (fanout.Job).
func (e *engine[T]) Block(w, b int) error { return e.block(b, &e.part[b], e.sc[w]) }

// sums are the running totals of the parts over elements. bad is 1 + the
// first element whose parts, or the running totals with them, are not
// finite (0: none), to locate a loss that overflows float64.
type sums struct {
	nll, smooth, z, floor, loss float64
	bad                         int
}

// add counts element i's parts, and stores them per element for None (d's
// Losses are sized then), noting the first element where a total stops
// being finite.
func (t *sums) add(d *Result, i int, p parts) {
	t.count(p.NLL, p.Smooth, p.Z, p.Floor, p.Eps)
	if t.bad == 0 && !t.finite() {
		t.bad = i + 1
	}
	if len(d.Losses) > 0 {
		d.store(i, p)
	}
}

// count adds an element's parts to the totals (small enough to inline in
// the loops over rows, in scalars: a Parts, of five fields, would live in
// memory; the caller checks the totals).
func (t *sums) count(nll, smooth, z, floor, eps float64) {
	t.nll += nll
	t.smooth += smooth
	t.z += z
	t.floor += floor
	t.loss += rowmath.Main(eps, nll, smooth)
}

// finite reports whether every total is finite. Every part is ≥ 0, so one
// sum tells (loss combines nll and smooth).
func (t *sums) finite() bool {
	s := t.nll + t.smooth + t.z + t.floor
	return s-s == 0
}

// store keeps element i's parts for None.
func (d *Result) store(i int, p parts) { d.storeParts(i, p.NLL, p.Smooth, p.Z, p.Floor, p.Eps) }

// storeParts is store in scalars.
func (d *Result) storeParts(i int, nll, smooth, z, floor, eps float64) {
	d.Losses[i], d.NLLs[i], d.Smooths[i] = rowmath.Main(eps, nll, smooth)+z-floor, nll, smooth
}

// merge adds o, the sums of the elements from first on, to t.
func (t *sums) merge(o sums, first int) {
	t.nll += o.nll
	t.smooth += o.smooth
	t.z += o.z
	t.floor += o.floor
	t.loss += o.loss
	if t.bad == 0 {
		t.bad = o.bad
	}
	if t.bad == 0 && !t.finite() {
		t.bad = first + 1
	}
}

// finish applies the reduction's factors and fills the reduced fields. Finite
// logits and weights can still overflow float64 in the loss (|z| near 1e308,
// weights or λ near the largest float64): an error naming the first element
// where it happens, not a silent ±Inf or NaN.
func (e *engine[T]) finish(t sums) error { return t.reduce(e.dst, e.scale, e.zs) }

// reduce fills d's reduced fields from the sums over every element, with
// the reduction's factors scale (main terms) and zs (z-loss).
func (t sums) reduce(d *Result, scale, zs float64) error {
	d.NLL, d.Smooth, d.Floor = t.nll*scale, t.smooth*scale, t.floor*scale
	d.ZLoss = t.z * zs
	d.Loss = t.loss*scale + d.ZLoss - d.Floor
	if t.bad == 0 && !(finite(d.Loss) && finite(d.NLL) && finite(d.Smooth)) {
		t.bad = 1 // finite sums, overflowing once scaled: tiny denominators
	}
	if t.bad > 0 {
		return lossOverflow(t.bad-1, d)
	}
	return nil
}

// streamMinBytes is the gradient size from which fast rows stream their
// gradient to memory (see fusedRow); a smaller gradient is written through
// the cache, where the caller will find it.
const streamMinBytes = 16 << 20

// streamMinClasses is the row length from which streaming pays: shorter rows
// cover few whole cache lines, and streaming stores to partial lines, and
// the write at the target just after them, cost more than they save.
const streamMinClasses = 1024

// sizeOf is the size of T in bytes.
func sizeOf[T Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}

// block computes elements [b·blockSize, …) and stores their sums in out;
// sc is the worker's scratch row (scratchSize values).
func (e *engine[T]) block(b int, out *sums, sc []T) error {
	lo := b * blockSize
	hi := min(lo+blockSize, e.lay.elements())
	switch e.path {
	case pathShort:
		return e.shortBlock(lo, hi, out, sc)
	case pathStridedShort:
		return e.stridedBlock(lo, hi, out, sc)
	}
	if e.path == pathContiguous && e.grad == nil && e.lay.classes < splitMinClasses {
		return e.lossRows(lo, hi, out)
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
	switch e.path {
	case pathGeneral:
		return e.generalRow(i)
	case pathStrided, pathStridedShort:
		return e.stridedRow(i, sc)
	}
	off := i * e.lay.classes
	return e.fastRow(i, e.in.Logits[off:off+e.lay.classes], sc)
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
