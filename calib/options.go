package calib

import (
	"fmt"
	"math"

	"github.com/lsce/lsce"
)

// DefaultBins is the number of confidence bins when Options.Bins is 0
// (Guo et al. 2017 use 15).
const DefaultBins = 15

// MaxBins bounds Options.Bins, so that an Accumulator stays small (each bin
// keeps an exact sum of about half a kilobyte).
const MaxBins = 10000

// Options are the settings of an evaluation.
type Options struct {
	// Epsilon is the label smoothing ε in [0, 1] of the reported loss, computed
	// by lsce.CrossEntropy (uniform variant, PyTorch's label_smoothing).
	Epsilon float64
	// Bins is the number of equal-width confidence bins (lo, hi] in [0, 1].
	// 0 means DefaultBins; a negative count or more than MaxBins is an error.
	// (The lsce command rejects --bins 0 as well.)
	Bins int
	// Workers is the number of goroutines for in-memory data; 0 means
	// GOMAXPROCS. Results do not depend on it.
	Workers int
	// Temperature divides the logits before the softmax (T > 0); 0 means 1.
	// An Accumulator computes its statistics at this temperature; Evaluate
	// and Run set it themselves while fitting.
	Temperature float64
	// IgnoreIndex, when not nil, is a target value whose rows are skipped:
	// not counted in any metric, as PyTorch's ignore_index skips them in
	// the loss (lsce eval passes −100, PyTorch's default). nil: every
	// target must be a class. It is a setting of Add, not of an
	// Accumulator's statistics: MarshalBinary does not keep it.
	IgnoreIndex *int
	// NoFit skips temperature scaling in Evaluate and Run: a single pass, and
	// Report.Calibrated equals Report.Metrics with Temperature 1.
	NoFit bool
}

// bins resolves the default.
func (o *Options) bins() int {
	if o.Bins == 0 {
		return DefaultBins
	}
	return o.Bins
}

// invTemperature is β = 1/T.
func (o *Options) invTemperature() float64 {
	if o.Temperature == 0 {
		return 1
	}
	return 1 / o.Temperature
}

// validate checks the settings against the class count.
func (o *Options) validate(classes int) error {
	if classes < 2 {
		return optionError("%d classes: calibration needs at least 2", classes)
	}
	if err := (&lsce.Options{Epsilon: o.Epsilon}).Validate(classes); err != nil {
		return err
	}
	if o.Bins < 0 || o.Bins > MaxBins {
		return optionError("bins %d: want 1 … %d (0 for the default %d)", o.Bins, MaxBins, DefaultBins)
	}
	if o.Workers < 0 {
		return optionError("workers %d is negative", o.Workers)
	}
	if t := o.Temperature; t != 0 && !(t > 0 && !math.IsInf(t, 0)) {
		return optionError("temperature %v: want a finite T > 0", t)
	}
	return nil
}

func optionError(format string, a ...any) error {
	return &lsce.Error{Kind: lsce.ErrOption, Row: -1, Class: -1, Msg: fmt.Sprintf(format, a...)}
}

func shapeError(format string, a ...any) error {
	return &lsce.Error{Kind: lsce.ErrShape, Row: -1, Class: -1, Msg: fmt.Sprintf(format, a...)}
}
