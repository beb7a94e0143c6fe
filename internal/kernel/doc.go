// Package kernel holds the row kernels behind package lsce: the few loops that
// touch every logit. Each kernel exists per element type (…F32, …F64) because
// assembly cannot be generic, and its doc comment is its reference loop.
//
// Implementations: "avx512" (AVX-512 F/DQ/BW/VL: ZMM registers, opmask
// registers for partial vectors), "avx2" (AVX2+FMA), both amd64 assembly
// generated from one description by the avo program in _asm at the
// repository root (see gen.go) and wrapped by the same Go (vec_amd64.go),
// and "generic" (Go, in generic.go: what arm64, other architectures and the
// purego build run). This package is the project's one dispatch
// (dispatch.go): the CPU is probed once (CPUID and XGETBV, which checks that
// the OS saves the YMM, or ZMM and opmask, state; kernel_amd64.go) into
// HasAVX2 and HasAVX512, the path for this CPU is chosen at start-up;
// LSCE_KERNELS=avx512|avx2|generic in the environment forces one
// (LSCE_PUREGO=1 is an alias of generic), and the purego build tag leaves
// only the generic code. Use switches for tests and benchmarks, Impl names
// the choice, and AVX2 and AVX512 tell packages linear and train which of
// their own assembly to run. Without AVX-512 hardware, scripts/avx512/run.sh
// runs the tests on an emulated AVX-512 CPU.
//
// The vectorised exponential: exp(d) = 2ⁿ·exp(r), n = round(d/ln 2), r
// reduced in two steps, exp(r) by a polynomial (near-minimax degree 6 for
// float32, Taylor degree 13 for float64): within 1 ulp (float32) and 2 ulp
// (float64) of math.Exp, as TestExpULP checks. d below the smallest normal
// result gives exactly 0, never NaN.
//
// Contract shared by every implementation:
//   - Stats returns m = max x, s = Σ exp(x−m) and sx = Σ x, accumulated in
//     float64 (or in float32 over short blocks that are then added in float64),
//     so that a 256,000-element float32 row stays within 1e-6 relative of a
//     float64 computation. For an empty x it returns (−Inf, 0, 0).
//   - StatsExp returns what Stats returns, bit for bit, and leaves exp(x−m)
//     in its output for Axpb to finish the gradient: each exponential is
//     then computed once per pass.
//   - NaN or ±Inf in x need not be reported: they surface in m or sx, and the
//     caller locates them (StatsExp then writes nothing from the block of
//     the first one on).
//   - Grad, Axpb and StatsExp write exactly len(x) (len(g)) elements and
//     nothing else; the output may alias x.
package kernel
