package train

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/fanout"
)

// The first layer multiplies images, which are mostly background (MNIST:
// about 81% of pixels are exactly 0). Listing each row's non-zero inputs
// once per batch and doing one long axpy per non-zero input is faster than a
// dense product that tests every element (measured in BenchmarkEpochMNIST
// and BenchmarkFirstLayer).

// columns lists the non-zero values of a batch column by column (compressed
// sparse columns): for input i, rows[start[i]:start[i+1]] are the rows where
// it is non-zero and vals the values there, rows in increasing order.
type columns[T lsce.Float] struct {
	start []int32
	rows  []int32
	vals  []T
}

// build fills c from the n rows of x (in values each), reusing its memory.
func (c *columns[T]) build(x []T, n, in int) {
	c.start = append(c.start[:0], make([]int32, in+1)...)
	for r := range n {
		for i, v := range x[r*in : (r+1)*in] {
			if v != 0 {
				c.start[i+1]++
			}
		}
	}
	for i := range in {
		c.start[i+1] += c.start[i]
	}
	nnz := int(c.start[in])
	if cap(c.rows) < nnz {
		c.rows = make([]int32, nnz)
		c.vals = make([]T, nnz)
	}
	c.rows, c.vals = c.rows[:nnz], c.vals[:nnz]
	next := append([]int32(nil), c.start[:in]...)
	for r := range n {
		for i, v := range x[r*in : (r+1)*in] {
			if v != 0 {
				k := next[i]
				c.rows[k], c.vals[k] = int32(r), v
				next[i]++
			}
		}
	}
}

// axpy is y += a·x over len(y) elements (len(x) ≥ len(y)): the AVX2 kernel
// for float32 where it runs, else gonum's assembly kernels. All of them round
// the product before the sum, so they agree bit for bit.
func axpy[T lsce.Float](a T, x, y []T) {
	switch y := any(y).(type) {
	case []float64:
		blas64.Implementation().Daxpy(len(y), float64(a), any(x).([]float64), 1, y, 1)
	case []float32:
		x := any(x).([]float32)[:len(y)]
		if hasAVX2() {
			axpyF32AVX2(float32(a), x, y)
		} else {
			blas32.Implementation().Saxpy(len(y), float32(a), x, 1, y, 1)
		}
	}
}

// axpyF32Generic is the reference loop of the float32 axpy kernels.
func axpyF32Generic(a float32, x, y []float32) {
	for i := range y {
		y[i] += a * x[i]
	}
}

// parallel runs f(lo, hi) over [0, n) split into at most workers contiguous
// parts, and waits.
func parallel(workers, n int, f func(lo, hi int)) {
	workers = max(1, min(workers, n))
	fanout.Run(workers, workers, fanout.Func(func(_, w int) error { f(w*n/workers, (w+1)*n/workers); return nil }))
}

// sparseForward is z = x·W for the n rows of x (non-zeros listed by column
// in c) and W in×out, row-major: input by input, z[r] += x[r][i]·W[i] for
// the rows r where x[r][i] ≠ 0, so that W's row i stays in cache. The
// columns of z are split among workers; every value of z is summed in the
// same order (increasing i) whatever the split.
func sparseForward[T lsce.Float](workers int, c *columns[T], w, z []T, n, in, out int) {
	clear(z[:n*out])
	parallel(workers, out, func(lo, hi int) {
		for i := range in {
			wi := w[i*out+lo : i*out+hi]
			for k := c.start[i]; k < c.start[i+1]; k++ {
				r := int(c.rows[k])
				axpy(c.vals[k], wi, z[r*out+lo:r*out+hi])
			}
		}
	})
}

// sparseGradW is g = xᵀ·δ (in×out) for the n rows of x (non-zeros listed by
// column in c) and δ (n×out): g[i] = Σ_r x[r][i]·δ[r], accumulated in one
// row of g at a time. The columns of g are split among workers; each value
// is summed over rows in increasing order whatever the split.
func sparseGradW[T lsce.Float](workers int, c *columns[T], delta, g []T, n, in, out int) {
	parallel(workers, out, func(lo, hi int) {
		for i := range in {
			gi := g[i*out+lo : i*out+hi]
			clear(gi)
			for k := c.start[i]; k < c.start[i+1]; k++ {
				r := int(c.rows[k])
				axpy(c.vals[k], delta[r*out+lo:r*out+hi], gi)
			}
		}
	})
}
