package linear

import (
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
// They go through gonum's BLAS (blas/gonum, pure Go with SSE inner loops), or
// through the blocked Go kernels of kernels.go when useBLAS is false;
// BenchmarkGemm compares the two, and useBLAS holds the faster.
var useBLAS = true

var impl gonum.Implementation

func gemmNT[T Float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if !useBLAS {
		goNT(m, n, k, a, lda, b, ldb, c, ldc)
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
	if !useBLAS {
		goNN(m, n, k, a, lda, b, ldb, c, ldc)
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
	if !useBLAS {
		goTN(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	switch a := any(a).(type) {
	case []float32:
		impl.Sgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, lda, any(b).([]float32), ldb, 1, any(c).([]float32), ldc)
	case []float64:
		impl.Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, a, lda, any(b).([]float64), ldb, 1, any(c).([]float64), ldc)
	}
}
