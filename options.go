package lsce

import (
	"fmt"
	"math"
)

// Float is the element type of logits, probability targets and gradients.
type Float interface{ float32 | float64 }

// Reduction says how per-element losses are combined, as PyTorch's reduction=.
type Reduction int

const (
	// Mean divides the summed loss by the summed target weights of the counted
	// elements (index targets), or by the element count (probability targets).
	// It is the zero value, as in PyTorch. A mean over nothing is 0, not NaN.
	Mean Reduction = iota
	// Sum adds the per-element losses.
	Sum
	// None keeps one loss per element; Result.Loss is then their sum.
	None
)

// String returns "mean", "sum" or "none".
func (r Reduction) String() string {
	switch r {
	case Mean:
		return "mean"
	case Sum:
		return "sum"
	case None:
		return "none"
	}
	return fmt.Sprintf("Reduction(%d)", int(r))
}

// ParseReduction reads "mean", "sum" or "none".
func ParseReduction(s string) (Reduction, error) {
	switch s {
	case "mean":
		return Mean, nil
	case "sum":
		return Sum, nil
	case "none":
		return None, nil
	}
	return 0, fmt.Errorf("reduction %q: want mean, sum or none", s)
}

// Variant says where the smoothing mass ε goes.
type Variant int

const (
	// Uniform puts ε/K on every class, the target included (Szegedy et al.
	// 2016, PyTorch, fastai, Keras). The zero value.
	Uniform Variant = iota
	// Others puts 1−ε on the target and ε/(K−1) on every other class (fairseq,
	// Megatron-LM). It equals Uniform with ε' = ε·K/(K−1); with K = 1 there is
	// no other class and ε' = 0.
	Others
)

// String returns "uniform" or "others".
func (v Variant) String() string {
	switch v {
	case Uniform:
		return "uniform"
	case Others:
		return "others"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// ParseVariant reads "uniform" or "others".
func ParseVariant(s string) (Variant, error) {
	switch s {
	case "uniform":
		return Uniform, nil
	case "others":
		return Others, nil
	}
	return 0, fmt.Errorf("variant %q: want uniform or others", s)
}

// DefaultIgnoreIndex is PyTorch's ignore_index default, used when
// Options.IgnoreIndex is nil.
const DefaultIgnoreIndex = -100

// Options are the loss's settings, named as PyTorch's F.cross_entropy names
// them. The zero Options are PyTorch's defaults: no smoothing, mean reduction,
// no weights, ignore index −100.
type Options struct {
	// Epsilon is the label smoothing ε in [0, 1] (PyTorch's label_smoothing).
	Epsilon float64
	// Reduction is Mean (the zero value), Sum or None.
	Reduction Reduction
	// Weight holds one finite weight ≥ 0 per class, or is nil for all ones.
	Weight []float64
	// IgnoreIndex is the target value whose elements are skipped (index
	// targets only); nil means DefaultIgnoreIndex. Write new(-1) for −1.
	IgnoreIndex *int
	// Variant is Uniform (the zero value) or Others.
	Variant Variant
	// ClassLast reads the shape as (N, …, C), classes contiguous, instead of
	// PyTorch's (N, C, d1, …, dk) with the class axis 1.
	ClassLast bool
	// Workers is the number of goroutines; 0 means GOMAXPROCS, but no more
	// than one per 2^16 logits (starting a goroutine costs more than a
	// smaller share of work saves, and a minibatch then allocates nothing).
	Workers int

	// ZLoss adds λ·LSE² per counted element (PaLM's z-loss); 0 disables it.
	ZLoss float64
	// SoftCap, when > 0, replaces every logit z by c·tanh(z/c) first (Gemma 2).
	SoftCap float64
	// ClassMask, when non-nil, marks the allowed classes: length C (one mask
	// for every element) or elements×C (one per element, class-contiguous).
	// Masked classes take no probability and no smoothing mass, K becomes the
	// allowed count, and their logits may be −Inf.
	ClassMask []bool
	// ZeroFloor subtracts H(q̃) = −Σ_c w_c q̃_c ln q̃_c per element, so that a
	// perfect prediction scores 0 (the KL form). The gradient is unchanged.
	ZeroFloor bool
}

// ignoreIndex resolves the nil default.
func (o *Options) ignoreIndex() int {
	if o.IgnoreIndex == nil {
		return DefaultIgnoreIndex
	}
	return *o.IgnoreIndex
}

// Validate checks the settings for rows of the given number of classes,
// with the errors CrossEntropy would return (ErrOption, ErrWeight or
// ErrShape, as *Error): ε in [0, 1], known Reduction and Variant, Workers ≥ 0,
// finite λ and soft-cap ≥ 0, and, when Weight is set, one finite weight ≥ 0
// per class with a finite sum. Programs that take options from users (flags,
// files) call it to report bad settings before reading any data.
func (o *Options) Validate(classes int) error {
	bad := func(kind error, option string, class int, format string, args ...any) error {
		return &Error{Kind: kind, Row: -1, Class: class, Option: option, Msg: option + " " + fmt.Sprintf(format, args...)}
	}
	switch {
	case !(o.Epsilon >= 0 && o.Epsilon <= 1):
		return bad(ErrOption, "epsilon", -1, "%v: want a value in [0, 1]", o.Epsilon)
	case o.Reduction != Mean && o.Reduction != Sum && o.Reduction != None:
		return bad(ErrOption, "reduction", -1, "%d: want Mean, Sum or None", int(o.Reduction))
	case o.Variant != Uniform && o.Variant != Others:
		return bad(ErrOption, "variant", -1, "%d: want Uniform or Others", int(o.Variant))
	case o.Workers < 0:
		return bad(ErrOption, "workers", -1, "%d: want 0 (one per CPU) or more", o.Workers)
	case !(o.ZLoss >= 0) || math.IsInf(o.ZLoss, 0):
		return bad(ErrOption, "z-loss", -1, "%v: want a finite λ ≥ 0", o.ZLoss)
	case !(o.SoftCap >= 0) || math.IsInf(o.SoftCap, 0):
		return bad(ErrOption, "soft-cap", -1, "%v: want a finite c ≥ 0 (0 disables it)", o.SoftCap)
	}
	if o.Weight != nil {
		if len(o.Weight) != classes {
			return &Error{Kind: ErrShape, Row: -1, Class: -1, Msg: fmt.Sprintf("%d class weights for %d classes", len(o.Weight), classes)}
		}
		sum := 0.0
		for c, w := range o.Weight {
			if !(w >= 0) || math.IsInf(w, 0) {
				return bad(ErrWeight, "weight", c, "%v: want finite and ≥ 0", w)
			}
			sum += w
		}
		if math.IsInf(sum, 0) {
			return bad(ErrWeight, "weight", -1, "sum +Inf: the class weights sum beyond float64, want a finite sum")
		}
	}
	return nil
}
