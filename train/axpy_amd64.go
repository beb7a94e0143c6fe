//go:build amd64 && !purego

package train

import (
	"os"

	"golang.org/x/sys/cpu"
)

// axpyF32AVX2 is y += a·x over len(y) elements (axpy_amd64.s); its reference
// loop is axpyF32Go.
//
//go:noescape
func axpyF32AVX2(a float32, x, y []float32)

// hasAVX2 reports whether axpyF32AVX2 runs here: AVX2 with OS support,
// unless LSCE_PUREGO is set (the project's kill switch for assembly).
var hasAVX2 = cpu.X86.HasAVX2 && !pureGoEnv()

func pureGoEnv() bool {
	v := os.Getenv("LSCE_PUREGO")
	return v != "" && v != "0"
}
