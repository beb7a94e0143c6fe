package train

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/lsce/lsce"
)

// gemm is C = op(A)·op(B) for row-major, contiguous matrices: op(A) is m×k,
// op(B) is k×n and C is m×n. gonum skips zero elements of A, which makes the
// first layer of an MNIST network (mostly background pixels) cheap.
func gemm[T lsce.Float](transA, transB bool, m, n, k int, a, b, c []T) {
	ta, tb := blas.NoTrans, blas.NoTrans
	lda, ldb := k, n
	if transA {
		ta, lda = blas.Trans, m
	}
	if transB {
		tb, ldb = blas.Trans, k
	}
	switch c := any(c).(type) {
	case []float64:
		blas64.Implementation().Dgemm(ta, tb, m, n, k, 1, any(a).([]float64), lda, any(b).([]float64), ldb, 0, c, n)
	case []float32:
		blas32.Implementation().Sgemm(ta, tb, m, n, k, 1, any(a).([]float32), lda, any(b).([]float32), ldb, 0, c, n)
	}
}
