package lsce

import (
	"fmt"
	"math"
)

// Input is what the loss is computed on. Logits is a flat row-major slice of
// the given Shape: (N, C), PyTorch's (N, C, d1, …, dk) with the class axis 1,
// a single row (C), or class-last (N, …, C) with Options.ClassLast.
//
// Exactly one of Targets and Probs is set: Targets holds one class index per
// element (in [0, C), or the ignore index), in the shape TargetShape returns;
// Probs holds probability targets (soft labels, mixup) in the logits' shape.
type Input[T Float] struct {
	Logits  []T
	Shape   []int
	Targets []int
	Probs   []T
}

// Result is the loss and its parts.
//
// With ε' = ε (Uniform) or ε·K/(K−1) (Others, K constant), every element obeys
//
//	loss = (1−ε')·nll + ε'·smooth + zloss − floor
//
// where nll is H(q, p) (w_y·(LSE − z_y) with weights), smooth is H(u, p)
// ((1/K)·Σ_c w_c·(LSE − z_c)), zloss is λ·LSE² and floor is H(q̃) when
// ZeroFloor is set. The reduced fields below hold the same parts after the
// reduction, so Loss = (1−ε')·NLL + ε'·Smooth + ZLoss − Floor.
type Result struct {
	// Loss is the reduced loss; with None, the sum of Losses.
	Loss float64
	// NLL, Smooth, ZLoss and Floor are the reduced parts of Loss.
	NLL, Smooth, ZLoss, Floor float64
	// Denominator is what Mean divided the main terms by: Σ w_y over the
	// counted elements (their count without weights), or the element count for
	// probability targets; 1 for Sum and None. The z-loss term divides by
	// Counted instead (Liger-Kernel's rule).
	Denominator float64
	// Counted is the number of elements not ignored.
	Counted int
	// Losses, NLLs and Smooths hold one value per element, in the shape
	// LossShape, when the reduction is None; they are empty otherwise.
	Losses, NLLs, Smooths []float64
	// LossShape is the shape of Losses (TargetShape of the input's shape).
	LossShape []int

	partial []sums // per-block sums, reused between calls
	weights any    // the weights converted to the logits' type ([]float32 or []float64), reused
	engine  any    // the last call's *engine[T], reused so that a call allocates nothing
	scratch any    // [][]T: one row of exponentials per worker for the gradient, reused
}

// CrossEntropy returns the label-smoothed cross-entropy of in under opt.
func CrossEntropy[T Float](in Input[T], opt Options) (*Result, error) {
	r := new(Result)
	if err := CrossEntropyInto(r, nil, in, opt); err != nil {
		return nil, err
	}
	return r, nil
}

// CrossEntropyGrad returns the loss and writes its gradient with respect to
// the logits into grad (len(grad) == len(in.Logits)): the gradient of the
// reduced loss, or of the sum of the losses with None. grad may be in.Logits
// itself, to overwrite the logits in place.
func CrossEntropyGrad[T Float](grad []T, in Input[T], opt Options) (*Result, error) {
	r := new(Result)
	if err := CrossEntropyInto(r, grad, in, opt); err != nil {
		return nil, err
	}
	return r, nil
}

// CrossEntropyInto is CrossEntropyGrad writing into dst and reusing its
// slices, so that a training loop allocates nothing in steady state (with one
// worker). grad may be nil for the loss alone. On error, dst and grad hold
// unspecified values.
func CrossEntropyInto[T Float](dst *Result, grad []T, in Input[T], opt Options) error {
	if dst == nil {
		return &Error{Kind: ErrOption, Row: -1, Class: -1, Msg: "CrossEntropyInto needs a *Result to write into, got nil"}
	}
	e, err := newEngine(dst, grad, in, &opt)
	if err != nil {
		return err
	}
	err = e.run()
	*e = engine[T]{} // keep no reference to the caller's buffers
	if err != nil {
		return err
	}
	// Finite logits and weights can still overflow float64 in the loss
	// (|z| near 1e308, weights near the largest float64): an error, not a
	// silent ±Inf or NaN.
	if !finite(dst.Loss) || !finite(dst.NLL) || !finite(dst.Smooth) {
		return &Error{Kind: ErrNonFinite, Row: -1, Class: -1, Msg: fmt.Sprintf("the loss overflows float64 (loss %v, nll %v, smooth %v): logits or weights too large", dst.Loss, dst.NLL, dst.Smooth)}
	}
	return nil
}

// engine holds one call's resolved settings.
type engine[T Float] struct {
	dst     *Result
	grad    []T
	in      Input[T]
	opt     Options
	lay     layout
	ops     *ops[T]
	soft    bool // probability targets
	fast    bool // contiguous rows, no soft-cap, no mask: the vectorised kernels
	strided bool // class axis 1 of K-dim input, else as fast: gathered into the kernels
	wT      []T  // weights converted to T for the kernels
	wSum    float64
	eps     float64
	ign     int
	scale   float64 // gradient factor of the main terms: 1/Denominator for Mean
	zs      float64 // gradient factor of the z-loss term: 1/Counted for Mean
}

func newEngine[T Float](dst *Result, grad []T, in Input[T], opt *Options) (*engine[T], error) {
	lay, err := layoutOf(in.Shape, len(in.Logits), opt.ClassLast)
	if err != nil {
		return nil, err
	}
	if err := opt.validate(lay.classes); err != nil {
		return nil, err
	}
	n := lay.elements()
	e, _ := dst.engine.(*engine[T])
	if e == nil {
		e = new(engine[T])
	}
	*e = engine[T]{dst: dst, grad: grad, in: in, opt: *opt, lay: lay, ops: opsFor[T](), eps: opt.Epsilon, ign: opt.ignoreIndex()}
	switch {
	case in.Targets != nil && in.Probs != nil:
		return nil, shapeError("both class-index targets and probability targets given")
	case in.Probs != nil:
		if len(in.Probs) != len(in.Logits) {
			return nil, shapeError("%d probability targets for %d logits: want the logits' shape %v", len(in.Probs), len(in.Logits), in.Shape)
		}
		if ii := opt.IgnoreIndex; ii != nil && *ii >= 0 {
			// PyTorch: "ignore_index is not supported for floating point target".
			return nil, &Error{Kind: ErrOption, Row: -1, Class: -1, Msg: fmt.Sprintf("ignore index %d with probability targets: no element is ignored there", *ii)}
		}
		e.soft = true
	default:
		if len(in.Targets) != n {
			return nil, shapeError("%d targets for %d elements: want shape %v", len(in.Targets), n, TargetShape(in.Shape, opt.ClassLast))
		}
	}
	if grad != nil && len(grad) != len(in.Logits) {
		return nil, shapeError("gradient buffer holds %d values, want %d", len(grad), len(in.Logits))
	}
	if m := opt.ClassMask; m != nil && len(m) != lay.classes && len(m) != n*lay.classes {
		return nil, shapeError("class mask of %d values: want %d (one per class) or %d (per element)", len(m), lay.classes, n*lay.classes)
	}
	e.wSum = float64(lay.classes)
	if opt.Weight != nil {
		e.wSum = 0
		for _, w := range opt.Weight {
			e.wSum += w
		}
	}
	simple := opt.SoftCap == 0 && opt.ClassMask == nil && !e.soft
	e.fast = lay.inner == 1 && simple
	e.strided = lay.inner > 1 && simple
	if (e.fast || e.strided) && opt.Weight != nil {
		e.wT = convertWeights[T](dst, opt.Weight)
	}
	return e, e.prepare()
}

// prepare checks the targets and computes the reduction's denominators.
func (e *engine[T]) prepare() error {
	n := e.lay.elements()
	d := e.dst
	*d = Result{Losses: d.Losses[:0], NLLs: d.NLLs[:0], Smooths: d.Smooths[:0], partial: d.partial,
		weights: d.weights, engine: e, scratch: d.scratch, LossShape: d.LossShape}
	d.LossShape = appendTargetShape(d.LossShape[:0], e.in.Shape, e.opt.ClassLast)
	if e.soft {
		d.Counted = n
		d.Denominator = float64(n)
	} else {
		for i, y := range e.in.Targets {
			if y == e.ign {
				continue
			}
			if y < 0 || y >= e.lay.classes {
				return &Error{Kind: ErrTarget, Row: i, Class: -1, Msg: fmt.Sprintf("target %d is outside [0, %d) and is not the ignore index %d", y, e.lay.classes, e.ign)}
			}
			d.Counted++
			if e.opt.Weight != nil {
				d.Denominator += e.opt.Weight[y]
			} else {
				d.Denominator++
			}
		}
	}
	e.scale, e.zs = 1, 1
	if e.opt.Reduction == Mean {
		e.scale, e.zs = inverse(d.Denominator), inverse(float64(d.Counted))
	} else {
		d.Denominator = 1
	}
	// An index target's gradient is at most scale·max w in magnitude; it
	// must fit T (a tiny Σ w_y or huge weights would overflow it). Probability
	// targets are checked per value in generalRow.
	if e.grad != nil && !e.soft {
		wMax := 1.0
		if e.opt.Weight != nil {
			wMax = 0
			for _, w := range e.opt.Weight {
				wMax = max(wMax, w)
			}
		}
		if b := e.scale * wMax; !(b <= maxFinite[T]()) {
			return &Error{Kind: ErrWeight, Row: -1, Class: -1, Msg: fmt.Sprintf("the gradient overflows %T: largest weight %g over the mean's denominator Σ w_y = %g", T(0), wMax, d.Denominator)}
		}
	}
	if e.opt.Reduction == None {
		d.Losses = grow(d.Losses, n)
		d.NLLs = grow(d.NLLs, n)
		d.Smooths = grow(d.Smooths, n)
	}
	return nil
}

// maxFinite is the largest finite value of T.
func maxFinite[T Float]() float64 {
	var z T
	if _, ok := any(z).(float32); ok {
		return math.MaxFloat32
	}
	return math.MaxFloat64
}

// inverse is 1/x, or 0 for x = 0: a mean over nothing is 0, not NaN.
func inverse(x float64) float64 {
	if x == 0 {
		return 0
	}
	return 1 / x
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// convertWeights converts the weights to T for the kernels, in a buffer kept
// in dst.
func convertWeights[T Float](dst *Result, w []float64) []T {
	out, _ := dst.weights.([]T)
	if cap(out) < len(w) {
		out = make([]T, len(w))
		dst.weights = out
	}
	out = out[:len(w)]
	for i, v := range w {
		out[i] = T(v)
	}
	return out
}

// appendTargetShape appends TargetShape(shape, classLast) to ls, which is
// never nil afterwards (a single row's loss shape is []int{}).
func appendTargetShape(ls, shape []int, classLast bool) []int {
	if ls == nil {
		ls = make([]int, 0, max(len(shape), 1))
	}
	switch {
	case len(shape) <= 1:
		return ls
	case classLast:
		return append(ls, shape[:len(shape)-1]...)
	}
	return append(append(ls, shape[0]), shape[2:]...)
}

// parts is one element's loss split into its terms.
type parts struct {
	nll, smooth, z, floor, eps float64
}

func (p parts) loss() float64 { return (1-p.eps)*p.nll + p.eps*p.smooth }

// effectiveEpsilon returns ε' for a row of k allowed classes.
func (e *engine[T]) effectiveEpsilon(k int) float64 {
	if e.opt.Variant == Others {
		if k < 2 {
			return 0
		}
		return e.eps * float64(k) / float64(k-1)
	}
	return e.eps
}

// floorIndex is H(q̃) for an index target: q̃_y = 1−ε'+ε'/K, the rest ε'/K.
func floorIndex(eps float64, k int, wy, wRow float64) float64 {
	u := eps / float64(k)
	h := -wy * xlogx(1-eps+u)
	if u > 0 {
		h -= (wRow - wy) * xlogx(u)
	}
	return h
}

// xlogx is x·ln x with 0·ln 0 = 0.
func xlogx(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x * math.Log(x)
}
