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

// StatsExpF32 is StatsF32 that also leaves e[j] = exp(x[j] − m) in e for
// every j < len(x) (len(e) ≥ len(x); e may alias x), so that the gradient is
// one AxpbF32 away: a forward-with-gradient pass computes each exponential
// once. When the statistics are not finite, e is not written from the block
// holding the first non-finite logit on (so that, when e is x, that logit is
// still there for the caller to locate); the earlier elements of e are then
// meaningless. It reads the row from memory once, in L1-sized blocks.
func StatsExpF32(e, x []float32) (m, s, sx float64) { return active.statsExp32(e, x) }

// StatsExpF64 is StatsExpF32 for float64 rows.
func StatsExpF64(e, x []float64) (m, s, sx float64) { return active.statsExp64(e, x) }

// AxpbF32 writes g[j] = a·g[j] − b for every j < len(g).
func AxpbF32(g []float32, a, b float64) { active.axpb32(g, a, b) }

// AxpbF64 is AxpbF32 for float64 rows.
func AxpbF64(g []float64, a, b float64) { active.axpb64(g, a, b) }

// AxpbWF32 writes g[j] = a·g[j] − b·w[j] for every j < len(g); len(w) must
// be at least len(g).
func AxpbWF32(g, w []float32, a, b float64) { active.axpbW32(g, w, a, b) }

// AxpbWF64 is AxpbWF32 for float64 rows.
func AxpbWF64(g, w []float64, a, b float64) { active.axpbW64(g, w, a, b) }

// GradExpF32 writes g[j] = a·e[j] − b for every j < len(g) (len(e) ≥ len(g)),
// where e holds exp(x − m) from StatsExpF32 in a scratch row: g, which is not
// read, may then be written with streaming stores that skip the cache (so its
// old contents are not fetched from memory first). g may alias e or the logits.
func GradExpF32(g, e []float32, a, b float64) { active.gradE32(g, e, a, b) }

// GradExpF64 is GradExpF32 for float64 rows.
func GradExpF64(g, e []float64, a, b float64) { active.gradE64(g, e, a, b) }

// GradExpWF32 writes g[j] = a·e[j] − b·w[j] for every j < len(g), as GradExpF32.
func GradExpWF32(g, e, w []float32, a, b float64) { active.gradEW32(g, e, w, a, b) }

// GradExpWF64 is GradExpWF32 for float64 rows.
func GradExpWF64(g, e, w []float64, a, b float64) { active.gradEW64(g, e, w, a, b) }
