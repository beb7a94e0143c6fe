package lsce_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lsce/lsce"
)

// TestStridedRows: K-dimensional input (N, C, d) with the class axis 1, taken
// through the contiguous kernels by gathering, equals an independent float64
// formula (REFERENCE.md, weighted, with ignored elements), for the loss and
// the gradient, separate and in place; and allocates nothing in steady state.
func TestStridedRows(t *testing.T) {
	const n, c, d, eps = 3, 7, 50, 0.1
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, n*c*d)
	for i := range x {
		x[i] = float32(3 * r.NormFloat64())
	}
	y := make([]int, n*d)
	for i := range y {
		y[i] = r.IntN(c)
		if i%9 == 4 {
			y[i] = -100
		}
	}
	w := []float64{1, 0.5, 2, 1, 0.25, 1.5, 1} // exact in float32
	opt := lsce.Options{Epsilon: eps, Weight: w, Workers: 1}
	grad := make([]float32, len(x))
	in := lsce.Input[float32]{Logits: x, Shape: []int{n, c, d}, Targets: y}
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
				l += eps / c * w[k] * (lse - float64(x[at(k)]))
			}
			sum += l
			den += wy
			for k := range c {
				pk := math.Exp(float64(x[at(k)]) - lse)
				g := ((1-eps)*wy+eps*wAll/c)*pk - eps/c*w[k]
				if k == y[e] {
					g -= (1 - eps) * wy
				}
				want[at(k)] = g
			}
		}
	}
	if got, exp := res.Loss, sum/den; math.Abs(got-exp) > 1e-6*exp { // float32 kernels: 1e-6 relative
		t.Fatalf("loss %.9g, want %.9g", got, exp)
	}
	for i, g := range grad {
		if exp := want[i] / den; math.Abs(float64(g)-exp) > 1e-7 { // float32 gradient: 1e-7 absolute
			t.Fatalf("grad[%d] = %.9g, want %.9g", i, g, exp)
		}
	}
	inPlace := append([]float32(nil), x...)
	if _, err := lsce.CrossEntropyGrad(inPlace, lsce.Input[float32]{Logits: inPlace, Shape: in.Shape, Targets: y}, opt); err != nil {
		t.Fatal(err)
	}
	for i := range grad {
		if inPlace[i] != grad[i] {
			t.Fatalf("in place: grad[%d] = %v, separate buffer %v", i, inPlace[i], grad[i])
		}
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
