package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestBench runs `lsce bench` on a small problem with every kernel the
// machine has, checks the JSON keys and that the loss is the same number
// (to float32 accuracy) whichever kernel computed it, and checks bad flags.
func TestBench(t *testing.T) {
	losses := map[string]float64{}
	for _, impl := range []string{"auto", "avx2", "generic"} {
		for _, dtype := range []string{"float32", "float64"} {
			var out, errb bytes.Buffer
			code := cmdBench.exec([]string{"--rows", "7", "--classes", "300", "--dtype", dtype, "--impl", impl, "--reps", "1", "--format", "json"}, nil, &out, &errb)
			if code == 2 && impl == "avx2" && strings.Contains(errb.String(), "not available") {
				t.Logf("avx2 not available here: %s", errb.String())
				continue
			}
			if code != 0 {
				t.Fatalf("%s %s: exit %d: %s", impl, dtype, code, errb.String())
			}
			var got map[string]any
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("%v in %s", err, out.String())
			}
			for _, k := range []string{"forward_ms", "forward_backward_ms", "read_gbps", "loss"} {
				if _, ok := got[k].(float64); !ok {
					t.Errorf("no number %q in %s", k, out.String())
				}
			}
			losses[impl+" "+dtype] = got["loss"].(float64)
		}
	}
	ref := losses["generic float64"]
	for k, v := range losses {
		if d := (v - ref) / ref; d > 1e-6 || d < -1e-6 {
			t.Errorf("%s: loss %v, generic float64 %v", k, v, ref)
		}
	}
	var out bytes.Buffer
	if code := cmdBench.exec([]string{"--rows", "3", "--classes", "5", "--reps", "1", "--clock", "cpu"}, nil, &out, &out); code != 0 || !strings.Contains(out.String(), "forward + gradient") {
		t.Errorf("text format: exit %d\n%s", code, out.String())
	}
	for _, bad := range [][]string{{"--rows", "0"}, {"--dtype", "int8"}, {"--impl", "sse9"}, {"--format", "xml"}, {"--clock", "sundial"}, {"--reps", "0"}, {"--hidden", "3"}} {
		var e bytes.Buffer
		if code := cmdBench.exec(bad, nil, &out, &e); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", bad, code, e.String())
		}
	}
}
