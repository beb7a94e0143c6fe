//go:build amd64 && !purego

package linear

import "github.com/lsce/lsce/internal/kernel"

// The micro-kernels kern6x16 (float32) and kern6x8d (float64), AVX2+FMA, and
// their AVX-512 twins kern6x32 and kern6x16d are in sgemm_amd64.s and
// declared in stubs_amd64.go, both generated (see gen.go); their reference
// loops are kern6x16Generic, kern6x8dGeneric and kernGeneric.

// hasKernel reports whether kern6x16 runs: the project's one dispatch
// (package internal/kernel: the CPU probe, LSCE_KERNELS, kernel.Use) has
// AVX2+FMA assembly in use.
func hasKernel() bool { return kernel.AVX2() }

func microKernel32(wide bool, k int, a, b, c []float32, ldc int) {
	if wide {
		kern6x32(k, &a[0], &b[0], &c[0], ldc)
		return
	}
	kern6x16(k, &a[0], &b[0], &c[0], ldc)
}

func microKernel64(wide bool, k int, a, b, c []float64, ldc int) {
	if wide {
		kern6x16d(k, &a[0], &b[0], &c[0], ldc)
		return
	}
	kern6x8d(k, &a[0], &b[0], &c[0], ldc)
}
