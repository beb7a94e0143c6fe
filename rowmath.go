package lsce

import (
	"fmt"

	"github.com/lsce/lsce/internal/rowmath"
)

// The row mathematics (the loss from a row's statistics, the gradient's
// factors, the log-sum-exp merge) lives in internal/rowmath, shared with
// package linear; these bind it to a call's settings, with the errors it
// implies.

// parts is one element's loss split into its terms.
type parts = rowmath.Parts

// effectiveEpsilon returns ε' for a row of k allowed classes.
func (e *engine[T]) effectiveEpsilon(k int) float64 {
	return rowmath.Epsilon(e.eps, e.opt.Variant == Others, k)
}

// rowParts assembles an index-target element's parts from its statistics.
func (e *engine[T]) rowParts(k int, lse, zy, wy, swz, wRow float64) parts {
	return rowmath.Index(k, e.effectiveEpsilon(k), lse, zy, wy, swz, wRow, e.opt.ZLoss, e.opt.ZeroFloor)
}

// gradCoef returns the factors of the gradient of a row of k classes:
// ∂loss/∂z_j = a·exp(z_j − m) − b·w_j, less (1−ε')·w_y·scale at the target.
func (e *engine[T]) gradCoef(eps, s, lse, wy float64, k int) (a, b float64) {
	return rowmath.Coef(k, eps, wy, e.wSum, s, lse, e.scale, e.zs, e.opt.ZLoss)
}

// gradBound checks that an index target's gradient, at most scale·max w in
// magnitude, fits T: a tiny Σ w_y or huge weights would overflow it.
// (Probability targets are checked per value.)
func gradBound[T Float](w []float64, scale, denom float64) error {
	if wMax := rowmath.MaxWeight(w); rowmath.GradOverflows(wMax, scale, maxFinite[T]()) {
		return &Error{Kind: ErrWeight, Row: -1, Class: -1, Msg: rowmath.GradOverflowMsg(fmt.Sprintf("%T", T(0)), wMax, denom)}
	}
	return nil
}

// lossOverflow is the error of a loss that overflows float64 from element
// row on, with the reduced fields of r.
func lossOverflow(row int, r *Result) error {
	return &Error{Kind: ErrNonFinite, Row: row, Class: -1, Msg: fmt.Sprintf("the loss overflows float64 here (loss %v, nll %v, smooth %v, z-loss %v): logits, weights or λ too large", r.Loss, r.NLL, r.Smooth, r.ZLoss)}
}
