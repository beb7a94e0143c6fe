package linear

import (
	"github.com/lsce/lsce/internal/kernel"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The three matrix products of the fused loss, on row-major matrices with
// leading dimensions (strides) lda, ldb, ldc:
//
//	gemmNT: c  = a·bᵀ   a is m×k, b is n×k   (logits = H·Wᵀ)
//	gemmNN: c += a·b    a is m×k, b is k×n   (dH += G·W)
//	gemmTN: c += aᵀ·b   a is k×m, b is k×n   (dW += Gᵀ·H)
//
// Four implementations, chosen by gemmName:
//
//	"avx512" packed panels and an AVX-512 micro-kernel, 6×32 for float32
//	         and 6×16 for float64 (sgemm.go, sgemm_amd64.s)
//	"avx2"   the same with an AVX2+FMA micro-kernel, 6×16 and 6×8
//	"gonum"  gonum's BLAS (blas/gonum: pure Go with SSE inner loops)
//	"go"     the blocked pure-Go kernels of kernels.go
//
// On an AMD EPYC Zen 4 (family 25 model 17, 2026-12-08, load average ~15),
// per thread CPU second on 256×1024×256 float32: avx512 and avx2 both
// 77–84 GFLOP/s (NT, NN, TN; Zen 4 runs a 512-bit FMA as two 256-bit
// halves), against about 93 for OpenBLAS's own kernels on the fused loss's
// three products. The figures below are from the earlier AVX2-only machine.
//
// BenchmarkGemm measures them on the fused loss's block shapes (256×1024×256).
// On the development machine (AMD EPYC, 2 cores, AVX2+FMA, shared with other
// jobs, so ±30%), wall-clock GFLOP/s: float32 avx2 19–31 on one core, gonum
// 1.2–2.9 using both cores (its own goroutines), go 0.7–1.4 on one core;
// float64 avx2 about 12, gonum 1.4. In CPU time avx2 is about 40 GFLOP/s per
// core in float32. Hence "avx2" where the CPU has it, else "gonum".
// gemmImpl, when set (by tests and benchmarks), overrides the choice of
// gemmName.
var gemmImpl string

// gemmName is the implementation in use: gemmImpl when set, else the
// project's dispatch decides (package internal/kernel): "avx512" on its
// avx512 path, "avx2" on its avx2 path, else "gonum".
func gemmName() string {
	switch {
	case gemmImpl != "":
		return gemmImpl
	case hasKernel() && kernel.AVX512():
		return "avx512"
	case hasKernel():
		return "avx2"
	}
	return "gonum"
}

var impl gonum.Implementation

func gemmNT[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch name := gemmName(); name {
	case "go":
		goNT(m, n, k, a, lda, b, ldb, c, ldc)
		return
	case "avx512", "avx2":
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
		packedGemm(name == "avx512", false, true, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	switch a := any(a).(type) {
	case []float32:
		impl.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, lda, any(b).([]float32), ldb, 0, any(c).([]float32), ldc)
	case []float64:
		impl.Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, lda, any(b).([]float64), ldb, 0, any(c).([]float64), ldc)
	}
}

func gemmNN[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch name := gemmName(); name {
	case "go":
		goNN(m, n, k, a, lda, b, ldb, c, ldc)
		return
	case "avx512", "avx2":
		packedGemm(name == "avx512", false, false, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	switch a := any(a).(type) {
	case []float32:
		impl.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, lda, any(b).([]float32), ldb, 1, any(c).([]float32), ldc)
	case []float64:
		impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, lda, any(b).([]float64), ldb, 1, any(c).([]float64), ldc)
	}
}

func gemmTN[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	switch name := gemmName(); name {
	case "go":
		goTN(m, n, k, a, lda, b, ldb, c, ldc)
		return
	case "avx512", "avx2":
		packedGemm(name == "avx512", true, false, m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	switch a := any(a).(type) {
	case []float32:
		impl.Sgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, lda, any(b).([]float32), ldb, 1, any(c).([]float32), ldc)
	case []float64:
		impl.Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, lda, any(b).([]float64), ldb, 1, any(c).([]float64), ldc)
	}
}

// gemmImpls lists the implementations this build and CPU can run.
func gemmImpls() []string {
	if hasKernel() && kernel.HasAVX512 {
		return []string{"avx512", "avx2", "gonum", "go"}
	}
	if hasKernel() {
		return []string{"avx2", "gonum", "go"}
	}
	return []string{"gonum", "go"}
}
