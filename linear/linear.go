// Package linear computes label-smoothing cross-entropy fused with the
// classifier that produces the logits, without ever holding the N×V logits:
// the language-model head of a large vocabulary.
//
// From hidden states H (N×D), classifier weights W (V×D) and an optional bias
// b (V), the logits would be Z = H·Wᵀ + b, 4·N·V bytes in float32 (1 GB at
// N = 8192, V = 32000). CrossEntropyGrad instead works on strips of
// RowBlock rows, each cut into blocks of ClassBlock classes:
//
//  1. statistics: each block of logits of the strip is computed, and each
//     row's max and Σexp over it folded into the row's statistics (an online
//     softmax over the class blocks). The smoothing term's Σ_c w_c·z_c needs
//     no logits at all:
//
//     Σ_c w_c·z_c = h·(Σ_c w_c·W_c) + Σ_c w_c·b_c
//
//     one D-vector computed once, then one dot product per row;
//
//  2. gradient: the strip's rows now have their final statistics, so each
//     kept block of logits is turned into its block of G = ∂loss/∂Z in place
//     and multiplied out: dW_block += Gᵀ·H, db_block += Σ_n G, dH += G·W.
//
// Each logit is computed once: three N×V×D matrix products, as many as
// materialising the logits and calling a BLAS would take (Apple's Cut
// Cross-Entropy, keeping nothing between its passes, computes the logits
// twice: four). Memory beyond the inputs and gradients is one strip of
// logits, RowBlock × Classes values (32 MB at the default 256 rows,
// V = 32000, float32; without gradients one block per worker instead), and
// one RowBlock × Hidden partial dH per worker.
//
// Semantics are package lsce's for (N, V) index targets: the same Options
// (Epsilon, Reduction, class Weight, IgnoreIndex, Variant, ZLoss, SoftCap,
// ZeroFloor) and the same Result. Options.ClassMask and probability targets
// are not supported here. The class blocks are shards of each row in the
// sense of lsce.Shard: their statistics merge into one lsce.RowStats per row,
// and lsce.ShardLoss gives the Result, so the loss and its errors are
// package lsce's (TestAgreesWithRoot checks them against lsce on the
// materialised logits, bad inputs included). One difference: a NaN or ±Inf
// in H, W or b is refused even where lsce would not see it (a row that is
// ignored, or no counted row at all), since the gradients would multiply
// it by zero into NaN. With SoftCap the Σ_c w_c·z_c shortcut does not hold
// (tanh is not linear) and the sum is accumulated from the capped blocks
// instead.
//
// # Performance
//
// Matrix products go through the package's own packed kernels (AVX-512 or
// AVX2+FMA, see gemm.go), or gonum's BLAS on CPUs without AVX2, which
// measured 8–15 times slower; see BenchmarkGemm. On an AMD EPYC Zen 4
// (family 25 model 17, AVX-512; 2026-12-08, load average 2–4), N = 8192,
// D = 256, V = 32000 in float32, one worker,
// `lsce bench --linear --clock cpu --check` measured: fused 5.4 s of CPU
// time and a 131 MB peak resident set for the whole process; the
// materialised path 6.9 s of CPU time and 1.20 GB; loss difference 2.2e-11
// relative, largest gradient difference 5.8e-11. OpenBLAS 0.3.21, timed
// alternately in the same session, took 4.1 s for the three products
// (README, Speed): the fused loss is 1.3× that.
package linear

import (
	"fmt"
	"math"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/fanout"
	"github.com/lsce/lsce/internal/kernel"
	"github.com/lsce/lsce/internal/rowmath"
)

// Float is the element type: float32 or float64.
type Float = lsce.Float

// Default block sizes: a block of logits is RowBlock × ClassBlock values.
const (
	DefaultRowBlock   = 256
	DefaultClassBlock = 1024
)

// Input is the classifier head and its targets.
type Input[T Float] struct {
	// H holds the hidden states, Rows × Hidden, row-major.
	H []T
	// W holds the classifier's weights, Classes × Hidden, row-major (one row
	// per class, as torch.nn.Linear(Hidden, Classes).weight).
	W []T
	// B holds the classifier's bias, Classes values, or is nil.
	B []T
	// Rows (N), Hidden (D) and Classes (V) are the sizes.
	Rows, Hidden, Classes int
	// Targets holds one class index per row, or the ignore index.
	Targets []int
	// RowBlock and ClassBlock set the block of logits computed at once;
	// 0 means DefaultRowBlock and DefaultClassBlock.
	RowBlock, ClassBlock int
}

// Grads receives the gradients of the loss (of the reduced loss, or of the
// sum of the losses with lsce.None). Each slice is overwritten; a nil slice is
// not computed. When CrossEntropyGrad returns an error found in the logits
// (an overflow), the slices have been written with meaningless values.
type Grads[T Float] struct {
	H []T // Rows × Hidden
	W []T // Classes × Hidden
	B []T // Classes
}

// CrossEntropy returns the loss of the logits H·Wᵀ + b without computing
// them all at once.
func CrossEntropy[T Float](in Input[T], opt lsce.Options) (*lsce.Result, error) {
	return CrossEntropyGrad(Grads[T]{}, in, opt)
}

// CrossEntropyGrad returns the loss of the logits H·Wᵀ + b and writes the
// gradients asked for in g, without computing the logits all at once.
func CrossEntropyGrad[T Float](g Grads[T], in Input[T], opt lsce.Options) (*lsce.Result, error) {
	f, err := newFused(g, in, &opt)
	if err != nil {
		return nil, err
	}
	f.sweep()
	// The class blocks are shards of every row: their statistics, merged,
	// go through the same loss as lsce's Shard protocol.
	res, err := lsce.ShardLoss(f.st, in.Targets, opt)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// fused holds one call's settings and per-row statistics.
type fused[T Float] struct {
	in        Input[T]
	g         Grads[T]
	opt       *lsce.Options
	n, d, v   int
	rb, cb    int
	workers   int
	ign       int
	wT        []T // class weights in T, or nil
	wSum      float64
	eps       float64 // ε' (constant: every row has all V classes)
	scale, zs float64 // the reduction's factors (rowmath.Scale)
	st        []lsce.RowStats
}

func newFused[T Float](g Grads[T], in Input[T], opt *lsce.Options) (*fused[T], error) {
	n, d, v := in.Rows, in.Hidden, in.Classes
	if n < 0 || d < 0 || v < 1 {
		return nil, shapeErr("sizes %d rows, %d hidden, %d classes: want ≥ 0, ≥ 0, ≥ 1", n, d, v)
	}
	switch {
	case len(in.H) != n*d:
		return nil, shapeErr("H holds %d values, want %d rows × %d hidden", len(in.H), n, d)
	case len(in.W) != v*d:
		return nil, shapeErr("W holds %d values, want %d classes × %d hidden", len(in.W), v, d)
	case in.B != nil && len(in.B) != v:
		return nil, shapeErr("bias holds %d values, want %d classes", len(in.B), v)
	case len(in.Targets) != n:
		return nil, shapeErr("%d targets for %d rows", len(in.Targets), n)
	case g.H != nil && len(g.H) != n*d:
		return nil, shapeErr("dH buffer holds %d values, want %d", len(g.H), n*d)
	case g.W != nil && len(g.W) != v*d:
		return nil, shapeErr("dW buffer holds %d values, want %d", len(g.W), v*d)
	case g.B != nil && len(g.B) != v:
		return nil, shapeErr("db buffer holds %d values, want %d", len(g.B), v)
	}
	if err := opt.Validate(v); err != nil {
		return nil, err
	}
	if opt.ClassMask != nil {
		return nil, &lsce.Error{Kind: lsce.ErrOption, Row: -1, Class: -1, Msg: "class masks are not supported by the fused linear loss"}
	}
	f := &fused[T]{in: in, g: g, opt: opt, n: n, d: d, v: v, rb: in.RowBlock, cb: in.ClassBlock, ign: lsce.DefaultIgnoreIndex}
	if f.rb <= 0 {
		f.rb = DefaultRowBlock
	}
	if f.cb <= 0 {
		f.cb = DefaultClassBlock
	}
	f.workers = fanout.Workers(opt.Workers, 0, 0)
	if opt.IgnoreIndex != nil {
		f.ign = *opt.IgnoreIndex
	}
	f.wSum = float64(v)
	if opt.Weight != nil {
		f.wT = make([]T, v)
		f.wSum = 0
		for c, w := range opt.Weight {
			f.wT[c] = T(w)
			f.wSum += w
		}
	}
	counted, denom := 0, 0.0
	for i, y := range in.Targets {
		if y == f.ign {
			continue
		}
		if y < 0 || y >= v {
			return nil, &lsce.Error{Kind: lsce.ErrTarget, Row: i, Class: -1, Msg: rowmath.TargetMsg(y, v, f.ign)}
		}
		counted++
		denom += weight(opt.Weight, y)
	}
	f.eps = rowmath.Epsilon(opt.Epsilon, opt.Variant == lsce.Others, v)
	f.scale, f.zs = rowmath.Scale(opt.Reduction == lsce.Mean, denom, counted)
	if opt.Reduction != lsce.Mean {
		denom = 1
	}
	// As lsce.CrossEntropyGrad: the logits' gradient is at most scale·max w
	// in magnitude and must fit T.
	if g.H != nil || g.W != nil || g.B != nil {
		if wMax := rowmath.MaxWeight(opt.Weight); rowmath.GradOverflows(wMax, f.scale, maxFinite[T]()) {
			return nil, &lsce.Error{Kind: lsce.ErrWeight, Row: -1, Class: -1, Msg: rowmath.GradOverflowMsg(fmt.Sprintf("%T", T(0)), wMax, denom)}
		}
	}
	// Last, as lsce finds a non-finite logit only after checking the
	// options and targets.
	for name, x := range map[string][]T{"H": in.H, "W": in.W, "bias": in.B} {
		if err := checkFinite(name, x, d); err != nil {
			return nil, err
		}
	}
	f.st = make([]lsce.RowStats, n)
	return f, nil
}

// checkFinite reports the first NaN or ±Inf of x, a matrix with cols columns.
func checkFinite[T Float](name string, x []T, cols int) error {
	for i, v := range x {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			row, col := 0, i
			if name != "bias" && cols > 0 {
				row, col = i/cols, i%cols
			}
			return &lsce.Error{Kind: lsce.ErrNonFinite, Row: row, Class: col, Msg: fmt.Sprintf("%s[%d, %d] is %v", name, row, col, f)}
		}
	}
	return nil
}

func shapeErr(format string, args ...any) error {
	return &lsce.Error{Kind: lsce.ErrShape, Row: -1, Class: -1, Msg: fmt.Sprintf(format, args...)}
}

func weight(w []float64, c int) float64 {
	if w == nil {
		return 1
	}
	return w[c]
}

// parallel runs fn(worker, item) for items [0, items) dealt round-robin to
// the workers: a fixed assignment, so results do not depend on scheduling.
func (f *fused[T]) parallel(items int, fn func(worker, item int)) {
	fanout.Run(items, f.workers, fanout.Func(func(w, it int) error {
		fn(w, it)
		return nil
	}))
}

// logitsBlock computes z = H[r0:r1]·W[c0:c1]ᵀ + b[c0:c1], soft-capped, into
// buf (rows of c1 − c0 values).
func (f *fused[T]) logitsBlock(buf []T, r0, r1, c0, c1 int) []T {
	rw, cw := r1-r0, c1-c0
	z := buf[:rw*cw]
	gemmNT(rw, cw, f.d, f.in.H[r0*f.d:], f.d, f.in.W[c0*f.d:], f.d, z, cw)
	b := f.in.B
	capc := f.opt.SoftCap
	if b == nil && capc == 0 {
		return z
	}
	for i := range rw {
		row := z[i*cw : (i+1)*cw]
		if b != nil {
			bb := b[c0:c1]
			for j := range row {
				row[j] += bb[j]
			}
		}
		if capc > 0 {
			for j, x := range row {
				row[j] = T(capc * math.Tanh(float64(x)/capc))
			}
		}
	}
	return z
}

// blockStats is one row's statistics over one class block: max, Σexp, the
// smoothing sum's share (with SoftCap) and whether the block overflowed.
type blockStats struct {
	m, s, wz float64
	bad      bool
}

// sweep goes through the rows one strip of RowBlock rows at a time. For
// each strip:
//
//  1. the workers compute its class blocks of logits (product 1, H·Wᵀ), each
//     block's statistics per row, and keep the blocks: the strip's
//     RowBlock × Classes logits, the only scratch that grows with V;
//  2. each row's statistics are merged over the class blocks, in class
//     order, into f.st: now final for these rows;
//  3. with gradients asked for, the workers turn each kept block into its
//     block of G = ∂loss/∂Z in place and multiply it out: dW_block += Gᵀ·H
//     (product 2) and db_block += Σ_n G, owned by the block's worker, and
//     dH += G·W (product 3) into the worker's RowBlock × Hidden partial,
//     summed into dH in worker order at the end of the strip.
//
// Every block of logits is computed once: three matrix products in all, as
// a BLAS user materialising the logits would do, with memory bounded by one
// strip (RowBlock·Classes values) rather than the N×V logits. Without
// gradients a strip keeps nothing: each worker reuses one block.
//
// A block whose logits overflow leaves a NaN Σexp, which lsce.ShardLoss
// reports (the gradients written are then meaningless, as documented).
func (f *fused[T]) sweep() {
	wantGrad := f.g.H != nil || f.g.W != nil || f.g.B != nil
	wy := func(y int) float64 { return weight(f.opt.Weight, y) }
	for i, y := range f.in.Targets {
		if y != f.ign {
			f.st[i] = lsce.RowStats{Max: math.Inf(-1), SumW: f.wSum, K: float64(f.v), WQ: wy(y)}
		}
	}
	blocks := (f.v + f.cb - 1) / f.cb
	rb := min(f.rb, f.n)
	part := make([]blockStats, rb*blocks)
	var strip []T // the kept logits, block after block, each rb×cb
	bufs := make([][]T, f.workers)
	dh := make([][]T, f.workers)
	if wantGrad {
		strip = make([]T, rb*f.v)
		if f.opt.SoftCap > 0 { // the capped logits are needed past their gradient
			for w := range bufs {
				bufs[w] = make([]T, rb*f.cb)
			}
		}
		if f.g.W != nil {
			clear(f.g.W)
		}
		if f.g.B != nil {
			clear(f.g.B)
		}
		if f.g.H != nil {
			for w := range dh {
				dh[w] = make([]T, rb*f.d)
			}
		}
	}
	for r0 := 0; r0 < f.n; r0 += rb {
		r1 := min(r0+rb, f.n)
		f.parallel(blocks, func(w, b int) {
			c0, c1 := b*f.cb, min((b+1)*f.cb, f.v)
			var buf []T
			if wantGrad {
				buf = strip[b*rb*f.cb:]
			} else {
				if bufs[w] == nil {
					bufs[w] = make([]T, rb*f.cb)
				}
				buf = bufs[w]
			}
			f.blockStats(part, blocks, f.logitsBlock(buf, r0, r1, c0, c1), r0, r1, b)
		})
		f.merge(part, blocks, r0, r1)
		if !wantGrad {
			continue
		}
		f.parallel(blocks, func(w, b int) {
			c0, c1 := b*f.cb, min((b+1)*f.cb, f.v)
			f.gradientBlock(strip[b*rb*f.cb:], bufs[w], dh[w], r0, r1, c0, c1)
		})
		if f.g.H != nil {
			rows := f.g.H[r0*f.d : r1*f.d]
			copy(rows, dh[0])
			clear(dh[0])
			for _, p := range dh[1:] {
				for i := range rows {
					rows[i] += p[i]
				}
				clear(p)
			}
		}
	}
	if f.opt.SoftCap == 0 {
		f.smoothingSums()
	}
}

// blockStats records, for rows [r0, r1), the statistics of class block b of
// logits z in part (row i − r0, block b), and z_y where the block holds the
// target.
func (f *fused[T]) blockStats(part []blockStats, blocks int, z []T, r0, r1, b int) {
	c0, c1 := b*f.cb, min((b+1)*f.cb, f.v)
	cw := c1 - c0
	for i := r0; i < r1; i++ {
		y := f.in.Targets[i]
		if y == f.ign {
			continue
		}
		row := z[(i-r0)*cw : (i-r0+1)*cw]
		bm, bs, bsx := stats(row)
		p := blockStats{m: bm, s: bs, bad: !(bs > 0) || !rowmath.Finite(bsx)}
		if f.opt.SoftCap > 0 {
			p.wz = bsx
			if f.wT != nil {
				p.wz = dotW(row, f.wT[c0:c1])
			}
		}
		part[(i-r0)*blocks+b] = p
		if y >= c0 && y < c1 {
			f.st[i].ZY = float64(row[y-c0])
		}
	}
}

// merge folds the class blocks' statistics of rows [r0, r1) into f.st, in
// class order (an online softmax over the blocks).
func (f *fused[T]) merge(part []blockStats, blocks, r0, r1 int) {
	for i := r0; i < r1; i++ {
		if f.in.Targets[i] == f.ign {
			continue
		}
		st := &f.st[i]
		for _, p := range part[(i-r0)*blocks : (i-r0+1)*blocks] {
			if p.bad {
				st.SumExp = math.NaN()
			}
			st.Max, st.SumExp = rowmath.Merge(st.Max, st.SumExp, p.m, p.s)
			if f.opt.SoftCap > 0 {
				st.SumWZ += p.wz
			}
		}
	}
}

// gradientBlock turns the kept logits z of rows [r0, r1) and classes
// [c0, c1) into their gradient (in place, or into buf with SoftCap) and
// multiplies it out into dW and db (this block's classes) and the worker's
// partial dH of the strip, dh.
func (f *fused[T]) gradientBlock(z, buf, dh []T, r0, r1, c0, c1 int) {
	g := f.g
	rw, cw := r1-r0, c1-c0
	z = z[:rw*cw]
	gb := z
	if buf != nil {
		gb = buf[:rw*cw]
	}
	f.gradBlock(gb, z, r0, r1, c0, c1)
	if g.W != nil {
		gemmTN(cw, f.d, rw, gb, cw, f.in.H[r0*f.d:], f.d, g.W[c0*f.d:], f.d)
	}
	if g.B != nil {
		db := g.B[c0:c1]
		for i := range rw {
			for j, x := range gb[i*cw : (i+1)*cw] {
				db[j] += x
			}
		}
	}
	if g.H != nil {
		gemmNN(rw, f.d, cw, gb, cw, f.in.W[c0*f.d:], f.d, dh, f.d)
	}
}

// smoothingSums computes Σ_c w_c·z_c = h·u + β for every row, with
// u = Σ_c w_c·W_c and β = Σ_c w_c·b_c: no logits needed.
func (f *fused[T]) smoothingSums() {
	u := make([]float64, f.d)
	var beta float64
	for c := range f.v {
		wc := weight(f.opt.Weight, c)
		if wc == 0 {
			continue
		}
		row := f.in.W[c*f.d : (c+1)*f.d]
		for k, x := range row {
			u[k] += wc * float64(x)
		}
		if f.in.B != nil {
			beta += wc * float64(f.in.B[c])
		}
	}
	for i, y := range f.in.Targets {
		if y == f.ign {
			continue
		}
		h := f.in.H[i*f.d : (i+1)*f.d]
		s := beta
		for k, x := range h {
			s += float64(x) * u[k]
		}
		f.st[i].SumWZ = s
	}
}

// maxFinite is the largest finite value of T.
func maxFinite[T Float]() float64 {
	if _, ok := any(T(0)).(float32); ok {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

// gradBlock writes the block of ∂loss/∂z for rows [r0, r1) and classes
// [c0, c1) into gb, from the soft-capped logits z (gb may be z):
//
//	∂/∂z_c = (Σ w q̃·scale + 2λ·LSE·zs)·p_c − w_c·q̃_c·scale,  times 1 − (z_c/cap)²
func (f *fused[T]) gradBlock(gb, z []T, r0, r1, c0, c1 int) {
	cw := c1 - c0
	opt := f.opt
	eps := f.eps
	for i := r0; i < r1; i++ {
		gr := gb[(i-r0)*cw : (i-r0+1)*cw]
		zr := z[(i-r0)*cw : (i-r0+1)*cw]
		y := f.in.Targets[i]
		if y == f.ign {
			clear(gr)
			continue
		}
		wy := weight(opt.Weight, y)
		st := &f.st[i]
		a, b := rowmath.Coef(f.v, eps, wy, f.wSum, st.SumExp, st.LSE(), f.scale, f.zs, opt.ZLoss)
		if f.wT != nil {
			gradW(gr, zr, f.wT[c0:c1], st.Max, a, b)
		} else {
			grad(gr, zr, st.Max, a, b)
		}
		if y >= c0 && y < c1 {
			gr[y-c0] -= T((1 - eps) * wy * f.scale)
		}
		if c := opt.SoftCap; c > 0 {
			for j, x := range zr {
				t := float64(x) / c
				gr[j] *= T(1 - t*t)
			}
		}
	}
}

// The row kernels of package lsce, by element type.
func stats[T Float](x []T) (m, s, sx float64) {
	switch x := any(x).(type) {
	case []float32:
		return kernel.StatsF32(x)
	case []float64:
		return kernel.StatsF64(x)
	}
	panic("unreachable")
}

func dotW[T Float](x, w []T) float64 {
	switch x := any(x).(type) {
	case []float32:
		return kernel.DotF32(x, any(w).([]float32))
	case []float64:
		return kernel.DotF64(x, any(w).([]float64))
	}
	panic("unreachable")
}

func grad[T Float](g, x []T, m, a, b float64) {
	switch x := any(x).(type) {
	case []float32:
		kernel.GradF32(any(g).([]float32), x, m, a, b)
	case []float64:
		kernel.GradF64(any(g).([]float64), x, m, a, b)
	}
}

func gradW[T Float](g, x, w []T, m, a, b float64) {
	switch x := any(x).(type) {
	case []float32:
		kernel.GradWF32(any(g).([]float32), x, any(w).([]float32), m, a, b)
	case []float64:
		kernel.GradWF64(any(g).([]float64), x, any(w).([]float64), m, a, b)
	}
}
