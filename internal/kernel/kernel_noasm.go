//go:build !amd64 || purego

package kernel

var impl = "generic"

func statsF32(x []float32) (m, s, sx float64)     { return statsGeneric(x) }
func statsF64(x []float64) (m, s, sx float64)     { return statsGeneric(x) }
func dotF32(x, w []float32) float64               { return dotGeneric(x, w) }
func dotF64(x, w []float64) float64               { return dotGeneric(x, w) }
func gradF32(g, x []float32, m, a, b float64)     { gradGeneric(g, x, m, a, b) }
func gradF64(g, x []float64, m, a, b float64)     { gradGeneric(g, x, m, a, b) }
func gradWF32(g, x, w []float32, m, a, b float64) { gradWGeneric(g, x, w, m, a, b) }
func gradWF64(g, x, w []float64, m, a, b float64) { gradWGeneric(g, x, w, m, a, b) }
