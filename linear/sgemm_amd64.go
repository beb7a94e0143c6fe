//go:build amd64 && !purego

package linear

import (
	"os"

	"golang.org/x/sys/cpu"
)

// The micro-kernels kern6x16 (float32) and kern6x8d (float64) are in
// sgemm_amd64.s and declared in stubs_amd64.go, both generated (see gen.go);
// their reference loops are kern6x16Go and kern6x8dGo.

// hasKernel reports whether kern6x16 runs here: AVX2 and FMA with OS
// support, unless LSCE_PUREGO is set (as for package lsce's row kernels).
var hasKernel = cpu.X86.HasAVX2 && cpu.X86.HasFMA && !pureGoEnv()

func pureGoEnv() bool {
	v := os.Getenv("LSCE_PUREGO")
	return v != "" && v != "0"
}

func microKernel32(k int, a, b, c []float32, ldc int) {
	kern6x16(k, &a[0], &b[0], &c[0], ldc)
}

func microKernel64(k int, a, b, c []float64, ldc int) {
	kern6x8d(k, &a[0], &b[0], &c[0], ldc)
}
