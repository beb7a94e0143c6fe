package calib

import (
	"math"

	"github.com/lsce/lsce"
)

// stats are one row's contributions, at inverse temperature β, with
// u_k = z_k − max z, e_k = exp(β·u_k), S = Σ_k e_k and p = e/S.
type stats struct {
	ahead int     // classes ranked before the target (greater logit, or equal and lower index)
	below bool    // z_y < max z
	conf  float64 // max_k p_k = 1/S
	nll   float64 // −log p_y = log S − β·u_y
	brier float64 // Σ_k (p_k − [k = y])² = (Σ_{k≠y} e_k² + (Σ_{k≠y} e_k)²)/S²
	gap   float64 // β·(top-1 − top-2 logit)
	grad  float64 // d nll/dβ = E_p[u] − u_y
	curv  float64 // d² nll/dβ² = Var_p[u]
	grad0 float64 // d nll/dβ at β = 0: mean_k u_k − u_y
}

// rowStats computes one row's statistics; the row must be finite with a
// finite span, and y in range. e is scratch of the row's length.
//
// The Brier form avoids the cancellation of Σp² − 2p_y + 1 when p_y ≈ 1:
// 1 − p_y = Σ_{k≠y} e_k / S exactly.
func rowStats[T lsce.Float](z []T, y int, beta float64, e []float64) stats {
	zy := float64(z[y])
	m1, m2 := math.Inf(-1), math.Inf(-1)
	ahead := 0
	for k, v := range z {
		f := float64(v)
		if f > m1 {
			m1, m2 = f, m1
		} else if f > m2 {
			m2 = f
		}
		if f > zy || (f == zy && k < y) {
			ahead++
		}
	}
	var s, su, off, off2, ubar float64
	invC := 1 / float64(len(z))
	for k, v := range z {
		u := float64(v) - m1
		ubar += u * invC
		ek := math.Exp(beta * u)
		e[k] = ek
		s += ek
		su += ek * u
		if k != y {
			off += ek
			off2 += ek * ek
		}
	}
	uy := zy - m1
	mean := su / s
	var v float64
	for k, x := range z {
		d := float64(x) - m1 - mean
		v += e[k] * d * d
	}
	st := stats{
		ahead: ahead,
		below: zy < m1,
		conf:  1 / s,
		nll:   math.Log(s) - beta*uy,
		brier: (off2 + off*off) / (s * s),
		grad:  mean - uy,
		curv:  v / s,
		grad0: ubar - uy,
	}
	if len(z) > 1 {
		st.gap = beta * (m1 - m2)
	}
	return st
}
