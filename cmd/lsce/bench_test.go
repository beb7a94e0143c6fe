package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lsce/lsce/internal/kernel"
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
	// --impl all: one JSON object per available implementation, the same loss.
	var all bytes.Buffer
	if code := cmdBench.exec([]string{"--rows", "7", "--classes", "300", "--impl", "all", "--reps", "1", "--format", "json"}, nil, &all, &all); code != 0 {
		t.Fatalf("--impl all: exit %d: %s", code, all.String())
	}
	dec := json.NewDecoder(&all)
	var seen []string
	autos := 0
	for dec.More() {
		var r benchReport
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, r.Impl)
		if r.Auto {
			autos++
		}
		if d := (r.Loss - losses["generic float32"]) / ref; d > 1e-6 || d < -1e-6 {
			t.Errorf("--impl all, %s: loss %v, generic %v", r.Impl, r.Loss, losses["generic float32"])
		}
	}
	if strings.Join(seen, ",") != strings.Join(kernel.Available(), ",") || autos != 1 {
		t.Errorf("--impl all reported %v (%d marked auto), want %v with one auto", seen, autos, kernel.Available())
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

// TestBenchTooLarge: sizes beyond the memory available are refused with one
// line before anything is allocated (not the runtime's fatal out of memory).
func TestBenchTooLarge(t *testing.T) {
	if _, ok := availableMemory(); !ok {
		t.Skip("the memory available is not known on this system: bench cannot check it")
	}
	var out, errb bytes.Buffer
	code := cmdBench.exec([]string{"--rows", "100000000", "--classes", "100000"}, nil, &out, &errb)
	msg := errb.String()
	if code != 1 || strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "100000000 × 100000 float32") || !strings.Contains(msg, "TiB") || !strings.Contains(msg, "memory available") {
		t.Errorf("exit %d, stderr %q; want exit 1 and one line naming the sizes and the memory", code, msg)
	}
}
