package main

import (
	"fmt"
	"math"
	"strings"

	"github.com/lsce/lsce/explain"
)

var cmdDemo = &command{
	name:  "demo",
	short: "the write-up's cat/dog example, step by step",
	summary: `The write-up's cat/dog example, step by step, checked against PyTorch's numbers.

Walks through label smoothing (Szegedy et al. 2016, §7) on the cat/dog example
of Aman Arora's "Label Smoothing Explained using Microsoft Excel" (18 July
2020), step by step as its spreadsheet does, and checks the five losses against
the numbers fastai/PyTorch printed there. Needs no files and takes no
arguments.`,
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
−Σ q'·ln p (Szegedy et al. 2016, §7). Here is the spreadsheet of Aman Arora's
"Label Smoothing Explained using Microsoft Excel" (18 July 2020): five images
of cats and dogs.`)
	fmt.Fprintln(out)
	if err := w.WriteText(out); err != nil {
		return err
	}
	// The check against the numbers the write-up printed from PyTorch.
	var got, printed []string
	same := true
	for i, p := range ex.Printed {
		got = append(got, fmt.Sprintf("%.4f", w.Library[i]))
		printed = append(printed, fmt.Sprintf("%.4f", p))
		same = same && math.Abs(w.Library[i]-p) <= 0.5e-4
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "losses: [%s]\n", strings.Join(got, " "))
	fmt.Fprintf(out, "PyTorch check: the write-up's LabelSmoothingCrossEntropy(ε=0.1, reduction='none')(X, y)\n")
	fmt.Fprintf(out, "  printed tensor([%s]): ", strings.Join(printed, ", "))
	if !same || !w.Match() {
		fmt.Fprintln(out, "MISMATCH")
		return fmt.Errorf("the losses differ from PyTorch's printed numbers")
	}
	fmt.Fprintln(out, "match.")
	fmt.Fprintln(out, `
Next:
  lsce explain --xlsx catdog.xlsx    the same steps as a live spreadsheet (edit ε or a logit)
  lsce explain --example animals     five classes, the write-up's 0.92/0.02 labels
  lsce serve                         the same steps as a live page in your browser
  lsce loss --logits X --targets Y   your own data (.npy or .csv)`)
	return nil
}
