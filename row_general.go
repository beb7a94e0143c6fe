package lsce

import (
	"fmt"
	"math"

	"github.com/lsce/lsce/internal/rowmath"
)

// generalRow computes one element in any layout, with soft-capping, class
// masks and probability targets: a scalar loop over the classes with stride.
func (e *engine[T]) generalRow(i int) (parts, error) {
	off, stride := e.lay.base(i)
	x := e.in.Logits
	cap := e.opt.SoftCap
	mask := e.rowMask(i)
	w := e.opt.Weight
	var soft []T
	if e.soft {
		soft = e.in.Probs
	}
	z := func(c int) float64 {
		v := float64(x[off+c*stride])
		if cap > 0 {
			v = cap * math.Tanh(v/cap)
		}
		return v
	}
	// Sweep 1: check, max, allowed count and weight.
	m := math.Inf(-1)
	k, wRow := 0, 0.0
	for c := range e.lay.classes {
		v := float64(x[off+c*stride])
		allowed := mask == nil || mask[c]
		if math.IsNaN(v) || math.IsInf(v, 1) || (allowed && math.IsInf(v, -1)) {
			return parts{}, &Error{Kind: ErrNonFinite, Row: i, Class: c, Msg: fmt.Sprintf("logit is %v", v)}
		}
		if soft != nil {
			q := float64(soft[off+c*stride])
			if !(q >= 0) || math.IsInf(q, 1) {
				return parts{}, &Error{Kind: ErrProbability, Row: i, Class: c, Msg: fmt.Sprintf("probability target %v: want finite and ≥ 0", q)}
			}
		}
		if !allowed {
			continue
		}
		k++
		wRow += weightOf(w, c)
		if zc := z(c); zc > m {
			m = zc
		}
	}
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
	// Sweep 2: Σexp, Σ w·z and, for probability targets, Σ w·q and Σ w·q·z.
	var s, swz, sumWq, swqz, floor float64
	eps := e.effectiveEpsilon(k)
	u := eps / float64(k)
	for c := range e.lay.classes {
		if mask != nil && !mask[c] {
			continue
		}
		zc, wc := z(c), weightOf(w, c)
		s += math.Exp(zc - m)
		swz += wc * zc
		if soft != nil {
			q := float64(soft[off+c*stride])
			sumWq += wc * q
			swqz += wc * q * zc
			if e.opt.ZeroFloor {
				floor -= wc * rowmath.Xlogx((1-eps)*q+u)
			}
		}
	}
	lse := m + math.Log(s)
	var p parts
	if soft != nil {
		p = rowmath.Soft(k, eps, lse, sumWq, swqz, swz, wRow, e.opt.ZLoss, floor)
	} else {
		p = e.rowParts(k, lse, z(y), weightOf(w, y), swz, wRow)
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
		zc, wc := z(c), weightOf(w, c)
		qc := u
		switch {
		case soft != nil:
			qc += (1 - eps) * float64(soft[at])
		case c == y:
			qc += 1 - eps
		}
		v := rowmath.ClassGrad(a, zc, m, wc, qc, e.scale, cap)
		if !(math.Abs(v) <= maxFinite[T]()) { // huge probability targets or weights
			return parts{}, &Error{Kind: ErrProbability, Row: i, Class: c, Msg: fmt.Sprintf("the gradient %g overflows %T: probability targets or weights too large", v, T(0))}
		}
		g[at] = T(v)
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
