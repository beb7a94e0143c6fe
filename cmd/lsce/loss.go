package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/tensorio"
)

// lossFlags are the settings of "lsce loss".
type lossFlags struct {
	logits, targets string
	epsilon         float64
	reduction       string
	weights         string
	ignoreIndex     int
	variant         string
	classLast       bool
	grad            string
	format          string
	workers         int
	zLoss, softCap  float64
	classMask       string
	zeroFloor       bool
}

var lossOpts lossFlags

var cmdLoss = &command{
	name:  "loss",
	short: "the loss, its parts and gradient for .npy/.csv files",
	args:  "--logits FILE --targets FILE [flags]",
	summary: `The label-smoothed cross-entropy of logits against targets, its parts and gradient.

The numbers are PyTorch's F.cross_entropy(logits, targets, weight=…,
ignore_index=…, reduction=…, label_smoothing=ε), with the parts H(q, p) and
H(u, p) beside the loss; --grad writes the gradient.

FILE is a .npy file (logits float32 or float64, of shape (N, C), (N, C, d1, …)
or class-last (N, …, C); targets int32/int64 class indices of the per-element
shape — (N, 1) for (N, C) logits too, as lsce eval takes them — or floating
probability targets of the logits' shape) or a .csv file
(one sample per line: logits N×C, targets one column of class indices or N×C
probabilities; an optional header line of names). For K-dimensional logits a
.csv holds one element per line, in the C order of the per-element shape
(N, d1, …), and probability targets one row of C classes per element
whatever the logits' layout. "-" reads standard input.
The loss is computed in the logits' dtype (.csv: float64).

Inputs are read whole when they fit the memory available; larger .npy logits
are streamed in one pass, a chunk of samples at a time, with class-index
targets and a per-class mask (--grad then with --reduction sum or none, its
gradient written as it is computed); anything else that large is refused
before it is read.

Errors name the file and place: in a .csv file the 1-based line and column, in
a .npy file the 0-based NumPy index. Exit 2 for bad usage or input, 1 otherwise.`,
	setFlags: func(fs *flag.FlagSet) {
		o := &lossOpts
		*o = lossFlags{}
		fs.StringVar(&o.logits, "logits", "", "logits `FILE` (.npy or .csv, - for stdin)")
		fs.StringVar(&o.targets, "targets", "", "targets `FILE` (.npy or .csv, - for stdin)")
		fs.Float64Var(&o.epsilon, "epsilon", 0.1, "label smoothing ε in [0, 1]")
		fs.StringVar(&o.reduction, "reduction", "mean", "reduction: none, mean or sum")
		fs.StringVar(&o.weights, "weights", "", "class weights: a `FILE` (.npy or .csv) or a list w1,w2,…")
		fs.IntVar(&o.ignoreIndex, "ignore-index", lsce.DefaultIgnoreIndex, "target value to ignore (index targets)")
		fs.StringVar(&o.variant, "variant", "uniform", "smoothing variant: uniform (ε/K everywhere) or others (ε/(K−1) off the target)")
		fs.BoolVar(&o.classLast, "class-last", false, "read the logits as (N, …, C) instead of (N, C, d1, …)")
		fs.StringVar(&o.grad, "grad", "", "write the gradient of the reduced loss (none: of the sum) to `OUT.npy`")
		fs.StringVar(&o.format, "format", "text", "output format: text, json or csv")
		fs.IntVar(&o.workers, "workers", 0, "goroutines (0: one per CPU)")
		fs.Float64Var(&o.zLoss, "z-loss", 0, "z-loss coefficient `λ` (adds λ·LSE² per element)")
		fs.Float64Var(&o.softCap, "softcap", 0, "soft-cap logits to `c`·tanh(z/c) (0: off)")
		fs.StringVar(&o.classMask, "class-mask", "", "allowed classes: .npy bool or uint8 `FILE` of length C or N×C")
		fs.BoolVar(&o.zeroFloor, "zero-floor", false, "subtract H(q') so that a perfect prediction scores 0")
	},
	run: func(env *env, args []string) error { return runLoss(env, args, &lossOpts) },
}

// lossJob is one invocation's inputs, read and checked.
type lossJob struct {
	flags   *lossFlags
	opt     lsce.Options
	logits  *tensorio.Tensor
	targets *tensorio.Tensor
	weights *tensorio.Tensor // nil for a list
	mask    *tensorio.Tensor
	index   []int // index targets, or nil for probability targets
	// probRows holds CSV probability targets as the file has them, one row
	// of classes per element (targets.F64 is in the logits' layout).
	probRows []float64
	// zLosses and floors hold each element's z-loss and floor with
	// --reduction none (when --z-loss or --zero-floor is set).
	zLosses, floors []float64
	// stream reads logits larger than memory (streamLoss), which then hold
	// no data; tooLarge is the error refusing them whole, closeStream
	// closes the file.
	stream      *tensorio.NpyReader
	tooLarge    error
	closeStream func() error
	shape       []int // the logits' shape
}

func runLoss(env *env, args []string, f *lossFlags) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q (see 'lsce help loss')", args[0])
	}
	j, err := prepareLoss(env, f)
	if err != nil {
		return err
	}
	if j.closeStream != nil {
		defer j.closeStream()
	}
	switch {
	case j.stream != nil && j.logits.DType == tensorio.Float32:
		return streamLoss(env, j, j.stream.ReadFloat32)
	case j.stream != nil:
		return streamLoss(env, j, j.stream.ReadFloat64)
	}
	if j.logits.DType == tensorio.Float32 {
		return computeLoss(env, j, j.logits.F32)
	}
	return computeLoss(env, j, j.logits.F64)
}

// prepareLoss checks the flags and reads the files.
func prepareLoss(env *env, f *lossFlags) (_ *lossJob, rerr error) {
	j := &lossJob{flags: f}
	defer func() {
		if rerr != nil && j.closeStream != nil {
			j.closeStream()
		}
	}()
	if f.logits == "" || f.targets == "" {
		return nil, usageErrorf("--logits and --targets are required (see 'lsce help loss')")
	}
	stdins := 0
	for _, p := range []string{f.logits, f.targets, f.weights, f.classMask} {
		if p == "-" {
			stdins++
		}
	}
	if stdins > 1 {
		return nil, usageErrorf("only one input can be standard input (-)")
	}
	red, err := lsce.ParseReduction(f.reduction)
	if err != nil {
		return nil, usageErrorf("--reduction: %v", err)
	}
	variant, err := lsce.ParseVariant(f.variant)
	if err != nil {
		return nil, usageErrorf("--variant: %v", err)
	}
	switch f.format {
	case "text", "json", "csv":
	default:
		return nil, usageErrorf("--format %q: want text, json or csv", f.format)
	}
	if f.grad == "-" {
		return nil, usageErrorf("--grad -: standard output carries the results; name a file")
	}
	if f.grad != "" {
		if err := checkOutput("--grad", f.grad, f.logits, f.targets, f.weights, f.classMask); err != nil {
			return nil, err
		}
	}
	j.opt = lsce.Options{
		Epsilon: f.epsilon, Reduction: red, Variant: variant, ClassLast: f.classLast,
		IgnoreIndex: new(f.ignoreIndex), Workers: f.workers, ZLoss: f.zLoss, SoftCap: f.softCap,
		ZeroFloor: f.zeroFloor,
	}
	if err := checkOptions(j.opt, 0); err != nil {
		return nil, err
	}

	if j.logits, err = readLogits(env, j); err != nil {
		return nil, err
	}
	if !j.logits.DType.IsFloat() {
		return nil, inputErrorf("%s: logits have dtype %s: want float32 or float64", j.logits.Name, j.logits.DType)
	}
	j.shape = j.logits.Shape
	if len(j.shape) == 0 {
		return nil, inputErrorf("%s: logits are a scalar: want shape (N, C), (N, C, d1, …) or (C)", j.logits.Name)
	}
	if j.classes() == 0 {
		// Zero classes would make every element empty: refuse it before
		// the elements (possibly a huge count, holding no data) are visited.
		return nil, inputErrorf("%s: logits of shape %v have no classes", j.logits.Name, j.shape)
	}
	if j.targets, err = readInput(env, f.targets); err != nil {
		return nil, err
	}
	if err := j.readTargets(); err != nil {
		return nil, err
	}
	classes := j.classes()
	if f.weights != "" {
		w, err := j.readWeights(env, classes)
		if err != nil {
			return nil, err
		}
		j.opt.Weight = w
	}
	if f.classMask != "" {
		if j.mask, err = readInput(env, f.classMask); err != nil {
			return nil, err
		}
		m := j.mask
		if n := m.Len(); n != classes && n != classes*j.elements() {
			return nil, inputErrorf("%s: class mask of shape %v holds %d values: want %d (one per class) or %d (elements × classes)", m.Name, m.Shape, n, classes, classes*j.elements())
		}
		j.opt.ClassMask = m.Bools()
	}
	if j.stream != nil && (j.index == nil || j.mask != nil && j.mask.Len() != classes) {
		return nil, j.tooLarge
	}
	return j, nil
}

// readInput reads a file, or standard input for "-", once.
func readInput(env *env, path string) (*tensorio.Tensor, error) {
	return readInputMax(env, path, -1)
}

// readInputMax reads an input as readInput does, refusing more than max
// values (max < 0: no limit) with a *tensorio.LimitError as soon as the
// header or the values read show it.
func readInputMax(env *env, path string, max int) (*tensorio.Tensor, error) {
	in, err := openInput(env, path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	t, err := in.TensorMax(max)
	var le *tensorio.LimitError
	if errors.As(err, &le) {
		return nil, err
	}
	if err != nil {
		return nil, inputError{err}
	}
	return t, nil
}

// lossHolds says why lsce loss refuses an input larger than memory.
const lossHolds = "lsce loss streams larger .npy logits only with class-index targets, a per-class mask and, with --grad, --reduction sum or none; otherwise split the input along its first axis"

// readLogits reads the logits whole, once its size is known to fit the
// memory available: a .npy file from its header, a CSV file as its values
// arrive (8 bytes each).
//
// A .npy file larger than memory is streamed instead when it can be (see
// streamLoss): j.stream is then its reader, and the tensor returned holds
// its name, dtype and shape but no data.
func readLogits(env *env, j *lossJob) (t *tensorio.Tensor, err error) {
	f := j.flags
	in, err := openInput(env, f.logits)
	if err != nil {
		return nil, err
	}
	defer func() {
		if j.stream == nil {
			in.Close()
		} else {
			j.closeStream = in.Close
		}
	}()
	copies := uint64(1)
	with := ""
	if f.grad != "" {
		copies, with = 2, " with --grad"
	}
	if in.Format == tensorio.CSV {
		max := -1
		if avail, ok := availableMemory(); ok {
			max = int(min(avail/(8*copies), math.MaxInt))
		}
		t, err := in.TensorMax(max)
		var le *tensorio.LimitError
		if errors.As(err, &le) {
			return nil, inputErrorf("%s: more than %d logits%s: more than the %s of memory available hold: %s", in.Name, le.Max, with, bytesString(uint64(le.Max)*8*copies), lossHolds)
		}
		if err != nil {
			return nil, inputError{err}
		}
		return t, nil
	}
	nr, err := in.Npy()
	if err != nil {
		return nil, inputError{err}
	}
	need := uint64(nr.Len()) * uint64(nr.DType().Size()) * copies
	if err := checkMemory(fmt.Sprintf("%s: logits of shape %v (%s)%s", in.Name, nr.Shape(), nr.DType(), with), need, lossHolds); err != nil {
		if len(nr.Shape()) < 2 || f.grad != "" && f.reduction == "mean" {
			return nil, err
		}
		j.stream, j.tooLarge = nr, err
		return &tensorio.Tensor{DType: nr.DType(), Shape: nr.Shape(), Name: in.Name, Format: tensorio.NPY}, nil
	}
	t, err = nr.ReadAll()
	if err != nil {
		return nil, inputError{err}
	}
	return t, nil
}

// classes is C, the length of the logits' class axis.
func (j *lossJob) classes() int {
	switch {
	case len(j.shape) == 1:
		return j.shape[0]
	case j.flags.classLast:
		return j.shape[len(j.shape)-1]
	}
	return j.shape[1]
}

// elements is the number of loss elements.
func (j *lossJob) elements() int {
	n := 1
	for _, d := range lsce.TargetShape(j.shape, j.flags.classLast) {
		n *= d
	}
	return n
}

// readTargets decides between index and probability targets and checks the
// shape: probability targets are floating point of the logits' shape (for
// .csv, as many columns as classes, more than one); index targets are
// integers (or integral floats) of the per-element shape (for .csv, one
// column of one value per element).
func (j *lossJob) readTargets() error {
	t := j.targets
	want := lsce.TargetShape(j.shape, j.flags.classLast)
	switch {
	case t.DType == tensorio.Bool:
		return inputErrorf("%s: targets have dtype bool: want integer class indices or floating probabilities", t.Name)
	case t.DType.IsFloat() && t.Format == tensorio.NPY && slices.Equal(t.Shape, j.shape) && !slices.Equal(t.Shape, want):
		return nil // probability targets
	case t.Format == tensorio.CSV && t.Shape[1] > 1:
		// One row per element, in the C order of the per-element shape,
		// and one column per class, whatever the logits' layout.
		if len(j.shape) == 2 && !slices.Equal(t.Shape, j.shape) {
			return inputErrorf("%s: %d×%d probability targets for logits of shape %v: want the logits' shape", t.Name, t.Shape[0], t.Shape[1], j.shape)
		}
		if t.Shape[0] != j.elements() || t.Shape[1] != j.classes() {
			return inputErrorf("%s: %d×%d probability targets for logits of shape %v: want %d rows (one per element) of %d classes", t.Name, t.Shape[0], t.Shape[1], j.shape, j.elements(), j.classes())
		}
		j.probRows = t.F64
		t.F64 = j.toLogitsLayout(t.F64)
		return nil
	case t.Format == tensorio.CSV:
		if t.Shape[0] != j.elements() {
			return inputErrorf("%s: %d targets for %d elements (logits of shape %v)", t.Name, t.Shape[0], j.elements(), j.shape)
		}
	case len(want) == 1 && slices.Equal(t.Shape, []int{want[0], 1}):
		// (N, 1) class indices for (N, C) logits, as lsce eval takes them
		// (PyTorch wants (N)): one index per row.
	case !slices.Equal(t.Shape, want):
		return inputErrorf("%s: targets of shape %v for logits of shape %v: want class indices of shape %v or probabilities of shape %v", t.Name, t.Shape, j.shape, want, j.shape)
	}
	idx, err := t.Ints()
	if err != nil {
		return inputError{err}
	}
	j.index = idx
	return nil
}

// toLogitsLayout moves values held as one row of classes per element into
// the logits' layout: for (N, C, d1, …) logits, class c of element (n, i)
// goes to n·C·D + c·D + i (D = d1·…); (N, C) and class-last logits have the
// rows' layout already.
func (j *lossJob) toLogitsLayout(rows []float64) []float64 {
	if len(j.shape) <= 2 || j.flags.classLast {
		return rows
	}
	classes := j.classes()
	out := make([]float64, len(rows))
	for e := range j.elements() {
		for c := range classes {
			out[j.logitIndex(e, c)] = rows[e*classes+c]
		}
	}
	return out
}

// readWeights reads --weights: a list of numbers, or a file.
func (j *lossJob) readWeights(env *env, classes int) ([]float64, error) {
	s := j.flags.weights
	w, bad, rangeErr := parseList(s)
	if bad >= 0 && rangeErr {
		return nil, usageErrorf("--weights %s: value %d is out of the float64 range", s, bad+1)
	}
	if bad < 0 {
		if len(w) != classes {
			return nil, usageErrorf("--weights: %d weights for %d classes", len(w), classes)
		}
		return w, nil
	}
	if _, err := os.Stat(s); err != nil && strings.Contains(s, ",") {
		return nil, usageErrorf("--weights %s: value %d is not a number (and no file has that name)", s, bad+1)
	}
	t, err := readInput(env, s)
	if err != nil {
		return nil, err
	}
	j.weights = t
	if t.Len() != classes {
		return nil, inputErrorf("%s: %d weights (shape %v) for %d classes", t.Name, t.Len(), t.Shape, classes)
	}
	return t.Float64s(), nil
}

// parseList reads "w1,w2,…"; bad is the index of the first field that is
// not a number, or −1, and rangeErr says it is a number out of the float64
// range.
func parseList(s string) (w []float64, bad int, rangeErr bool) {
	for i, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, i, errors.Is(err, strconv.ErrRange)
		}
		w = append(w, v)
	}
	return w, -1, false
}

// computeLoss runs the loss in the logits' dtype and prints the result.
func computeLoss[T lsce.Float](env *env, j *lossJob, logits []T) error {
	in := lsce.Input[T]{Logits: logits, Shape: j.shape, Targets: j.index}
	if j.index == nil {
		in.Probs = floats[T](j.targets)
	}
	var grad []T
	if j.flags.grad != "" {
		grad = make([]T, len(logits))
	}
	r := new(lsce.Result)
	if err := lsce.CrossEntropyInto(r, grad, in, j.opt); err != nil {
		return j.placeError(err)
	}
	if grad != nil {
		if err := tensorio.WriteNpyFile(j.flags.grad, j.shape, grad); err != nil {
			return outputError("--grad", j.flags.grad, err)
		}
	}
	if j.opt.Reduction == lsce.None && (j.opt.ZLoss > 0 || j.opt.ZeroFloor) {
		if err := j.elementParts(in); err != nil {
			return j.placeError(err)
		}
	}
	return writeLoss(env.stdout, j, r)
}

// elementParts fills j.zLosses and j.floors, each element's z-loss and
// floor for --reduction none: the differences of its loss computed by the
// library with the term and without it (no formula is repeated here).
func (j *lossJob) elementParts(in any) error {
	base := j.opt
	base.ZLoss, base.ZeroFloor = 0, false
	losses := func(o lsce.Options) ([]float64, error) {
		var r *lsce.Result
		var err error
		switch in := in.(type) {
		case lsce.Input[float32]:
			r, err = lsce.CrossEntropy(in, o)
		case lsce.Input[float64]:
			r, err = lsce.CrossEntropy(in, o)
		}
		if err != nil {
			return nil, err
		}
		return r.Losses, nil
	}
	lb, err := losses(base)
	if err != nil {
		return err
	}
	diff := func(o lsce.Options, sign float64) ([]float64, error) {
		l, err := losses(o)
		if err != nil {
			return nil, err
		}
		d := make([]float64, len(l))
		for e := range l {
			d[e] = sign * (l[e] - lb[e])
		}
		return d, nil
	}
	if j.opt.ZLoss > 0 {
		o := base
		o.ZLoss = j.opt.ZLoss
		if j.zLosses, err = diff(o, 1); err != nil {
			return err
		}
	}
	if j.opt.ZeroFloor {
		o := base
		o.ZeroFloor = true
		if j.floors, err = diff(o, -1); err != nil {
			return err
		}
	}
	return nil
}

// floats returns a tensor's values as T.
func floats[T lsce.Float](t *tensorio.Tensor) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(t.Float32s()).([]T)
	}
	return any(t.Float64s()).([]T)
}

// placeError turns an *lsce.Error into "FILE: PLACE: reason", the place in
// the terms of the file the bad value came from.
func (j *lossJob) placeError(err error) error {
	var le *lsce.Error
	if !errors.As(err, &le) {
		return err
	}
	switch {
	case errors.Is(le, lsce.ErrMasked) && j.mask != nil:
		if j.mask.Len() == j.classes() {
			return inputErrorf("%s: every class is masked", j.mask.Name)
		}
		return inputErrorf("%s: %s: every class is masked", j.mask.Name, j.rowWhere(j.mask, le.Row))
	case le.Option == "weight" && le.Class < 0 && j.weights != nil:
		return inputErrorf("%s: %s", j.weights.Name, le.Msg)
	case le.Option == "weight" && le.Class < 0:
		return usageErrorf("--weights: %s", le.Msg)
	}
	switch le.Kind {
	case lsce.ErrNonFinite:
		if le.Class >= 0 {
			return inputErrorf("%s: %s: %s", j.logits.Name, j.logits.Where(j.logitIndex(le.Row, le.Class)), le.Msg)
		}
		return inputErrorf("%s: %s: %s", j.logits.Name, j.rowWhere(j.logits, le.Row), le.Msg)
	case lsce.ErrProbability:
		if j.probRows != nil {
			return inputErrorf("%s: %s: %s", j.targets.Name, j.targets.Where(le.Row*j.classes()+max(le.Class, 0)), le.Msg)
		}
		return inputErrorf("%s: %s: %s", j.targets.Name, j.targets.Where(j.logitIndex(le.Row, max(le.Class, 0))), le.Msg)
	case lsce.ErrTarget:
		if j.index != nil && le.Row >= 0 {
			return inputErrorf("%s: %s: %s", j.targets.Name, j.targets.Where(le.Row), le.Msg)
		}
	case lsce.ErrWeight:
		if j.weights != nil {
			return inputErrorf("%s: %s: %s", j.weights.Name, j.weights.Where(le.Class), le.Msg)
		}
		return usageErrorf("--weights: value %d: %s", le.Class+1, le.Msg)
	case lsce.ErrOption:
		return usageErrorf("%s", le.Msg)
	}
	return inputErrorf("%s: %v", j.logits.Name, le)
}

// logitIndex is the flat index of element e's class c in the logits.
func (j *lossJob) logitIndex(e, c int) int {
	classes := j.classes()
	inner := 1
	if len(j.shape) > 2 && !j.flags.classLast {
		for _, d := range j.shape[2:] {
			inner *= d
		}
	}
	return (e/inner)*classes*inner + c*inner + e%inner
}

// rowWhere names element e in a tensor with one row of classes per element
// (logits or a per-element class mask): "row L" for .csv, else the NumPy
// index of the element.
func (j *lossJob) rowWhere(t *tensorio.Tensor, e int) string {
	if t.Format == tensorio.CSV && e < len(t.Lines) {
		return fmt.Sprintf("row %d", t.Lines[e])
	}
	ts := lsce.TargetShape(j.shape, j.flags.classLast)
	if len(ts) == 0 {
		ts = []int{1}
	}
	return (&tensorio.Tensor{Shape: ts, Format: tensorio.NPY}).Where(e)
}
