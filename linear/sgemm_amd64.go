//go:build amd64 && !purego

package linear

import (
	"os"

	"golang.org/x/sys/cpu"
)

// kern6x16 is the AVX2+FMA float32 micro-kernel of packedGemm
// (sgemm_amd64.s); its reference loop is kern6x16Go.
//
//go:noescape
func kern6x16(k int, a, b, c *float32, ldc int)

// kern6x8d is the float64 micro-kernel; its reference loop is kern6x8dGo.
//
//go:noescape
func kern6x8d(k int, a, b, c *float64, ldc int)

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
