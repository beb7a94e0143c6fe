package lsce

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
		if le, ok := err.(*Error); ok {
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
