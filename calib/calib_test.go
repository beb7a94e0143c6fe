package calib

import (
	"errors"
	"math"
	"testing"

	"github.com/lsce/lsce"
)

// close reports whether got is within tol of want, relatively (absolutely
// below 1).
func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

func check(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if !near(got, want, tol) {
		t.Errorf("%s = %.17g, want %.17g (tolerance %g)", name, got, want, tol)
	}
}

// logRows returns logits z = ln p for rows of probabilities, so that
// softmax(z) = p up to rounding.
func logRows(p [][]float64) []float64 {
	var z []float64
	for _, r := range p {
		for _, v := range r {
			z = append(z, math.Log(v))
		}
	}
	return z
}

// TestHandDerived checks every metric on four rows of three classes whose
// logits are ln p, with 4 bins (0, .25], (.25, .5], (.5, .75], (.75, 1].
//
//	row  p                 y  argmax  correct  conf  bin
//	0    .6   .3   .1      0  0       yes      .6    2
//	1    .55  .35  .1      1  0       no       .55   2
//	2    .1   .1   .8      2  2       yes      .8    3
//	3    .2   .4   .4      2  1 (tie) no       .4    1
//
// Row 3 ties classes 1 and 2: argmax takes the lower index, so it is wrong.
//
//	accuracy   = 2/4 = .5
//	NLL        = −(ln .6 + ln .35 + ln .8 + ln .4)/4
//	Brier rows: .4²+.3²+.1² = .26; .55²+.65²+.1² = .735; .1²+.1²+.2² = .06;
//	            .2²+.4²+.6² = .56;  mean = 1.615/4 = .40375
//	confidence = (.6+.55+.8+.4)/4 = .5875
//	logit gap  = (ln(.6/.3) + ln(.55/.35) + ln(.8/.1) + 0)/4 = (ln 16 + ln(11/7))/4
//	bins: 1: n=1 acc 0 conf .4 (gap .4); 2: n=2 acc .5 conf .575 (gap .075);
//	      3: n=1 acc 1 conf .8 (gap .2)
//	ECE = (.4 + 2·.075 + .2)/4 = .1875, MCE = .4
//	loss at ε = .1 (PyTorch): .9·(−ln p_y) + (.1/3)·Σ_c (−ln p_c), averaged.
func TestHandDerived(t *testing.T) {
	p := [][]float64{{.6, .3, .1}, {.55, .35, .1}, {.1, .1, .8}, {.2, .4, .4}}
	y := []int{0, 1, 2, 2}
	r, err := Evaluate(logRows(p), 4, 3, y, Options{Epsilon: 0.1, Bins: 4, NoFit: true})
	if err != nil {
		t.Fatal(err)
	}
	m := r.Metrics
	const tol = 1e-14 // a few roundings of values of order 1
	check(t, "accuracy", m.Accuracy, .5, 0)
	if m.HasTop5 {
		t.Error("HasTop5 with 3 classes")
	}
	check(t, "nll", m.NLL, -(math.Log(.6)+math.Log(.35)+math.Log(.8)+math.Log(.4))/4, tol)
	check(t, "brier", m.Brier, .40375, tol)
	check(t, "confidence", m.Confidence, .5875, tol)
	check(t, "logit gap", m.LogitGap, (math.Log(16)+math.Log(11.0/7))/4, tol)
	check(t, "ece", m.ECE, .1875, tol)
	check(t, "mce", m.MCE, .4, tol)
	var loss float64
	for i, row := range p {
		s := 0.0
		for _, v := range row {
			s -= math.Log(v)
		}
		loss += .9*-math.Log(row[y[i]]) + .1/3*s
	}
	check(t, "loss", r.Loss, loss/4, tol)
	want := []Bin{
		{Lo: 0, Hi: .25},
		{Lo: .25, Hi: .5, Count: 1, Correct: 0, Accuracy: 0, Confidence: .4},
		{Lo: .5, Hi: .75, Count: 2, Correct: 1, Accuracy: .5, Confidence: .575},
		{Lo: .75, Hi: 1, Count: 1, Correct: 1, Accuracy: 1, Confidence: .8},
	}
	for i, b := range m.Bins {
		w := want[i]
		if b.Count != w.Count || b.Correct != w.Correct || b.Lo != w.Lo || b.Hi != w.Hi || !near(b.Accuracy, w.Accuracy, tol) || !near(b.Confidence, w.Confidence, tol) {
			t.Errorf("bin %d = %+v, want %+v", i, b, w)
		}
	}
	if r.Temperature != 1 || r.Passes != 1 {
		t.Errorf("NoFit: temperature %v after %d passes, want 1 after 1", r.Temperature, r.Passes)
	}
}

// TestTop5 checks the rank rule on six classes: the target is in the top 5
// when fewer than 5 classes come before it (greater logit, or equal logit
// and lower index).
func TestTop5(t *testing.T) {
	z := []float64{
		5, 4, 3, 2, 1, 0, // y=4: 4 ahead → top-5
		5, 4, 3, 2, 1, 0, // y=5: 5 ahead → not
		1, 1, 1, 1, 1, 1, // y=4: indices 0..3 tie ahead → top-5
		1, 1, 1, 1, 1, 1, // y=5: 5 ahead (ties, lower index) → not; and not correct
		0, 0, 0, 0, 0, 9, // y=5: correct
	}
	r, err := Evaluate(z, 5, 6, []int{4, 5, 4, 5, 5}, Options{NoFit: true})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "top5", r.Metrics.Top5Accuracy, 3.0/5, 0)
	check(t, "accuracy", r.Metrics.Accuracy, 1.0/5, 0)
	if !r.Metrics.HasTop5 {
		t.Error("HasTop5 false with 6 classes")
	}
}

// TestTemperatureBinary checks the fit where it has a closed form. Two
// classes, every row z = (d, 0); a fraction q of the rows has target 0. With
// β = 1/T, p(class 0) = σ(β·d) for every row and
//
//	NLL(β) = −q·ln σ(βd) − (1−q)·ln(1 − σ(βd)),
//
// minimised where σ(βd) = q: T = d / ln(q/(1−q)). With q = 3/4 and d = 2,
// T = 2/ln 3 ≈ 1.820478. At that T every confidence is 3/4 and the accuracy
// 3/4, so ECE = 0, and NLL = −(¾ ln ¾ + ¼ ln ¼).
func TestTemperatureBinary(t *testing.T) {
	var z []float64
	var y []int
	for i := range 400 {
		z = append(z, 2, 0)
		y = append(y, min(i%4, 1)) // 0, 1, 1, 1 … → q = 1/4 for class 0?
	}
	// i%4 == 0 → target 0; else 1: q(target 0) = 1/4, so the model, which
	// always prefers class 0, is wrong 3/4 of the time and the fit must go
	// past T = ∞? No: with q < 1/2 the best β·d = ln(q/(1−q)) < 0 is not
	// reachable with T > 0 (f'(0) = mean(z̄ − z_y) = ¼·(1−2) + ¾·(1−0) > 0).
	r, err := Evaluate(z, 400, 2, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.TemperatureAtBound || r.Temperature != MaxTemperature {
		t.Errorf("worse than uniform: T = %v, at bound %v; want %v at bound", r.Temperature, r.TemperatureAtBound, MaxTemperature)
	}
	for i := range y {
		y[i] = 1 - y[i] // now q = 3/4
	}
	r, err = Evaluate(z, 400, 2, y, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "temperature", r.Temperature, 2/math.Log(3), 1e-12)
	check(t, "ece after", r.Calibrated.ECE, 0, 1e-12)
	check(t, "nll after", r.Calibrated.NLL, -(.75*math.Log(.75) + .25*math.Log(.25)), 1e-14)
	check(t, "confidence after", r.Calibrated.Confidence, .75, 1e-12)
	if r.TemperatureAtBound || r.Passes > 12 {
		t.Errorf("at bound %v after %d passes", r.TemperatureAtBound, r.Passes)
	}
	// Uncalibrated: confidence σ(2) in the bin (0.8, 0.8667], accuracy 3/4.
	s := 1 / (1 + math.Exp(-2))
	check(t, "ece before", r.Metrics.ECE, s-.75, 1e-14)
}

// TestTemperatureAllCorrect: every row right with a margin, so the NLL falls
// as T → 0 and the fit stops at MinTemperature.
func TestTemperatureAllCorrect(t *testing.T) {
	z := []float64{3, 1, 0, 0, 2, 1, 1, 0, 4}
	r, err := Evaluate(z, 3, 3, []int{0, 1, 2}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Temperature != MinTemperature || !r.TemperatureAtBound {
		t.Errorf("T = %v at bound %v, want %v at bound", r.Temperature, r.TemperatureAtBound, MinTemperature)
	}
	check(t, "nll after", r.Calibrated.NLL, 0, 1e-300)
	check(t, "accuracy after", r.Calibrated.Accuracy, 1, 0)
}

// TestBadInput checks that bad data and settings give located errors.
func TestBadInput(t *testing.T) {
	z := []float64{1, 2, 3, 4, 5, 6}
	nan := []float64{1, 2, 3, 4, math.NaN(), 6}
	inf := []float64{1, math.Inf(-1), 3, 4, 5, 6}
	wide := []float64{-1e200, 1e200, 0, 4, 5, 6}
	for _, tc := range []struct {
		name       string
		z          []float64
		n, c       int
		y          []int
		opt        Options
		kind       error
		row, class int
	}{
		{"nan", nan, 2, 3, []int{0, 1}, Options{}, lsce.ErrNonFinite, 1, 1},
		{"inf", inf, 2, 3, []int{0, 1}, Options{}, lsce.ErrNonFinite, 0, 1},
		{"wide", wide, 2, 3, []int{0, 1}, Options{}, lsce.ErrNonFinite, 0, -1},
		{"target", z, 2, 3, []int{0, 3}, Options{}, lsce.ErrTarget, 1, -1},
		{"negative target", z, 2, 3, []int{-1, 0}, Options{}, lsce.ErrTarget, 0, -1},
		{"short", z[:5], 2, 3, []int{0, 1}, Options{}, lsce.ErrShape, -1, -1},
		{"targets", z, 2, 3, []int{0}, Options{}, lsce.ErrShape, -1, -1},
		{"no rows", nil, 0, 3, nil, Options{}, lsce.ErrShape, -1, -1},
		{"one class", z, 6, 1, []int{0, 0, 0, 0, 0, 0}, Options{}, lsce.ErrOption, -1, -1},
		{"bins", z, 2, 3, []int{0, 1}, Options{Bins: -1}, lsce.ErrOption, -1, -1},
		{"many bins", z, 2, 3, []int{0, 1}, Options{Bins: MaxBins + 1}, lsce.ErrOption, -1, -1},
		{"epsilon", z, 2, 3, []int{0, 1}, Options{Epsilon: 1.5}, lsce.ErrOption, -1, -1},
		{"epsilon nan", z, 2, 3, []int{0, 1}, Options{Epsilon: math.NaN()}, lsce.ErrOption, -1, -1},
		{"temperature", z, 2, 3, []int{0, 1}, Options{Temperature: -1}, lsce.ErrOption, -1, -1},
		{"workers", z, 2, 3, []int{0, 1}, Options{Workers: -2}, lsce.ErrOption, -1, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Evaluate(tc.z, tc.n, tc.c, tc.y, tc.opt)
			var le *lsce.Error
			if !errors.As(err, &le) || !errors.Is(err, tc.kind) {
				t.Fatalf("error %v, want an *lsce.Error of kind %v", err, tc.kind)
			}
			if le.Row != tc.row || le.Class != tc.class {
				t.Errorf("error %q at row %d class %d, want row %d class %d", err, le.Row, le.Class, tc.row, tc.class)
			}
		})
	}
}

// TestFirstBadRow: with many workers, the error reported is the first bad
// row's, as a sequential pass would find.
func TestFirstBadRow(t *testing.T) {
	const n, c = 5000, 4
	z := make([]float32, n*c)
	y := make([]int, n)
	for _, i := range []int{4321, 1777, 3000} {
		z[i*c+2] = float32(math.NaN())
	}
	for w := 1; w <= 8; w++ {
		_, err := Evaluate(z, n, c, y, Options{Workers: w})
		var le *lsce.Error
		if !errors.As(err, &le) || le.Row != 1777 || le.Class != 2 {
			t.Errorf("workers %d: error %v, want row 1777 class 2", w, err)
		}
	}
}

// TestBinEdges checks the bin of values on and next to the edges: (lo, hi].
func TestBinEdges(t *testing.T) {
	tenth := 0.1 // a variable: Go constant arithmetic would make 7*0.1 exactly 0.7
	a, err := NewAccumulator(3, Options{Bins: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		conf float64
		bin  int
	}{
		{1e-300, 0}, {0.1, 0}, {math.Nextafter(0.1, 1), 1}, {0.3, 2}, {3 * tenth, 2}, {0.7, 6},
		{7 * tenth, 6}, {math.Nextafter(7*tenth, 1), 7}, {0.9999999, 9}, {1, 9},
	} {
		if got := a.bin(tc.conf); got != tc.bin {
			t.Errorf("bin(%.17g) = %d, want %d (edges %v)", tc.conf, got, tc.bin, a.edges)
		}
		// Cross-check with the definition: the b with edges[b] < conf ≤ edges[b+1].
		b := a.bin(tc.conf)
		if !(a.edges[b] < tc.conf && tc.conf <= a.edges[b+1]) {
			t.Errorf("conf %.17g not in (%v, %v]", tc.conf, a.edges[b], a.edges[b+1])
		}
	}
}
