package lsce

import (
	"fmt"
	"math"

	"github.com/lsce/lsce/internal/rowmath"
)

// classSweep is one row's classes as the scalar sweeps see them: the general
// path (any layout: a stride between classes) and Shard.Stats (a contiguous
// slice of the vocabulary starting at global class first) both read a row
// through it, so that the checks and the statistics are written once.
type classSweep[T Float] struct {
	x, q        []T // logits, and probability targets at the same positions (nil for class targets)
	off, stride int // class c is at x[off+c*stride]
	n           int // classes in the sweep
	first       int // global index of class 0: for weights and error locations
	mask        []bool
	w           []float64
	softCap     float64
}

// allowed reports whether class c takes part (no mask, or not masked).
func (v *classSweep[T]) allowed(c int) bool { return v.mask == nil || v.mask[c] }

// z is class c's logit after the soft-cap.
func (v *classSweep[T]) z(c int) float64 { return softCap(float64(v.x[v.off+c*v.stride]), v.softCap) }

// stats checks the row (a NaN or +Inf logit, −Inf on an allowed class, a
// negative or non-finite probability target: errors name row and the global
// class) and returns its partial statistics over the allowed classes: Max,
// SumExp, SumWZ, SumW, K and, with probability targets, WQ = Σ w·q and
// ZY = Σ w·q·z. The target's ZY and WQ for class targets and Floor are the
// caller's. With no allowed class Max is −Inf and K is 0.
func (v *classSweep[T]) stats(row int) (RowStats, error) {
	st := RowStats{Max: math.Inf(-1)}
	for c := range v.n {
		at := v.off + c*v.stride
		f := float64(v.x[at])
		ok := v.allowed(c)
		if math.IsNaN(f) || math.IsInf(f, 1) || (ok && math.IsInf(f, -1)) {
			return RowStats{}, &Error{Kind: ErrNonFinite, Row: row, Class: v.first + c, Msg: fmt.Sprintf("logit is %v", f)}
		}
		if v.q != nil {
			if p := float64(v.q[at]); !(p >= 0) || math.IsInf(p, 1) {
				return RowStats{}, &Error{Kind: ErrProbability, Row: row, Class: v.first + c, Msg: fmt.Sprintf("probability target %v: want finite and ≥ 0", p)}
			}
		}
		if ok {
			st.Max = max(st.Max, softCap(f, v.softCap))
		}
	}
	for c := range v.n {
		if !v.allowed(c) {
			continue
		}
		z, wc := v.z(c), weightOf(v.w, v.first+c)
		st.K++
		st.SumExp += math.Exp(z - st.Max)
		st.SumWZ += wc * z
		st.SumW += wc
		if v.q != nil {
			q := float64(v.q[v.off+c*v.stride])
			st.WQ += wc * q
			st.ZY += wc * q * z
		}
	}
	return st, nil
}

// floor is −Σ_c w_c·q̃_c·ln q̃_c over the allowed classes, q̃ = (1−eps)·q + eps/k:
// the entropy that ZeroFloor subtracts for probability targets, with eps and
// k those of the whole row.
func (v *classSweep[T]) floor(eps float64, k int) float64 {
	u := eps / float64(k)
	var f float64
	for c := range v.n {
		if v.allowed(c) {
			f -= weightOf(v.w, v.first+c) * rowmath.Xlogx((1-eps)*float64(v.q[v.off+c*v.stride])+u)
		}
	}
	return f
}
