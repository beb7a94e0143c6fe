package lsce

import (
	"fmt"
	"math"

	"github.com/lsce/lsce/internal/rowmath"
)

// generalRow computes one element in any layout, with soft-capping, class
// masks and probability targets: the scalar sweeps of classSweep over the
// classes with stride, then the gradient sweep.
func (e *engine[T]) generalRow(i int) (parts, error) {
	off, stride := e.lay.base(i)
	cap := e.opt.SoftCap
	mask := e.rowMask(i)
	w := e.opt.Weight
	v := classSweep[T]{x: e.in.Logits, off: off, stride: stride, n: e.lay.classes, mask: mask, w: w, softCap: cap}
	var soft []T
	if e.soft {
		soft = e.in.Probs
		v.q = soft
	}
	st, err := v.stats(i)
	if err != nil {
		return parts{}, err
	}
	k := int(st.K)
	if k == 0 {
		return parts{}, maskedError(i)
	}
	y := -1
	if !e.soft {
		y = e.in.Targets[i]
		if mask != nil && !mask[y] {
			return parts{}, &Error{Kind: ErrTarget, Row: i, Class: y, Msg: fmt.Sprintf("target %d is a masked class", y)}
		}
	}
	m, s, swz, wRow, sumWq := st.Max, st.SumExp, st.SumWZ, st.SumW, st.WQ
	eps := e.effectiveEpsilon(k)
	u := eps / float64(k)
	lse := m + math.Log(s)
	var p parts
	if soft != nil {
		var floor float64
		if e.opt.ZeroFloor {
			floor = v.floor(eps, k)
		}
		p = rowmath.Soft(k, eps, lse, sumWq, st.ZY, swz, wRow, e.opt.ZLoss, floor)
	} else {
		p = e.rowParts(k, lse, v.z(y), weightOf(w, y), swz, wRow)
		sumWq = weightOf(w, y)
	}
	if e.grad == nil {
		return p, nil
	}
	// Sweep 3: g_c = (Σ w q̃)·p_c − w_c q̃_c, times the soft-cap's derivative.
	a, _ := rowmath.Coef(k, eps, sumWq, wRow, s, lse, e.scale, e.zs, e.opt.ZLoss)
	g := e.grad
	for c := range e.lay.classes {
		at := off + c*stride
		if mask != nil && !mask[c] {
			g[at] = 0
			continue
		}
		zc, wc := v.z(c), weightOf(w, c)
		qc := u
		switch {
		case soft != nil:
			qc += (1 - eps) * float64(soft[at])
		case c == y:
			qc += 1 - eps
		}
		gc := rowmath.ClassGrad(a, zc, m, wc, qc, e.scale, cap)
		if !(math.Abs(gc) <= maxFinite[T]()) { // huge probability targets or weights
			return parts{}, &Error{Kind: ErrProbability, Row: i, Class: c, Msg: fmt.Sprintf("the gradient %g overflows %T: probability targets or weights too large", gc, T(0))}
		}
		g[at] = T(gc)
	}
	return p, nil
}

// rowMask returns element i's class mask, or nil.
func (e *engine[T]) rowMask(i int) []bool {
	m := e.opt.ClassMask
	if m == nil || len(m) == e.lay.classes {
		return m
	}
	return m[i*e.lay.classes : (i+1)*e.lay.classes]
}

func weightOf(w []float64, c int) float64 {
	if w == nil {
		return 1
	}
	return w[c]
}
