package explain

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain/internal/xlsxcheck"

	"github.com/xuri/excelize/v2"
)

// workbook writes w's workbook and opens it again.
func workbook(t *testing.T, w *Walkthrough) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := w.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// calc evaluates one cell's formula with excelize's evaluator.
func calc(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.CalcCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("%s!%s: %v", sheet, cell, err)
	}
	return v
}

func calcFloat(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	s := calc(t, f, sheet, cell)
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%s!%s = %q: not a number", sheet, cell, s)
	}
	return x
}

// close reports whether a and b agree to rel relative to max(1, |b|).
func close(a, b, rel float64) bool {
	return math.Abs(a-b) <= rel*math.Max(1, math.Abs(b))
}

// inputs the workbook tests run on: the write-up's examples and random inputs
// whose logits reach the shifted range and beyond exp's.
func testInputs() map[string]Input {
	ins := map[string]Input{}
	for _, e := range Examples() {
		ins[e.Name] = e.Input
	}
	r := rand.New(rand.NewPCG(4, 2))
	for _, c := range []struct {
		name       string
		n, k       int
		scale, off float64
		eps        float64
	}{
		{"random-3x4", 3, 4, 3, 0, 0.2},
		{"large-4x3", 4, 3, 300, 0, 0.1},     // spreads beyond 745: p rounds to 0
		{"shifted-3x3", 3, 3, 5, 700, 0.3},   // max > 709: plain exp overflows
		{"negative-2x5", 2, 5, 5, -900, 0.1}, // all exps underflow without the shift
		{"k1-eps1", 3, 1, 2, 0, 1},
		{"eps0", 2, 3, 2, 0, 0},
	} {
		in := Input{N: c.n, K: c.k, Epsilon: c.eps}
		for range c.n * c.k {
			in.Logits = append(in.Logits, c.off+c.scale*r.NormFloat64())
		}
		for range c.n {
			in.Targets = append(in.Targets, r.IntN(c.k))
		}
		ins[c.name] = in
	}
	return ins
}

// TestWorkbookFormulas evaluates every formula of the workbook with
// excelize's evaluator: each must reproduce its cached value, and the loss
// column must equal the library's losses.
func TestWorkbookFormulas(t *testing.T) {
	for name, in := range testInputs() {
		t.Run(name, func(t *testing.T) {
			w, err := New(in)
			if err != nil {
				t.Fatal(err)
			}
			f := workbook(t, w)
			formulas, bad, err := xlsxcheck.Formulas(f, SheetWalkthrough, SheetLibrary)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range bad {
				t.Error(b)
			}
			l, _ := newLayout(in.N, in.K)
			// Per row: label, five K-wide tables, shift, Σexp, loss, H(q,p),
			// H(u,p), decomposition; three on the Library sheet; K, max, verdict.
			want := in.N*(5*in.K+7) + 3*in.N + 3
			if formulas != want {
				t.Errorf("%d formulas evaluated, want %d", formulas, want)
			}
			for i, lib := range w.Library {
				got := calcFloat(t, f, SheetWalkthrough, l.ref(l.loss, firstData+i))
				if !close(got, lib, 1e-12) {
					t.Errorf("row %d: spreadsheet loss %v, library %v", i, got, lib)
				}
			}
			if v := calc(t, f, SheetLibrary, "E3"); v != "match" {
				t.Errorf("Library!E3 = %q, want match", v)
			}
		})
	}
}

// TestWorkbookLive edits ε, a target and a logit in the workbook, as a
// learner would, and checks that the evaluated losses follow the library's
// for the edited input.
func TestWorkbookLive(t *testing.T) {
	e, _ := LookupExample("animals")
	w, err := New(e.Input)
	if err != nil {
		t.Fatal(err)
	}
	f := workbook(t, w)
	l, _ := newLayout(w.Input.N, w.Input.K)
	edited := e.Input
	edited.Logits = append([]float64(nil), e.Input.Logits...)
	edited.Targets = append([]int(nil), e.Input.Targets...)
	edited.Epsilon = 0.25
	edited.Logits[2*5+3] = 95 // row 2 now takes the shifted exp
	edited.Targets[4] = 1
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue(SheetWalkthrough, "B3", 0.25))
	must(f.SetCellValue(SheetWalkthrough, l.ref(l.logit+3, firstData+2), 95))
	must(f.SetCellValue(SheetWalkthrough, l.ref(2, firstData+4), 1))
	res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: edited.Logits, Shape: []int{5, 5}, Targets: edited.Targets},
		lsce.Options{Epsilon: 0.25, Reduction: lsce.None})
	must(err)
	for i, want := range res.Losses {
		for _, col := range []int{l.loss, l.decomp} {
			if got := calcFloat(t, f, SheetWalkthrough, l.ref(col, firstData+i)); !close(got, want, 1e-12) {
				t.Errorf("row %d, column %s after the edits: %v, library %v", i, l.letters[col], got, want)
			}
		}
	}
	if got := calcFloat(t, f, SheetWalkthrough, l.ref(l.shift, firstData+2)); got != 95 {
		t.Errorf("shift of the edited row: %v, want 95", got)
	}
	if got := calc(t, f, SheetWalkthrough, "C"+strconv.Itoa(firstData+4)); got != "cat" {
		t.Errorf("label after the target edit: %q, want cat", got)
	}
	if v := calc(t, f, SheetLibrary, "E3"); v != "differ" {
		t.Errorf("Library!E3 = %q after the edits, want differ", v)
	}
}
