package kernel

import "math"

// statsGeneric is the reference loop of Stats:
//
//	m = max(x); for _, v := range x { s += exp(v − m); sx += v }
func statsGeneric[T float32 | float64](x []T) (m, s, sx float64) {
	m = math.Inf(-1)
	for _, v := range x {
		f := float64(v)
		sx += f
		if f > m {
			m = f
		}
	}
	if math.IsInf(m, 0) || math.IsNaN(m) || math.IsNaN(sx) || math.IsInf(sx, 0) {
		return m, 0, sx
	}
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m, s, sx
}

// dotGeneric is the reference loop of Dot: for i := range x { d += x[i]·w[i] }.
func dotGeneric[T float32 | float64](x, w []T) (d float64) {
	w = w[:len(x)]
	for i, v := range x {
		d += float64(v) * float64(w[i])
	}
	return d
}

// gradGeneric is the reference loop of Grad: g[j] = a·exp(x[j] − m) − b.
func gradGeneric[T float32 | float64](g, x []T, m, a, b float64) {
	g = g[:len(x)]
	for j, v := range x {
		g[j] = T(a*math.Exp(float64(v)-m) - b)
	}
}

// gradWGeneric is the reference loop of GradW: g[j] = a·exp(x[j] − m) − b·w[j].
func gradWGeneric[T float32 | float64](g, x, w []T, m, a, b float64) {
	g = g[:len(x)]
	w = w[:len(x)]
	for j, v := range x {
		g[j] = T(a*math.Exp(float64(v)-m) - b*float64(w[j]))
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
