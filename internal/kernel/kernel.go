package kernel

// StatsF32 returns m = max x, s = Σ exp(x−m) and sx = Σ x (see the package
// contract). Reference loop:
//
//	m = max(x); for _, v := range x { s += exp(v − m); sx += v }
func StatsF32(x []float32) (m, s, sx float64) { return active.stats32(x) }

// StatsF64 is StatsF32 for float64 rows.
func StatsF64(x []float64) (m, s, sx float64) { return active.stats64(x) }

// DotF32 returns Σ x[i]·w[i] over len(x) elements, accumulated wide.
// len(w) must be at least len(x).
func DotF32(x, w []float32) float64 { return active.dot32(x, w) }

// DotF64 is DotF32 for float64 rows.
func DotF64(x, w []float64) float64 { return active.dot64(x, w) }

// GradF32 writes g[j] = a·exp(x[j] − m) − b for every j < len(x). g may alias x.
func GradF32(g, x []float32, m, a, b float64) { active.grad32(g, x, m, a, b) }

// GradF64 is GradF32 for float64 rows.
func GradF64(g, x []float64, m, a, b float64) { active.grad64(g, x, m, a, b) }

// GradWF32 writes g[j] = a·exp(x[j] − m) − b·w[j] for every j < len(x).
// g may alias x; len(w) must be at least len(x).
func GradWF32(g, x, w []float32, m, a, b float64) { active.gradW32(g, x, w, m, a, b) }

// GradWF64 is GradWF32 for float64 rows.
func GradWF64(g, x, w []float64, m, a, b float64) { active.gradW64(g, x, w, m, a, b) }
