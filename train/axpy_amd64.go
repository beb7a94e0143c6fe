//go:build amd64 && !purego

package train

import (
	"os"

	"golang.org/x/sys/cpu"
)

// axpyF32AVX2, y += a·x over len(y) elements, is in axpy_amd64.s and declared
// in stubs_amd64.go, both generated (see gen.go); its reference loop is
// axpyF32Go.

// hasAVX2 reports whether axpyF32AVX2 runs here: AVX2 with OS support,
// unless LSCE_PUREGO is set (the project's kill switch for assembly).
var hasAVX2 = cpu.X86.HasAVX2 && !pureGoEnv()

func pureGoEnv() bool {
	v := os.Getenv("LSCE_PUREGO")
	return v != "" && v != "0"
}
