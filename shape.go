package lsce

import "math"

// layout is a shape read as outer × classes × inner: element e = o·inner + i
// has its class c at logits[(o·classes + c)·inner + i]. Class-last input and
// (N, C) input have inner = 1, so rows are contiguous.
type layout struct {
	outer, classes, inner int
}

// elements is the number of loss elements (rows).
func (l layout) elements() int { return l.outer * l.inner }

// base returns the offset of element e's class 0 and the stride between classes.
func (l layout) base(e int) (off, stride int) {
	o, i := e/l.inner, e%l.inner
	return o*l.classes*l.inner + i, l.inner
}

// layoutOf checks shape against the number of logits and reads it.
func layoutOf(shape []int, n int, classLast bool) (layout, error) {
	if len(shape) < 1 {
		return layout{}, shapeError("shape is empty: want (N, C, …) or (C)")
	}
	total := 1
	for i, d := range shape {
		if d < 0 {
			return layout{}, shapeError("shape %v: dimension %d is negative", shape, i)
		}
		if d > 0 && total > maxCount/d {
			return layout{}, shapeError("shape %v is too large", shape)
		}
		total *= d
	}
	if total != n {
		return layout{}, shapeError("shape %v holds %d logits, got %d", shape, total, n)
	}
	var l layout
	switch {
	case len(shape) == 1: // a single row of C classes
		l = layout{outer: 1, classes: shape[0], inner: 1}
	case classLast:
		l = layout{outer: 1, classes: shape[len(shape)-1], inner: 1}
		for _, d := range shape[:len(shape)-1] {
			l.outer = mulCapped(l.outer, d)
		}
	default:
		l = layout{outer: shape[0], classes: shape[1], inner: 1}
		for _, d := range shape[2:] {
			l.inner = mulCapped(l.inner, d)
		}
	}
	// With no classes there are no logits, whatever the other dimensions
	// say: refuse rather than size the per-element results (10^12 × 0 ran
	// out of memory).
	if l.classes == 0 && mulCapped(l.outer, l.inner) > 0 {
		return layout{}, shapeError("shape %v has no classes: want C ≥ 1", shape)
	}
	return l, nil
}

// maxCount bounds element counts: 2⁶²−1 on 64-bit platforms, 2³⁰−1 on 32-bit.
const maxCount = math.MaxInt >> 1

// mulCapped is a·b for a, b ≥ 0, capped at maxCount instead of overflowing.
func mulCapped(a, b int) int {
	if b > 0 && a > maxCount/b {
		return maxCount
	}
	return a * b
}

// TargetShape returns the shape of the per-element losses (and of index
// targets) for logits of the given shape: PyTorch's (N, d1, …, dk) for
// (N, C, d1, …, dk), or (N, …) for class-last (N, …, C).
func TargetShape(shape []int, classLast bool) []int {
	switch {
	case len(shape) <= 1:
		return []int{}
	case classLast:
		return append([]int(nil), shape[:len(shape)-1]...)
	}
	return append([]int{shape[0]}, shape[2:]...)
}
