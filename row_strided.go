package lsce

import "errors"

// stridedRow computes element i of K-dimensional input with the class axis 1,
// (N, C, d1, …), whose classes lie a stride apart, through the contiguous row
// kernels: it gathers the classes into the worker's scratch row buf (2·C
// values), runs fastRow on them, and scatters the gradient back. Elements are
// taken in order, so consecutive gathers share cache lines.
func (e *engine[T]) stridedRow(i int, buf []T) (parts, error) {
	k := e.lay.classes
	off, stride := e.lay.base(i)
	x, g := buf[:k], buf[k:2*k]
	for c := range x {
		x[c] = e.in.Logits[off+c*stride]
	}
	row := *e // the same settings, over one contiguous row
	row.in.Logits, row.in.Targets = x, e.in.Targets[i:i+1]
	if e.grad != nil {
		row.grad = g
	}
	p, err := row.fastRow(0, x, nil)
	if err != nil {
		if le := (*Error)(nil); errors.As(err, &le) {
			le.Row = i
		}
		return parts{}, err
	}
	if e.grad != nil {
		for c, v := range g {
			e.grad[off+c*stride] = v
		}
	}
	return p, nil
}

// stridedBlock is shortBlock for K-dim input with the class axis 1: it
// gathers the classes of the elements [lo, hi) into a contiguous tile (each
// class's values of consecutive elements lie next to each other in the
// logits, so the reads run along memory), computes the tile with
// shortRows, and scatters the tile's gradient back. The worker's scratch sc
// holds the tile, its exponentials, its gradient and a row for stridedRow
// (see stridedScratch). Every logit of the block is read before any
// gradient is written, so the gradient may be the logits themselves.
func (e *engine[T]) stridedBlock(lo, hi int, out *sums, sc []T) error {
	k, n := e.lay.classes, hi-lo
	x, ex, g, fsc := sc[:n*k], sc[n*k:2*n*k], sc[2*n*k:3*n*k], sc[3*n*k:3*n*k+2*k]
	var off [blockSize]int
	stride := e.lay.inner
	for r := range n {
		off[r], _ = e.lay.base(lo + r)
	}
	for c := range k {
		for r, o := range off[:n] {
			x[r*k+c] = e.in.Logits[o+c*stride]
		}
	}
	if e.grad == nil {
		g = nil
	}
	var done [blockSize]bool
	if err := e.shortRows(lo, hi, x, g, ex, fsc, out, &done); err != nil {
		return err
	}
	if g == nil {
		return nil
	}
	for c := range k {
		for r, o := range off[:n] {
			if done[r] {
				e.grad[o+c*stride] = g[r*k+c]
			}
		}
	}
	return nil
}

// stridedScratch is the length of the scratch row stridedBlock needs.
func stridedScratch(k int) int { return 3*blockSize*k + 2*k }
