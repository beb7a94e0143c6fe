package calib

import (
	"fmt"
	"math"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/kernel"
	"github.com/lsce/lsce/internal/rowmath"
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
	loss  float64 // the label-smoothed loss at ε (β = 1 only)
}

// scratch holds one row's work arrays.
type scratch struct {
	u, e, ones []float64
}

func (s *scratch) grow(c int) {
	if len(s.u) < c {
		s.u, s.e, s.ones = make([]float64, c), make([]float64, c), make([]float64, c)
		for i := range s.ones {
			s.ones[i] = 1
		}
	}
}

// kernelMinClasses is the row length from which the vectorised exponential
// pays for its call (BenchmarkAdd at C = 10, CPU profile: 0.57 s in the
// kernel against 0.22 s in math.Exp for the same rows).
const kernelMinClasses = 32

// rowStats computes one row's statistics, and with eps ≥ 0 (β = 1) its
// label-smoothed loss, reading the row once: its first sweep also checks it
// (every logit finite, the span max z − min z at most MaxSpan) and returns an
// *lsce.Error with Row 0 (the caller sets it) otherwise. y must be in range.
// The exponentials and dot products go through the core's row kernels
// (internal/kernel: vectorised, float64 within 1e-15 of math.Exp);
// rowStatsRef in the tests is the plain loop it is checked against.
//
// The Brier form avoids the cancellation of Σp² − 2p_y + 1 when p_y ≈ 1:
// 1 − p_y = Σ_{k≠y} e_k / S exactly, and the off-target sums are taken with
// e_y set aside.
func rowStats[T lsce.Float](z []T, y int, beta, eps float64, sc *scratch) (stats, *lsce.Error) {
	c := len(z)
	sc.grow(c)
	u, e, ones := sc.u[:c], sc.e[:c], sc.ones[:c]
	zy := float64(z[y])
	m1, m2, lo := math.Inf(-1), math.Inf(-1), math.Inf(1)
	ahead := 0
	for k, v := range z {
		f := float64(v)
		if f-f != 0 {
			return stats{}, &lsce.Error{Kind: lsce.ErrNonFinite, Class: k, Msg: fmt.Sprintf("logit is %v", f)}
		}
		// Plain comparisons: f is finite here, and the builtins' NaN and
		// signed-zero handling costs more.
		if f > m1 {
			m1, m2 = f, m1
		} else if f > m2 {
			m2 = f
		}
		if f < lo {
			lo = f
		}
		// Branch-free f > zy: the sign of zy − f (+0 when equal; both finite).
		ahead += int(math.Float64bits(zy-f) >> 63)
	}
	if d := m1 - lo; !(d <= MaxSpan) {
		return stats{}, &lsce.Error{Kind: lsce.ErrNonFinite, Class: -1, Msg: fmt.Sprintf("logits span [%v, %v], wider than %g", lo, m1, MaxSpan)}
	}
	for _, v := range z[:y] { // ties before the target rank ahead of it
		if float64(v) == zy {
			ahead++
		}
	}
	for k, v := range z {
		uk := float64(v) - m1
		u[k] = uk
		e[k] = beta * uk
	}
	sumU := kernel.DotF64(u, ones)
	ubar := sumU / float64(c)
	if c >= kernelMinClasses {
		kernel.GradF64(e, e, 0, 1, 0) // e_k = exp(β·u_k)
	} else {
		for k, x := range e {
			e[k] = math.Exp(x)
		}
	}
	ey := e[y]
	e[y] = 0
	off := kernel.DotF64(e, ones)
	off2 := kernel.DotF64(e, e)
	e[y] = ey
	s := off + ey
	mean := kernel.DotF64(e, u) / s
	// Σ e_k·(u_k − mean)², four partial sums to keep the adds independent.
	var v0, v1, v2, v3 float64
	k := 0
	for ; k+4 <= c; k += 4 {
		d0, d1, d2, d3 := u[k]-mean, u[k+1]-mean, u[k+2]-mean, u[k+3]-mean
		v0 += e[k] * d0 * d0
		v1 += e[k+1] * d1 * d1
		v2 += e[k+2] * d2 * d2
		v3 += e[k+3] * d3 * d3
	}
	for ; k < c; k++ {
		d := u[k] - mean
		v0 += e[k] * d * d
	}
	v := (v0 + v1) + (v2 + v3)
	uy := zy - m1
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
	if c > 1 {
		st.gap = beta * (m1 - m2)
	}
	if eps >= 0 {
		// The loss from the row's statistics (shifted by the max: LSE =
		// ln S, z_y = u_y, Σz = Σu), as package lsce assembles it.
		st.loss = rowmath.Index(c, eps, math.Log(s), uy, 1, sumU, float64(c), 0, false).Main()
	}
	return st, nil
}
