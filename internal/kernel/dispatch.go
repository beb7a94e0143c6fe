package kernel

import (
	"fmt"
	"os"
	"strings"
)

// One dispatch for all of the project's assembly: the row kernels of this
// package, linear's GEMM micro-kernels and train's axpy ask the functions
// below which instruction set to run, so that one probe, one environment
// variable and one switch for tests (Use) decide for all of them.

// HasAVX2 and HasAVX512 report what this CPU, its operating system and this
// build can run, probed once at start-up (CPUID, and XGETBV for the register
// state the OS saves; both false on other architectures and under the purego
// build tag): HasAVX2 means AVX2 and FMA with the YMM state saved, HasAVX512
// AVX-512 F/DQ/BW/VL as well, with the ZMM and opmask state saved.
var HasAVX2, HasAVX512 = probe()

// AVX2 reports whether assembly of at least AVX2+FMA is in use (the "avx2"
// or the "avx512" path): linear's GEMM and train's axpy then run theirs.
func AVX2() bool { return active != generic }

// AVX512 reports whether the "avx512" path is in use.
func AVX512() bool { return active == avx512Impl() }

// envPath is the path the environment asks for: LSCE_KERNELS (auto, avx512,
// avx2 or generic), else LSCE_PUREGO set to anything but "" or "0" (an alias
// of LSCE_KERNELS=generic), else auto.
func envPath() string {
	if v := os.Getenv("LSCE_KERNELS"); v != "" {
		return strings.ToLower(v)
	}
	if v := os.Getenv("LSCE_PUREGO"); v != "" && v != "0" {
		return "generic"
	}
	return "auto"
}

// defaultImpl is the implementation the environment asks for (see envPath),
// or, for auto, for a path this CPU cannot run or an unknown name, the
// fastest available one (EnvNote says why).
func defaultImpl() *impl {
	if im := byName(envPath()); im != nil {
		return im
	}
	return impls[0]
}

// EnvNote explains, when LSCE_KERNELS (or LSCE_PUREGO) asks for a path that
// is not in use, why ("" when the environment is obeyed or says nothing).
func EnvNote() string {
	p := envPath()
	if p == "auto" || byName(p) != nil {
		return ""
	}
	switch p {
	case "avx512", "avx2", "generic":
		return fmt.Sprintf("LSCE_KERNELS=%s: not available on this CPU or build (available: %s); using %s", p, strings.Join(Available(), ", "), impls[0].name)
	}
	return fmt.Sprintf("LSCE_KERNELS=%s: unknown (want auto, avx512, avx2 or generic); using %s", p, impls[0].name)
}

// byName returns the available implementation named name, or nil.
func byName(name string) *impl {
	for _, im := range impls {
		if im.name == name {
			return im
		}
	}
	return nil
}
