package explain

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/lsce/lsce"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// torchCase is one case of testdata/torch.json, written by gen_torch.py with
// real PyTorch.
type torchCase struct {
	Logits  [][]float64 `json:"logits"`
	Targets []int       `json:"targets"`
	Epsilon float64     `json:"epsilon"`
	Torch   []float64   `json:"torch"`
	Fastai  []float64   `json:"fastai"`
}

func torchCases(t *testing.T) map[string]torchCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "torch.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases map[string]torchCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Cases
}

// TestTorch checks the walk-through's own losses (the sum of −q'·ln p, and
// the decomposition) against PyTorch's F.cross_entropy and the write-up's fastai
// class, in float64, including logits beyond plain exp's range.
func TestTorch(t *testing.T) {
	for name, c := range torchCases(t) {
		t.Run(name, func(t *testing.T) {
			in := Input{N: len(c.Logits), K: len(c.Logits[0]), Targets: c.Targets, Epsilon: c.Epsilon}
			for _, row := range c.Logits {
				in.Logits = append(in.Logits, row...)
			}
			w, err := New(in)
			if err != nil {
				t.Fatal(err)
			}
			for i := range in.N {
				for _, got := range []struct {
					what string
					v    float64
				}{{"loss", w.Loss[i]}, {"decomposition", w.Decomposed[i]}, {"library", w.Library[i]}} {
					// 1e-12: float64 sums of at most 5 terms of size ≤ 1e3.
					if !close(got.v, c.Torch[i], 1e-12) || !close(got.v, c.Fastai[i], 1e-12) {
						t.Errorf("row %d: %s %v, PyTorch %v, fastai %v", i, got.what, got.v, c.Torch[i], c.Fastai[i])
					}
				}
			}
			if !w.Match() {
				t.Errorf("no match with the library: %v", w.MaxDiff)
			}
		})
	}
}

// TestWriteupNumbers checks the catdog example against the numbers the write-up
// printed from fastai/PyTorch, and against the two-class closed form derived
// by hand: with d = z_other − z_y, H(q,p) = ln(1 + e^d) and
// H(u,p) = ln(1 + e^d) − d/2, so the loss is ln(1 + e^d) − ε·d/2.
func TestWriteupNumbers(t *testing.T) {
	e, _ := LookupExample("catdog")
	w, err := New(e.Input)
	if err != nil {
		t.Fatal(err)
	}
	for i, printed := range e.Printed {
		if math.Abs(w.Loss[i]-printed) > 0.5e-4 { // printed to 4 decimals
			t.Errorf("row %d: loss %v, the write-up printed %v", i, w.Loss[i], printed)
		}
		z := e.Input.Logits[2*i : 2*i+2]
		y := e.Input.Targets[i]
		d := z[1-y] - z[y]
		hand := math.Log1p(math.Exp(d)) - 0.1*d/2
		if !close(w.Loss[i], hand, 1e-14) {
			t.Errorf("row %d: loss %v, by hand %v", i, w.Loss[i], hand)
		}
		if !close(w.NLL[i], math.Log1p(math.Exp(d)), 1e-14) || !close(w.Uniform[i], math.Log1p(math.Exp(d))-d/2, 1e-14) {
			t.Errorf("row %d: H(q,p) %v, H(u,p) %v: by hand %v, %v", i, w.NLL[i], w.Uniform[i], math.Log1p(math.Exp(d)), math.Log1p(math.Exp(d))-d/2)
		}
	}
	// The write-up's first table: with ε = 0.1 and K = 5 the label gets 0.92 and
	// every other class 0.02.
	a, _ := LookupExample("animals")
	wa, err := New(a.Input)
	if err != nil {
		t.Fatal(err)
	}
	for j, q := range wa.Smoothed {
		want := 0.02
		if j%5 == j/5 {
			want = 0.92
		}
		if math.Abs(q-want) > 1e-15 {
			t.Errorf("smoothed label %d: %v, the write-up shows %v", j, q, want)
		}
	}
}

// TestGolden compares the rendered walk-throughs with testdata/*.golden
// (rewrite them with go test -update), and cross-checks the losses printed
// in each golden file with the oracles: the write-up's printed numbers for
// catdog, PyTorch's (torch.json) for both.
func TestGolden(t *testing.T) {
	cases := torchCases(t)
	for _, name := range ExampleNames() {
		e, _ := LookupExample(name)
		w, err := New(e.Input)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []struct {
			ext   string
			write func(*bytes.Buffer) error
		}{
			{"txt", func(b *bytes.Buffer) error { return w.WriteText(b) }},
			{"md", func(b *bytes.Buffer) error { return w.WriteMarkdown(b) }},
			{"csv", func(b *bytes.Buffer) error { return w.WriteCSV(b) }},
		} {
			var b bytes.Buffer
			if err := r.write(&b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+"."+r.ext+".golden")
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if r.ext == "csv" {
				// Full precision: the last digit may move with the math
				// library or the loss kernel (AVX2 or generic).
				if msg := csvNear(b.String(), string(want), 1e-13); msg != "" {
					t.Errorf("%s: %s", path, msg)
				}
			} else if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from the output:\n%s", path, b.String())
			}
		}
		// The golden text's step 8 and library line, against the oracles.
		text, _ := os.ReadFile(filepath.Join("testdata", name+".txt.golden"))
		step8 := regexp.MustCompile(`(?s)8\. Loss per row.*?\n\n`).Find(text)
		rows := regexp.MustCompile(`(?m)^  img-\d\.jpg +(\S+)$`).FindAllSubmatch(step8, -1)
		lib := regexp.MustCompile(`library losses: \[(.*)\]`).FindSubmatch(text)
		if len(rows) != 5 || lib == nil {
			t.Fatalf("%s: no step 8 table of 5 rows or no library line", name)
		}
		libs := strings.Split(string(lib[1]), ", ")
		for i, row := range rows {
			got, _ := strconv.ParseFloat(string(row[1]), 64)
			l, _ := strconv.ParseFloat(libs[i], 64)
			torch := cases[name].Torch[i]
			if math.Abs(got-torch) > 0.5e-4 || math.Abs(l-torch) > 0.5e-4 {
				t.Errorf("%s row %d: golden loss %v, library %v, PyTorch %v", name, i, got, l, torch)
			}
			if e.Printed != nil && (got != e.Printed[i] || l != e.Printed[i]) {
				t.Errorf("%s row %d: golden loss %v, library %v, the write-up printed %v", name, i, got, l, e.Printed[i])
			}
		}
		if !bytes.Contains(text, []byte("  match: every loss agrees with the walk-through's within 1e-9.")) {
			t.Errorf("%s: no match line", name)
		}
	}
}

// TestShiftedText checks the walk-through's text where plain exp would
// overflow: the exp table shows exp(logit − m) and names the shifted rows.
func TestShiftedText(t *testing.T) {
	w, err := New(Input{N: 2, K: 2, Logits: []float64{750, 749, 1, 2}, Targets: []int{0, 1}, Epsilon: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := w.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"4. exp(logit − m)", "(row 0), where it is that logit", "ln p is taken as logit − m − ln Σexp", "match"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	if w.Shift[0] != 750 || w.Shift[1] != 0 || w.Exp[0] != 1 || w.Exp[2] != math.Exp(1) {
		t.Errorf("shift %v, exp %v", w.Shift, w.Exp)
	}
}

// TestBadInput checks that bad input gets an error naming its kind and
// place, never a panic.
func TestBadInput(t *testing.T) {
	good := func() Input {
		e, _ := LookupExample("catdog")
		in := e.Input
		in.Logits = append([]float64(nil), in.Logits...)
		in.Targets = append([]int(nil), in.Targets...)
		return in
	}
	for _, c := range []struct {
		name       string
		edit       func(*Input)
		kind       error
		row, class int
	}{
		{"nan", func(in *Input) { in.Logits[7] = math.NaN() }, lsce.ErrNonFinite, 3, 1},
		{"inf", func(in *Input) { in.Logits[0] = math.Inf(-1) }, lsce.ErrNonFinite, 0, 0},
		{"target", func(in *Input) { in.Targets[2] = 2 }, lsce.ErrTarget, 2, -1},
		{"ignored", func(in *Input) { in.Targets[4] = -100 }, lsce.ErrTarget, 4, -1},
		{"eps", func(in *Input) { in.Epsilon = 1.5 }, lsce.ErrOption, -1, -1},
		{"eps-nan", func(in *Input) { in.Epsilon = math.NaN() }, lsce.ErrOption, -1, -1},
		{"shape", func(in *Input) { in.K = 3 }, lsce.ErrShape, -1, -1},
		{"empty", func(in *Input) { in.N, in.Logits, in.Targets = 0, nil, nil }, lsce.ErrShape, -1, -1},
		{"targets", func(in *Input) { in.Targets = in.Targets[:4] }, lsce.ErrShape, -1, -1},
		{"classes", func(in *Input) { in.Classes = []string{"cat"} }, lsce.ErrShape, -1, -1},
		{"duplicate", func(in *Input) { in.Classes = []string{"cat", "cat"} }, lsce.ErrShape, -1, -1},
		{"blank", func(in *Input) { in.Classes = []string{"cat", " "} }, lsce.ErrShape, -1, -1},
		{"control", func(in *Input) { in.Images[1] = "a\nb" }, lsce.ErrShape, -1, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := good()
			in.Images = append([]string(nil), in.Images...)
			c.edit(&in)
			_, err := New(in)
			var le *lsce.Error
			if !errors.As(err, &le) || !errors.Is(err, c.kind) || le.Row != c.row || le.Class != c.class {
				t.Fatalf("error %v (%#v), want kind %v at row %d, class %d", err, le, c.kind, c.row, c.class)
			}
		})
	}
}

// TestTooLarge checks the limits: a sheet's columns and rows, MaxLogits,
// and the readable size of text and markdown.
func TestTooLarge(t *testing.T) {
	for _, c := range []struct{ n, k int }{{1, 3000}, {SheetMaxRows, 1}, {1100, 1000}} {
		if _, err := newLayout(c.n, c.k); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%d×%d: %v, want ErrTooLarge", c.n, c.k, err)
		}
	}
	if _, err := newLayout(1000, 1000); err != nil {
		t.Errorf("1000×1000: %v", err)
	}
	// 6K + 16 columns: K = 2728 is the most that fits.
	if l, err := newLayout(1, 2728); err != nil || l.last != SheetMaxColumns {
		t.Errorf("1×2728: %v", err)
	}
	if _, err := newLayout(1, 2729); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1×2729: %v, want ErrTooLarge", err)
	}
	in := Input{N: 2, K: MaxTextClasses + 1, Logits: make([]float64, 2*(MaxTextClasses+1)), Targets: []int{0, 1}}
	w, err := New(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteText(&bytes.Buffer{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("text of %d classes: %v, want ErrTooLarge", in.K, err)
	}
	if err := w.WriteMarkdown(&bytes.Buffer{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("markdown of %d classes: %v, want ErrTooLarge", in.K, err)
	}
	if err := w.WriteCSV(&bytes.Buffer{}); err != nil {
		t.Errorf("csv of %d classes: %v", in.K, err)
	}
	if _, err := New(Input{N: 1100, K: 1000}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("New of 1100×1000: %v, want ErrTooLarge", err)
	}
	// A failed SaveXLSX leaves no file behind.
	big, err := New(Input{N: 1, K: 3000, Logits: make([]float64, 3000), Targets: []int{0}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := big.SaveXLSX(filepath.Join(dir, "big.xlsx")); !errors.Is(err, ErrTooLarge) {
		t.Errorf("SaveXLSX of 3000 classes: %v, want ErrTooLarge", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

// TestNamesAsText checks that class and image names that look like
// formulas are written as text: in the workbook (no formula, the name as
// its value) and in csv (prefixed with ').
func TestNamesAsText(t *testing.T) {
	names := []string{"=1+1", "+cat", "-dog", "@SUM(A1)"}
	in := Input{N: 2, K: 4, Logits: []float64{1, 2, 3, 4, 5, 6, 7, 8}, Targets: []int{0, 3},
		Classes: names, Images: []string{"=HYPERLINK(\"x\")", "ok"}, Epsilon: 0.1}
	w, err := New(in)
	if err != nil {
		t.Fatal(err)
	}
	f := workbook(t, w)
	l, _ := newLayout(2, 4)
	check := func(cell, want string) {
		t.Helper()
		if fm, _ := f.GetCellFormula(SheetWalkthrough, cell); fm != "" {
			t.Errorf("%s holds the formula %q", cell, fm)
		}
		if typ, _ := f.GetCellType(SheetWalkthrough, cell); typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want an inline string", cell, typ)
		}
		if v, _ := f.GetCellValue(SheetWalkthrough, cell); v != want {
			t.Errorf("%s = %q, want %q", cell, v, want)
		}
	}
	for _, b := range []int{l.oneHot, l.smooth, l.logit, l.exp, l.prob, l.term} {
		for c, name := range names {
			check(l.ref(b+c, headRow), name)
		}
	}
	check(l.ref(1, firstData), in.Images[0])
	if got := calc(t, f, SheetWalkthrough, kCell[1:2]+kCell[3:]); got != "4" {
		t.Errorf("K = COUNTA of the names: %q, want 4", got)
	}
	if got := calc(t, f, SheetWalkthrough, l.ref(3, firstData+1)); got != "@SUM(A1)" {
		t.Errorf("label of row 1: %q", got)
	}
	var b bytes.Buffer
	if err := w.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	// The csv holds the names exactly: it is data for programs.
	for _, want := range []string{`onehot,"=HYPERLINK(""x"")",=1+1,1`, "onehot,ok,@SUM(A1),1"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("csv lacks %q", want)
		}
	}
}

// TestRandomInputs runs the walk-through on random inputs across scales,
// from tiny logits to ones far beyond exp's range, and checks its invariants:
// every value finite, labels and probabilities summing to 1 per row, the
// decomposition equal to the summed terms, and the loss equal to the
// library's (lsce.CrossEntropy, itself checked against PyTorch), which
// computes it by another formula, (1−ε)(LSE − z_y) + ε(LSE − mean z).
func TestRandomInputs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	scales := []float64{1e-3, 1, 10, 100, 1e3, 1e5}
	offsets := []float64{0, 0, 79, -81, 700, -1e4}
	for trial := range 400 {
		in := Input{N: 1 + r.IntN(6), K: 1 + r.IntN(8), Epsilon: r.Float64()}
		if trial%10 == 0 {
			in.Epsilon = float64(trial % 20 / 10) // 0 and 1 exactly
		}
		scale, off := scales[r.IntN(len(scales))], offsets[r.IntN(len(offsets))]
		for range in.N * in.K {
			in.Logits = append(in.Logits, off+scale*r.NormFloat64())
		}
		for range in.N {
			in.Targets = append(in.Targets, r.IntN(in.K))
		}
		w, err := New(in)
		if err != nil {
			t.Fatal(err)
		}
		fail := func(format string, a ...any) {
			t.Helper()
			t.Fatalf("trial %d (%d×%d, scale %g, offset %g, ε %g): %s", trial, in.N, in.K, scale, off, in.Epsilon, fmt.Sprintf(format, a...))
		}
		for _, table := range [][]float64{w.OneHot, w.Smoothed, w.Shift, w.Exp, w.SumExp, w.Prob, w.LogProb, w.Terms, w.Loss, w.NLL, w.Uniform, w.Decomposed} {
			for _, v := range table {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					fail("a value is %v", v)
				}
			}
		}
		for i := range in.N {
			var q, p float64
			for c := range in.K {
				q += w.Smoothed[i*in.K+c]
				p += w.Prob[i*in.K+c]
			}
			// 1e-12: sums of at most 8 values in [0, 1].
			if math.Abs(q-1) > 1e-12 || math.Abs(p-1) > 1e-12 {
				fail("row %d: labels sum to %v, probabilities to %v", i, q, p)
			}
			if w.SumExp[i] < 1 && w.Shift[i] != 0 {
				fail("row %d: shifted Σexp %v < 1", i, w.SumExp[i])
			}
			if !close(w.Decomposed[i], w.Loss[i], 1e-12) {
				fail("row %d: decomposition %v, summed terms %v", i, w.Decomposed[i], w.Loss[i])
			}
		}
		if !w.Match() {
			fail("no match with the library: %v in row %d", w.MaxDiff, w.MaxDiffRow)
		}
	}
}

// csvNear compares two csv texts field by field, numbers within rel of
// max(1, |want|), and describes the first difference.
func csvNear(got, want string, rel float64) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		return fmt.Sprintf("%d lines, want %d", len(g), len(w))
	}
	for i := range g {
		gf, wf := strings.Split(g[i], ","), strings.Split(w[i], ",")
		if len(gf) != len(wf) {
			return fmt.Sprintf("line %d: %q, want %q", i+1, g[i], w[i])
		}
		for j := range gf {
			if gf[j] == wf[j] {
				continue
			}
			a, err1 := strconv.ParseFloat(gf[j], 64)
			b, err2 := strconv.ParseFloat(wf[j], 64)
			if err1 != nil || err2 != nil || !close(a, b, rel) {
				return fmt.Sprintf("line %d: %q, want %q", i+1, g[i], w[i])
			}
		}
	}
	return ""
}
