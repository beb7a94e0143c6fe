package lsce

import (
	"fmt"
	"math"

	"github.com/lsce/lsce/internal/rowmath"
)

// fastRow computes a contiguous row with an index target through the kernels:
// one sweep for the statistics, one more for the gradient.
func (e *engine[T]) fastRow(i int, x, sc []T) (parts, error) {
	if e.grad != nil && len(x) < splitMinClasses {
		return e.fusedRow(i, x, sc)
	}
	var m, s, sx, swz float64
	if len(x) >= splitMinClasses { // the chunks of runSplit, for the same bits
		st := e.longRowStat(x)
		m, s, sx, swz = st.m, st.s, st.sx, st.swz
	} else {
		m, s, sx = e.ops.stats(x)
		if e.wT != nil {
			swz = e.ops.dot(x, e.wT)
		}
	}
	y := e.in.Targets[i]
	k := e.lay.classes
	p, lse, wy, err := e.statsParts(i, x, float64(x[y]), m, s, sx, swz)
	if err != nil {
		return parts{}, err
	}
	if e.grad != nil {
		g := e.grad[i*k : (i+1)*k]
		e.fastGrad(g, x, p.Eps, m, s, lse, wy, k)
		g[y] -= T((1 - p.Eps) * wy * e.scale)
	}
	return p, nil
}

// lossRows is rowBlock for contiguous rows without a gradient (pathContiguous
// rows shorter than splitMinClasses): fastRow's kernels and statsParts'
// checks, the same bits, with the parts assembled in scalars (countIndex)
// instead of returned through three calls per row (256×1000 float32 on Zen
// 4, one worker: 0.096 → 0.079 ms with avx512, 0.112 → 0.096 with avx2).
func (e *engine[T]) lossRows(lo, hi int, out *sums) error {
	k := e.lay.classes
	eps := e.effectiveEpsilon(k)
	floor := e.floorIndex(eps, k)
	keep := len(e.dst.Losses) > 0
	var t sums
	for i := lo; i < hi; i++ {
		y := e.in.Targets[i]
		if y == e.ign {
			t.add(e.dst, i, parts{})
			continue
		}
		x := e.in.Logits[i*k : (i+1)*k]
		m, s, sx := e.ops.stats(x)
		swz := sx
		if e.wT != nil {
			swz = e.ops.dot(x, e.wT)
		}
		if !finite(m) || !finite(sx) || !(s > 0) {
			return locateNonFinite(i, x)
		}
		e.countIndex(&t, i, y, m+logPos(s), float64(x[y]), swz, eps, floor, keep)
		if t.bad == 0 && !t.finite() {
			t.bad = i + 1
		}
	}
	*out = t
	return nil
}

// floorIndex is H(q̃) of an index target without weights, the same for
// every row of k classes (0 unless ZeroFloor; with weights, countIndex
// computes each row's).
func (e *engine[T]) floorIndex(eps float64, k int) float64 {
	if e.opt.ZeroFloor && e.wT == nil {
		return rowmath.FloorIndex(eps, k, 1, e.wSum)
	}
	return 0
}

// countIndex is rowParts unrolled in scalars for lossRows' loop (shortRows
// has the same lines inline: a call per short row costs 5% there): it
// counts element i's parts (target y, log-sum-exp lse, target logit zy,
// Σ w·z swz, ε' eps, unweighted floor from floorIndex) into t, stores them
// for None when keep. The caller checks t's totals.
func (e *engine[T]) countIndex(t *sums, i, y int, lse, zy, swz, eps, floor float64, keep bool) {
	k := e.lay.classes
	wy, fl := 1.0, floor
	if e.wT != nil {
		wy = e.opt.Weight[y]
		if e.opt.ZeroFloor {
			fl = rowmath.FloorIndex(eps, k, wy, e.wSum)
		}
	}
	nll := rowmath.NLL(lse, zy, wy)
	smooth := rowmath.Smooth(k, lse, swz, e.wSum)
	z := rowmath.ZLoss(lse, e.opt.ZLoss)
	t.count(nll, smooth, z, fl, eps)
	if keep {
		e.dst.storeParts(i, nll, smooth, z, fl, eps)
	}
}

// statsParts checks row i's statistics from the kernels (max m, Σexp s,
// Σz sx, and Σ w·z swz with weights) and assembles its parts, with its
// log-sum-exp and target weight; zy is the target's logit, read before any
// gradient was written.
func (e *engine[T]) statsParts(i int, x []T, zy, m, s, sx, swz float64) (p parts, lse, wy float64, err error) {
	if !finite(m) || !finite(sx) || !(s > 0) {
		return parts{}, 0, 0, locateNonFinite(i, x)
	}
	lse = m + logPos(s)
	wy = 1.0
	if e.wT != nil {
		wy = e.opt.Weight[e.in.Targets[i]]
	} else {
		swz = sx
	}
	return e.rowParts(e.lay.classes, lse, zy, wy, swz, e.wSum), lse, wy, nil
}

// fusedRow is fastRow with the gradient, for rows that stay in cache between
// sweeps: StatsExp leaves exp(z_j − m) in the worker's scratch row sc, and
// one GradExp sweep turns it into a·exp(z_j − m) − b·w_j in the gradient,
// which it streams to memory without reading it first: each exponential is
// computed once, and the gradient costs one write. Without a scratch row (a
// gradient small enough to stay in cache), the exponentials go into the
// gradient row and Axpb finishes it there. The
// gradient may be the logits themselves: everything read from x (z_y, Σ w·z)
// is read before the gradient is written, and StatsExp writes nothing when
// the row is not finite, so the error can locate it.
func (e *engine[T]) fusedRow(i int, x, sc []T) (parts, error) {
	k := e.lay.classes
	y := e.in.Targets[i]
	zy := float64(x[y])
	var swz float64
	if e.wT != nil {
		swz = e.ops.dot(x, e.wT)
	}
	g := e.grad[i*k : (i+1)*k]
	ex := g // the exponentials
	if e.stream {
		ex = sc[:k]
	}
	m, s, sx := e.ops.statsExp(ex, x)
	p, lse, wy, err := e.statsParts(i, x, zy, m, s, sx, swz)
	if err != nil {
		return parts{}, err
	}
	a, b := e.gradCoef(p.Eps, s, lse, wy, k)
	switch {
	case !e.stream && e.wT != nil:
		e.ops.axpbW(g, e.wT, a, b)
	case !e.stream:
		e.ops.axpb(g, a, b)
	case e.wT != nil:
		e.ops.gradEW(g, ex, e.wT, a, b)
	default:
		e.ops.gradE(g, ex, a, b)
	}
	g[y] -= T((1 - p.Eps) * wy * e.scale)
	return p, nil
}

// fastGrad writes a·exp(z_j − m) − b·w_j over a row, or a slice of a row of
// k classes; the caller subtracts (1−ε')·w_y·scale at the target.
func (e *engine[T]) fastGrad(g, x []T, eps, m, s, lse, wy float64, classes int) {
	a, b := e.gradCoef(eps, s, lse, wy, classes)
	if e.wT != nil {
		e.ops.gradW(g, x, e.wT, m, a, b)
	} else {
		e.ops.grad(g, x, m, a, b)
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// locateNonFinite finds the first NaN or ±Inf logit of row i.
func locateNonFinite[T Float](i int, x []T) error {
	for c, v := range x {
		if f := float64(v); !finite(f) {
			return &Error{Kind: ErrNonFinite, Row: i, Class: c, Msg: fmt.Sprintf("logit is %v", f)}
		}
	}
	if len(x) == 0 {
		return &Error{Kind: ErrShape, Row: i, Class: -1, Msg: "no classes"}
	}
	// Finite logits whose sum overflows float64: beyond any real use.
	return &Error{Kind: ErrNonFinite, Row: i, Class: -1, Msg: "logits too large to sum in float64"}
}
