package calib

import (
	"reflect"
	"testing"
)

// Rows whose target is Options.IgnoreIndex count in no metric: the report
// equals the report of the other rows alone, and without IgnoreIndex the
// padding is an error.
func TestIgnoreIndex(t *testing.T) {
	logits := []float64{4.2, -2.4, 9, 9, 1.6, -0.6, 3.6, 1.2, -3, 3, -0.5, 0.5}
	targets := []int{0, -100, 1, 1, -100, 0}
	var keptLogits []float64
	var kept []int
	for i, y := range targets {
		if y != -100 {
			keptLogits = append(keptLogits, logits[2*i:2*i+2]...)
			kept = append(kept, y)
		}
	}
	want, err := Evaluate(keptLogits, len(kept), 2, kept, Options{Epsilon: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Evaluate(logits, len(targets), 2, targets, Options{Epsilon: 0.1, IgnoreIndex: new(-100)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with ignored rows:\n%+v\nwant the kept rows':\n%+v", got, want)
	}
	if _, err := Evaluate(logits, len(targets), 2, targets, Options{Epsilon: 0.1}); err == nil {
		t.Error("-100 targets without IgnoreIndex: no error")
	}
}
