package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchLinear runs `lsce bench --linear` on a small problem in both
// formats and precisions: the fused path against the materialised one.
func TestBenchLinear(t *testing.T) {
	for _, dtype := range []string{"float32", "float64"} {
		var out bytes.Buffer
		err := benchLinear(&env{stdout: &out, stderr: &out}, linearBenchArgs{Rows: 37, Hidden: 16, Classes: 300, Check: true, Format: "json", DType: dtype})
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("%v in %s", err, out.String())
		}
		for _, k := range []string{"fused_ms", "materialised_ms", "loss_rel_diff", "grad_max_abs_diff", "peak_rss_mb"} {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: no key %q in %s", dtype, k, out.String())
			}
		}
		// float32 through different summation orders: 1e-5; float64: 1e-12.
		tol := 1e-5
		if dtype == "float64" {
			tol = 1e-12
		}
		if d := got["loss_rel_diff"].(float64); d > tol {
			t.Errorf("%s: loss_rel_diff %g", dtype, d)
		}
		if d := got["grad_max_abs_diff"].(float64); d > tol {
			t.Errorf("%s: grad_max_abs_diff %g", dtype, d)
		}
	}
	var out bytes.Buffer
	if err := benchLinear(&env{stdout: &out}, linearBenchArgs{Rows: 4, Hidden: 3, Classes: 5}); err != nil || !strings.Contains(out.String(), "fused") {
		t.Errorf("text format: %v\n%s", err, out.String())
	}
	if err := benchLinear(&env{stdout: &out}, linearBenchArgs{Rows: 0, Hidden: 3, Classes: 5}); err == nil {
		t.Error("rows 0 accepted")
	}
	if err := benchLinear(&env{stdout: &out}, linearBenchArgs{Rows: 1, Hidden: 3, Classes: 5, DType: "int8"}); err == nil {
		t.Error("dtype int8 accepted")
	}
}
