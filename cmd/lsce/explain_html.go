package main

import (
	"errors"
	"io"
	"strconv"

	"github.com/lsce/lsce/explain"
	"github.com/lsce/lsce/explain/page"
	"github.com/lsce/lsce/internal/outfile"
)

// checkHTML checks --html before any work.
func checkHTML(f *explainFlags) error {
	if f.html == "" {
		return nil
	}
	if f.html == "-" {
		return usageErrorf("--html -: standard output carries the walk-through; name a file")
	}
	return checkOutput("--html", f.html, f.logits, f.targets)
}

// writeHTML writes --html: the live page of "lsce serve" as one file, for
// the walk-through's input.
func writeHTML(f *explainFlags, w *explain.Walkthrough) error {
	if f.html == "" {
		return nil
	}
	in := w.Input
	if in.N > page.MaxRows || in.K > page.MaxClasses {
		return inputErrorf("--html: %d rows × %d classes: the page takes up to %d rows × %d classes (--xlsx takes more)", in.N, in.K, page.MaxRows, page.MaxClasses)
	}
	req := &page.Request{Data: page.ExampleData(in), Epsilon: strconv.FormatFloat(in.Epsilon, 'g', -1, 64), Variant: "uniform"}
	err := outfile.Write(f.html, func(out io.Writer) error { return page.WriteStatic(out, req) })
	if errors.Is(err, page.ErrNoWasm) {
		return err
	}
	if err != nil {
		return outputError("--html", f.html, err)
	}
	return nil
}
