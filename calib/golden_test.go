package calib

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/lsce/lsce/tensorio"
)

// golden is testdata/overconfident.golden.json, written by
// scripts/calib/gen_golden.py (NumPy, independently of this package).
type golden struct {
	Rows, Classes, Bins int
	Epsilon             float64
	Before, After       goldenMetrics
	Temperature         float64
}

type goldenMetrics struct {
	Accuracy     float64 `json:"accuracy"`
	Top5Accuracy float64 `json:"top5_accuracy"`
	NLL          float64 `json:"nll"`
	Loss         float64 `json:"loss"`
	ECE          float64 `json:"ece"`
	MCE          float64 `json:"mce"`
	Brier        float64 `json:"brier"`
	Confidence   float64 `json:"confidence"`
	LogitGap     float64 `json:"logit_gap"`
	Bins         []struct {
		Lo, Hi, Accuracy, Confidence float64
		Count, Correct               int
	} `json:"bins"`
}

// loadOverconfident reads the golden case: 20000 rows of 10 float32 logits,
// three times too confident (tensorio is a test-only dependency).
func loadOverconfident(t testing.TB) (g golden, z []float32, y []int) {
	t.Helper()
	data, err := os.ReadFile("testdata/overconfident.golden.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	lt, err := tensorio.ReadFile("testdata/overconfident_logits.npy")
	if err != nil {
		t.Fatal(err)
	}
	tt, err := tensorio.ReadFile("testdata/overconfident_targets.npy")
	if err != nil {
		t.Fatal(err)
	}
	if lt.DType != tensorio.Float32 || len(lt.F32) != g.Rows*g.Classes || tt.Len() != g.Rows {
		t.Fatalf("testdata: logits %v %v, targets %v do not fit %d×%d", lt.DType, lt.Shape, tt.Shape, g.Rows, g.Classes)
	}
	z = lt.F32
	if y, err = tt.Ints(); err != nil {
		t.Fatal(err)
	}
	return g, z, y
}

func TestGolden(t *testing.T) {
	g, z, y := loadOverconfident(t)
	r, err := Evaluate(z, g.Rows, g.Classes, y, Options{Epsilon: g.Epsilon, Bins: g.Bins})
	if err != nil {
		t.Fatal(err)
	}
	// Sums of 20000 terms in a different order and a different softmax
	// formula: agreement to ~1e-15 relative is expected; 1e-12 leaves room.
	const tol = 1e-12
	compare := func(name string, m Metrics, w goldenMetrics) {
		check(t, name+" accuracy", m.Accuracy, w.Accuracy, 0)
		check(t, name+" top5", m.Top5Accuracy, w.Top5Accuracy, 0)
		check(t, name+" nll", m.NLL, w.NLL, tol)
		check(t, name+" ece", m.ECE, w.ECE, tol)
		check(t, name+" mce", m.MCE, w.MCE, tol)
		check(t, name+" brier", m.Brier, w.Brier, tol)
		check(t, name+" confidence", m.Confidence, w.Confidence, tol)
		check(t, name+" logit gap", m.LogitGap, w.LogitGap, tol)
		if len(m.Bins) != len(w.Bins) {
			t.Fatalf("%s: %d bins, want %d", name, len(m.Bins), len(w.Bins))
		}
		for i, b := range m.Bins {
			wb := w.Bins[i]
			if b.Count != wb.Count || b.Correct != wb.Correct || b.Lo != wb.Lo || b.Hi != wb.Hi ||
				!near(b.Accuracy, wb.Accuracy, tol) || !near(b.Confidence, wb.Confidence, tol) {
				t.Errorf("%s bin %d = %+v, want %+v", name, i, b, wb)
			}
		}
	}
	compare("before", r.Metrics, g.Before)
	// The loss comes from lsce.CrossEntropy, whose float32 kernels promise
	// 1e-6 relative per row (internal/kernel's contract); in float64 it
	// matches to rounding.
	check(t, "loss (float32)", r.Loss, g.Before.Loss, 1e-6)
	z64 := make([]float64, len(z))
	for i, v := range z {
		z64[i] = float64(v)
	}
	r64, err := Evaluate(z64, g.Rows, g.Classes, y, Options{Epsilon: g.Epsilon, Bins: g.Bins, NoFit: true})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "loss (float64)", r64.Loss, g.Before.Loss, tol)
	compare("before (float64)", r64.Metrics, g.Before)
	// The golden T is the float where NumPy's dNLL/dβ changes sign; both
	// slopes carry rounding noise of ~1e-16, and f″ ≈ 9 here, so T agrees to
	// ~1e-14: compare to 1e-11, and the metrics at T to 1e-10.
	check(t, "temperature", r.Temperature, g.Temperature, 1e-11)
	if r.TemperatureAtBound {
		t.Error("temperature at bound")
	}
	check(t, "nll after", r.Calibrated.NLL, g.After.NLL, 1e-12)
	check(t, "ece after", r.Calibrated.ECE, g.After.ECE, 1e-10)
	check(t, "mce after", r.Calibrated.MCE, g.After.MCE, 1e-10)
	check(t, "brier after", r.Calibrated.Brier, g.After.Brier, 1e-10)
	check(t, "confidence after", r.Calibrated.Confidence, g.After.Confidence, 1e-10)
	check(t, "logit gap after", r.Calibrated.LogitGap, g.After.LogitGap, 1e-10)
	check(t, "accuracy after", r.Calibrated.Accuracy, g.After.Accuracy, 0)
	for i, b := range r.Calibrated.Bins {
		if wb := g.After.Bins[i]; b.Count != wb.Count {
			t.Errorf("after: bin %d holds %d rows, want %d", i, b.Count, wb.Count)
		}
	}
	t.Logf("T = %.9f (golden %.9f) after %d passes; ECE %.4f → %.4f", r.Temperature, g.Temperature, r.Passes, r.Metrics.ECE, r.Calibrated.ECE)
}
