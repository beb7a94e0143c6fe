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
	block    int // elements per block of a row (see stats)
	// statsRow is maxSum then expSum against its maximum in one call (nil:
	// two calls).
	statsRow func(x []T) (m T, s, sx float64)
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

// A row longer than one block (v.block elements, 8 KiB) is read from memory
// once, as one sequential stream, block by block: the maximum and Σx of a
// block (the sweep that meets memory), then Σexp of the same block while it
// sits in L1, against the row's running maximum; when a block raises the
// maximum, the sum so far is rescaled (an online softmax at block
// granularity). No prefetch beyond the next block is asked for, so nothing
// depends on one CPU's memory timing. Stats and StatsExp run the same
// blocks, so a pass with the gradient gives the same bits as one without.
// A row of one block or less is swept twice whole, the same computation.

// stats is Stats.
func (v *vecKernels[T]) stats(x []T) (m, s, sx float64) {
	if len(x) <= v.block {
		return v.oneBlock(nil, x)
	}
	m, s, sx, ok := v.blocks(nil, x)
	if !ok {
		// Empty, non-finite or extreme rows: the reference loop decides.
		return statsGeneric(x)
	}
	return m, s, sx
}

// statsExp is StatsExp: Stats, block by block, with each block's
// exponentials stored against the running maximum; the blocks stored before
// the maximum last rose are then rescaled (from L2) to the row's maximum.
func (v *vecKernels[T]) statsExp(e, x []T) (m, s, sx float64) {
	e = e[:len(x)]
	if len(x) <= v.block {
		return v.oneBlock(e, x)
	}
	m, s, sx, ok := v.blocks(e, x)
	if !ok {
		m, s, sx = statsGeneric(x)
		if finite(m) && finite(sx) && s > 0 {
			v.expStore(e, x, T(m))
		}
	}
	return m, s, sx
}

// oneBlock is stats (e nil) or statsExp of a row of at most one block: the
// computation of blocks, the same bits, without its bookkeeping, which in
// rows of a thousand classes costs a tenth of the time.
func (v *vecKernels[T]) oneBlock(e, x []T) (m, s, sx float64) {
	if len(x) > 0 {
		var bm T
		var bsx float64
		if e == nil && v.statsRow != nil {
			bm, s, bsx = v.statsRow(x)
		} else {
			bm, bsx = v.maxSum(x)
		}
		m, sx = float64(bm), bsx+float64(len(x))*float64(x[0])
		if finite(m) && finite(sx) {
			switch {
			case e != nil:
				s = v.expStore(e, x, bm)
			case v.statsRow == nil:
				s = v.expSum(x, bm)
			}
			if s > 0 && finite(s) {
				return m, s, sx
			}
		}
	}
	// Empty, non-finite or extreme rows: the reference loop decides.
	m, s, sx = statsGeneric(x)
	if e != nil && finite(m) && finite(sx) && s > 0 {
		v.expStore(e, x, T(m))
	}
	return m, s, sx
}

// maxStale is the number of stale stretches of e (each stored against an
// earlier, smaller running maximum) blocks keeps before rescaling them.
const maxStale = 16

// blocks computes Stats of x over blocks of v.block elements, and, when e is
// not nil, writes e = exp(x − m). ok is false for an empty row, or when a
// block's maximum or Σx is not finite: the blocks from that one on are
// then neither summed nor written (so that the reference loop can decide
// and, when e aliases x, the offending logit is still in place), and the
// results are meaningless.
func (v *vecKernels[T]) blocks(e, x []T) (m, s, sx float64, ok bool) {
	if len(x) == 0 {
		return 0, 0, 0, false
	}
	// stale[i] holds the end of the i-th stale stretch of e and the running
	// maximum it was stored against; the stretches tile e[:stale[n-1].end].
	type stretch struct {
		end int
		m   T
	}
	var stale [maxStale]stretch
	nStale := 0
	rescale := func(mb T) {
		start := 0
		for _, st := range stale[:nStale] {
			v.axpb(e[start:st.end], T(math.Exp(float64(st.m)-float64(mb))), 0)
			start = st.end
		}
		nStale = 0
	}
	mb := T(math.Inf(-1))
	for off := 0; off < len(x); off += v.block {
		blk := x[off:min(len(x), off+v.block)]
		bm, bsx := v.maxSum(blk)
		bsx += float64(len(blk)) * float64(blk[0])
		if !finite(float64(bm)) || !finite(bsx) {
			return 0, 0, 0, false
		}
		nm := max(mb, bm)
		if nm > mb && off > 0 {
			s *= math.Exp(float64(mb) - float64(nm))
			if e != nil {
				if nStale == maxStale {
					rescale(mb)
				}
				stale[nStale] = stretch{off, mb}
				nStale++
			}
		}
		if e == nil {
			s += v.expSum(blk, nm)
		} else {
			s += v.expStore(e[off:off+len(blk)], blk, nm)
		}
		sx += bsx
		mb = nm
	}
	if e != nil {
		rescale(mb)
	}
	m = float64(mb)
	return m, s, sx, s > 0 && finite(s) && finite(sx)
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
