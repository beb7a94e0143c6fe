package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/lsce/lsce/calib"
)

func init() {
	register.DoFn2x1[context.Context, part, error](&writeFn{})
}

// Runner runs a pipeline to completion: beamx.Run (the --runner flag),
// or a runner's Execute.
type Runner func(ctx context.Context, p *beam.Pipeline) error

// Config is an evaluation of sharded logits.
type Config struct {
	// Logits and Targets are globs of .npy shards (see NewPlan).
	Logits, Targets string
	// Epsilon, Bins, IgnoreIndex and NoFit are as in calib.Options (lsce
	// eval sets IgnoreIndex to lsce.DefaultIgnoreIndex, PyTorch's −100).
	Epsilon     float64
	Bins        int
	IgnoreIndex *int
	NoFit       bool
	// RangeBytes bounds the logits of one work item (0: DefaultRangeBytes).
	RangeBytes int64
	// WorkDir is where each pass leaves its result for the driver (a few
	// KB): a directory every worker can write and the driver read (gs://…,
	// s3://… on a cluster). Empty: a new local temporary directory, removed
	// at the end (enough for Prism and other runners in this process).
	WorkDir string
	// Run runs one pass's pipeline.
	Run Runner
	// OnPass, if set, is called after each pass with its number (from 1),
	// the temperature it was at and its duration.
	OnPass func(pass int, temperature float64, d time.Duration)
}

// Evaluate plans the shards (NewPlan), then computes the metrics of lsce
// eval with calib.Run, each pass of which is one run of a pipeline: the
// ranges, reshuffled over the workers, combined by calib's Accumulator
// (evalFn) into one, which the driver reads back. Bad input is an error
// naming the shard file and row: the first in shard and row order.
func Evaluate(ctx context.Context, cfg Config) (*calib.Report, *Plan, error) {
	if cfg.Run == nil {
		return nil, nil, errors.New("pipeline: Config.Run is nil: give a Runner (beamx.Run, or a runner's Execute)")
	}
	plan, err := NewPlan(ctx, cfg.Logits, cfg.Targets, cfg.RangeBytes)
	if err != nil {
		return nil, nil, err
	}
	opt := calib.Options{Epsilon: cfg.Epsilon, Bins: cfg.Bins, IgnoreIndex: cfg.IgnoreIndex, NoFit: cfg.NoFit}
	if _, err := calib.NewAccumulator(plan.Classes, opt); err != nil {
		return nil, plan, err
	}
	dir := cfg.WorkDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "lsce-beam-"); err != nil {
			return nil, plan, err
		}
		defer os.RemoveAll(dir)
	}
	run := 0
	pass := func(o calib.Options) (*calib.Accumulator, error) {
		run++
		start := time.Now()
		out := strings.TrimSuffix(dir, "/") + fmt.Sprintf("/pass-%d-%d.acc", os.Getpid(), run)
		p, s := beam.NewPipelineWithRoot()
		ranges := beam.Reshuffle(s, beam.CreateList(s, plan.Ranges))
		fn := &evalFn{Classes: plan.Classes, Bins: o.Bins, Epsilon: o.Epsilon, Temperature: o.Temperature, IgnoreIndex: o.IgnoreIndex}
		beam.ParDo0(s, &writeFn{Path: out}, beam.Combine(s, fn, ranges))
		if err := cfg.Run(ctx, p); err != nil {
			return nil, fmt.Errorf("pass %d (T = %v): %w", run, o.Temperature, err)
		}
		res, err := readPart(ctx, out)
		if err != nil {
			return nil, err
		}
		if res.bad != nil {
			return nil, &InputError{res.bad.Msg}
		}
		if res.acc == nil {
			return nil, fmt.Errorf("pass %d: no rows reached the result", run)
		}
		if cfg.OnPass != nil {
			cfg.OnPass(run, o.Temperature, time.Since(start))
		}
		return res.acc, nil
	}
	r, err := calib.Run(opt, pass)
	if err != nil {
		return nil, plan, err
	}
	return r, plan, nil
}

// writeFn writes a pass's combined part to Path for the driver.
type writeFn struct {
	Path string `json:"path"`
}

func (f *writeFn) ProcessElement(ctx context.Context, p part) error {
	data, err := encodePart(p)
	if err != nil {
		return err
	}
	fs, err := filesystem.New(ctx, f.Path)
	if err != nil {
		return err
	}
	defer fs.Close()
	w, err := fs.OpenWrite(ctx, f.Path)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// readPart reads and removes a pass's result.
func readPart(ctx context.Context, path string) (part, error) {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return part{}, err
	}
	defer fs.Close()
	rc, err := fs.OpenRead(ctx, path)
	if err != nil {
		return part{}, fmt.Errorf("the pass's result: %v", err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		return part{}, fmt.Errorf("the pass's result %s: %v", path, err)
	}
	if rm, ok := fs.(filesystem.Remover); ok {
		rm.Remove(ctx, path)
	}
	return decodePart(data)
}
