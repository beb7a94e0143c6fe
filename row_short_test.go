package lsce_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/lsce/lsce"
)

// shortOracle is the float64 formula for one row of an index target:
// loss = (1−ε)·w_y·(LSE − z_y) + (ε/K)·Σ_c w_c·(LSE − z_c) and its gradient
// ∂loss/∂z_j = (1−ε)·w_y·(p_j − [j = y]) + (ε/K)·(Σ_c w_c·p_j − w_j).
func shortOracle(z []float64, y int, w []float64, eps float64) (loss float64, grad []float64) {
	k := len(z)
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	var s float64
	for _, v := range z {
		s += math.Exp(v - m)
	}
	lse := m + math.Log(s)
	wy, wSum := w[y], 0.0
	loss = (1 - eps) * wy * (lse - z[y])
	for c, v := range z {
		loss += eps / float64(k) * w[c] * (lse - v)
		wSum += w[c]
	}
	grad = make([]float64, k)
	for j, v := range z {
		p := math.Exp(v - lse)
		grad[j] = (1-eps)*wy*p + eps/float64(k)*(wSum*p-w[j])
		if j == y {
			grad[j] -= (1 - eps) * wy
		}
	}
	return loss, grad
}

// TestShortRows checks rows of 1 to 130 classes and around 256 and 512 (the
// block-of-rows path up to 128 classes for float64, 512 for float32, the
// row-by-row one beyond) against shortOracle, per row (None) and
// reduced with the gradient (Mean), with ignored rows, weights, confident
// rows (loss near 0, where float32 exponentials must not cost accuracy),
// rows whose maximum lies far below the block's, and in place, for every
// kernel and both element types.
func TestShortRows(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		ks := []int{255, 256, 511, 512, 513}
		for k := 1; k <= 130; k++ {
			ks = append(ks, k)
		}
		for _, k := range ks {
			for _, weighted := range []bool{false, true} {
				t.Run(fmt.Sprintf("K=%d/weighted=%v", k, weighted), func(t *testing.T) {
					checkShortRows[float32](t, k, weighted)
					checkShortRows[float64](t, k, weighted)
				})
			}
		}
	})
}

func checkShortRows[T lsce.Float](t *testing.T, k int, weighted bool) {
	const n, eps = 150, 0.1 // three blocks of rows, the last one partial
	raw := splitmix(uint64(k)*31+7, n*k, 4)
	x := make([]T, n*k)
	for i := range raw {
		x[i] = T(raw[i])
	}
	targets := make([]int, n)
	for i := range targets {
		targets[i] = (i*7 + 3) % k
		switch i % 13 {
		case 5:
			targets[i] = -100 // ignored
		case 6: // confident: the target far above the rest
			x[i*k+targets[i]] = 30
		case 7: // every logit far below the others of the block
			for j := range k {
				x[i*k+j] -= 3000
				if _, ok := any(x[0]).(float32); ok {
					x[i*k+j] += 2900
				}
			}
		}
	}
	w := make([]float64, k)
	for c := range w {
		w[c] = 1
		if weighted {
			w[c] = 0.25 + float64((c*5)%7)/4 // exact in float32, as the kernels use them
		}
	}
	opt := lsce.Options{Epsilon: eps, Reduction: lsce.None, Workers: 1}
	if weighted {
		opt.Weight = w
	}
	in := lsce.Input[T]{Logits: x, Shape: []int{n, k}, Targets: targets}
	res, err := lsce.CrossEntropy(in, opt)
	if err != nil {
		t.Fatal(err)
	}
	var z T
	_, is32 := any(z).(float32)
	// |got − want| ≤ rel·|want| + abs·scale, scale the size of the row's
	// terms (1 + max |z|), as the golden tests' tolerances.
	relTol, absTol, gradTol := 1e-12, 1e-14, 1e-13
	if is32 {
		relTol, absTol, gradTol = 1e-6, 1e-9, 1e-8
	}
	want := make([]float64, n*k)
	var denom, mean float64
	for i, y := range targets {
		if y == -100 {
			if res.Losses[i] != 0 {
				t.Fatalf("ignored row %d: loss %v", i, res.Losses[i])
			}
			continue
		}
		row := make([]float64, k)
		for j := range row {
			row[j] = float64(x[i*k+j])
		}
		l, g := shortOracle(row, y, w, eps)
		scale := 1.0
		for _, v := range row {
			scale = max(scale, 1+math.Abs(v))
		}
		if d := math.Abs(res.Losses[i] - l); d > relTol*l+absTol*scale {
			t.Fatalf("row %d: loss %.17g, want %.17g (diff %.3g)", i, res.Losses[i], l, d)
		}
		copy(want[i*k:], g)
		denom += w[y]
		mean += l
	}
	mean /= denom
	// Mean with the gradient, into a separate buffer and in place.
	opt.Reduction = lsce.Mean
	grad := make([]T, n*k)
	res, err = lsce.CrossEntropyGrad(grad, in, opt)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(res.Loss - mean); d > relTol*mean+absTol*3000 {
		t.Fatalf("mean loss %.17g, want %.17g", res.Loss, mean)
	}
	wMax := 0.0
	for _, v := range w {
		wMax = max(wMax, v)
	}
	for j, g := range grad {
		if d := math.Abs(float64(g) - want[j]/denom); d > gradTol*wMax/denom*100+relTol*math.Abs(want[j]/denom) {
			t.Fatalf("grad[%d][%d] = %v, want %v", j/k, j%k, g, want[j]/denom)
		}
	}
	inPlace := append([]T(nil), x...)
	in.Logits = inPlace
	r2, err := lsce.CrossEntropyGrad(inPlace, in, opt)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Loss != res.Loss {
		t.Fatalf("in place: loss %v, separate %v", r2.Loss, res.Loss)
	}
	for j := range grad {
		if inPlace[j] != grad[j] {
			t.Fatalf("in place: grad[%d] = %v, separate %v", j, inPlace[j], grad[j])
		}
	}
}

// TestShortRowsNonFinite: a NaN or ±Inf in a short row is reported at its
// row and class, also when its block is otherwise fine; in an ignored row it
// is no error.
func TestShortRowsNonFinite(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			for _, k := range []int{1, 10, 21, 128} {
				x := splitmix(uint64(k), 100*k, 3)
				targets := make([]int, 100)
				x[70*k+k-1] = bad
				x[30*k] = bad
				targets[30] = -100
				_, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: x, Shape: []int{100, k}, Targets: targets}, lsce.Options{})
				var le *lsce.Error
				if !errors.As(err, &le) || le.Kind != lsce.ErrNonFinite || le.Row != 70 || le.Class != k-1 {
					t.Fatalf("K=%d, %v at row 70: error %v", k, bad, err)
				}
				x32 := make([]float32, len(x))
				for i, v := range x {
					x32[i] = float32(v)
				}
				_, err = lsce.CrossEntropy(lsce.Input[float32]{Logits: x32, Shape: []int{100, k}, Targets: targets}, lsce.Options{})
				if !errors.As(err, &le) || le.Kind != lsce.ErrNonFinite || le.Row != 70 || le.Class != k-1 {
					t.Fatalf("float32 K=%d, %v at row 70: error %v", k, bad, err)
				}
			}
		}
	})
}
