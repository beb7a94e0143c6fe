//go:build !amd64 || purego

package linear

var hasKernel = false

func microKernel(k int, a, b, c []float32, ldc int) { kern6x16Go(k, a, b, c, ldc) }
