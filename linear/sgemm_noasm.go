//go:build !amd64 || purego

package linear

func hasKernel() bool { return false }

func microKernel32(k int, a, b, c []float32, ldc int) { kern6x16Go(k, a, b, c, ldc) }

func microKernel64(k int, a, b, c []float64, ldc int) { kern6x8dGo(k, a, b, c, ldc) }
