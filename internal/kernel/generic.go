package kernel

import "math"

// The generic kernels: what arm64, other architectures and the purego build
// run, and the reference loops of the package contract. float64 rows use
// math.Exp; float32 rows use exp32, a polynomial accurate to ~3e-9 relative,
// well beyond float32's 6e-8. Loops keep four independent accumulators so
// that the additions overlap.

// statsGeneric is the reference loop of Stats:
//
//	m = max(x); for _, v := range x { s += exp(v − m); sx += v }
func statsGeneric[T float32 | float64](x []T) (m, s, sx float64) {
	m, sx = maxSumGeneric(x)
	if !finite(m) || !finite(sx) {
		return m, 0, sx
	}
	return m, expSumGeneric(nil, x, m), sx
}

// maxSumGeneric returns max x (−Inf for no x) and Σ x.
func maxSumGeneric[T float32 | float64](x []T) (m, sx float64) {
	m = math.Inf(-1)
	m0, m1, m2, m3 := m, m, m, m
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v0, v1, v2, v3 := float64(x[i]), float64(x[i+1]), float64(x[i+2]), float64(x[i+3])
		s0, s1, s2, s3 = s0+v0, s1+v1, s2+v2, s3+v3
		m0, m1, m2, m3 = max(m0, v0), max(m1, v1), max(m2, v2), max(m3, v3)
	}
	for ; i < len(x); i++ {
		v := float64(x[i])
		s0 += v
		m0 = max(m0, v)
	}
	return max(m0, m1, m2, m3), (s0 + s1) + (s2 + s3)
}

// expSumGeneric returns Σ exp(x − m) and, when e is not nil, stores each
// exp(x[j] − m) in e[j]; the sum is the same with or without e.
func expSumGeneric[T float32 | float64](e, x []T, m float64) float64 {
	if e != nil {
		e = e[:len(x)]
	}
	if x32, ok := any(x).([]float32); ok {
		return expSum32(any(e).([]float32), x32, m)
	}
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v0 := math.Exp(float64(x[i]) - m)
		v1 := math.Exp(float64(x[i+1]) - m)
		v2 := math.Exp(float64(x[i+2]) - m)
		v3 := math.Exp(float64(x[i+3]) - m)
		if e != nil {
			e[i], e[i+1], e[i+2], e[i+3] = T(v0), T(v1), T(v2), T(v3)
		}
		s0, s1, s2, s3 = s0+v0, s1+v1, s2+v2, s3+v3
	}
	for ; i < len(x); i++ {
		v := math.Exp(float64(x[i]) - m)
		if e != nil {
			e[i] = T(v)
		}
		s0 += v
	}
	return (s0 + s1) + (s2 + s3)
}

// expSum32 is expSumGeneric for float32 rows, with exp32.
func expSum32(e, x []float32, m float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v0 := exp32(float64(x[i]) - m)
		v1 := exp32(float64(x[i+1]) - m)
		v2 := exp32(float64(x[i+2]) - m)
		v3 := exp32(float64(x[i+3]) - m)
		if e != nil {
			e[i], e[i+1], e[i+2], e[i+3] = float32(v0), float32(v1), float32(v2), float32(v3)
		}
		s0, s1, s2, s3 = s0+v0, s1+v1, s2+v2, s3+v3
	}
	for ; i < len(x); i++ {
		v := exp32(float64(x[i]) - m)
		if e != nil {
			e[i] = float32(v)
		}
		s0 += v
	}
	return (s0 + s1) + (s2 + s3)
}

// exp32 returns e^d to about 3e-9 relative (enough for float32 results), for
// d ≤ 709; below −708 it returns 0, NaN gives NaN. As the assembly: d = n·ln2
// + r, e^r by a polynomial, 2ⁿ built in the exponent bits (with n·ln2 in
// float64, one constant suffices at this accuracy). Small enough to inline.
func exp32(d float64) float64 {
	const (
		log2e = 1.4426950408889634
		magic = 1.5 * (1 << 52)
		ln2   = 0.6931471805599453
		// exp(r) ≈ 1 + r + r²·Q(r), |r| ≤ ln2/2 (near-minimax, see _asm)
		q0, q1, q2, q3, q4 = 0.49999993451679897, 0.16666520689634917, 0.0416683873670058, 0.008368709842560332, 0.0013814612983211825
	)
	if !(d >= -708 && d <= 709) {
		return exp32Edge(d)
	}
	t := d*log2e + magic
	r := d - (t-magic)*ln2
	q := (((q4*r+q3)*r+q2)*r+q1)*r + q0
	return ((q*r+1)*r + 1) * math.Float64frombits((math.Float64bits(t)+1023)<<52)
}

// exp32Edge is exp32 outside [−708, 709].
func exp32Edge(d float64) float64 {
	switch {
	case d != d:
		return d
	case d > 0:
		return math.Inf(1)
	}
	return 0
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
	if x32, ok := any(x).([]float32); ok {
		g32 := any(g).([]float32)
		for j, v := range x32 {
			g32[j] = float32(a*exp32(float64(v)-m) - b)
		}
		return
	}
	for j, v := range x {
		g[j] = T(a*math.Exp(float64(v)-m) - b)
	}
}

// gradWGeneric is the reference loop of GradW: g[j] = a·exp(x[j] − m) − b·w[j].
func gradWGeneric[T float32 | float64](g, x, w []T, m, a, b float64) {
	g = g[:len(x)]
	w = w[:len(x)]
	if x32, ok := any(x).([]float32); ok {
		g32, w32 := any(g).([]float32), any(w).([]float32)
		for j, v := range x32 {
			g32[j] = float32(a*exp32(float64(v)-m) - b*float64(w32[j]))
		}
		return
	}
	for j, v := range x {
		g[j] = T(a*math.Exp(float64(v)-m) - b*float64(w[j]))
	}
}

// statsExpGeneric is the reference loop of StatsExp: Stats, storing
// e[j] = exp(x[j] − m) on the way when the statistics are finite.
func statsExpGeneric[T float32 | float64](e, x []T) (m, s, sx float64) {
	m, sx = maxSumGeneric(x)
	if !finite(m) || !finite(sx) {
		return m, 0, sx
	}
	return m, expSumGeneric(e[:len(x)], x, m), sx
}

// axpbGeneric is the reference loop of Axpb: g[j] = a·g[j] − b.
func axpbGeneric[T float32 | float64](g []T, a, b float64) {
	for j, v := range g {
		g[j] = T(a*float64(v) - b)
	}
}

// axpbWGeneric is the reference loop of AxpbW: g[j] = a·g[j] − b·w[j].
func axpbWGeneric[T float32 | float64](g, w []T, a, b float64) {
	w = w[:len(g)]
	for j, v := range g {
		g[j] = T(a*float64(v) - b*float64(w[j]))
	}
}

// gradEGeneric is the reference loop of GradExp: g[j] = a·e[j] − b.
func gradEGeneric[T float32 | float64](g, e []T, a, b float64) {
	e = e[:len(g)]
	for j, v := range e {
		g[j] = T(a*float64(v) - b)
	}
}

// gradEWGeneric is the reference loop of GradExpW: g[j] = a·e[j] − b·w[j].
func gradEWGeneric[T float32 | float64](g, e, w []T, a, b float64) {
	e, w = e[:len(g)], w[:len(g)]
	for j, v := range e {
		g[j] = T(a*float64(v) - b*float64(w[j]))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
