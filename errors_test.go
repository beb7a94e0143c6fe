package lsce_test

// Bad data: every kind returns an *lsce.Error with the right Kind, Row and
// Class, through every path (contiguous rows, K-dim, class-last, probability
// targets, long split rows, several workers), for float32 and float64.

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lsce/lsce"
)

// errCase is one bad input, in float64; run converts it to float32 as well.
type errCase struct {
	name    string
	logits  []float64
	shape   []int
	targets []int
	probs   []float64
	opt     lsce.Options
	grad    int  // gradient buffer length; −1 for none, 0 for len(logits)
	mean    bool // bad with the Mean reduction only
	kind    error
	row     int
	class   int
}

func seq(n int, f func(i int) float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = f(i)
	}
	return x
}

func logits12(i int) float64 { return float64(i%7) - 3.5 }

// with returns a copy of x with x[i] = v.
func with(x []float64, i int, v float64) []float64 {
	y := append([]float64(nil), x...)
	y[i] = v
	return y
}

func errCases() []errCase {
	nan, inf := math.NaN(), math.Inf(1)
	x := seq(12, logits12) // (4, 3), or (2, 3, 2) K-dim, or (2, 2, 3) class-last
	y4 := []int{0, 1, 2, 0}
	q := seq(12, func(i int) float64 { return float64(i%3) / 3 })
	const long = 70000
	xl := seq(2*long, func(i int) float64 { return math.Sin(float64(i)) })
	var cs []errCase
	// Non-finite logits: element 2, class 1 in every layout.
	for _, v := range []float64{nan, inf, -inf} {
		cs = append(cs,
			errCase{name: "(N,C)", logits: with(x, 2*3+1, v), shape: []int{4, 3}, targets: y4, kind: lsce.ErrNonFinite, row: 2, class: 1},
			// K-dim (2, 3, 2): element 2 is sample 1, position 0; class 1 is
			// at (1·3 + 1)·2 + 0.
			errCase{name: "(N,C,d)", logits: with(x, (1*3+1)*2+0, v), shape: []int{2, 3, 2}, targets: y4, kind: lsce.ErrNonFinite, row: 2, class: 1},
			errCase{name: "class-last (N,d,C)", logits: with(x, 2*3+1, v), shape: []int{2, 2, 3}, targets: y4, opt: lsce.Options{ClassLast: true}, kind: lsce.ErrNonFinite, row: 2, class: 1},
			errCase{name: "probs", logits: with(x, 2*3+1, v), shape: []int{4, 3}, probs: q, kind: lsce.ErrNonFinite, row: 2, class: 1},
			errCase{name: "weights", logits: with(x, 2*3+1, v), shape: []int{4, 3}, targets: y4, opt: lsce.Options{Weight: []float64{1, 2, 3}}, kind: lsce.ErrNonFinite, row: 2, class: 1},
			errCase{name: "(C)", logits: with(x[:5], 3, v), shape: []int{5}, targets: []int{1}, kind: lsce.ErrNonFinite, row: 0, class: 3},
			errCase{name: "long row split", logits: with(xl, long+12345, v), shape: []int{2, long}, targets: []int{0, 1}, opt: lsce.Options{Workers: 3}, kind: lsce.ErrNonFinite, row: 1, class: 12345},
			errCase{name: "long row one worker", logits: with(xl, long+12345, v), shape: []int{2, long}, targets: []int{0, 1}, opt: lsce.Options{Workers: 1}, kind: lsce.ErrNonFinite, row: 1, class: 12345},
		)
	}
	// The lowest bad row is reported, whatever the scheduling: rows 70 and
	// 200 of 300, several workers.
	xm := seq(300*3, logits12)
	xm[70*3+2] = nan
	xm[200*3] = inf
	cs = append(cs, errCase{name: "first of two bad rows", logits: xm, shape: []int{300, 3}, targets: make([]int, 300), opt: lsce.Options{Workers: 4}, kind: lsce.ErrNonFinite, row: 70, class: 2})
	// Targets outside [0, C) that are not the ignore index.
	for _, tc := range []struct {
		y   int
		ign *int
	}{{3, nil}, {-1, nil}, {-100, new(-1)}, {1 << 40, nil}, {-7, new(5)}} {
		t := []int{0, 1, tc.y, 0}
		cs = append(cs,
			errCase{name: "target (N,C)", logits: x, shape: []int{4, 3}, targets: t, opt: lsce.Options{IgnoreIndex: tc.ign}, kind: lsce.ErrTarget, row: 2, class: -1},
			errCase{name: "target (N,C,d)", logits: x, shape: []int{2, 3, 2}, targets: t, opt: lsce.Options{IgnoreIndex: tc.ign}, kind: lsce.ErrTarget, row: 2, class: -1},
		)
	}
	// Weights: negative, NaN, +Inf at class 2; a sum that overflows.
	for _, w := range []float64{-1, -math.SmallestNonzeroFloat64, nan, inf, -inf} {
		cs = append(cs, errCase{name: "weight", logits: x, shape: []int{4, 3}, targets: y4, opt: lsce.Options{Weight: []float64{1, 1, w}}, kind: lsce.ErrWeight, row: -1, class: 2})
	}
	cs = append(cs,
		errCase{name: "weights sum to +Inf", logits: x, shape: []int{4, 3}, targets: y4, opt: lsce.Options{Weight: []float64{math.MaxFloat64, math.MaxFloat64, 1}}, kind: lsce.ErrWeight, row: -1, class: -1},
		// Mean over Σ w_y = 1e-300 (float64) makes the gradient 1e300·w:
		// beyond float32, and here beyond float64 too with w = 1e10.
		errCase{name: "gradient overflow (tiny denominator)", logits: x, shape: []int{4, 3}, targets: []int{0, 0, 0, 0}, opt: lsce.Options{Epsilon: 0.1, Weight: []float64{1e-300, 1e10, 1}}, mean: true, kind: lsce.ErrWeight, row: -1, class: -1},
	)
	// Probability targets: negative, NaN, +Inf at element 1, class 2.
	for _, v := range []float64{-0.5, nan, inf} {
		cs = append(cs,
			errCase{name: "probs (N,C)", logits: x, shape: []int{4, 3}, probs: with(q, 1*3+2, v), kind: lsce.ErrProbability, row: 1, class: 2},
			errCase{name: "probs (N,C,d)", logits: x, shape: []int{2, 3, 2}, probs: with(q, (0*3+2)*2+1, v), kind: lsce.ErrProbability, row: 1, class: 2},
		)
	}
	// ε outside [0, 1] and other settings.
	for _, eps := range []float64{-0.1, 1.5, nan, inf, -inf} {
		cs = append(cs, errCase{name: "epsilon", logits: x, shape: []int{4, 3}, targets: y4, opt: lsce.Options{Epsilon: eps}, kind: lsce.ErrOption, row: -1, class: -1})
	}
	cs = append(cs,
		errCase{name: "reduction", logits: x, shape: []int{4, 3}, targets: y4, opt: lsce.Options{Reduction: 7}, kind: lsce.ErrOption, row: -1, class: -1},
		errCase{name: "variant", logits: x, shape: []int{4, 3}, targets: y4, opt: lsce.Options{Variant: -1}, kind: lsce.ErrOption, row: -1, class: -1},
		errCase{name: "workers", logits: x, shape: []int{4, 3}, targets: y4, opt: lsce.Options{Workers: -2}, kind: lsce.ErrOption, row: -1, class: -1},
		// PyTorch 1.13 raises "ignore_index is not supported for floating point target".
		errCase{name: "ignore index with probs", logits: x, shape: []int{4, 3}, probs: q, opt: lsce.Options{IgnoreIndex: new(0)}, kind: lsce.ErrOption, row: -1, class: -1},
	)
	// Lengths and shapes that do not fit together.
	for _, c := range []errCase{
		{name: "logits vs shape", logits: x, shape: []int{4, 4}, targets: y4},
		{name: "empty shape", logits: x, shape: []int{}, targets: y4},
		{name: "negative dimension", logits: x, shape: []int{-4, -3}, targets: y4},
		{name: "overflowing shape", logits: x, shape: []int{1 << 40, 1 << 40, 1 << 40}, targets: y4},
		{name: "targets too few", logits: x, shape: []int{4, 3}, targets: y4[:3]},
		{name: "targets too many", logits: x, shape: []int{4, 3}, targets: append(y4, 0)},
		{name: "targets for K-dim", logits: x, shape: []int{2, 3, 2}, targets: y4[:2]},
		{name: "no targets", logits: x, shape: []int{4, 3}},
		{name: "probs length", logits: x, shape: []int{4, 3}, probs: q[:11]},
		{name: "targets and probs", logits: x, shape: []int{4, 3}, targets: y4, probs: q},
		{name: "weights length", logits: x, shape: []int{4, 3}, targets: y4, opt: lsce.Options{Weight: []float64{1, 1}}},
		{name: "gradient length", logits: x, shape: []int{4, 3}, targets: y4, grad: 11},
		{name: "no classes", logits: []float64{}, shape: []int{2, 0}, targets: []int{0, 0}},
		{name: "no classes, all ignored", logits: []float64{}, shape: []int{2, 0}, targets: []int{-100, -100}},
		{name: "no classes, probabilities", logits: []float64{}, shape: []int{2, 0, 3}, probs: []float64{}},
		{name: "no classes, 10^12 elements", logits: []float64{}, shape: []int{1_000_000, 0, 1_000_000}, probs: []float64{}},
		{name: "no classes, class-last", logits: []float64{}, shape: []int{1 << 40, 0}, targets: []int{}, opt: lsce.Options{ClassLast: true}},
	} {
		c.kind, c.row, c.class = lsce.ErrShape, -1, -1
		cs = append(cs, c)
	}
	return cs
}

func TestErrors(t *testing.T) {
	for _, c := range errCases() {
		for _, workers := range []int{0, 1} {
			opt := c.opt
			if opt.Workers == 0 {
				opt.Workers = workers
			}
			for _, red := range []lsce.Reduction{lsce.Mean, lsce.Sum, lsce.None} {
				if c.mean && red != lsce.Mean {
					continue
				}
				if opt.Reduction != 7 {
					opt.Reduction = red
				}
				checkErr(t, c, opt, runErr64(c, opt))
				checkErr(t, c, opt, runErr32(c, opt))
			}
		}
	}
}

func runErr64(c errCase, opt lsce.Options) error {
	var grad []float64
	if c.grad >= 0 {
		grad = make([]float64, len(c.logits))
		if c.grad > 0 {
			grad = grad[:c.grad]
		}
	}
	_, err := lsce.CrossEntropyGrad(grad, lsce.Input[float64]{Logits: c.logits, Shape: c.shape, Targets: c.targets, Probs: c.probs}, opt)
	return err
}

func runErr32(c errCase, opt lsce.Options) error {
	x := make([]float32, len(c.logits))
	for i, v := range c.logits {
		x[i] = float32(v)
	}
	var q []float32
	for _, v := range c.probs {
		q = append(q, float32(v))
	}
	if c.probs != nil && q == nil {
		q = []float32{}
	}
	var grad []float32
	if c.grad >= 0 {
		grad = make([]float32, len(x))
		if c.grad > 0 {
			grad = grad[:c.grad]
		}
	}
	_, err := lsce.CrossEntropyGrad(grad, lsce.Input[float32]{Logits: x, Shape: c.shape, Targets: c.targets, Probs: q}, opt)
	return err
}

func checkErr(t *testing.T, c errCase, opt lsce.Options, err error) {
	t.Helper()
	var le *lsce.Error
	if !errors.As(err, &le) {
		t.Errorf("%s (%+v): err = %v, want an *lsce.Error", c.name, opt, err)
		return
	}
	if !errors.Is(err, c.kind) || le.Kind != c.kind || le.Row != c.row || le.Class != c.class {
		t.Errorf("%s: %v (kind %v, row %d, class %d), want kind %v, row %d, class %d", c.name, err, le.Kind, le.Row, le.Class, c.kind, c.row, c.class)
	}
	if le.Msg == "" {
		t.Errorf("%s: empty message", c.name)
	}
}

// A nil *Result is an error, not a panic.
func TestIntoNilResult(t *testing.T) {
	err := lsce.CrossEntropyInto[float64](nil, nil, lsce.Input[float64]{Logits: []float64{1, 2}, Shape: []int{1, 2}, Targets: []int{0}}, lsce.Options{})
	if !errors.Is(err, lsce.ErrOption) {
		t.Errorf("nil dst: err = %v, want ErrOption", err)
	}
}

// The message names the row and class.
func TestErrorMessage(t *testing.T) {
	x := seq(12, logits12)
	x[7] = math.NaN()
	_, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: x, Shape: []int{4, 3}, Targets: []int{0, 1, 2, 0}}, lsce.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "row 2, class 1: ") || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("message %q, want it to start with \"row 2, class 1: \" and name NaN", err)
	}
	_, err = lsce.CrossEntropy(lsce.Input[float64]{Logits: seq(12, logits12), Shape: []int{4, 3}, Targets: []int{0, 1, 5, 0}}, lsce.Options{})
	if err == nil || !strings.HasPrefix(err.Error(), "row 2: ") || !strings.Contains(err.Error(), "5") {
		t.Errorf("message %q, want \"row 2: …\" naming the target 5", err)
	}
	_, err = lsce.CrossEntropy(lsce.Input[float64]{Logits: seq(12, logits12), Shape: []int{4, 3}, Targets: []int{0, 1, 2, 0}}, lsce.Options{Weight: []float64{1, -2, 1}})
	if err == nil || !strings.HasPrefix(err.Error(), "class 1: ") {
		t.Errorf("message %q, want \"class 1: …\"", err)
	}
}

// Bad data that would overflow the arithmetic is an error, not ±Inf or NaN.
func TestOverflowErrors(t *testing.T) {
	// Logits near the largest float64: LSE − z_y = 2e308 overflows.
	_, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: []float64{1e308, -1e308}, Shape: []int{1, 2}, Targets: []int{1}}, lsce.Options{Epsilon: 1})
	if !errors.Is(err, lsce.ErrNonFinite) {
		t.Errorf("logits ±1e308: err = %v, want ErrNonFinite", err)
	}
	// A denormal target weight: 1/Σ w_y overflows float32's gradient (the
	// float64 loss itself, 3.5e39, is finite).
	w := []float64{1, 1, 3.6734198463196485e-40, 1, 1}
	g := make([]float32, 10)
	_, err = lsce.CrossEntropyGrad(g, lsce.Input[float32]{Logits: make([]float32, 10), Shape: []int{2, 5}, Targets: []int{2, -100}}, lsce.Options{Epsilon: 1, Weight: w})
	if !errors.Is(err, lsce.ErrWeight) {
		t.Errorf("denormal Σ w_y, float32 gradient: err = %v, want ErrWeight", err)
	}
	// The loss alone and the float64 gradient are fine: the same input.
	if _, err := lsce.CrossEntropy(lsce.Input[float32]{Logits: make([]float32, 10), Shape: []int{2, 5}, Targets: []int{2, -100}}, lsce.Options{Epsilon: 1, Weight: w}); err != nil {
		t.Errorf("loss alone: %v", err)
	}
	// Probability targets so large that the float32 gradient overflows.
	_, err = lsce.CrossEntropyGrad(make([]float32, 3), lsce.Input[float32]{Logits: []float32{0, 1, 2}, Shape: []int{1, 3}, Probs: []float32{3e38, 3e38, 0}}, lsce.Options{Reduction: lsce.Sum})
	if !errors.Is(err, lsce.ErrProbability) {
		t.Errorf("huge probability targets: err = %v, want ErrProbability", err)
	}
}

// An ignored long row (the split path) leaves 0 in a reused Result's Losses,
// not the previous call's value.
func TestReuseIgnoredLongRow(t *testing.T) {
	const k = 1 << 16
	x := seq(2*k, func(i int) float64 { return math.Cos(float64(i)) })
	var dst lsce.Result
	opt := lsce.Options{Epsilon: 0.1, Reduction: lsce.None, Workers: 4}
	in := lsce.Input[float64]{Logits: x, Shape: []int{2, k}, Targets: []int{3, 4}}
	if err := lsce.CrossEntropyInto(&dst, nil, in, opt); err != nil {
		t.Fatal(err)
	}
	if dst.Losses[0] == 0 {
		t.Fatal("first call: loss 0")
	}
	first := dst.Losses[1]
	in.Targets = []int{lsce.DefaultIgnoreIndex, 4}
	if err := lsce.CrossEntropyInto(&dst, nil, in, opt); err != nil {
		t.Fatal(err)
	}
	if dst.Losses[0] != 0 || dst.NLLs[0] != 0 || dst.Smooths[0] != 0 || dst.Losses[1] != first || dst.Loss != first {
		t.Errorf("ignored row 0 after reuse: losses %v, nlls %v, smooths %v, loss %v (want 0 and %v)", dst.Losses, dst.NLLs, dst.Smooths, dst.Loss, first)
	}
}

// TestOverflowLocated: a loss that overflows float64 names the first row
// where it does, on every path (short rows, long rows, the general loop),
// not row −1: the row whose loss, or the running sum with it, overflows.
func TestOverflowLocated(t *testing.T) {
	for _, c := range []int{3, 700, 70000} {
		for _, softCap := range []float64{0, 1e308} {
			const n = 130 // three blocks of rows
			x := make([]float64, n*c)
			y := make([]int, n)
			x[100*c], x[100*c+1] = 1e308, -1e308
			y[100] = 1
			y[0] = lsce.DefaultIgnoreIndex
			_, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: x, Shape: []int{n, c}, Targets: y}, lsce.Options{Epsilon: 1, SoftCap: softCap})
			var le *lsce.Error
			if !errors.As(err, &le) || le.Kind != lsce.ErrNonFinite || le.Row != 100 {
				t.Errorf("C = %d, soft-cap %g: ±1e308 in row 100: err = %v, want ErrNonFinite at row 100", c, softCap, err)
			}
			x[100*c], x[100*c+1] = 0, 0
			_, err = lsce.CrossEntropy(lsce.Input[float64]{Logits: x, Shape: []int{n, c}, Targets: y}, lsce.Options{ZLoss: 1e308, SoftCap: softCap})
			// λ·ln²C: 1.2e308 per row for C = 3 (the sum overflows at row
			// 2), beyond float64 from row 1 on for C ≥ 700.
			want := 1
			if c == 3 {
				want = 2
			}
			if !errors.As(err, &le) || le.Kind != lsce.ErrNonFinite || le.Row != want {
				t.Errorf("C = %d, soft-cap %g: z-loss 1e308: err = %v, want ErrNonFinite at row %d", c, softCap, err, want)
			}
		}
	}
}

// TestErrMasked: an element whose classes are all masked is an ErrMasked
// error, which is also an ErrTarget, from CrossEntropy and from ShardLoss.
func TestErrMasked(t *testing.T) {
	mask := []bool{true, true, false, false, false, false} // row 1 all masked
	_, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: make([]float64, 6), Shape: []int{2, 3}, Targets: []int{0, 1}}, lsce.Options{ClassMask: mask})
	var le *lsce.Error
	if !errors.Is(err, lsce.ErrMasked) || !errors.Is(err, lsce.ErrTarget) || !errors.As(err, &le) || le.Row != 1 {
		t.Errorf("CrossEntropy: err = %v, want ErrMasked (and ErrTarget) at row 1", err)
	}
	_, err = lsce.ShardLoss([]lsce.RowStats{{Max: 0, SumExp: 1, K: 2, SumW: 2, WQ: 1}, {}}, []int{0, 1}, lsce.Options{})
	if !errors.Is(err, lsce.ErrMasked) || !errors.Is(err, lsce.ErrTarget) || !errors.As(err, &le) || le.Row != 1 {
		t.Errorf("ShardLoss: err = %v, want ErrMasked (and ErrTarget) at row 1", err)
	}
}
