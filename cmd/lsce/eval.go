package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/calib/reliability"
	"github.com/lsce/lsce/tensorio"
)

// evalFlags are the settings of "lsce eval".
type evalFlags struct {
	logits, targets string
	epsilon         float64
	bins            int
	plot            string
	format          string
	workers         int
	noFit           bool
	ignoreIndex     int
	progress        string
}

var cmdEval = func() *command {
	f := new(evalFlags)
	return &command{
		name:  "eval",
		short: "calibration: accuracy, NLL, ECE, Brier, temperature, reliability diagram",
		args:  "--logits FILE --targets FILE [flags]",
		summary: `Calibration of logits: accuracy, NLL, ECE, Brier, temperature scaling and a
reliability diagram.

Reports how well the softmax confidences of logits match how often they are
right, as given and after fitting a temperature T on the same data
(Guo et al. 2017), with the label-smoothed loss at --epsilon beside them.

FILE is a .npy file (logits float32 or float64 of shape (N, C); targets
integer or integral floating class indices of shape (N) or (N, 1)) or a .csv
file (one row of C logits per line, targets one column; an optional header
line of names). "-" reads standard input. A regular .npy file is streamed in
chunks, read once per pass of the temperature fit; a .csv file, or any input
that is not a regular file (a pipe, a FIFO), is read once into memory.
Rows whose target is --ignore-index (PyTorch's −100 by default) are left
out of every metric, as lsce loss leaves them out of the mean.

Errors name the file and place: in a .csv file the 1-based line and column, in
a .npy file the 0-based NumPy index. Exit 2 for bad usage or input, 1 otherwise.`,
		setFlags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.logits, "logits", "", "logits `FILE`, shape (N, C) (.npy or .csv, - for stdin)")
			fs.StringVar(&f.targets, "targets", "", "targets `FILE`, N class indices (.npy or .csv, - for stdin)")
			fs.Float64Var(&f.epsilon, "epsilon", 0.1, "label smoothing ε of the reported loss")
			fs.IntVar(&f.bins, "bins", calib.DefaultBins, "number of equal-width confidence bins")
			fs.StringVar(&f.plot, "plot", "", "write a reliability diagram to `OUT` (.png or .svg)")
			fs.StringVar(&f.format, "format", "text", "output format: text or json")
			fs.IntVar(&f.workers, "workers", 0, "goroutines (0: one per CPU)")
			fs.IntVar(&f.ignoreIndex, "ignore-index", lsce.DefaultIgnoreIndex, "target value whose rows are skipped (PyTorch's ignore_index)")
			fs.BoolVar(&f.noFit, "no-fit", false, "skip temperature scaling (one pass; the JSON output then has no temperature and no *_calibrated keys)")
			fs.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
		},
		run: func(env *env, args []string) error { return runEval(env, f, args) },
	}
}()

func runEval(env *env, f *evalFlags, args []string) error {
	switch {
	case len(args) > 0:
		return usageErrorf("unexpected argument %q (see 'lsce help eval')", args[0])
	case f.logits == "" || f.targets == "":
		return usageErrorf("--logits and --targets are required (see 'lsce help eval')")
	case f.bins <= 0 || f.bins > calib.MaxBins:
		return usageErrorf("--bins %d: want 1 … %d", f.bins, calib.MaxBins)
	case f.format != "text" && f.format != "json":
		return usageErrorf("--format %q: want text or json", f.format)
	case f.progress != "auto" && f.progress != "always" && f.progress != "never":
		return usageErrorf("--progress %q: want auto, always or never", f.progress)
	}
	if err := checkOptions(lsce.Options{Epsilon: f.epsilon, Workers: f.workers}, 0); err != nil {
		return err
	}
	if f.plot != "" {
		if _, err := reliability.FormatOf(f.plot); err != nil {
			return usageErrorf("--plot: %v", err)
		}
		if err := checkOutput("--plot", f.plot, f.logits, f.targets); err != nil {
			return err
		}
	}
	if f.logits == "-" && f.targets == "-" {
		return usageErrorf("--logits and --targets cannot both be standard input")
	}
	d, err := openEvalData(env, f.logits, f.targets)
	defer d.close()
	if err != nil {
		return err
	}
	prog := newProgress(env.stderr, f.progress, d.rows, d.rowBytes())
	defer prog.done()
	opt := calib.Options{Epsilon: f.epsilon, Bins: f.bins, Workers: f.workers, NoFit: f.noFit, IgnoreIndex: new(f.ignoreIndex)}
	r, err := d.evaluate(opt, prog)
	if err != nil {
		return d.locate(err)
	}
	prog.done()
	if f.plot != "" {
		if err := reliability.Save(f.plot, reliability.Before(r), reliability.After(r)); err != nil {
			return outputError("--plot", f.plot, err)
		}
	}
	if f.format == "json" {
		return calib.WriteJSON(env.stdout, r)
	}
	return writeEvalText(env.stdout, r, d)
}

// evalData is where the rows come from: regular .npy files streamed once
// per pass, or tensors held in memory (CSV files, and .npy files that are
// not regular files: pipes, FIFOs, standard input from a pipe). Each input
// is opened once; nothing reopens a path.
type evalData struct {
	rows, classes int
	logitsName    string
	targetsName   string
	// Exactly one of logitsNpy and memLogits is set, and of targetsNpy and
	// memTargets.
	logitsNpy  *tensorio.NpyReader // rewound for each pass
	f32        bool                // stream the logits as float32
	memLogits  *tensorio.Tensor
	targetsNpy *tensorio.NpyReader
	targetsInt bool // the targets file holds integers (else floats that must be integers)
	memTargets []int
	memTgtT    *tensorio.Tensor
	inputs     []*tensorio.Input // to close
	bigTarget  *bigTarget        // the first int64 target beyond int32, clamped
}

// bigTarget is a target value the file holds beyond int32.
type bigTarget struct {
	row   int
	value int64
}

// openInput opens an input once: a file, or standard input for "-".
func openInput(env *env, path string) (*tensorio.Input, error) {
	var in *tensorio.Input
	var err error
	if path == "-" {
		in, err = tensorio.OpenReader(env.stdin, tensorio.StdinName)
	} else {
		in, err = tensorio.Open(path)
	}
	if err != nil {
		return nil, inputError{err}
	}
	return in, nil
}

// openEvalInput opens an input and reads its header (a regular .npy file,
// to be streamed) or all of it.
func (d *evalData) openEvalInput(env *env, path string) (*tensorio.NpyReader, *tensorio.Tensor, error) {
	in, err := openInput(env, path)
	if err != nil {
		return nil, nil, err
	}
	d.inputs = append(d.inputs, in)
	if in.Format == tensorio.NPY {
		r, err := in.Npy()
		if err != nil {
			return nil, nil, inputError{err}
		}
		if in.Regular() {
			return r, nil, nil
		}
		// A pipe is read once, so whole: if it fits.
		need := uint64(r.Len()) * uint64(r.DType().Size())
		if err := checkMemory(fmt.Sprintf("%s: shape %v (%s)", in.Name, r.Shape(), r.DType()), need, evalHolds); err != nil {
			return nil, nil, err
		}
		t, err := r.ReadAll()
		if err != nil {
			return nil, nil, inputError{err}
		}
		return nil, t, nil
	}
	max := -1
	if avail, ok := availableMemory(); ok {
		max = int(min(avail/8, math.MaxInt))
	}
	t, err := in.TensorMax(max)
	var le *tensorio.LimitError
	if errors.As(err, &le) {
		return nil, nil, inputErrorf("%s: more than %d values: more than the %s of memory available hold: %s", in.Name, le.Max, bytesString(uint64(le.Max)*8), evalHolds)
	}
	if err != nil {
		return nil, nil, inputError{err}
	}
	return nil, t, nil
}

// evalHolds says what lsce eval streams and what it must hold.
const evalHolds = "lsce eval streams a regular .npy file of any size, but reads a .csv file or a pipe whole; save the data as .npy to a file"

// close closes the input files.
func (d *evalData) close() {
	for _, in := range d.inputs {
		in.Close()
	}
}

// openEvalData checks the files' shapes and agreement without reading their
// data (for regular .npy files). The caller closes d, also after an error.
func openEvalData(env *env, logitsPath, targetsPath string) (d *evalData, err error) {
	d = &evalData{logitsName: tensorio.DisplayName(logitsPath), targetsName: tensorio.DisplayName(targetsPath)}
	var lshape []int
	lr, t, err := d.openEvalInput(env, logitsPath)
	if err != nil {
		return d, err
	}
	if lr != nil {
		lshape = lr.Shape()
		if dt := lr.DType(); !dt.IsFloat() {
			return d, inputErrorf("%s: logits have dtype %s: want float32 or float64", d.logitsName, dt)
		}
		d.logitsNpy, d.f32 = lr, lr.DType() == tensorio.Float32
	} else {
		if !t.DType.IsFloat() {
			return d, inputErrorf("%s: logits have dtype %s: want float32 or float64", d.logitsName, t.DType)
		}
		d.memLogits, lshape, d.f32 = t, t.Shape, t.DType == tensorio.Float32
	}
	if len(lshape) != 2 {
		return d, inputErrorf("%s: logits of shape %v: want (N, C), one row of C classes per sample", d.logitsName, lshape)
	}
	d.rows, d.classes = lshape[0], lshape[1]
	if d.classes < 2 {
		return d, inputErrorf("%s: %d classes: calibration needs at least 2", d.logitsName, d.classes)
	}
	if d.rows == 0 {
		return d, inputErrorf("%s: no rows", d.logitsName)
	}
	var tshape []int
	tr, t, err := d.openEvalInput(env, targetsPath)
	if err != nil {
		return d, err
	}
	if tr != nil {
		tshape = tr.Shape()
		if tr.DType() == tensorio.Bool {
			return d, inputErrorf("%s: targets have dtype bool: want integer class indices", d.targetsName)
		}
		d.targetsNpy, d.targetsInt = tr, !tr.DType().IsFloat()
	} else {
		if t.DType == tensorio.Bool {
			return d, inputErrorf("%s: targets have dtype bool: want integer class indices", d.targetsName)
		}
		ints, err := t.Ints()
		if err != nil {
			return d, inputError{err}
		}
		d.memTargets, d.memTgtT, tshape = ints, t, t.Shape
	}
	n := -1
	switch {
	case len(tshape) == 1:
		n = tshape[0]
	case len(tshape) == 2 && tshape[1] == 1:
		n = tshape[0]
	}
	if n < 0 {
		return d, inputErrorf("%s: targets of shape %v: want N class indices, shape (N) or (N, 1)", d.targetsName, tshape)
	}
	if n != d.rows {
		return d, inputErrorf("%s has %d rows but %s has %d targets: want one target per row", d.logitsName, d.rows, d.targetsName, n)
	}
	return d, nil
}

// clampInt converts a class index; values beyond int32 stay out of range
// (and are reported by the range check) on every platform.
func clampInt(v int64) int {
	return int(min(max(v, math.MinInt32), math.MaxInt32))
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// readFull calls read until dst is full.
func readFull[T any](read func([]T) (int, error), dst []T) (int, error) {
	n := 0
	for n < len(dst) {
		k, err := read(dst[n:])
		n += k
		if err == io.EOF {
			return n, io.ErrUnexpectedEOF
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// rowBytes is the size of one row of logits in its file.
func (d *evalData) rowBytes() float64 {
	if d.f32 {
		return 4 * float64(d.classes)
	}
	return 8 * float64(d.classes)
}

// locate names the file and place of a data error.
func (d *evalData) locate(err error) error {
	var le *lsce.Error
	if !errors.As(err, &le) || le.Row < 0 {
		return err
	}
	if errors.Is(le.Kind, lsce.ErrTarget) {
		where := fmt.Sprintf("row %d", le.Row)
		if d.memTgtT != nil {
			where = d.memTgtT.Where(le.Row)
		}
		if b := d.bigTarget; b != nil && b.row == le.Row {
			return inputErrorf("%s: %s: target %d is outside [0, %d)", d.targetsName, where, b.value, d.classes)
		}
		return locatedError{d.targetsName, where, le}
	}
	where := fmt.Sprintf("row %d", le.Row)
	switch {
	case d.memLogits != nil && le.Class >= 0:
		where = d.memLogits.Where(le.Row*d.classes + le.Class)
	case d.memLogits != nil && d.memLogits.Format == tensorio.CSV && le.Row < len(d.memLogits.Lines):
		where = fmt.Sprintf("row %d", d.memLogits.Lines[le.Row])
	case le.Class >= 0:
		where = fmt.Sprintf("row %d, column %d", le.Row, le.Class)
	}
	return locatedError{d.logitsName, where, le}
}

// locatedError is an *lsce.Error placed in a file; it exits 2.
type locatedError struct {
	file, where string
	err         *lsce.Error
}

func (e locatedError) Error() string { return e.file + ": " + e.where + ": " + e.err.Msg }
func (e locatedError) Unwrap() error { return e.err }

func writeEvalText(w io.Writer, r *calib.Report, d *evalData) error {
	m, c := r.Metrics, r.Calibrated
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s: %d rows × %d classes, %d bins\n\n", d.logitsName, m.Rows, m.Classes, len(m.Bins))
	after := fmt.Sprintf("T = %.4f", r.Temperature)
	if r.TemperatureAtBound {
		after += " (bound)"
	}
	fmt.Fprintf(bw, "%-16s %12s %16s\n", "", "as given", after)
	row := func(name string, a, b float64) { fmt.Fprintf(bw, "%-16s %12.6f %16.6f\n", name, a, b) }
	row("accuracy", m.Accuracy, c.Accuracy)
	if m.HasTop5 {
		row("top-5 accuracy", m.Top5Accuracy, c.Top5Accuracy)
	}
	row("nll", m.NLL, c.NLL)
	label := fmt.Sprintf("loss (ε = %g)", r.Epsilon)
	fmt.Fprintf(bw, "%s%s %12.6f\n", label, strings.Repeat(" ", max(0, 16-utf8.RuneCountInString(label))), r.Loss)
	row("ece", m.ECE, c.ECE)
	row("mce", m.MCE, c.MCE)
	row("brier", m.Brier, c.Brier)
	row("confidence", m.Confidence, c.Confidence)
	row("logit gap", m.LogitGap, c.LogitGap)
	fmt.Fprintf(bw, "\n%-16s %12.6f", "temperature", r.Temperature)
	if r.TemperatureAtBound {
		fmt.Fprint(bw, "  (at the bound: the NLL still falls beyond it)")
	}
	fmt.Fprintf(bw, "\n%-16s %12d\n", "passes", r.Passes)
	fmt.Fprintf(bw, "\n%-17s %9s %9s %10s %9s   %9s %9s %10s\n", "bin (lo, hi]", "count", "accuracy", "confidence", "gap", "count(T)", "accuracy", "confidence")
	for i, b := range m.Bins {
		cb := c.Bins[i]
		fmt.Fprintf(bw, "(%.4f, %.4f]  %9d %9.4f %10.4f %9.4f   %9d %9.4f %10.4f\n", b.Lo, b.Hi, b.Count, b.Accuracy, b.Confidence, b.Accuracy-b.Confidence, cb.Count, cb.Accuracy, cb.Confidence)
	}
	return bw.Flush()
}
