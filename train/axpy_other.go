//go:build !amd64 || purego

package train

// hasAVX2 is false: there is no assembly here.
func hasAVX2() bool { return false }

func axpyF32AVX2(a float32, x, y []float32) { axpyF32Generic(a, x, y) }
