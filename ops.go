package lsce

import "github.com/lsce/lsce/internal/kernel"

// ops binds the per-type kernels for the generic code.
type ops[T Float] struct {
	stats    func(x []T) (m, s, sx float64)
	dot      func(x, w []T) float64
	grad     func(g, x []T, m, a, b float64)
	gradW    func(g, x, w []T, m, a, b float64)
	statsExp func(e, x []T) (m, s, sx float64)
	axpb     func(g []T, a, b float64)
	axpbW    func(g, w []T, a, b float64)
	gradE    func(g, e []T, a, b float64)
	gradEW   func(g, e, w []T, a, b float64)
	maxSum   func(x []T) (m, sx float64)
	exp      func(e, x []T, m float64) float64
}

var (
	ops32 = ops[float32]{kernel.StatsF32, kernel.DotF32, kernel.GradF32, kernel.GradWF32,
		kernel.StatsExpF32, kernel.AxpbF32, kernel.AxpbWF32, kernel.GradExpF32, kernel.GradExpWF32,
		kernel.MaxSumF32, kernel.ExpF32}
	ops64 = ops[float64]{kernel.StatsF64, kernel.DotF64, kernel.GradF64, kernel.GradWF64,
		kernel.StatsExpF64, kernel.AxpbF64, kernel.AxpbWF64, kernel.GradExpF64, kernel.GradExpWF64,
		kernel.MaxSumF64, kernel.ExpF64}
)

// opsFor returns the kernels for T.
func opsFor[T Float]() *ops[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&ops32).(*ops[T])
	}
	return any(&ops64).(*ops[T])
}

// Implementation names the row kernels in use: "avx512", "avx2" or "generic".
func Implementation() string { return kernel.Impl() }
