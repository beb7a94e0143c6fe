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
	m, sx = max(m0, m1, m2, m3), (s0+s1)+(s2+s3)
	if !finite(m) || !finite(sx) {
		return m, 0, sx
	}
	if x32, ok := any(x).([]float32); ok {
		return m, sumExp32(x32, m), sx
	}
	s0, s1, s2, s3 = 0, 0, 0, 0
	i = 0
	for ; i+4 <= len(x); i += 4 {
		s0 += math.Exp(float64(x[i]) - m)
		s1 += math.Exp(float64(x[i+1]) - m)
		s2 += math.Exp(float64(x[i+2]) - m)
		s3 += math.Exp(float64(x[i+3]) - m)
	}
	for ; i < len(x); i++ {
		s0 += math.Exp(float64(x[i]) - m)
	}
	return m, (s0 + s1) + (s2 + s3), sx
}

// sumExp32 returns Σ exp(x − m) for a float32 row.
func sumExp32(x []float32, m float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += exp32(float64(x[i]) - m)
		s1 += exp32(float64(x[i+1]) - m)
		s2 += exp32(float64(x[i+2]) - m)
		s3 += exp32(float64(x[i+3]) - m)
	}
	for ; i < len(x); i++ {
		s0 += exp32(float64(x[i]) - m)
	}
	return (s0 + s1) + (s2 + s3)
}

// exp32 returns e^d to about 3e-9 relative (enough for float32 results), for
// d ≤ 709; below −708 it returns 0, NaN gives NaN. As the assembly: d = n·ln2
// + r, e^r by a polynomial, 2ⁿ built in the exponent bits.
func exp32(d float64) float64 {
	const (
		log2e = 1.4426950408889634
		magic = 1.5 * (1 << 52)
		ln2hi = 6.93147180369123816490e-01
		ln2lo = 1.90821492927058770002e-10
		// exp(r) ≈ 1 + r + r²·Q(r), |r| ≤ ln2/2 (near-minimax, see _asm)
		q0, q1, q2, q3, q4 = 0.49999993451679897, 0.16666520689634917, 0.0416683873670058, 0.008368709842560332, 0.0013814612983211825
	)
	if !(d >= -708) {
		if d != d {
			return d
		}
		return 0
	}
	if d > 709 {
		return math.Inf(1)
	}
	t := d*log2e + magic
	n := t - magic
	r := d - n*ln2hi - n*ln2lo
	q := (((q4*r+q3)*r+q2)*r+q1)*r + q0
	p := (q*r+1)*r + 1
	return p * math.Float64frombits((math.Float64bits(t)+1023)<<52)
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

// statsExpGeneric is the reference loop of StatsExp: Stats, then
// e[j] = exp(x[j] − m) when the statistics are finite.
func statsExpGeneric[T float32 | float64](e, x []T) (m, s, sx float64) {
	m, s, sx = statsGeneric(x)
	if !finite(m) || !finite(sx) || !(s > 0) {
		return m, s, sx
	}
	e = e[:len(x)]
	if x32, ok := any(x).([]float32); ok {
		e32 := any(e).([]float32)
		for j, v := range x32 {
			e32[j] = float32(exp32(float64(v) - m))
		}
		return m, s, sx
	}
	for j, v := range x {
		e[j] = T(math.Exp(float64(v) - m))
	}
	return m, s, sx
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

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
