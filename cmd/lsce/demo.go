package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/lsce/lsce/explain"
)

var cmdDemo = &command{
	name:  "demo",
	short: "the seed's cat/dog example, step by step",
	summary: `The seed's cat/dog example, step by step, checked against PyTorch's numbers.

Walks through label smoothing on the seed write-up's cat/dog example, step by
step as its spreadsheet does, and checks the five losses against the numbers
fastai/PyTorch printed there. Needs no files and takes no arguments.`,
	run: runDemo,
}

func runDemo(env *env, args []string) error {
	if len(args) > 0 {
		return usageErrorf("demo takes no arguments (see 'lsce explain' for your own data)")
	}
	ex, _ := explain.LookupExample("catdog")
	w, err := explain.New(ex.Input)
	if err != nil {
		return err
	}
	out := env.stdout
	fmt.Fprintln(out, `Label smoothing trains against softened labels: instead of 1 for the true class
and 0 elsewhere, q' = (1 − ε)·one-hot + ε/K, and the loss is the cross-entropy
−Σ q'·ln p. Here is the seed write-up's spreadsheet, five images of cats and dogs.`)
	fmt.Fprintln(out)
	if err := w.WriteText(out); err != nil {
		return err
	}
	// The check against the numbers the seed printed from PyTorch.
	var got, printed []string
	same := true
	for i, p := range ex.Printed {
		got = append(got, fmt.Sprintf("%.4f", w.Library[i]))
		printed = append(printed, fmt.Sprintf("%.4f", p))
		same = same && math.Abs(w.Library[i]-p) <= 0.5e-4
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "losses: [%s]\n", strings.Join(got, " "))
	fmt.Fprintf(out, "PyTorch check: the seed's LabelSmoothingCrossEntropy(ε=0.1, reduction='none')(X, y)\n")
	fmt.Fprintf(out, "  printed tensor([%s]): ", strings.Join(printed, ", "))
	if !same || !w.Match() {
		fmt.Fprintln(out, "MISMATCH")
		return fmt.Errorf("the losses differ from PyTorch's printed numbers")
	}
	fmt.Fprintln(out, "match.")
	fmt.Fprintln(out, `
Next:
  lsce explain --xlsx catdog.xlsx    the same steps as a live spreadsheet (edit ε or a logit)
  lsce explain --example animals     five classes, the seed's 0.92/0.02 labels
  lsce loss --logits X --targets Y   your own data (.npy or .csv)`)
	return nil
}
