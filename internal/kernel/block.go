package kernel

// Kernels over a block of many short rows taken as one slice, for callers
// that handle the rows themselves (package lsce's short-row path): one call
// per block instead of several per row.

// MaxSumF32 returns m = max x (−Inf for no x) and sx = Σ x, accumulated in
// float64 (or in float32 over short blocks added in float64). Reference loop:
//
//	for _, v := range x { m = max(m, v); sx += v }
//
// NaN or ±Inf in x surface in m or sx.
func MaxSumF32(x []float32) (m, sx float64) { return active.maxSum32(x) }

// MaxSumF64 is MaxSumF32 for float64 rows.
func MaxSumF64(x []float64) (m, sx float64) { return active.maxSum64(x) }

// ExpF32 writes e[j] = exp(x[j] − m) for every j < len(x) (len(e) ≥ len(x);
// e may alias x) and returns their sum, accumulated in float64. m must be at
// least max x, and x finite; results below the smallest normal float may be 0.
// Reference loop:
//
//	for j, v := range x { e[j] = exp(v − m); s += e[j] }
func ExpF32(e, x []float32, m float64) float64 { return active.exp32(e, x, m) }

// ExpF64 is ExpF32 for float64 rows.
func ExpF64(e, x []float64, m float64) float64 { return active.exp64(e, x, m) }

// expGeneric is the generic Exp.
func expGeneric[T float32 | float64](e, x []T, m float64) float64 {
	return expSumGeneric(e[:len(x)], x, m)
}

// ExpRowsF32 takes x as rows of k elements (len(x) a multiple of k, k > 0,
// len(m), len(s), len(sx) ≥ len(x)/k) and, for each row r, stores its
// maximum m[r] and Σ x in sx[r], writes e[j] = exp(x[j] − m[r]) over the row
// and stores their sum, accumulated in float64, in s[r]: Stats and the
// exponentials of StatsExp for many short rows in one call. The row's own
// maximum keeps its largest exponential exactly 1. A row whose m[r] or sx[r]
// is not finite gets s[r] = 0 and e = 0 over the row. e may alias x.
// Reference loop, per row:
//
//	m = max(x); for j, v := range x { e[j] = exp(v − m); s += e[j]; sx += v }
func ExpRowsF32(e, x []float32, k int, m, s, sx []float64) {
	// A static call, not through the table: the caller's arrays, usually on
	// its stack, must not escape.
	if active.vecRows {
		expRowsF32Vec(e, x, k, m, s, sx)
		return
	}
	expRowsGeneric(e, x, k, m, s, sx)
}

// expRowsGeneric is the generic ExpRows.
func expRowsGeneric[T float32 | float64](e, x []T, k int, m, s, sx []float64) {
	e = e[:len(x)]
	for r := range len(x) / k {
		xr, er := x[r*k:(r+1)*k], e[r*k:(r+1)*k]
		m[r], sx[r] = maxSumGeneric(xr)
		s[r] = 0
		if !finite(m[r]) || !finite(sx[r]) {
			clear(er)
			continue
		}
		s[r] = expSumGeneric(er, xr, m[r])
	}
}
