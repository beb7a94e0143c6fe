package lsce_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsce/lsce"
)

// optionsCase is one case of testdata/golden/options/*.json, written by
// scripts/golden/gen_options.py from torch primitives and autograd.
type optionsCase struct {
	Name        string                   `json:"name"`
	DType       string                   `json:"dtype"`
	Shape       []int                    `json:"shape"`
	Logits      []float64                `json:"logits"`
	NegInf      []int                    `json:"neginf"`
	Targets     []int                    `json:"targets"`
	Probs       []float64                `json:"probs"`
	Weight      []float64                `json:"weight"`
	IgnoreIndex *int                     `json:"ignore_index"`
	Epsilon     float64                  `json:"epsilon"`
	Variant     string                   `json:"variant"`
	ZLoss       float64                  `json:"z_loss"`
	SoftCap     float64                  `json:"softcap"`
	Mask        []bool                   `json:"mask"`
	ZeroFloor   bool                     `json:"zero_floor"`
	Results     map[string]optionsResult `json:"results"`
}

type optionsResult struct {
	Loss        float64   `json:"loss"`
	NLL         float64   `json:"nll"`
	Smooth      float64   `json:"smooth"`
	ZLoss       float64   `json:"zloss"`
	Floor       float64   `json:"floor"`
	Denominator float64   `json:"denominator"`
	Counted     int       `json:"counted"`
	Grad        []float64 `json:"grad"`
	Losses      []float64 `json:"losses"`
	NLLs        []float64 `json:"nlls"`
	Smooths     []float64 `json:"smooths"`
}

func loadOptionsGolden(t *testing.T) []optionsCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "options", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files under testdata/golden/options (regenerate with /usr/bin/python3 scripts/golden/gen_options.py): %v", err)
	}
	var all []optionsCase
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Cases []optionsCase }
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		all = append(all, doc.Cases...)
	}
	return all
}

// TestOptionsGolden checks z-loss, soft-capping, class masks and the
// zero-floor form, alone and composed with weights, ignore index, both
// variants, every reduction and both precisions, against the PyTorch-built
// golden files: loss, its parts, per-element losses and the gradient.
func TestOptionsGolden(t *testing.T) {
	cases := loadOptionsGolden(t)
	if len(cases) < 100 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, c := range cases {
		for _, red := range []string{"mean", "sum", "none"} {
			t.Run(c.Name+"/"+red, func(t *testing.T) {
				if c.DType == "float32" {
					checkOptionsCase[float32](t, c, red)
				} else {
					checkOptionsCase[float64](t, c, red)
				}
			})
		}
	}
}

func checkOptionsCase[T lsce.Float](t *testing.T, c optionsCase, red string) {
	logits := make([]T, len(c.Logits))
	for i, v := range c.Logits {
		logits[i] = T(v)
	}
	for _, at := range c.NegInf {
		logits[at] = T(math.Inf(-1))
	}
	in := lsce.Input[T]{Logits: logits, Shape: c.Shape, Targets: c.Targets}
	if c.Probs != nil {
		in.Probs = make([]T, len(c.Probs))
		for i, v := range c.Probs {
			in.Probs[i] = T(v)
		}
	}
	r, err := lsce.ParseReduction(red)
	if err != nil {
		t.Fatal(err)
	}
	v, err := lsce.ParseVariant(c.Variant)
	if err != nil {
		t.Fatal(err)
	}
	opt := lsce.Options{Epsilon: c.Epsilon, Reduction: r, Weight: c.Weight, IgnoreIndex: c.IgnoreIndex,
		Variant: v, ZLoss: c.ZLoss, SoftCap: c.SoftCap, ClassMask: c.Mask, ZeroFloor: c.ZeroFloor, Workers: 1}
	want := c.Results[red]
	grad := make([]T, len(logits))
	got, err := lsce.CrossEntropyGrad(grad, in, opt)
	if err != nil {
		t.Fatal(err)
	}
	// Tolerances: float64 data is computed with float64 arithmetic throughout,
	// so 1e-12 relative leaves room for summation order only. float32 logits
	// and weights are exact in the golden files, but the vectorised float32
	// row kernels may accumulate in float32 over short blocks (their contract:
	// within 1e-6 relative of float64; here about 3e-9 is seen) and the
	// gradient is rounded to float32 (2^-24 ≈ 6e-8): 1e-6 relative.
	tol, gtol := 1e-12, 1e-12
	if c.DType == "float32" {
		tol, gtol = 1e-6, 1e-6
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %.12g, want %.12g (diff %.3g)", what, got, want, got-want)
		}
	}
	near("Loss", got.Loss, want.Loss)
	near("NLL", got.NLL, want.NLL)
	near("Smooth", got.Smooth, want.Smooth)
	near("ZLoss", got.ZLoss, want.ZLoss)
	near("Floor", got.Floor, want.Floor)
	near("Denominator", got.Denominator, want.Denominator)
	if got.Counted != want.Counted {
		t.Errorf("Counted = %d, want %d", got.Counted, want.Counted)
	}
	if red == "none" {
		if len(got.Losses) != len(want.Losses) {
			t.Fatalf("%d losses, want %d", len(got.Losses), len(want.Losses))
		}
		for i := range want.Losses {
			near(fmt.Sprintf("Losses[%d]", i), got.Losses[i], want.Losses[i])
			near(fmt.Sprintf("NLLs[%d]", i), got.NLLs[i], want.NLLs[i])
			near(fmt.Sprintf("Smooths[%d]", i), got.Smooths[i], want.Smooths[i])
		}
	}
	gmax := 0.0
	for _, g := range want.Grad {
		gmax = math.Max(gmax, math.Abs(g))
	}
	for i, g := range want.Grad {
		if d := math.Abs(float64(grad[i]) - g); d > gtol*math.Max(gmax, 1e-3) || math.IsNaN(d) {
			t.Errorf("grad[%d] = %.10g, want %.10g", i, float64(grad[i]), g)
		}
	}
}

// TestOptionsGoldenLossOnly checks that the loss without a gradient buffer
// (CrossEntropy) gives the same numbers, over every golden case.
func TestOptionsGoldenLossOnly(t *testing.T) {
	for _, c := range loadOptionsGolden(t) {
		if c.DType != "float64" {
			continue
		}
		logits := append([]float64(nil), c.Logits...)
		for _, at := range c.NegInf {
			logits[at] = math.Inf(-1)
		}
		v, _ := lsce.ParseVariant(c.Variant)
		opt := lsce.Options{Epsilon: c.Epsilon, Weight: c.Weight, IgnoreIndex: c.IgnoreIndex, Variant: v,
			ZLoss: c.ZLoss, SoftCap: c.SoftCap, ClassMask: c.Mask, ZeroFloor: c.ZeroFloor}
		got, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: logits, Shape: c.Shape, Targets: c.Targets, Probs: c.Probs}, opt)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if want := c.Results["mean"].Loss; math.Abs(got.Loss-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: loss %.15g, want %.15g", c.Name, got.Loss, want)
		}
	}
}

// TestClassMaskErrors: a target in a masked class, or a row with every class
// masked, is an error naming the row, never ±Inf or NaN.
func TestClassMaskErrors(t *testing.T) {
	inf := math.Inf(-1)
	in := lsce.Input[float64]{Logits: []float64{1, inf, 2, 0, 1, 2}, Shape: []int{2, 3}, Targets: []int{0, 1}}
	_, err := lsce.CrossEntropy(in, lsce.Options{Epsilon: 0.1, ClassMask: []bool{true, false, true, true, false, true}})
	var le *lsce.Error
	if !errorsAs(err, &le) || le.Row != 1 || le.Class != 1 {
		t.Errorf("target in a masked class: err = %v, want row 1, class 1", err)
	}
	_, err = lsce.CrossEntropy(in, lsce.Options{Epsilon: 0.1, ClassMask: []bool{false, false, false, true, true, true}})
	if !errorsAs(err, &le) || le.Row != 0 {
		t.Errorf("every class masked: err = %v, want row 0", err)
	}
	// −Inf in an allowed class is bad input too.
	_, err = lsce.CrossEntropy(in, lsce.Options{Epsilon: 0.1, ClassMask: []bool{true, true, true}})
	if !errorsAs(err, &le) || le.Row != 0 || le.Class != 1 {
		t.Errorf("−Inf in an allowed class: err = %v, want row 0, class 1", err)
	}
}

func errorsAs(err error, le **lsce.Error) bool { return errors.As(err, le) }
