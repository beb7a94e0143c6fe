//go:build !amd64 || purego

package linear

func hasKernel() bool { return false }

// microKernel32 and microKernel64 are never called with wide: kernel.AVX512
// is false here.
func microKernel32(wide bool, k int, a, b, c []float32, ldc int) { kern6x16Generic(k, a, b, c, ldc) }

func microKernel64(wide bool, k int, a, b, c []float64, ldc int) { kern6x8dGeneric(k, a, b, c, ldc) }
