//go:build !amd64 || purego

package kernel

// platformImpls: no vectorised kernels for this architecture or build.
func platformImpls() []*impl { return nil }

// expRowsF32Vec is never called: no implementation here sets vecRows.
func expRowsF32Vec(e, x []float32, k int, m, s, sx []float64) { expRowsGeneric(e, x, k, m, s, sx) }
