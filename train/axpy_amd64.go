//go:build amd64 && !purego

package train

import "github.com/lsce/lsce/internal/kernel"

// axpyF32AVX2, y += a·x over len(y) elements, is in axpy_amd64.s and declared
// in stubs_amd64.go, both generated (see gen.go); its reference loop is
// axpyF32Generic.

// hasAVX2 reports whether axpyF32AVX2 runs: the project's one dispatch
// (package internal/kernel: the CPU probe, LSCE_KERNELS, kernel.Use) has
// AVX2 assembly in use.
func hasAVX2() bool { return kernel.AVX2() }
