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
// are not supported here. With SoftCap the Σ_c w_c·z_c shortcut does not hold
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
	"runtime"
	"sync"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/kernel"
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
	if err := f.statistics(); err != nil {
		return nil, err
	}
	res, err := f.result()
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
	in       Input[T]
	g        Grads[T]
	opt      *lsce.Options
	n, d, v  int
	rb, cb   int
	workers  int
	ign      int
	wT       []T // class weights in T, or nil
	wSum     float64
	eps      float64 // ε' (constant: every row has all V classes)
	scale    float64 // 1/Σw_y for Mean
	zs       float64 // 1/Counted for Mean (z-loss)
	counted  int
	denom    float64
	m, s, zy []float64 // per row: max, Σexp(z − max), z_y (soft-capped)
	swz      []float64 // per row: Σ_c w_c·z_c
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
	if err := validate(opt, v); err != nil {
		return nil, err
	}
	for name, x := range map[string][]T{"H": in.H, "W": in.W, "bias": in.B} {
		if err := checkFinite(name, x, d); err != nil {
			return nil, err
		}
	}
	f := &fused[T]{in: in, g: g, opt: opt, n: n, d: d, v: v, rb: in.RowBlock, cb: in.ClassBlock, ign: lsce.DefaultIgnoreIndex}
	if f.rb <= 0 {
		f.rb = DefaultRowBlock
	}
	if f.cb <= 0 {
		f.cb = DefaultClassBlock
	}
	f.workers = opt.Workers
	if f.workers <= 0 {
		f.workers = runtime.GOMAXPROCS(0)
	}
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
	for i, y := range in.Targets {
		if y == f.ign {
			continue
		}
		if y < 0 || y >= v {
			return nil, &lsce.Error{Kind: lsce.ErrTarget, Row: i, Class: -1, Msg: fmt.Sprintf("target %d is outside [0, %d) and is not the ignore index %d", y, v, f.ign)}
		}
		f.counted++
		f.denom += weight(opt.Weight, y)
	}
	f.eps = opt.Epsilon
	if opt.Variant == lsce.Others {
		f.eps = 0
		if v > 1 {
			f.eps = opt.Epsilon * float64(v) / float64(v-1)
		}
	}
	f.scale, f.zs = 1, 1
	if opt.Reduction == lsce.Mean {
		f.scale, f.zs = inverse(f.denom), inverse(float64(f.counted))
	} else {
		f.denom = 1
	}
	// As lsce.CrossEntropyGrad: the logits' gradient is at most scale·max w
	// in magnitude and must fit T.
	if g.H != nil || g.W != nil || g.B != nil {
		wMax := 1.0
		if opt.Weight != nil {
			wMax = 0
			for _, w := range opt.Weight {
				wMax = max(wMax, w)
			}
		}
		if b := f.scale * wMax; !(b <= maxFinite[T]()) {
			return nil, &lsce.Error{Kind: lsce.ErrWeight, Row: -1, Class: -1, Msg: fmt.Sprintf("the gradient overflows %T: largest weight %g over the mean's denominator Σ w_y = %g", T(0), wMax, f.denom)}
		}
	}
	f.m, f.s, f.zy, f.swz = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	return f, nil
}

// validate checks the options, as lsce does for its own calls.
func validate(o *lsce.Options, classes int) error {
	bad := func(format string, args ...any) error {
		return &lsce.Error{Kind: lsce.ErrOption, Row: -1, Class: -1, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case !(o.Epsilon >= 0 && o.Epsilon <= 1):
		return bad("epsilon %v is outside [0, 1]", o.Epsilon)
	case o.Reduction != lsce.Mean && o.Reduction != lsce.Sum && o.Reduction != lsce.None:
		return bad("unknown reduction %d", int(o.Reduction))
	case o.Variant != lsce.Uniform && o.Variant != lsce.Others:
		return bad("unknown variant %d", int(o.Variant))
	case !(o.ZLoss >= 0) || math.IsInf(o.ZLoss, 0):
		return bad("z-loss %v: want a finite λ ≥ 0", o.ZLoss)
	case !(o.SoftCap >= 0) || math.IsInf(o.SoftCap, 0):
		return bad("soft-cap %v: want a finite c ≥ 0", o.SoftCap)
	case o.ClassMask != nil:
		return bad("class masks are not supported by the fused linear loss")
	case o.Workers < 0:
		return bad("workers %d is negative", o.Workers)
	}
	if o.Weight != nil {
		if len(o.Weight) != classes {
			return &lsce.Error{Kind: lsce.ErrShape, Row: -1, Class: -1, Msg: fmt.Sprintf("%d class weights for %d classes", len(o.Weight), classes)}
		}
		for c, w := range o.Weight {
			if !(w >= 0) || math.IsInf(w, 0) {
				return &lsce.Error{Kind: lsce.ErrWeight, Row: -1, Class: c, Msg: fmt.Sprintf("weight %v: want finite and ≥ 0", w)}
			}
		}
	}
	return nil
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

func inverse(x float64) float64 {
	if x == 0 {
		return 0
	}
	return 1 / x
}

// parallel runs fn(worker, item) for items [0, items) dealt round-robin to
// the workers: a fixed assignment, so results do not depend on scheduling.
func (f *fused[T]) parallel(items int, fn func(worker, item int)) {
	workers := min(f.workers, items)
	if workers <= 1 {
		for it := range items {
			fn(0, it)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for it := w; it < items; it += workers {
				fn(w, it)
			}
		})
	}
	wg.Wait()
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

// statistics is pass 1: each row's max, Σexp, z_y and Σ w·z.
func (f *fused[T]) statistics() error {
	for i := range f.n {
		f.m[i] = math.Inf(-1)
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
				row := z[(i-r0)*cw : (i-r0+1)*cw]
				bm, bs, bsx := stats(row)
				if !(bs > 0) || math.IsNaN(bsx) || math.IsInf(bsx, 0) {
					f.s[i] = math.NaN() // reported in result()
					continue
				}
				if bm > f.m[i] {
					f.s[i] = f.s[i]*math.Exp(f.m[i]-bm) + bs
					f.m[i] = bm
				} else {
					f.s[i] += bs * math.Exp(bm-f.m[i])
				}
				if y >= c0 && y < c1 {
					f.zy[i] = float64(row[y-c0])
				}
				if f.opt.SoftCap > 0 {
					if f.wT != nil {
						f.swz[i] += dotW(row, f.wT[c0:c1])
					} else {
						f.swz[i] += bsx
					}
				}
			}
		}
	})
	if f.opt.SoftCap == 0 {
		f.smoothingSums()
	}
	return nil
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
	for i := range f.n {
		h := f.in.H[i*f.d : (i+1)*f.d]
		s := beta
		for k, x := range h {
			s += float64(x) * u[k]
		}
		f.swz[i] = s
	}
}

// result assembles the losses from the statistics, as lsce does.
func (f *fused[T]) result() (*lsce.Result, error) {
	opt := f.opt
	r := &lsce.Result{Denominator: f.denom, Counted: f.counted, LossShape: []int{f.n}}
	if opt.Reduction == lsce.None {
		r.Losses, r.NLLs, r.Smooths = make([]float64, f.n), make([]float64, f.n), make([]float64, f.n)
	}
	k := float64(f.v)
	eps := f.eps
	var main, nll, smooth, zl, floor float64
	for i, y := range f.in.Targets {
		if y == f.ign {
			continue
		}
		lse := f.m[i] + math.Log(f.s[i])
		if math.IsNaN(lse) || math.IsInf(lse, 0) || math.IsNaN(f.swz[i]) || math.IsInf(f.swz[i], 0) {
			return nil, &lsce.Error{Kind: lsce.ErrNonFinite, Row: i, Class: -1, Msg: "logits of this row overflow"}
		}
		wy := weight(opt.Weight, y)
		pn := wy * (lse - f.zy[i])
		ps := (f.wSum*lse - f.swz[i]) / k
		pz := opt.ZLoss * lse * lse
		var pf float64
		if opt.ZeroFloor {
			u := eps / k
			pf = -wy * xlogx(1-eps+u)
			if u > 0 {
				pf -= (f.wSum - wy) * xlogx(u)
			}
		}
		l := (1-eps)*pn + eps*ps
		main += l
		nll += pn
		smooth += ps
		zl += pz
		floor += pf
		if r.Losses != nil {
			r.Losses[i], r.NLLs[i], r.Smooths[i] = l+pz-pf, pn, ps
		}
	}
	r.NLL, r.Smooth, r.Floor, r.ZLoss = nll*f.scale, smooth*f.scale, floor*f.scale, zl*f.zs
	r.Loss = main*f.scale + r.ZLoss - r.Floor
	if finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }; !finite(r.Loss) || !finite(r.NLL) || !finite(r.Smooth) {
		return nil, &lsce.Error{Kind: lsce.ErrNonFinite, Row: -1, Class: -1, Msg: fmt.Sprintf("the loss overflows float64 (loss %v): logits or weights too large", r.Loss)}
	}
	return r, nil
}

// maxFinite is the largest finite value of T.
func maxFinite[T Float]() float64 {
	if _, ok := any(T(0)).(float32); ok {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

func xlogx(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x * math.Log(x)
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
	eps, k := f.eps, float64(f.v)
	u := eps / k
	for i := r0; i < r1; i++ {
		gr := gb[(i-r0)*cw : (i-r0+1)*cw]
		zr := z[(i-r0)*cw : (i-r0+1)*cw]
		y := f.in.Targets[i]
		if y == f.ign {
			clear(gr)
			continue
		}
		wy := weight(opt.Weight, y)
		lse := f.m[i] + math.Log(f.s[i])
		a := (((1-eps)*wy+u*f.wSum)*f.scale + 2*opt.ZLoss*lse*f.zs) / f.s[i]
		if f.wT != nil {
			gradW(gr, zr, f.wT[c0:c1], f.m[i], a, u*f.scale)
		} else {
			grad(gr, zr, f.m[i], a, u*f.scale)
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
