// Package rowmath is the mathematics of one row of label-smoothed
// cross-entropy from the row's statistics, written once for every path of
// package lsce, its Shard protocol and package linear.
//
// A row (element) of K allowed classes with logits z (soft-capped when
// asked), class weights w (1 without weights), smoothing ε' (Epsilon) and
// log-sum-exp LSE = M + ln S, S = Σ exp(z_c − M), has
//
//	nll    = w_y·(LSE − z_y)                  (index target y)
//	       = (Σ w q)·LSE − Σ w q z            (probability targets q)
//	smooth = (Σ_c w_c·LSE − Σ_c w_c z_c) / K
//	zloss  = λ·LSE²
//	loss   = (1−ε')·nll + ε'·smooth + zloss − floor
//
// and the gradient ∂loss/∂z_c = a·exp(z_c − M) − w_c·q̃_c·scale, with
// q̃ = (1−ε')·q + ε'/K, a = ((Σ_c w_c q̃_c)·scale + 2λ·LSE·zs)/S, scale and
// zs the reduction's factors (Coef).
package rowmath

import (
	"fmt"
	"math"
)

// Epsilon is ε' for a row of k allowed classes: ε (Uniform), or
// ε·k/(k−1) when others is set (the Others variant; 0 for k < 2).
func Epsilon(eps float64, others bool, k int) float64 {
	if others {
		if k < 2 {
			return 0
		}
		return eps * float64(k) / float64(k-1)
	}
	return eps
}

// Parts is one element's loss split into its terms; Eps is its ε'.
type Parts struct {
	NLL, Smooth, Z, Floor, Eps float64
}

// Main is the loss without the z-loss and the floor: (1−ε')·nll + ε'·smooth.
func (p Parts) Main() float64 { return Main(p.Eps, p.NLL, p.Smooth) }

// Loss is the element's whole loss.
func (p Parts) Loss() float64 { return p.Main() + p.Z - p.Floor }

// Index returns an index-target element's parts: k allowed classes, ε' eps,
// log-sum-exp lse, target logit zy and weight wy, Σ w·z swz and Σ w wRow
// over the allowed classes, z-loss λ zl, and the zero floor H(q̃) when
// floor is set.
func Index(k int, eps, lse, zy, wy, swz, wRow, zl float64, floor bool) Parts {
	p := Parts{Eps: eps, NLL: NLL(lse, zy, wy), Smooth: Smooth(k, lse, swz, wRow), Z: ZLoss(lse, zl)}
	if floor {
		p.Floor = FloorIndex(eps, k, wy, wRow)
	}
	return p
}

// Soft returns a probability-target element's parts: as Index, with
// wq = Σ w·q and wqz = Σ w·q·z in place of the target's weight and logit,
// and the floor −Σ w·q̃·ln q̃ given (it needs the probabilities).
func Soft(k int, eps, lse, wq, wqz, swz, wRow, zl, floor float64) Parts {
	return Parts{Eps: eps, NLL: wq*lse - wqz, Smooth: Smooth(k, lse, swz, wRow), Z: ZLoss(lse, zl), Floor: floor}
}

// NLL is an index target's w_y·(LSE − z_y). (NLL, Smooth and ZLoss are the
// terms of Index one by one, for loops that keep them in registers.)
func NLL(lse, zy, wy float64) float64 { return wy * (lse - zy) }

// Smooth is (Σ w·LSE − Σ w·z)/K over k allowed classes.
func Smooth(k int, lse, swz, wRow float64) float64 { return (wRow*lse - swz) / float64(k) }

// ZLoss is λ·LSE².
func ZLoss(lse, zl float64) float64 { return zl * lse * lse }

// Main is the loss without the z-loss and the floor, (1−ε')·nll + ε'·smooth.
func Main(eps, nll, smooth float64) float64 { return (1-eps)*nll + eps*smooth }

// FloorIndex is H(q̃) for an index target: q̃_y = 1−ε'+ε'/K, the rest ε'/K.
func FloorIndex(eps float64, k int, wy, wRow float64) float64 {
	u := eps / float64(k)
	h := -wy * Xlogx(1-eps+u)
	if u > 0 {
		h -= (wRow - wy) * Xlogx(u)
	}
	return h
}

// Xlogx is x·ln x with 0·ln 0 = 0.
func Xlogx(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return x * math.Log(x)
}

// Coef returns the factors of a row's gradient,
//
//	∂loss/∂z_c = a·exp(z_c − M) − b·w_c − [c = y]·(1−ε')·w_y·scale
//
// for an index target of weight wq (for probability targets, wq = Σ w·q and
// the last term is (1−ε')·w_c·q_c·scale): k allowed classes of total weight
// wRow, S = Σ exp(z_c − M), the reduction's factors scale (main terms) and
// zs (z-loss), and z-loss λ zl.
func Coef(k int, eps, wq, wRow, s, lse, scale, zs, zl float64) (a, b float64) {
	kf := float64(k)
	a = (((1-eps)*wq+eps*wRow/kf)*scale + 2*zl*lse*zs) / s
	b = eps / kf * scale
	return a, b
}

// ClassGrad is one class's gradient in the general case,
//
//	a·exp(z − m) − w·q̃·scale,  times 1 − (z/cap)² with a soft-cap
//
// with a from Coef, z the (capped) logit, w its weight and q̃ its smoothed
// target (1−ε')·q + ε'/K.
func ClassGrad(a, z, m, w, q, scale, cap float64) float64 {
	g := a*math.Exp(z-m) - w*q*scale
	if cap > 0 {
		t := z / cap
		g *= 1 - t*t
	}
	return g
}

// Merge combines the (max, Σ exp(z − max)) of two disjoint sets of classes:
//
//	M = max(m1, m2),  S = s1·exp(m1 − M) + s2·exp(m2 − M)
//
// An empty set (s = 0) is the identity, whatever its max.
func Merge(m1, s1, m2, s2 float64) (m, s float64) {
	switch {
	case s2 == 0:
		return m1, s1
	case s1 == 0:
		return m2, s2
	case m2 > m1:
		return m2, s1*math.Exp(m1-m2) + s2
	}
	return m1, s1 + s2*math.Exp(m2-m1)
}

// MaxWeight is the largest class weight, 1 without weights: an index
// target's gradient is at most scale·MaxWeight in magnitude.
func MaxWeight(w []float64) float64 {
	if w == nil {
		return 1
	}
	m := 0.0
	for _, v := range w {
		m = max(m, v)
	}
	return m
}

// Finite reports whether v is neither NaN nor ±Inf.
func Finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Scale returns the reduction's factors for the counted elements: with
// mean, 1/denom for the main terms and 1/counted for the z-loss (0 for a
// mean over nothing); else 1 and 1.
func Scale(mean bool, denom float64, counted int) (scale, zs float64) {
	if !mean {
		return 1, 1
	}
	return inverse(denom), inverse(float64(counted))
}

// inverse is 1/x, or 0 for x = 0: a mean over nothing is 0, not NaN.
func inverse(x float64) float64 {
	if x == 0 {
		return 0
	}
	return 1 / x
}

// GradOverflows reports whether an index target's gradient, at most
// scale·wMax in magnitude, exceeds maxT, the largest value of its type.
func GradOverflows(wMax, scale, maxT float64) bool { return !(scale*wMax <= maxT) }

// GradOverflowMsg says why (the message of lsce's ErrWeight): the largest
// weight wMax over the mean's denominator, for a gradient of type typ.
func GradOverflowMsg(typ string, wMax, denom float64) string {
	return fmt.Sprintf("the gradient overflows %s: largest weight %g over the mean's denominator Σ w_y = %g", typ, wMax, denom)
}

// TargetMsg is the message of a class index outside [0, classes) that is not
// the ignore index (lsce's ErrTarget).
func TargetMsg(y, classes, ign int) string {
	return fmt.Sprintf("target %d is outside [0, %d) and is not the ignore index %d", y, classes, ign)
}
