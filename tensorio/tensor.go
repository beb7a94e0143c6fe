package tensorio

import (
	"fmt"
	"math"
	"strings"
)

// Format is the file format a tensor was read from.
type Format int

const (
	NPY Format = iota + 1 // NumPy .npy
	CSV                   // comma-separated values
)

// String returns "npy" or "csv".
func (f Format) String() string {
	switch f {
	case NPY:
		return "npy"
	case CSV:
		return "csv"
	}
	return "unknown"
}

// Tensor is a whole tensor in memory, in C (row-major) order.
//
// Exactly one data slice is set, by DType: F32 for Float32, F64 for Float64,
// and I64 for Int32, Int64, Bool and Uint8 (widened; bool as 0 or 1).
type Tensor struct {
	DType DType
	Shape []int
	F32   []float32
	F64   []float64
	I64   []int64

	// Name is the file's name as used in errors.
	Name string
	// Format is where the tensor came from.
	Format Format
	// Header holds the names of a CSV header line, or nil.
	Header []string
	// Lines holds, for a tensor read from CSV, the 1-based line number of
	// each row; Where uses it to name places as the file does.
	Lines []int
}

// Len returns the number of elements.
func (t *Tensor) Len() int {
	switch {
	case t.F32 != nil:
		return len(t.F32)
	case t.F64 != nil:
		return len(t.F64)
	}
	return len(t.I64)
}

// Float64s returns the elements as float64: F64 itself, or a converted copy.
func (t *Tensor) Float64s() []float64 {
	switch t.DType {
	case Float64:
		return t.F64
	case Float32:
		return convert[float32, float64](t.F32)
	}
	return convert[int64, float64](t.I64)
}

// Float32s returns the elements as float32: F32 itself, or a converted
// (rounded) copy.
func (t *Tensor) Float32s() []float32 {
	switch t.DType {
	case Float32:
		return t.F32
	case Float64:
		return convert[float64, float32](t.F64)
	}
	return convert[int64, float32](t.I64)
}

func convert[S, D number](s []S) []D {
	d := make([]D, len(s))
	for i, v := range s {
		d[i] = D(v)
	}
	return d
}

// Ints returns the elements as class indices. Floating-point elements must
// be integers (as in a CSV column of labels); the first that is not is an
// error naming its place.
func (t *Tensor) Ints() ([]int, error) {
	out := make([]int, t.Len())
	switch t.DType {
	case Float32, Float64:
		for i := range out {
			var v float64
			if t.DType == Float32 {
				v = float64(t.F32[i])
			} else {
				v = t.F64[i]
			}
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return nil, errorf(t.Name, t.Where(i), "%v is not an integer class index", v)
			}
			out[i] = int(v)
		}
	default:
		for i, v := range t.I64 {
			out[i] = int(v)
		}
	}
	return out, nil
}

// Bools returns the elements as booleans: nonzero is true.
func (t *Tensor) Bools() []bool {
	out := make([]bool, t.Len())
	switch t.DType {
	case Float32:
		for i, v := range t.F32 {
			out[i] = v != 0
		}
	case Float64:
		for i, v := range t.F64 {
			out[i] = v != 0
		}
	default:
		for i, v := range t.I64 {
			out[i] = v != 0
		}
	}
	return out
}

// Where names the place of flat element i as the file's reader sees it: for
// CSV "row L, column C" with the 1-based line and field; for .npy the
// 0-based NumPy index, "row i" (rank 1), "row i, column j" (rank 2) or
// "index [i, j, k]" (other ranks).
func (t *Tensor) Where(i int) string {
	if t.Format == CSV && len(t.Shape) == 2 && t.Shape[1] > 0 {
		r, c := i/t.Shape[1], i%t.Shape[1]
		line := r + 1
		if r < len(t.Lines) {
			line = t.Lines[r]
		}
		return fmt.Sprintf("row %d, column %d", line, c+1)
	}
	idx := unravel(t.Shape, i)
	switch len(idx) {
	case 1:
		return fmt.Sprintf("row %d", idx[0])
	case 2:
		return fmt.Sprintf("row %d, column %d", idx[0], idx[1])
	}
	s := make([]string, len(idx))
	for k, v := range idx {
		s[k] = fmt.Sprint(v)
	}
	return "index [" + strings.Join(s, ", ") + "]"
}

// unravel turns a flat C-order index into one index per axis.
func unravel(shape []int, i int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		if shape[k] > 0 {
			idx[k] = i % shape[k]
			i /= shape[k]
		}
	}
	return idx
}
