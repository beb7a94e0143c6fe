package page

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain"
)

var updatePyTorch = flag.Bool("update-pytorch", false, "rewrite testdata/pytorch/*.py (then run testdata/pytorch/run.py with PyTorch)")

// pytorchCases are the inputs whose PyTorch lines were run in PyTorch.
func pytorchCases() map[string]struct {
	in      explain.Input
	variant lsce.Variant
} {
	catdog, _ := explain.LookupExample("catdog")
	animals, _ := explain.LookupExample("animals")
	animals.Input.Epsilon = 0.25
	return map[string]struct {
		in      explain.Input
		variant lsce.Variant
	}{
		"catdog":         {catdog.Input, lsce.Uniform},
		"animals-others": {animals.Input, lsce.Others},
		"shifted":        {explain.Input{Logits: []float64{800, -3.5, 799.25, -1e-3, 0, 1e-7}, N: 2, K: 3, Targets: []int{2, 0}, Epsilon: 1}, lsce.Uniform},
		"eps0":           {explain.Input{Logits: []float64{0.5, 2}, N: 1, K: 2, Targets: []int{1}, Epsilon: 0}, lsce.Uniform},
	}
}

// TestPyTorchLines checks the page's "Check it in PyTorch" lines: the lines
// this package writes are the ones in testdata/pytorch/*.py, which
// testdata/pytorch/run.py ran in PyTorch 1.13 (Debian's python3-torch),
// and the losses PyTorch printed (in *.json, full precision) are the
// library's.
func TestPyTorchLines(t *testing.T) {
	for name, c := range pytorchCases() {
		t.Run(name, func(t *testing.T) {
			p := &Parsed{Input: c.in, Variant: c.variant}
			res, err := Compute(p)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", "pytorch", name)
			if *updatePyTorch {
				if err := os.WriteFile(file+".py", []byte(res.PyTorch), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			run, err := os.ReadFile(file + ".py")
			if err != nil {
				t.Fatal(err)
			}
			if string(run) != res.PyTorch {
				t.Fatalf("the PyTorch lines changed from the ones run in PyTorch (%s.py):\n%s\nrewrite with -update-pytorch and run testdata/pytorch/run.py", file, res.PyTorch)
			}
			b, err := os.ReadFile(file + ".json")
			if err != nil {
				t.Fatalf("%v: run testdata/pytorch/run.py with PyTorch", err)
			}
			var torch []float64
			if err := json.Unmarshal(b, &torch); err != nil {
				t.Fatal(err)
			}
			if len(torch) != len(res.Library) {
				t.Fatalf("PyTorch printed %d losses, the library has %d", len(torch), len(res.Library))
			}
			for i := range torch {
				if d := torch[i] - res.Library[i]; d > 1e-12 || d < -1e-12 {
					t.Errorf("row %d: PyTorch %v, lsce %v", i, torch[i], res.Library[i])
				}
			}
		})
	}
}
