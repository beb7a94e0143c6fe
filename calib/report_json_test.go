package calib

import (
	"bytes"
	"encoding/json"
	"testing"
)

// testReport is a Report written by hand (not computed), with distinct
// values so that a field copied into the wrong key shows.
func testReport(noFit bool, classes int) *Report {
	return &Report{
		Metrics: Metrics{Rows: 4, Classes: classes, Temperature: 1, Accuracy: 0.5, Top5Accuracy: 0.75, HasTop5: classes >= 5,
			NLL: 0.625, ECE: 0.1875, MCE: 0.4, Brier: 0.40375, Confidence: 0.5875, LogitGap: 1.5,
			Bins: []Bin{{Lo: 0, Hi: 0.5, Count: 1, Correct: 0, Accuracy: 0, Confidence: 0.25}, {Lo: 0.5, Hi: 1, Count: 3, Correct: 2, Accuracy: 2.0 / 3, Confidence: 0.75}}},
		Epsilon: 0.1, Loss: 0.875,
		Temperature: 2.5, TemperatureAtBound: false, NoFit: noFit,
		Calibrated: Metrics{Rows: 4, Classes: classes, Temperature: 2.5, Accuracy: 0.5, NLL: 0.5, ECE: 0.0625, MCE: 0.125, Brier: 0.3125,
			Bins: []Bin{{Lo: 0, Hi: 0.5, Count: 2, Correct: 1, Accuracy: 0.5, Confidence: 0.375}, {Lo: 0.5, Hi: 1, Count: 2, Correct: 1, Accuracy: 0.5, Confidence: 0.625}}},
		Passes: 7,
	}
}

// TestWriteJSON checks the exact text of the JSON form against the
// documented keys, with and without a fit.
func TestWriteJSON(t *testing.T) {
	const head = `{
  "rows": 4,
  "classes": 3,
  "epsilon": 0.1,
  "accuracy": 0.5,
  "top5_accuracy": null,
  "nll": 0.625,
  "loss": 0.875,
  "ece": 0.1875,
  "mce": 0.4,
  "brier": 0.40375,
  "confidence": 0.5875,
  "logit_gap": 1.5,
`
	const fit = `  "temperature": 2.5,
  "temperature_at_bound": false,
  "ece_calibrated": 0.0625,
  "nll_calibrated": 0.5,
  "brier_calibrated": 0.3125,
`
	const bins = `  "bins": [
    {
      "lo": 0,
      "hi": 0.5,
      "count": 1,
      "accuracy": 0,
      "confidence": 0.25
    },
    {
      "lo": 0.5,
      "hi": 1,
      "count": 3,
      "accuracy": 0.6666666666666666,
      "confidence": 0.75
    }
  ]`
	const binsCal = `,
  "bins_calibrated": [
    {
      "lo": 0,
      "hi": 0.5,
      "count": 2,
      "accuracy": 0.5,
      "confidence": 0.375
    },
    {
      "lo": 0.5,
      "hi": 1,
      "count": 2,
      "accuracy": 0.5,
      "confidence": 0.625
    }
  ]`
	for _, c := range []struct {
		noFit bool
		want  string
	}{
		{false, head + fit + bins + binsCal + "\n}\n"},
		{true, head + bins + "\n}\n"},
	} {
		var b bytes.Buffer
		if err := WriteJSON(&b, testReport(c.noFit, 3)); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("NoFit %v: got\n%s\nwant\n%s", c.noFit, b.String(), c.want)
		}
	}
}

// TestMarshalJSONTop5: with C ≥ 5 top5_accuracy is a number, and a Report
// value marshals as its pointer does.
func TestMarshalJSONTop5(t *testing.T) {
	r := testReport(false, 5)
	byValue, err := json.Marshal(*r)
	if err != nil {
		t.Fatal(err)
	}
	byPointer, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(byValue, byPointer) {
		t.Errorf("value and pointer marshal differently:\n%s\n%s", byValue, byPointer)
	}
	var obj map[string]any
	if err := json.Unmarshal(byValue, &obj); err != nil {
		t.Fatal(err)
	}
	if v, ok := obj["top5_accuracy"].(float64); !ok || v != 0.75 {
		t.Errorf("top5_accuracy = %v, want 0.75", obj["top5_accuracy"])
	}
}

// TestRunNoFit: Run with NoFit marks the Report, and a fit does not.
func TestRunNoFit(t *testing.T) {
	z := []float64{2, 0, 0, 1, 0, 3, 1, 1, 0}
	y := []int{0, 0, 2}
	for _, noFit := range []bool{false, true} {
		r, err := Evaluate(z, 3, 3, y, Options{NoFit: noFit})
		if err != nil {
			t.Fatal(err)
		}
		if r.NoFit != noFit {
			t.Errorf("Options.NoFit %v: Report.NoFit %v", noFit, r.NoFit)
		}
	}
}
