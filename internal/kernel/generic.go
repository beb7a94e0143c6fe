package kernel

import "math"

// The generic kernels: what arm64, other architectures and the purego build
// run, and the reference loops of the package contract (each kernel's doc
// comment states its loop; the functions here compute it, and the assembly
// is tested against the same float64 definition). The exponentials are
// exp32 for float32 rows and exp64 for float64 rows (exp_generic.go), both
// inlined. Loops keep four independent accumulators so that the additions
// overlap, and the maxima are kept by comparison: a NaN then shows in Σx
// rather than in the maximum, as the contract allows.

// statsGeneric is the reference loop of Stats:
//
//	m = max(x); for _, v := range x { s += exp(v − m); sx += v }
func statsGeneric[T float32 | float64](x []T) (m, s, sx float64) {
	if x, ok := any(x).([]float32); ok {
		return stats32Generic(nil, x) // one sweep (online_generic.go)
	}
	m, sx = maxSumGeneric(x)
	if !finite(m) || !finite(sx) {
		return m, 0, sx
	}
	return m, expSumGeneric(nil, x, m), sx
}

// maxSumGeneric returns max x (−Inf for no x) and Σ x.
func maxSumGeneric[T float32 | float64](x []T) (m, sx float64) {
	if len(x) == 0 {
		return math.Inf(-1), 0
	}
	m0 := x[0]
	m1, m2, m3 := m0, m0, m0
	var s0, s1, s2, s3 float64
	for ; len(x) >= 4; x = x[4:] {
		v0, v1, v2, v3 := x[0], x[1], x[2], x[3]
		s0, s1, s2, s3 = s0+float64(v0), s1+float64(v1), s2+float64(v2), s3+float64(v3)
		if v0 > m0 {
			m0 = v0
		}
		if v1 > m1 {
			m1 = v1
		}
		if v2 > m2 {
			m2 = v2
		}
		if v3 > m3 {
			m3 = v3
		}
	}
	for _, v := range x {
		s0 += float64(v)
		if v > m0 {
			m0 = v
		}
	}
	return float64(max(m0, m1, m2, m3)), (s0 + s1) + (s2 + s3)
}

// expSumGeneric returns Σ exp(x − m) and, when e is not nil, stores each
// exp(x[j] − m) in e[j]; the sum is the same with or without e.
func expSumGeneric[T float32 | float64](e, x []T, m float64) float64 {
	switch x := any(x).(type) {
	case []float32:
		e, _ := any(e).([]float32)
		if e == nil {
			return expSum32(x, m)
		}
		return expStore32(e[:len(x)], x, m)
	case []float64:
		e, _ := any(e).([]float64)
		if e != nil {
			e = e[:len(x)]
		}
		return expSum64(e, x, m)
	}
	panic("unreachable")
}

// expSum32 returns Σ exp(x − m) for float32 rows. Two sums suffice: the
// exponentials, not the additions, are the work.
func expSum32(x []float32, m float64) float64 {
	var s0, s1 float64
	for ; len(x) >= 2; x = x[2:] {
		s0 += exp32(float64(x[0]) - m)
		s1 += exp32(float64(x[1]) - m)
	}
	for _, v := range x {
		s0 += exp32(float64(v) - m)
	}
	return s0 + s1
}

// expStore32 is expSum32 that stores e[j] = exp(x[j] − m); len(e) = len(x).
func expStore32(e, x []float32, m float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		x, e := x[i:i+2:i+2], e[i:i+2:i+2]
		v0, v1 := exp32(float64(x[0])-m), exp32(float64(x[1])-m)
		e[0], e[1] = float32(v0), float32(v1)
		s0, s1 = s0+v0, s1+v1
	}
	for ; i < len(x); i++ {
		v := exp32(float64(x[i]) - m)
		e[i] = float32(v)
		s0 += v
	}
	return s0 + s1
}

// expSum64 returns Σ exp(x − m) for float64 rows and, when e is not nil,
// stores each term in e[j] (len(e) = len(x)).
func expSum64(e, x []float64, m float64) float64 {
	var s0, s1 float64
	i := 0
	for ; i+2 <= len(x); i += 2 {
		d0, d1 := x[i]-m, x[i+1]-m
		v0, v1 := exp64Finish(exp64Reduce(d0)), exp64Finish(exp64Reduce(d1))
		if !(d0 >= exp64Lo && d0 <= exp64Hi) {
			v0 = exp64Edge(d0)
		}
		if !(d1 >= exp64Lo && d1 <= exp64Hi) {
			v1 = exp64Edge(d1)
		}
		if e != nil {
			e[i], e[i+1] = v0, v1
		}
		s0, s1 = s0+v0, s1+v1
	}
	for ; i < len(x); i++ {
		v := exp64At(x[i] - m)
		if e != nil {
			e[i] = v
		}
		s0 += v
	}
	return s0 + s1
}

// exp64At is e^d for the loops' remainders (not inlined: the loops that
// matter spell out its three lines).
func exp64At(d float64) float64 {
	v := exp64Finish(exp64Reduce(d))
	if !(d >= exp64Lo && d <= exp64Hi) {
		v = exp64Edge(d)
	}
	return v
}

// dotGeneric is the reference loop of Dot: for i := range x { d += x[i]·w[i] }.
func dotGeneric[T float32 | float64](x, w []T) (d float64) {
	w = w[:len(x)]
	var d0, d1, d2, d3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		d0 += float64(x[i]) * float64(w[i])
		d1 += float64(x[i+1]) * float64(w[i+1])
		d2 += float64(x[i+2]) * float64(w[i+2])
		d3 += float64(x[i+3]) * float64(w[i+3])
	}
	for ; i < len(x); i++ {
		d0 += float64(x[i]) * float64(w[i])
	}
	return (d0 + d1) + (d2 + d3)
}

// gradGeneric is the reference loop of Grad: g[j] = a·exp(x[j] − m) − b.
func gradGeneric[T float32 | float64](g, x []T, m, a, b float64) {
	g = g[:len(x)]
	switch x := any(x).(type) {
	case []float32:
		g := any(g).([]float32)[:len(x)]
		for j, v := range x {
			d := float64(v) - m
			if d > 89 {
				d = 89
			}
			g[j] = float32(a*exp32(d) - b)
		}
	case []float64:
		g := any(g).([]float64)[:len(x)]
		for j, v := range x {
			d := v - m
			ev := exp64Finish(exp64Reduce(d))
			if !(d >= exp64Lo && d <= exp64Hi) {
				ev = exp64Edge(d)
			}
			g[j] = a*ev - b
		}
	}
}

// gradWGeneric is the reference loop of GradW: g[j] = a·exp(x[j] − m) − b·w[j].
func gradWGeneric[T float32 | float64](g, x, w []T, m, a, b float64) {
	g = g[:len(x)]
	w = w[:len(x)]
	switch x := any(x).(type) {
	case []float32:
		g, w := any(g).([]float32)[:len(x)], any(w).([]float32)[:len(x)]
		for j, v := range x {
			d := float64(v) - m
			if d > 89 {
				d = 89
			}
			g[j] = float32(a*exp32(d) - b*float64(w[j]))
		}
	case []float64:
		g, w := any(g).([]float64)[:len(x)], any(w).([]float64)[:len(x)]
		for j, v := range x {
			d := v - m
			ev := exp64Finish(exp64Reduce(d))
			if !(d >= exp64Lo && d <= exp64Hi) {
				ev = exp64Edge(d)
			}
			g[j] = a*ev - b*w[j]
		}
	}
}

// statsExpGeneric is the reference loop of StatsExp: Stats, storing
// e[j] = exp(x[j] − m) on the way when the statistics are finite.
func statsExpGeneric[T float32 | float64](e, x []T) (m, s, sx float64) {
	if x, ok := any(x).([]float32); ok {
		return stats32Generic(any(e).([]float32), x)
	}
	m, sx = maxSumGeneric(x)
	if !finite(m) || !finite(sx) {
		return m, 0, sx
	}
	return m, expSumGeneric(e[:len(x)], x, m), sx
}

// axpbGeneric is the reference loop of Axpb: g[j] = a·g[j] − b.
func axpbGeneric[T float32 | float64](g []T, a, b float64) { gradEGeneric(g, g, a, b) }

// axpbWGeneric is the reference loop of AxpbW: g[j] = a·g[j] − b·w[j].
func axpbWGeneric[T float32 | float64](g, w []T, a, b float64) { gradEWGeneric(g, g, w, a, b) }

// gradEGeneric is the reference loop of GradExp: g[j] = a·e[j] − b. g may
// alias e.
func gradEGeneric[T float32 | float64](g, e []T, a, b float64) {
	e = e[:len(g)]
	i := 0
	for ; i+4 <= len(g); i += 4 {
		g, e := g[i:i+4:i+4], e[i:i+4:i+4]
		e0, e1, e2, e3 := float64(e[0]), float64(e[1]), float64(e[2]), float64(e[3])
		g[0], g[1], g[2], g[3] = T(a*e0-b), T(a*e1-b), T(a*e2-b), T(a*e3-b)
	}
	for ; i < len(g); i++ {
		g[i] = T(a*float64(e[i]) - b)
	}
}

// gradEWGeneric is the reference loop of GradExpW: g[j] = a·e[j] − b·w[j].
// g may alias e.
func gradEWGeneric[T float32 | float64](g, e, w []T, a, b float64) {
	e, w = e[:len(g)], w[:len(g)]
	i := 0
	for ; i+4 <= len(g); i += 4 {
		g, e, w := g[i:i+4:i+4], e[i:i+4:i+4], w[i:i+4:i+4]
		e0, e1, e2, e3 := float64(e[0]), float64(e[1]), float64(e[2]), float64(e[3])
		g[0], g[1] = T(a*e0-b*float64(w[0])), T(a*e1-b*float64(w[1]))
		g[2], g[3] = T(a*e2-b*float64(w[2])), T(a*e3-b*float64(w[3]))
	}
	for ; i < len(g); i++ {
		g[i] = T(a*float64(e[i]) - b*float64(w[i]))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
