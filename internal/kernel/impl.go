package kernel

import (
	"fmt"
	"strings"
)

// impl is one complete set of kernels.
type impl struct {
	name    string
	stats32 func(x []float32) (m, s, sx float64)
	stats64 func(x []float64) (m, s, sx float64)
	dot32   func(x, w []float32) float64
	dot64   func(x, w []float64) float64
	grad32  func(g, x []float32, m, a, b float64)
	grad64  func(g, x []float64, m, a, b float64)
	gradW32 func(g, x, w []float32, m, a, b float64)
	gradW64 func(g, x, w []float64, m, a, b float64)

	statsExp32 func(e, x []float32) (m, s, sx float64)
	statsExp64 func(e, x []float64) (m, s, sx float64)
	axpb32     func(g []float32, a, b float64)
	axpb64     func(g []float64, a, b float64)
	axpbW32    func(g, w []float32, a, b float64)
	axpbW64    func(g, w []float64, a, b float64)
	gradE32    func(g, e []float32, a, b float64)
	gradE64    func(g, e []float64, a, b float64)
	gradEW32   func(g, e, w []float32, a, b float64)
	gradEW64   func(g, e, w []float64, a, b float64)

	maxSum32 func(x []float32) (m, sx float64)
	maxSum64 func(x []float64) (m, sx float64)
	exp32    func(e, x []float32, m float64) float64
	exp64    func(e, x []float64, m float64) float64
	vecRows  bool // ExpRowsF32 runs expRowsF32Vec
}

var generic = &impl{
	name:    "generic",
	stats32: statsGeneric[float32], stats64: statsGeneric[float64],
	dot32: dotGeneric[float32], dot64: dotGeneric[float64],
	grad32: gradGeneric[float32], grad64: gradGeneric[float64],
	gradW32: gradWGeneric[float32], gradW64: gradWGeneric[float64],
	statsExp32: statsExpGeneric[float32], statsExp64: statsExpGeneric[float64],
	axpb32: axpbGeneric[float32], axpb64: axpbGeneric[float64],
	axpbW32: axpbWGeneric[float32], axpbW64: axpbWGeneric[float64],
	gradE32: gradEGeneric[float32], gradE64: gradEGeneric[float64],
	gradEW32: gradEWGeneric[float32], gradEW64: gradEWGeneric[float64],
	maxSum32: maxSumGeneric[float32], maxSum64: maxSumGeneric[float64],
	exp32: expGeneric[float32], exp64: expGeneric[float64],
}

// impls lists the implementations this CPU and build can run, fastest first;
// generic is always last. platformImpls (per architecture) supplies the rest.
var impls = append(platformImpls(), generic)

// active is the implementation the exported kernels call.
var active = defaultImpl()

// Impl names the implementation in use: "avx512", "avx2" or "generic".
func Impl() string { return active.name }

// Available names the implementations this CPU and build can run, fastest
// first; "generic" is always there.
func Available() []string {
	names := make([]string, len(impls))
	for i, im := range impls {
		names[i] = im.name
	}
	return names
}

// Use selects the implementation by name, for this package and for linear's
// and train's assembly ("auto" restores the default choice, honouring
// LSCE_KERNELS and LSCE_PUREGO). It fails, leaving the choice unchanged, when
// the name is unknown or the CPU or build cannot run it. Use is for tests and
// benchmarks: it must not run concurrently with kernel calls.
func Use(name string) error {
	if name == "auto" {
		active = defaultImpl()
		return nil
	}
	if im := byName(name); im != nil {
		active = im
		return nil
	}
	switch name {
	case "avx512", "avx2":
		return fmt.Errorf("kernel %q is not available on this CPU or build (available: %s)", name, strings.Join(Available(), ", "))
	}
	return fmt.Errorf("unknown kernel %q (want auto, avx512, avx2 or generic)", name)
}
