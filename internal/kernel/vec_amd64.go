//go:build amd64 && !purego

package kernel

import "math"

// vecKernels is one instruction set's assembly for one element type; the
// functions of this file turn it into the package's kernels, so that the
// AVX2 and the AVX-512 implementations share every line of Go.
type vecKernels[T float32 | float64] struct {
	maxSum   func(x []T) (m T, sx float64) // sx = Σ (x − x[0]); len(x) > 0
	expSum   func(x []T, m T) float64
	expStore func(e, x []T, m T) float64
	axpb     func(g []T, a, b T)
	axpbW    func(g, w []T, a, b T)
	gradNT   func(g, e []T, a, b T)
	gradWNT  func(g, e, w []T, a, b T)
	grad     func(g, x []T, m, a, b T)
	gradW    func(g, x, w []T, m, a, b T)
	dot      func(x, w []T) float64 // over the first len(x) &^ (dotStep − 1) elements
	dotStep  int
	block    int // elements per block of a row longer than wholeRow
}

// vecImpl builds the implementation named name from its float32 and float64
// assembly.
func vecImpl(name string, f32 *vecKernels[float32], f64 *vecKernels[float64]) *impl {
	return &impl{
		name:    name,
		stats32: f32.stats, stats64: f64.stats,
		dot32: f32.dotAll, dot64: f64.dotAll,
		grad32: f32.gradAll, grad64: f64.gradAll,
		gradW32: f32.gradWAll, gradW64: f64.gradWAll,
		statsExp32: f32.statsExp, statsExp64: f64.statsExp,
		axpb32: f32.axpbAll, axpb64: f64.axpbAll,
		axpbW32: f32.axpbWAll, axpbW64: f64.axpbWAll,
		gradE32: f32.gradExp, gradE64: f64.gradExp,
		gradEW32: f32.gradExpW, gradEW64: f64.gradExpW,
		maxSum32: f32.maxSumAll, maxSum64: f64.maxSumAll,
		exp32: f32.exp, exp64: f64.exp,
		vecRows: true,
	}
}

// Rows up to wholeRow elements (256 KiB of float32, 512 KiB of float64) are
// swept twice whole, max and Σx then Σexp, the second sweep from L2: the
// same computation as StatsExp, so a pass with the gradient gives the same
// bits as one without. Longer rows go in blocks of v.block elements, each
// swept twice while it sits in L1 and merged by rescaling.
const wholeRow = 1 << 16

// stats is Stats.
func (v *vecKernels[T]) stats(x []T) (m, s, sx float64) {
	if len(x) <= wholeRow && len(x) > 0 {
		mb, bsx := v.maxSum(x)
		m, sx = float64(mb), bsx+float64(len(x))*float64(x[0])
		if finite(m) && finite(sx) {
			return m, v.expSum(x, mb), sx
		}
		return statsGeneric(x)
	}
	mb := T(math.Inf(-1))
	for rest := x; len(rest) > 0; {
		blk := rest[:min(len(rest), v.block)]
		rest = rest[len(blk):]
		bm, bsx := v.maxSum(blk)
		nm := max(mb, bm)
		se := v.expSum(blk, nm)
		if nm > mb && s != 0 {
			s *= math.Exp(float64(mb) - float64(nm))
		}
		s, sx, mb = s+se, sx+bsx+float64(len(blk))*float64(blk[0]), nm
	}
	m = float64(mb)
	if !(s > 0) || !finite(m) || !finite(s) || !finite(sx) {
		// Empty, non-finite or extreme rows: the reference loop decides.
		return statsGeneric(x)
	}
	return m, s, sx
}

// statsExp is StatsExp: it sweeps the whole row twice, max and Σx, then
// exp(x − m) stored and summed (the row is expected to stay in L2 between
// the sweeps).
func (v *vecKernels[T]) statsExp(e, x []T) (m, s, sx float64) {
	if len(x) == 0 {
		return statsGeneric(x)
	}
	e = e[:len(x)]
	mb, bsx := v.maxSum(x)
	m, sx = float64(mb), bsx+float64(len(x))*float64(x[0])
	if !finite(m) || !finite(sx) {
		m, s, sx = statsGeneric(x)
		if finite(m) && finite(sx) && s > 0 {
			v.expStore(e, x, T(m))
		}
		return m, s, sx
	}
	return m, v.expStore(e, x, mb), sx
}

// maxSumAll is MaxSum: the kernel returns Σ (x − x[0]), to which n·x[0] is
// added back.
func (v *vecKernels[T]) maxSumAll(x []T) (m, sx float64) {
	if len(x) == 0 {
		return maxSumGeneric(x)
	}
	mb, bsx := v.maxSum(x)
	return float64(mb), bsx + float64(len(x))*float64(x[0])
}

// exp is Exp.
func (v *vecKernels[T]) exp(e, x []T, m float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return v.expStore(e[:len(x)], x, T(m))
}

// dotAll is Dot: the kernel's whole steps, then the rest in Go.
func (v *vecKernels[T]) dotAll(x, w []T) float64 {
	w = w[:len(x)]
	d := v.dot(x, w)
	for i := len(x) &^ (v.dotStep - 1); i < len(x); i++ {
		d += float64(x[i]) * float64(w[i])
	}
	return d
}

func (v *vecKernels[T]) gradAll(g, x []T, m, a, b float64) {
	v.grad(g[:len(x)], x, T(m), T(a), T(b))
}

func (v *vecKernels[T]) gradWAll(g, x, w []T, m, a, b float64) {
	v.gradW(g[:len(x)], x, w[:len(x)], T(m), T(a), T(b))
}

func (v *vecKernels[T]) axpbAll(g []T, a, b float64) { v.axpb(g, T(a), T(b)) }

func (v *vecKernels[T]) axpbWAll(g, w []T, a, b float64) { v.axpbW(g, w[:len(g)], T(a), T(b)) }

func (v *vecKernels[T]) gradExp(g, e []T, a, b float64) { v.gradNT(g, e[:len(g)], T(a), T(b)) }

func (v *vecKernels[T]) gradExpW(g, e, w []T, a, b float64) {
	v.gradWNT(g, e[:len(g)], w[:len(g)], T(a), T(b))
}
