package lsce

import (
	"github.com/lsce/lsce/internal/kernel"
	"github.com/lsce/lsce/internal/rowmath"
)

// shortMaxClasses is the row length up to which contiguous rows are computed
// a block at a time (shortBlock) rather than row by row: for short rows the
// per-row work around the kernels (calls through the tables, set-up, the
// logarithm's latency) costs more than the kernels themselves. float32 rows,
// whose kernels shortBlock calls per row anyway (ExpRowsF32), gain up to 512
// classes; float64 rows, summed in Go, up to 128 (measured on AVX2).
func shortMaxClasses[T Float]() int {
	if sizeOf[T]() == 4 {
		return 512
	}
	return 128
}

// shortMinSum is the smallest Σ exp(z − M) (M the block's largest logit) a
// row may have in shortBlock: a smaller sum means the row's own maximum lies
// so far below M that exponentials taken relative to M would flush some of
// its terms to zero, so the row goes through fastRow instead. At 2⁻⁴⁰
// (float32) or 2⁻³⁰⁰ (float64), a flushed term is below 2⁻⁸⁶ (2⁻⁷²²) of
// its row's sum.
func shortMinSum[T Float]() float64 {
	if sizeOf[T]() == 4 {
		return 0x1p-40
	}
	return 0x1p-300
}

// shortBlock computes the rows [lo, hi) of at most shortMaxClasses classes
// together, in a few sweeps over the whole block instead of several kernel
// calls per row:
//
//  1. e = exp(z − shift) over the block into the scratch sc, where the
//     shift is each row's own maximum m for float32 (ExpRowsF32, which
//     also returns each row's Σ e and Σ z), the block's maximum M for
//     float64 (two kernel calls). A non-finite row (float32) or block
//     (float64) goes through fastRow or rowBlock, which locate the culprit;
//  2. per row, s = Σ e (and Σ z or Σ w·z), then LSE = shift + ln s (the
//     logarithms of the block in a loop of their own: independent, their
//     latencies overlap), and the loss's parts;
//  3. with a gradient, per row g = a·e − b·w, less (1−ε')·w_y·scale at y.
//
// float32 rows need their own maximum: their exponentials are rounded to
// float32, and only the row maximum's exp(0) = 1 is exact, which keeps the
// loss of a confident row (LSE − z_y ≈ 0) within 1e-6 relative of the
// float64 computation; float64 exponentials are accurate enough relative to
// any shift. Everything read from the logits is read before the gradient is
// written, so the gradient may be the logits themselves. Rows ignored, or
// (float64) whose maximum lies far below M (see shortMinSum), are done as
// rowBlock does them.
func (e *engine[T]) shortBlock(lo, hi int, out *sums, sc []T) error {
	k := e.lay.classes
	var g []T
	if e.grad != nil {
		g = e.grad[lo*k : hi*k]
	}
	var done [blockSize]bool
	return e.shortRows(lo, hi, e.in.Logits[lo*k:hi*k], g, sc[:(hi-lo)*k], nil, out, &done)
}

// shortRows is shortBlock over the rows [lo, hi) given as x, n×k contiguous
// logits, with their gradient (if asked for) going to g, n×k, and their
// exponentials to the scratch ex: x and g are the logits and the gradient
// themselves for contiguous rows, or tiles gathered by stridedBlock. Rows
// that take rowBlock's way are computed by element, with the scratch fsc,
// which write the gradient in place; ignored rows clear theirs there too.
// done[r] tells which rows' gradient shortRows wrote in g.
func (e *engine[T]) shortRows(lo, hi int, x, g, ex, fsc []T, out *sums, done *[blockSize]bool) error {
	k := e.lay.classes
	n := hi - lo
	targets := e.in.Targets[lo:hi]
	// s[r] stays 0 for a row that rowBlock's way must compute.
	var shift, s, swz, a [blockSize]float64
	x32, rowMax := any(x).([]float32)
	if rowMax {
		// A direct call: the arrays stay on the stack.
		kernel.ExpRowsF32(any(ex).([]float32), x32, k, shift[:n], s[:n], swz[:n])
	} else {
		bm, bsx := e.ops.maxSum(x)
		if !finite(bm) || !finite(bsx) {
			return e.rowBlock(lo, hi, out, fsc)
		}
		e.ops.exp(ex, x, bm)
		for r := range n {
			shift[r] = bm
		}
	}
	for r, y := range targets {
		if y == e.ign || (rowMax && (e.wT == nil || s[r] == 0)) {
			continue // float32: ExpRows has the sums, unless weighted
		}
		xr, er := x[r*k:(r+1)*k], ex[r*k:(r+1)*k]
		if e.wT != nil {
			s[r], swz[r] = sumDot(er, xr, e.wT)
		} else {
			s[r], swz[r] = sum2(er, xr)
		}
	}
	eps := e.effectiveEpsilon(k)
	minS := shortMinSum[T]()
	zl, wSum := e.opt.ZLoss, e.wSum
	floor := 0.0 // H(q̃) without weights: the same for every row
	if e.opt.ZeroFloor && e.wT == nil {
		floor = rowmath.FloorIndex(eps, k, 1, wSum)
	}
	// The logarithms first, in a loop of their own: independent, their
	// latencies overlap.
	var lse [blockSize]float64
	for r := range n {
		if s[r] >= minS {
			lse[r] = shift[r] + logPos(s[r])
		}
	}
	var t sums
	keep := len(e.dst.Losses) > 0
	for r, y := range targets {
		i := lo + r
		if y == e.ign {
			e.zeroGrad(i)
			if keep {
				e.dst.store(i, parts{})
			}
			continue
		}
		if !(s[r] >= minS) {
			p, err := e.element(i, fsc)
			if err != nil {
				return err
			}
			t.count(p.NLL, p.Smooth, p.Z, p.Floor, p.Eps) // checked with the block's totals below
			if keep {
				e.dst.store(i, p)
			}
			continue
		}
		// rowParts, unrolled.
		lse := lse[r]
		wy, fl := 1.0, floor
		if e.wT != nil {
			wy = e.opt.Weight[y]
			if e.opt.ZeroFloor {
				fl = rowmath.FloorIndex(eps, k, wy, wSum)
			}
		}
		nll := rowmath.NLL(lse, float64(x[r*k+y]), wy)
		smooth := rowmath.Smooth(k, lse, swz[r], wSum)
		z := rowmath.ZLoss(lse, zl)
		t.count(nll, smooth, z, fl, eps)
		if keep {
			e.dst.storeParts(i, nll, smooth, z, fl, eps)
		}
		if e.grad != nil {
			a[r], _ = e.gradCoef(eps, s[r], lse, wy, k)
			done[r] = true
		}
	}
	if t.bad == 0 && !t.finite() {
		// The loss overflows in this block: the rows again, one by one
		// and without the gradient, to name the first (the logits are
		// intact: the gradient is written below, but for rows done by
		// element in place).
		sub := *e
		sub.grad = nil
		var u sums
		if err := sub.rowBlock(lo, hi, &u, fsc); err != nil {
			return err
		}
		t.bad = u.bad
	}
	*out = t
	if e.grad == nil {
		return nil
	}
	b := T(eps / float64(k) * e.scale)
	if e.wT == nil {
		gy := T((1 - eps) * e.scale)
		for r, y := range targets {
			if done[r] {
				gr := g[r*k : (r+1)*k]
				axpb(gr, ex[r*k:(r+1)*k], T(a[r]), b)
				gr[y] -= gy
			}
		}
		return nil
	}
	for r, y := range targets {
		if done[r] {
			gr := g[r*k : (r+1)*k]
			axpbW(gr, ex[r*k:(r+1)*k], e.wT, T(a[r]), b)
			gr[y] -= T((1 - eps) * e.opt.Weight[y] * e.scale)
		}
	}
	return nil
}

// sum2 returns Σ e and Σ x over len(x) elements, in float64.
func sum2[T Float](e, x []T) (s, sx float64) {
	e = e[:len(x)]
	var s0, s1, s2, s3, x0, x1, x2, x3 float64
	j := 0
	for ; j+4 <= len(x); j += 4 {
		ej, xj := e[j:j+4:j+4], x[j:j+4:j+4]
		s0, s1, s2, s3 = s0+float64(ej[0]), s1+float64(ej[1]), s2+float64(ej[2]), s3+float64(ej[3])
		x0, x1, x2, x3 = x0+float64(xj[0]), x1+float64(xj[1]), x2+float64(xj[2]), x3+float64(xj[3])
	}
	for ; j < len(x); j++ {
		s0 += float64(e[j])
		x0 += float64(x[j])
	}
	return (s0 + s1) + (s2 + s3), (x0 + x1) + (x2 + x3)
}

// sumDot returns Σ e and Σ w·x over len(x) elements, in float64.
func sumDot[T Float](e, x, w []T) (s, swx float64) {
	e, w = e[:len(x)], w[:len(x)]
	var s0, s1, s2, s3, d0, d1, d2, d3 float64
	j := 0
	for ; j+4 <= len(x); j += 4 {
		ej, xj, wj := e[j:j+4:j+4], x[j:j+4:j+4], w[j:j+4:j+4]
		s0, s1, s2, s3 = s0+float64(ej[0]), s1+float64(ej[1]), s2+float64(ej[2]), s3+float64(ej[3])
		d0 += float64(wj[0]) * float64(xj[0])
		d1 += float64(wj[1]) * float64(xj[1])
		d2 += float64(wj[2]) * float64(xj[2])
		d3 += float64(wj[3]) * float64(xj[3])
	}
	for ; j < len(x); j++ {
		s0 += float64(e[j])
		d0 += float64(w[j]) * float64(x[j])
	}
	return (s0 + s1) + (s2 + s3), (d0 + d1) + (d2 + d3)
}

// axpb writes g[j] = a·e[j] − b over len(g) elements, in T.
func axpb[T Float](g, e []T, a, b T) {
	e = e[:len(g)]
	j := 0
	for ; j+4 <= len(g); j += 4 {
		gj, ej := g[j:j+4:j+4], e[j:j+4:j+4]
		gj[0], gj[1], gj[2], gj[3] = a*ej[0]-b, a*ej[1]-b, a*ej[2]-b, a*ej[3]-b
	}
	for ; j < len(g); j++ {
		g[j] = a*e[j] - b
	}
}

// axpbW writes g[j] = a·e[j] − b·w[j] over len(g) elements, in T.
func axpbW[T Float](g, e, w []T, a, b T) {
	e, w = e[:len(g)], w[:len(g)]
	for j, v := range e {
		g[j] = a*v - b*w[j]
	}
}
