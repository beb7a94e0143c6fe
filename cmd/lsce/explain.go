package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain"
	"github.com/lsce/lsce/tensorio"
)

// explainFlags are the settings of "lsce explain".
type explainFlags struct {
	example         string
	logits, targets string
	classes         string
	epsilon         float64
	format          string
	xlsx            string
	html            string
}

var explainOpts explainFlags

var cmdExplain = &command{
	name:  "explain",
	short: "the walk-through for any input: text, markdown, csv or a live spreadsheet",
	args:  "[--example catdog|animals | --logits FILE --targets FILE] [flags]",
	summary: `Label smoothing step by step: text, markdown, csv or a live spreadsheet.

Walks through label-smoothing cross-entropy step by step, as Aman Arora's
"Label Smoothing Explained using Microsoft Excel" (18 July 2020) does in a
spreadsheet: one-hot labels, smoothed labels q' = (1−ε)·one-hot + ε/K,
logits, exp, Σexp, probabilities, −q'·ln p, the loss per row, its decomposition
(1−ε)·H(q,p) + ε·H(u,p), and a check against the library (fastai/PyTorch
semantics).

The input is an embedded example (catdog, the default: the write-up's 5 images
of cats and dogs; animals: its 5 images of 5 animals) or two files: logits N×K and
N class-index targets (.npy or .csv, "-" for standard input). Class names come
from --classes, else a header line of the logits .csv, else "class 0", ….

--xlsx writes the same walk-through as a workbook with live formulas (edit ε
or a logit in Excel or LibreOffice and every table recomputes); the text is
then printed only when --format is given. --html writes the walk-through as
the live page of 'lsce serve' in one self-contained file that works opened from
disk, with the library compiled to WebAssembly inside (up to 1,000 rows × 100
classes).

Text and markdown take up to 1,000 rows and 50 classes; csv and the workbook up
to 1,048,576 logits (1,000 × 1,000 fits) and a sheet's 16,384 columns (2,728
classes). Exit 2 for bad usage or input (errors name the file and place).

Examples:
  lsce explain                                  the write-up's cat/dog walk-through
  lsce explain --example animals --epsilon 0.2  five classes, more smoothing
  lsce explain --xlsx catdog.xlsx               a live spreadsheet of it
  lsce explain --html catdog.html               a live page of it, to publish
  lsce explain --logits x.npy --targets y.npy --classes cat,dog --format markdown`,
	setFlags: func(fs *flag.FlagSet) {
		o := &explainOpts
		*o = explainFlags{}
		fs.StringVar(&o.example, "example", "", "embedded example: "+strings.Join(explain.ExampleNames(), " or ")+" (default catdog)")
		fs.StringVar(&o.logits, "logits", "", "logits `FILE`, N×K (.npy or .csv, - for stdin)")
		fs.StringVar(&o.targets, "targets", "", "targets `FILE`, N class indices (.npy or .csv, - for stdin)")
		fs.StringVar(&o.classes, "classes", "", "class `names`, comma-separated: cat,dog,…")
		fs.Float64Var(&o.epsilon, "epsilon", 0.1, "label smoothing ε in [0, 1]")
		fs.StringVar(&o.format, "format", "", "output: text, markdown or csv (default text)")
		fs.StringVar(&o.xlsx, "xlsx", "", "write the walk-through as a workbook to `OUT.xlsx`")
		fs.StringVar(&o.html, "html", "", "write the walk-through as a self-contained live page to `OUT.html`")
	},
	run: func(env *env, args []string) error { return runExplain(env, args, &explainOpts) },
}

func runExplain(env *env, args []string, f *explainFlags) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q (see 'lsce help explain')", args[0])
	}
	if err := checkOptions(lsce.Options{Epsilon: f.epsilon}, 0); err != nil {
		return err
	}
	format := f.format
	switch format {
	case "":
		if f.xlsx == "" && f.html == "" {
			format = "text"
		}
	case "text", "markdown", "csv":
	default:
		return usageErrorf("--format %q: want text, markdown or csv", format)
	}
	if f.xlsx == "-" {
		return usageErrorf("--xlsx -: standard output carries the walk-through; name a file")
	}
	if f.xlsx != "" {
		if err := checkOutput("--xlsx", f.xlsx, f.logits, f.targets); err != nil {
			return err
		}
	}
	if err := checkHTML(f); err != nil {
		return err
	}
	in, place, err := explainInput(env, f)
	if err != nil {
		return err
	}
	w, err := explain.New(in)
	if err != nil {
		return place(err)
	}
	// Text and markdown are small: render them first, so that an input too
	// large to read writes no workbook either.
	var text bytes.Buffer
	switch format {
	case "text":
		err = w.WriteText(&text)
	case "markdown":
		err = w.WriteMarkdown(&text)
	}
	if err != nil {
		return tooLargeOr(err, "writing the walk-through")
	}
	if f.xlsx != "" {
		if err := w.SaveXLSX(f.xlsx); err != nil {
			if errors.Is(err, explain.ErrTooLarge) {
				return inputError{err}
			}
			return outputError("--xlsx", f.xlsx, err)
		}
	}
	if err := writeHTML(f, w); err != nil {
		return err
	}
	switch format {
	case "text", "markdown":
		_, err = text.WriteTo(env.stdout)
	case "csv":
		err = w.WriteCSV(env.stdout)
	default:
		verdict := "match the library's"
		if !w.Match() {
			verdict = "DIFFER from the library's"
		}
		if f.xlsx != "" {
			_, err = fmt.Fprintf(env.stdout, "wrote %s: %s; the spreadsheet's losses %s\n", f.xlsx, w.Size(), verdict)
		}
		if f.html != "" && err == nil {
			_, err = fmt.Fprintf(env.stdout, "wrote %s: %s, a page that works opened from disk\n", f.html, w.Size())
		}
	}
	if err != nil {
		return tooLargeOr(err, "writing the walk-through")
	}
	if !w.Match() {
		return fmt.Errorf("the walk-through's losses differ from the library's by %.3g in row %d", w.MaxDiff, w.MaxDiffRow)
	}
	return nil
}

// tooLargeOr makes an input error of an explain.ErrTooLarge error, and
// prefixes any other error with what was being done.
func tooLargeOr(err error, format string, a ...any) error {
	if errors.Is(err, explain.ErrTooLarge) {
		return inputError{err}
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), err)
}

// explainInput builds the walk-through's input from the flags, and returns
// a function that names the file and place of an *lsce.Error from
// explain.New.
func explainInput(env *env, f *explainFlags) (explain.Input, func(error) error, error) {
	var in explain.Input
	place := func(err error) error {
		if le := (*lsce.Error)(nil); errors.As(err, &le) && le.Kind == lsce.ErrOption {
			return usageErrorf("%s", le.Msg)
		}
		return err
	}
	var classes []string
	if f.classes != "" {
		classes = strings.Split(f.classes, ",")
		for i := range classes {
			classes[i] = strings.TrimSpace(classes[i])
		}
	}
	if f.logits == "" && f.targets == "" {
		name := f.example
		if name == "" {
			name = "catdog"
		}
		ex, ok := explain.LookupExample(name)
		if !ok {
			return in, nil, usageErrorf("--example %q: want %s", name, strings.Join(explain.ExampleNames(), " or "))
		}
		in = ex.Input
		in.Epsilon = f.epsilon
		if classes != nil {
			if len(classes) != in.K {
				return in, nil, usageErrorf("--classes names %d classes; the %s example has %d", len(classes), name, in.K)
			}
			in.Classes = classes
		}
		return in, classPlace(place, classes != nil), nil
	}
	if f.example != "" {
		return in, nil, usageErrorf("--example and --logits/--targets exclude each other")
	}
	if f.logits == "" || f.targets == "" {
		return in, nil, usageErrorf("--logits and --targets go together (see 'lsce help explain')")
	}
	if f.logits == "-" && f.targets == "-" {
		return in, nil, usageErrorf("only one input can be standard input (-)")
	}
	logits, err := readInputMax(env, f.logits, explain.MaxLogits)
	var le *tensorio.LimitError
	if errors.As(err, &le) {
		if le.Shape != nil {
			n := 1
			for _, d := range le.Shape {
				n *= d
			}
			return in, nil, inputErrorf("%s: logits of shape %v: %d values, more than the %d a walk-through takes", le.File, le.Shape, n, le.Max)
		}
		return in, nil, inputErrorf("%s: more than the %d logits a walk-through takes", le.File, le.Max)
	}
	if err != nil {
		return in, nil, err
	}
	if !logits.DType.IsFloat() && logits.Format == tensorio.NPY {
		return in, nil, inputErrorf("%s: logits have dtype %s: want float32 or float64", logits.Name, logits.DType)
	}
	switch len(logits.Shape) {
	case 1:
		in.N, in.K = 1, logits.Shape[0]
	case 2:
		in.N, in.K = logits.Shape[0], logits.Shape[1]
	default:
		return in, nil, inputErrorf("%s: logits of shape %v: the walk-through takes N×K (rows of classes)", logits.Name, logits.Shape)
	}
	if in.N == 0 || in.K == 0 {
		return in, nil, inputErrorf("%s: logits of shape %v: the walk-through needs at least one row and one class", logits.Name, logits.Shape)
	}
	targets, err := readInput(env, f.targets)
	if err != nil {
		return in, nil, err
	}
	if n := targets.Len(); n != in.N || len(targets.Shape) > 2 || len(targets.Shape) == 2 && targets.Shape[1] != 1 {
		return in, nil, inputErrorf("%s: targets of shape %v: want %d class indices, one per row of %s", targets.Name, targets.Shape, in.N, logits.Name)
	}
	if in.Targets, err = targets.Ints(); err != nil {
		return in, nil, inputError{err}
	}
	in.Logits = logits.Float64s()
	in.Epsilon = f.epsilon
	fromHeader := false
	switch {
	case classes != nil:
		if len(classes) != in.K {
			return in, nil, usageErrorf("--classes names %d classes; %s has %d", len(classes), logits.Name, in.K)
		}
		in.Classes = classes
	case logits.Header != nil && len(logits.Header) == in.K:
		in.Classes = logits.Header
		fromHeader = true
	}
	filePlace := func(err error) error {
		var le *lsce.Error
		if !errors.As(err, &le) {
			return err
		}
		switch {
		case le.Kind == lsce.ErrNonFinite && le.Row >= 0 && le.Class >= 0:
			return inputErrorf("%s: %s: %s", logits.Name, logits.Where(le.Row*in.K+le.Class), le.Msg)
		case le.Kind == lsce.ErrTarget && le.Row >= 0:
			return inputErrorf("%s: %s: %s", targets.Name, targets.Where(le.Row), le.Msg)
		case fromHeader && strings.HasPrefix(le.Msg, "class name"):
			return inputErrorf("%s: header: %s", logits.Name, le.Msg)
		case le.Row >= 0 && le.Row < in.N && le.Kind != lsce.ErrOption:
			// A row's loss (overflow): the row as the file numbers it.
			where := fmt.Sprintf("row %d", le.Row)
			if logits.Format == tensorio.CSV && le.Row < len(logits.Lines) {
				where = fmt.Sprintf("row %d", logits.Lines[le.Row])
			}
			return inputErrorf("%s: %s: %s", logits.Name, where, le.Msg)
		}
		return place(err)
	}
	return in, classPlace(filePlace, classes != nil), nil
}

// classPlace turns errors about class names given with --classes into usage
// errors.
func classPlace(next func(error) error, fromFlag bool) func(error) error {
	return func(err error) error {
		if le := (*lsce.Error)(nil); errors.As(err, &le) && fromFlag && strings.HasPrefix(le.Msg, "class name") {
			return usageErrorf("--classes: %s", le.Msg)
		}
		return next(err)
	}
}
