// Package linear computes label-smoothing cross-entropy fused with the
// classifier that produces the logits, without ever holding the N×V logits:
// the language-model head of a large vocabulary.
//
// From hidden states H (N×D), classifier weights W (V×D) and an optional bias
// b (V), the logits would be Z = H·Wᵀ + b, 4·N·V bytes in float32 (1 GB at
// N = 8192, V = 32000). CrossEntropyGrad instead works on blocks of rows and
// classes, in two passes over the class blocks:
//
//  1. statistics: each block of logits is computed, folded into each row's
//     running max and Σexp (an online softmax), and dropped. The smoothing
//     term's Σ_c w_c·z_c needs no logits at all:
//
//     Σ_c w_c·z_c = h·(Σ_c w_c·W_c) + Σ_c w_c·b_c
//
//     one D-vector computed once, then one dot product per row;
//
//  2. gradient: each block of logits is computed again, turned into its block
//     of G = ∂loss/∂Z in place with the row's final statistics, and
//     multiplied out: dH += G·W_block, dW_block += Gᵀ·H, db_block += Σ_n G.
//
// Memory beyond the inputs and gradients is one block of logits per worker
// and one N×D partial dH per extra worker. The arithmetic is four N×V×D
// matrix products, as Apple's Cut Cross-Entropy (which has no smoothing).
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
// Matrix products go through the package's own packed AVX2+FMA kernels
// (float32: about 40 GFLOP/s per core of CPU time on the development
// machine, an AMD EPYC without AVX-512), or gonum's BLAS on CPUs without
// AVX2, which measured 8–15 times slower; see BenchmarkGemm. At N = 8192, D = 256, V = 32000 in float32 on two cores,
// `lsce bench --linear --workers 0 --check` measured: fused 12.9 s of CPU
// time and a 110 MB peak resident set for the whole process; the
// materialised path 13.2 s of CPU time and 1.18 GB; loss difference 2.6e-11
// relative, largest gradient difference 5.8e-11. (Wall times, about 40 s
// each, were dominated by other jobs on that shared machine.)
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
// not computed.
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
	f.statistics()
	// The class blocks are shards of every row: their statistics, merged,
	// go through the same loss as lsce's Shard protocol.
	res, err := lsce.ShardLoss(f.st, in.Targets, opt)
	if err != nil {
		return nil, err
	}
	if g.H != nil || g.W != nil || g.B != nil {
		f.gradient()
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

// statistics is pass 1: each row's lsce.RowStats over all classes (max,
// Σexp, z_y, Σ w·z), merged class block by class block. A block whose
// logits overflow leaves a NaN Σexp, which lsce.ShardLoss reports.
func (f *fused[T]) statistics() {
	wy := func(y int) float64 { return weight(f.opt.Weight, y) }
	for i, y := range f.in.Targets {
		if y != f.ign {
			f.st[i] = lsce.RowStats{Max: math.Inf(-1), SumW: f.wSum, K: float64(f.v), WQ: wy(y)}
		}
	}
	rowBlocks := (f.n + f.rb - 1) / f.rb
	bufs := make([][]T, f.workers)
	f.parallel(rowBlocks, func(w, b int) {
		if bufs[w] == nil {
			bufs[w] = make([]T, f.rb*f.cb)
		}
		r0, r1 := b*f.rb, min((b+1)*f.rb, f.n)
		for c0 := 0; c0 < f.v; c0 += f.cb {
			c1 := min(c0+f.cb, f.v)
			z := f.logitsBlock(bufs[w], r0, r1, c0, c1)
			cw := c1 - c0
			for i := r0; i < r1; i++ {
				y := f.in.Targets[i]
				if y == f.ign {
					continue
				}
				st := &f.st[i]
				row := z[(i-r0)*cw : (i-r0+1)*cw]
				bm, bs, bsx := stats(row)
				if !(bs > 0) || !rowmath.Finite(bsx) {
					st.SumExp = math.NaN()
				}
				st.Max, st.SumExp = rowmath.Merge(st.Max, st.SumExp, bm, bs)
				if y >= c0 && y < c1 {
					st.ZY = float64(row[y-c0])
				}
				if f.opt.SoftCap > 0 {
					if f.wT != nil {
						st.SumWZ += dotW(row, f.wT[c0:c1])
					} else {
						st.SumWZ += bsx
					}
				}
			}
		}
	})
	if f.opt.SoftCap == 0 {
		f.smoothingSums()
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

// gradient is pass 2: blocks of G = ∂loss/∂Z, multiplied out into dH, dW and
// db. Workers own class blocks, so dW and db need no locking; each worker
// past the first accumulates its own dH, summed at the end.
func (f *fused[T]) gradient() {
	g := f.g
	dh := make([][]T, f.workers)
	if g.H != nil {
		clear(g.H)
		dh[0] = g.H
	}
	type scratch struct{ z, grad []T }
	bufs := make([]scratch, f.workers)
	classBlocks := (f.v + f.cb - 1) / f.cb
	f.parallel(classBlocks, func(w, b int) {
		sc := &bufs[w]
		if sc.z == nil {
			sc.z = make([]T, f.rb*f.cb)
			sc.grad = sc.z
			if f.opt.SoftCap > 0 {
				sc.grad = make([]T, f.rb*f.cb)
			}
		}
		if g.H != nil && dh[w] == nil {
			dh[w] = make([]T, f.n*f.d)
		}
		c0, c1 := b*f.cb, min((b+1)*f.cb, f.v)
		cw := c1 - c0
		if g.W != nil {
			clear(g.W[c0*f.d : c1*f.d])
		}
		if g.B != nil {
			clear(g.B[c0:c1])
		}
		for r0 := 0; r0 < f.n; r0 += f.rb {
			r1 := min(r0+f.rb, f.n)
			rw := r1 - r0
			z := f.logitsBlock(sc.z, r0, r1, c0, c1)
			gb := sc.grad[:rw*cw]
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
				gemmNN(rw, f.d, cw, gb, cw, f.in.W[c0*f.d:], f.d, dh[w][r0*f.d:], f.d)
			}
		}
	})
	if g.H != nil {
		for _, part := range dh[1:] {
			for i, x := range part {
				g.H[i] += x
			}
		}
	}
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
