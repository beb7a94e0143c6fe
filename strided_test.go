package lsce_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lsce/lsce"
)

// TestStridedRows: K-dimensional input (N, C, d) with the class axis 1, taken
// through the contiguous kernels by gathering (a block of elements at a time
// for short rows, one element at a time for long ones), equals an
// independent float64 formula (REFERENCE.md), weighted or not, with ignored
// elements, for the loss and the gradient, separate and in place, with one
// worker and two; and allocates nothing in steady state.
func TestStridedRows(t *testing.T) {
	for _, c := range []int{7, 600} { // short rows (stridedBlock), long (stridedRow)
		for _, weighted := range []bool{true, false} {
			for _, workers := range []int{1, 2} {
				name := fmt.Sprintf("C=%d/weighted=%v/workers=%d", c, weighted, workers)
				t.Run(name+"/float32", func(t *testing.T) { testStrided[float32](t, c, weighted, workers, 1e-6, 1e-7) })
				t.Run(name+"/float64", func(t *testing.T) { testStrided[float64](t, c, weighted, workers, 1e-12, 1e-15) })
			}
		}
	}
}

// testStrided checks one configuration of TestStridedRows, within lossTol
// relative and gradTol absolute (the tolerances for float32).
func testStrided[T float32 | float64](t *testing.T, c int, weighted bool, workers int, lossTol, gradTol float64) {
	const n, d, eps = 3, 50, 0.1
	r := rand.New(rand.NewPCG(5, uint64(c)))
	x := make([]T, n*c*d)
	for i := range x {
		x[i] = T(3 * r.NormFloat64())
	}
	// One element's logits far below the others: in float64 it leaves the
	// block's shared shift for its own row (shortMinSum).
	for k := range c {
		x[(1*c+k)*d+7] -= 900
	}
	y := make([]int, n*d)
	for i := range y {
		y[i] = r.IntN(c)
		if i%9 == 4 {
			y[i] = -100
		}
	}
	w := make([]float64, c)
	for k := range w {
		w[k] = 1
		if weighted {
			w[k] = []float64{1, 0.5, 2, 1, 0.25, 1.5, 1}[k%7] // exact in float32
		}
	}
	opt := lsce.Options{Epsilon: eps, Workers: workers}
	if weighted {
		opt.Weight = w
	}
	grad := make([]T, len(x))
	in := lsce.Input[T]{Logits: x, Shape: []int{n, c, d}, Targets: y}
	res, err := lsce.CrossEntropyGrad(grad, in, opt)
	if err != nil {
		t.Fatal(err)
	}
	// The oracle: l = (1−ε)·w_y·(LSE − z_y) + (ε/C)·Σ_c w_c·(LSE − z_c), mean ÷ Σ w_y;
	// ∂l/∂z_j = ((1−ε)·w_y + ε·W/C)·p_j − (ε/C)·w_j − (1−ε)·w_y·[j = y].
	var sum, den, wAll float64
	for _, v := range w {
		wAll += v
	}
	cf := float64(c)
	want := make([]float64, len(x))
	for o := range n {
		for p := range d {
			e := o*d + p
			at := func(k int) int { return (o*c+k)*d + p }
			if y[e] < 0 {
				continue
			}
			m := math.Inf(-1)
			for k := range c {
				m = math.Max(m, float64(x[at(k)]))
			}
			var s float64
			for k := range c {
				s += math.Exp(float64(x[at(k)]) - m)
			}
			lse := m + math.Log(s)
			wy := w[y[e]]
			l := (1 - eps) * wy * (lse - float64(x[at(y[e])]))
			for k := range c {
				l += eps / cf * w[k] * (lse - float64(x[at(k)]))
			}
			sum += l
			den += wy
			for k := range c {
				pk := math.Exp(float64(x[at(k)]) - lse)
				g := ((1-eps)*wy+eps*wAll/cf)*pk - eps/cf*w[k]
				if k == y[e] {
					g -= (1 - eps) * wy
				}
				want[at(k)] = g
			}
		}
	}
	if got, exp := res.Loss, sum/den; math.Abs(got-exp) > lossTol*exp {
		t.Fatalf("loss %.17g, want %.17g", got, exp)
	}
	for i, g := range grad {
		if exp := want[i] / den; math.Abs(float64(g)-exp) > gradTol {
			t.Fatalf("grad[%d] = %.17g, want %.17g", i, g, exp)
		}
	}
	inPlace := append([]T(nil), x...)
	if _, err := lsce.CrossEntropyGrad(inPlace, lsce.Input[T]{Logits: inPlace, Shape: in.Shape, Targets: y}, opt); err != nil {
		t.Fatal(err)
	}
	for i := range grad {
		if inPlace[i] != grad[i] {
			t.Fatalf("in place: grad[%d] = %v, separate buffer %v", i, inPlace[i], grad[i])
		}
	}
	if workers > 1 {
		return // goroutines allocate
	}
	var dst lsce.Result
	allocs := testing.AllocsPerRun(5, func() {
		if err := lsce.CrossEntropyInto(&dst, grad, in, opt); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per call in steady state, want 0", allocs)
	}
}
