package lsce

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/lsce/lsce/internal/rowmath"
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

	busy uint32     // 1 while a call writes the Result (atomic): see CrossEntropyInto
	ws   *workspace // the buffers reused between calls (workspace.go)
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
// slices and scratch buffers, so that a training loop allocates nothing in
// steady state (with the default Options or one worker). grad may be nil for
// the loss alone. On error, dst and grad hold unspecified values.
//
// A Result serves one call at a time: a call on a Result that another
// goroutine's call is still writing returns an ErrOption error at once and
// touches nothing (give each goroutine its own Result). A Result may be
// used for float32 and float64 calls in turn, and a copy of a Result gets
// buffers of its own on its first call, never sharing the original's.
//
// In place (grad is in.Logits): targets, shapes and options are checked
// before anything is written, but a NaN or ±Inf logit, or a loss that
// overflows float64, is found while the rows are computed, so on such an
// error the logits of the rows before it (all of them, for an overflowing
// loss) are already overwritten by their gradient. Keep a copy, or check the
// logits first, if the caller needs them after a failure.
func CrossEntropyInto[T Float](dst *Result, grad []T, in Input[T], opt Options) error {
	if dst == nil {
		return &Error{Kind: ErrOption, Row: -1, Class: -1, Msg: "CrossEntropyInto needs a *Result to write into, got nil"}
	}
	if !atomic.CompareAndSwapUint32(&dst.busy, 0, 1) {
		return &Error{Kind: ErrOption, Row: -1, Class: -1, Msg: "the Result is in use by another call: give each goroutine its own Result"}
	}
	defer atomic.StoreUint32(&dst.busy, 0)
	e, err := newEngine(dst, grad, in, &opt)
	if err == nil {
		err = e.run()
	}
	if e != nil {
		*e = engine[T]{} // keep no reference to the caller's buffers
	}
	return err
}

// engine holds one call's resolved settings.
type engine[T Float] struct {
	dst     *Result
	grad    []T
	in      Input[T]
	opt     Options
	lay     layout
	ops     *ops[T]
	space   *space[T] // the Result's buffers for T
	path    path      // how the elements are computed (path.go)
	stream  bool      // fusedRow streams the gradient through a scratch row (path.go)
	workers int       // goroutines for the blocks (path.go)
	sc      [][]T     // one scratch row per worker (run)
	part    []sums    // the sums of each block (run)
	soft    bool      // probability targets
	wT      []T       // weights converted to T for the kernels
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
	if err := opt.Validate(lay.classes); err != nil {
		return nil, err
	}
	n := lay.elements()
	sp := spaceOf[T](dst.workspace())
	e := &sp.engine
	*e = engine[T]{dst: dst, grad: grad, in: in, opt: *opt, lay: lay, ops: opsFor[T](), space: sp, eps: opt.Epsilon, ign: opt.ignoreIndex()}
	switch {
	case in.Targets != nil && in.Probs != nil:
		return e, shapeError("both class-index targets and probability targets given")
	case in.Probs != nil:
		if len(in.Probs) != len(in.Logits) {
			return e, shapeError("%d probability targets for %d logits: want the logits' shape %v", len(in.Probs), len(in.Logits), in.Shape)
		}
		if ii := opt.IgnoreIndex; ii != nil && *ii >= 0 {
			// PyTorch: "ignore_index is not supported for floating point target".
			return e, &Error{Kind: ErrOption, Row: -1, Class: -1, Msg: fmt.Sprintf("ignore index %d with probability targets: no element is ignored there", *ii)}
		}
		e.soft = true
	default:
		if len(in.Targets) != n {
			return e, shapeError("%d targets for %d elements: want shape %v", len(in.Targets), n, TargetShape(in.Shape, opt.ClassLast))
		}
	}
	if grad != nil && len(grad) != len(in.Logits) {
		return e, shapeError("gradient buffer holds %d values, want %d", len(grad), len(in.Logits))
	}
	if m := opt.ClassMask; m != nil && len(m) != lay.classes && len(m) != n*lay.classes {
		return e, shapeError("class mask of %d values: want %d (one per class) or %d (per element)", len(m), lay.classes, n*lay.classes)
	}
	e.wSum = float64(lay.classes)
	if opt.Weight != nil {
		e.wSum = 0
		for _, w := range opt.Weight {
			e.wSum += w
		}
	}
	e.choosePath()
	if e.path != pathGeneral && opt.Weight != nil {
		e.wT = convertWeights(sp, opt.Weight)
	}
	return e, e.prepare()
}

// prepare checks the targets and computes the reduction's denominators.
func (e *engine[T]) prepare() error {
	n := e.lay.elements()
	d := e.dst
	// Field by field: busy is the caller's lock, written atomically only.
	d.Loss, d.NLL, d.Smooth, d.ZLoss, d.Floor, d.Denominator, d.Counted = 0, 0, 0, 0, 0, 0, 0
	d.Losses, d.NLLs, d.Smooths = d.Losses[:0], d.NLLs[:0], d.Smooths[:0]
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
				return &Error{Kind: ErrTarget, Row: i, Class: -1, Msg: rowmath.TargetMsg(y, e.lay.classes, e.ign)}
			}
			d.Counted++
			if e.opt.Weight != nil {
				d.Denominator += e.opt.Weight[y]
			} else {
				d.Denominator++
			}
		}
	}
	e.scale, e.zs = rowmath.Scale(e.opt.Reduction == Mean, d.Denominator, d.Counted)
	if e.opt.Reduction != Mean {
		d.Denominator = 1
	}
	// An index target's gradient is at most scale·max w in magnitude; it
	// must fit T (a tiny Σ w_y or huge weights would overflow it). Probability
	// targets are checked per value in generalRow.
	if e.grad != nil && !e.soft {
		if err := gradBound[T](e.opt.Weight, e.scale, d.Denominator); err != nil {
			return err
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

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// convertWeights converts the weights to T for the kernels, in a buffer kept
// in sp.
func convertWeights[T Float](sp *space[T], w []float64) []T {
	if cap(sp.weights) < len(w) {
		sp.weights = make([]T, len(w))
	}
	out := sp.weights[:len(w)]
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
