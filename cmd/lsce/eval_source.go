package main

import (
	"math"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/tensorio"
)

// evaluate runs calib's streaming evaluation over d's rows (the pass, its
// chunks and workers live in calib.EvaluateStream), drawing the progress
// bar.
func (d *evalData) evaluate(opt calib.Options, prog *progress) (*calib.Report, error) {
	progress := func(_, rows int) {
		if rows == 0 {
			prog.startPass()
		} else {
			prog.add(rows)
		}
	}
	if d.f32 {
		return calib.EvaluateStream[float32](&evalSource[float32]{d: d}, d.rows, d.classes, opt, progress)
	}
	return calib.EvaluateStream[float64](&evalSource[float64]{d: d}, d.rows, d.classes, opt, progress)
}

// evalSource reads d's rows for calib.EvaluateStream: from the .npy readers
// (rewound for each pass) or the tensors in memory.
type evalSource[T lsce.Float] struct {
	d    *evalData
	row  int // the next row
	i64  []int64
	f64  []float64
	read func([]T) (int, error)
}

// Rewind starts a pass at the first row.
func (s *evalSource[T]) Rewind() error {
	s.row = 0
	for _, r := range []*tensorio.NpyReader{s.d.logitsNpy, s.d.targetsNpy} {
		if r != nil {
			if err := r.Rewind(); err != nil {
				return inputError{err}
			}
		}
	}
	if lr := s.d.logitsNpy; lr != nil {
		switch read := any(&s.read).(type) {
		case *func([]float32) (int, error):
			*read = lr.ReadFloat32
		case *func([]float64) (int, error):
			*read = lr.ReadFloat64
		}
	}
	return nil
}

// Read fills logits and targets with the next len(targets) rows.
func (s *evalSource[T]) Read(logits []T, targets []int) (int, error) {
	d := s.d
	row0, rows := s.row, len(targets)
	if s.read != nil {
		if _, err := readFull(s.read, logits); err != nil {
			return 0, inputError{err}
		}
	} else {
		var mem []T
		switch m := any(&mem).(type) {
		case *[]float32:
			*m = d.memLogits.F32
		case *[]float64:
			*m = d.memLogits.F64
		}
		copy(logits, mem[row0*d.classes:(row0+rows)*d.classes])
	}
	tr := d.targetsNpy
	switch {
	case tr != nil && d.targetsInt:
		s.i64 = grow(s.i64, rows)
		if _, err := readFull(tr.ReadInt64, s.i64); err != nil {
			return 0, inputError{err}
		}
		for i, v := range s.i64 {
			targets[i] = clampInt(v)
			if int64(targets[i]) != v && d.bigTarget == nil {
				// Out of range whatever the classes: remember the value
				// the file holds, for the error (the first such row).
				d.bigTarget = &bigTarget{row0 + i, v}
			}
		}
	case tr != nil:
		s.f64 = grow(s.f64, rows)
		if _, err := readFull(tr.ReadFloat64, s.f64); err != nil {
			return 0, inputError{err}
		}
		for i, v := range s.f64 {
			if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
				return 0, inputErrorf("%s: row %d: %v is not an integer class index", d.targetsName, row0+i, v)
			}
			targets[i] = int(v)
		}
	default:
		copy(targets, d.memTargets[row0:row0+rows])
	}
	s.row += rows
	return rows, nil
}
