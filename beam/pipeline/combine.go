package pipeline

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/lsce/lsce/calib"
)

func init() {
	// The CombineFn is called once per range (reflection costs nothing
	// here), and register.Combiner3 has no form for a context argument.
	beam.RegisterType(reflect.TypeOf((*evalFn)(nil)).Elem())
	beam.RegisterCoder(reflect.TypeOf(part{}), encodePart, decodePart)
	beam.RegisterType(reflect.TypeOf(Range{}))
}

// part is the accumulator of a pass: the statistics of the ranges added
// (a calib.Accumulator, nil while empty) or, once bad input is found, the
// first bad row instead (the statistics are then of no use and are dropped).
// Between workers it travels as bytes (encodePart): the shuffle of a pass
// carries nothing but these, under 1 KB each.
type part struct {
	acc *calib.Accumulator
	bad *badRow
}

// evalFn is calib's Accumulator as a Beam CombineFn over Ranges: adding a
// range reads its rows, merging merges exactly, so the result does not
// depend on how the runner groups the ranges.
type evalFn struct {
	Classes     int     `json:"classes"`
	Bins        int     `json:"bins"`
	Epsilon     float64 `json:"epsilon"`
	Temperature float64 `json:"temperature"`
	IgnoreIndex *int    `json:"ignore_index"`
}

func (f *evalFn) options() calib.Options {
	return calib.Options{Epsilon: f.Epsilon, Bins: f.Bins, Temperature: f.Temperature, IgnoreIndex: f.IgnoreIndex}
}

// CreateAccumulator returns an empty part.
func (f *evalFn) CreateAccumulator() part { return part{} }

// AddInput adds the rows of range r.
func (f *evalFn) AddInput(ctx context.Context, p part, r Range) (part, error) {
	if p.bad != nil && !(&badRow{r.Shard, r.Lo, ""}).before(p.bad) {
		return p, nil // bad input comes earlier: r cannot change the outcome
	}
	if p.acc == nil && p.bad == nil {
		a, err := calib.NewAccumulator(f.Classes, f.options())
		if err != nil {
			return p, err
		}
		p.acc = a
	}
	if p.bad != nil {
		// Only a bad row before p.bad matters: look for one in a scratch
		// Accumulator.
		a, err := calib.NewAccumulator(f.Classes, f.options())
		if err != nil {
			return p, err
		}
		bad, err := addRange(ctx, a, r)
		if err != nil {
			return p, err
		}
		if bad != nil && bad.before(p.bad) {
			p.bad = bad
		}
		return p, nil
	}
	bad, err := addRange(ctx, p.acc, r)
	if err != nil {
		return p, err
	}
	if bad != nil {
		return part{bad: bad}, nil
	}
	return p, nil
}

// MergeAccumulators merges b into a; the earlier bad row wins.
func (f *evalFn) MergeAccumulators(a, b part) (part, error) {
	switch {
	case a.bad != nil || b.bad != nil:
		if a.bad == nil || (b.bad != nil && b.bad.before(a.bad)) {
			return part{bad: b.bad}, nil
		}
		return part{bad: a.bad}, nil
	case b.acc == nil:
		return a, nil
	case a.acc == nil:
		return b, nil
	}
	return a, a.acc.Merge(b.acc)
}

// ExtractOutput returns the part.
func (f *evalFn) ExtractOutput(p part) part { return p }

// The encoding of a part: a tag byte (0 empty, 1 statistics, 2 bad row),
// then the Accumulator's MarshalBinary, or the shard, row and message.
const (
	partEmpty = iota
	partStats
	partBad
)

func encodePart(p part) ([]byte, error) {
	switch {
	case p.bad != nil:
		b := []byte{partBad}
		b = binary.AppendUvarint(b, uint64(p.bad.Shard))
		b = binary.AppendUvarint(b, uint64(p.bad.Row))
		return append(b, p.bad.Msg...), nil
	case p.acc != nil:
		data, err := p.acc.MarshalBinary()
		return append([]byte{partStats}, data...), err
	}
	return []byte{partEmpty}, nil
}

func decodePart(data []byte) (part, error) {
	if len(data) == 0 {
		return part{}, errors.New("lsce-beam: a corrupt (empty) encoding of a pass's accumulator")
	}
	switch data[0] {
	case partEmpty:
		if len(data) == 1 {
			return part{}, nil
		}
	case partStats:
		a := new(calib.Accumulator)
		if err := a.UnmarshalBinary(data[1:]); err != nil {
			return part{}, err
		}
		return part{acc: a}, nil
	case partBad:
		shard, n := binary.Uvarint(data[1:])
		if n > 0 {
			row, m := binary.Uvarint(data[1+n:])
			if m > 0 && shard < 1<<31 && row < 1<<62 {
				return part{bad: &badRow{int(shard), int64(row), string(data[1+n+m:])}}, nil
			}
		}
	}
	return part{}, fmt.Errorf("lsce-beam: a corrupt encoding of a pass's accumulator (tag %d, %d bytes)", data[0], len(data))
}
