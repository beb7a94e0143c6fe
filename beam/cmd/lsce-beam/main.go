// Command lsce-beam computes the calibration metrics of lsce eval over
// sharded logits with Apache Beam: on Prism, in this process, by default;
// on Flink, Spark or Dataflow with Beam's --runner flags.
//
//	lsce-beam eval --logits 'dir/*.logits.npy' --targets 'dir/*.targets.npy' [--epsilon 0.1] [--bins 15]
//	               [--no-fit] [--plot reliability.png|.svg] [--range-mb 64] [--work DIR] [Beam flags]
//
// It prints the JSON of `lsce eval --format json` for all the shards'
// rows together. See beam/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	"github.com/lsce/lsce"
	"github.com/lsce/lsce/beam/pipeline"
	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/calib/reliability"
)

const usage = `usage: lsce-beam eval --logits GLOB --targets GLOB [flags] [Beam flags]

Computes what "lsce eval --format json" computes, over every pair of .npy
shards the two globs match (paired in name order), with Apache Beam. Each
pass of the temperature fit is one pipeline run. Globs may be local paths,
gs://… or s3://…. The default runner is Prism, in this process.

`

// evalFlags are the settings of "lsce-beam eval".
type evalFlags struct {
	logits, targets string
	epsilon         float64
	bins            int
	ignoreIndex     int
	noFit           bool
	plot            string
	rangeMB         float64
	work            string
	verbose         bool
}

func (f *evalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.logits, "logits", "", "`glob` of logits shards, each (Nᵢ, C) float32 or float64 .npy")
	fs.StringVar(&f.targets, "targets", "", "`glob` of targets shards, each Nᵢ class indices (.npy, shape (Nᵢ) or (Nᵢ, 1))")
	fs.Float64Var(&f.epsilon, "epsilon", 0.1, "label smoothing ε of the reported loss")
	fs.IntVar(&f.bins, "bins", calib.DefaultBins, "number of equal-width confidence bins")
	fs.IntVar(&f.ignoreIndex, "ignore-index", lsce.DefaultIgnoreIndex, "target value whose rows are skipped (PyTorch's ignore_index), as in lsce eval")
	fs.BoolVar(&f.noFit, "no-fit", false, "skip temperature scaling (one pass; the JSON then has no temperature and no *_calibrated keys)")
	fs.StringVar(&f.plot, "plot", "", "write a reliability diagram to local `file` (.png or .svg)")
	fs.Float64Var(&f.rangeMB, "range-mb", pipeline.DefaultRangeBytes>>20, "logits per work item, in MiB: shards are cut into row ranges of at most this size")
	fs.StringVar(&f.work, "work", "", "`dir` where each pass leaves its result for the driver (gs://… or s3://… on a cluster; default a local temporary directory)")
	fs.BoolVar(&f.verbose, "verbose", false, "log each pass, and the runner's messages, on stderr")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command and returns the exit code: 2 for bad usage or
// bad input, 1 for other failures.
func run(args []string, stdout, stderr io.Writer) int {
	f := new(evalFlags)
	f.register(flag.CommandLine)
	if len(args) == 0 || args[0] != "eval" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(stdout, usage)
			flag.CommandLine.SetOutput(stdout)
			flag.PrintDefaults()
			return 0
		}
		if len(args) > 0 && strings.HasPrefix(args[0], "-") {
			// A runner starts this binary as a worker (--worker=true …):
			// beam.Init then runs the worker harness and does not return.
			flag.CommandLine.SetOutput(stderr)
			if flag.CommandLine.Parse(args) == nil {
				beam.Init()
			}
		}
		fmt.Fprint(stderr, usage)
		return 2
	}
	flag.CommandLine.SetOutput(stderr)
	flag.CommandLine.Usage = func() { fmt.Fprint(stderr, usage); flag.PrintDefaults() }
	if err := flag.CommandLine.Parse(args[1:]); err != nil {
		return 2
	}
	if err := f.check(); err != nil {
		fmt.Fprintf(stderr, "lsce-beam eval: %v\n", err)
		return 2
	}
	if !f.verbose {
		beamlog.LogLevel = "warn" // Prism logs every job at info
	}
	beam.Init()
	ctx := context.Background()
	cfg := pipeline.Config{
		Logits: f.logits, Targets: f.targets, Epsilon: f.epsilon, Bins: f.bins, IgnoreIndex: new(f.ignoreIndex), NoFit: f.noFit,
		RangeBytes: int64(f.rangeMB * (1 << 20)), WorkDir: f.work, Run: beamx.Run,
	}
	if f.verbose {
		cfg.OnPass = func(pass int, t float64, d time.Duration) {
			fmt.Fprintf(stderr, "lsce-beam: pass %d at T = %v: %v\n", pass, t, d.Round(time.Millisecond))
		}
	}
	r, _, err := pipeline.Evaluate(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "lsce-beam eval: %v\n", err)
		var ie *pipeline.InputError
		if errors.As(err, &ie) {
			return 2
		}
		return 1
	}
	if f.plot != "" {
		if err := reliability.Save(f.plot, reliability.Before(r), reliability.After(r)); err != nil {
			fmt.Fprintf(stderr, "lsce-beam eval: --plot: %v\n", err)
			return 1
		}
	}
	if err := calib.WriteJSON(stdout, r); err != nil {
		fmt.Fprintf(stderr, "lsce-beam eval: %v\n", err)
		return 1
	}
	return 0
}

// check validates the flags before any file is read.
func (f *evalFlags) check() error {
	switch {
	case flag.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	case f.logits == "" || f.targets == "":
		return errors.New("--logits and --targets are required")
	case f.bins <= 0 || f.bins > calib.MaxBins:
		return fmt.Errorf("--bins %d: want 1 … %d", f.bins, calib.MaxBins)
	case !(f.epsilon >= 0 && f.epsilon <= 1):
		return fmt.Errorf("--epsilon %v: want a value in [0, 1]", f.epsilon)
	case !(f.rangeMB > 0 && f.rangeMB <= 1<<20):
		return fmt.Errorf("--range-mb %v: want a size in (0, 1048576]", f.rangeMB)
	}
	if f.plot != "" {
		if _, err := reliability.FormatOf(f.plot); err != nil {
			return fmt.Errorf("--plot: %v", err)
		}
	}
	return nil
}
