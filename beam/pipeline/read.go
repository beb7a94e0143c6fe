package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/lsce/lsce"
	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/tensorio"
)

// chunkElems is the number of logits read and added at a time (4 MB of
// float32), as in lsce eval; a chunk holds at least one row.
const chunkElems = 1 << 20

// badRow is bad input found in a range: a located message (the shard file
// and the row in it) and its place in the data, so that the first in shard
// and row order is the one reported, as a sequential pass would.
type badRow struct {
	Shard int
	Row   int64
	Msg   string
}

func (b *badRow) before(o *badRow) bool {
	return b.Shard < o.Shard || (b.Shard == o.Shard && b.Row < o.Row)
}

// addRange adds the rows of r to a. Bad data (a non-finite logit, a target
// out of range or not an integer) is returned as a *badRow; a file that
// cannot be read is an error.
func addRange(ctx context.Context, a *calib.Accumulator, r Range) (*badRow, error) {
	logits, err := openRange(ctx, r.Logits, r.Lo, r.Classes)
	if err != nil {
		return nil, err
	}
	defer logits.Close()
	targets, err := openRange(ctx, r.Targets, r.Lo, 1)
	if err != nil {
		return nil, err
	}
	defer targets.Close()
	c := r.Classes
	per := max(1, chunkElems/c)
	f32 := logits.DType() == tensorio.Float32
	var z32 []float32
	var z64 []float64
	if f32 {
		z32 = make([]float32, per*c)
	} else {
		z64 = make([]float64, per*c)
	}
	y := make([]int, per)
	var i64 []int64
	var f64 []float64
	for row := r.Lo; row < r.Hi; {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := int(min(int64(per), r.Hi-row))
		if f32 {
			err = readFull(logits.ReadFloat32, z32[:n*c])
		} else {
			err = readFull(logits.ReadFloat64, z64[:n*c])
		}
		if err != nil {
			return nil, fmt.Errorf("%s: rows %d…%d: %w", r.Logits, row, row+int64(n)-1, err)
		}
		if targets.DType().IsFloat() {
			f64 = grow(f64, n)
			err = readFull(targets.ReadFloat64, f64)
			for i, v := range f64 {
				if err == nil && (v != math.Trunc(v) || math.Abs(v) > 1<<53) {
					return &badRow{r.Shard, row + int64(i), fmt.Sprintf("%s: row %d: %v is not an integer class index", r.Targets, row+int64(i), v)}, nil
				}
				y[i] = int(v)
			}
		} else {
			i64 = grow(i64, n)
			err = readFull(targets.ReadInt64, i64)
			for i, v := range i64 {
				y[i] = int(min(max(v, math.MinInt32), math.MaxInt32)) // beyond int32: out of range on every platform
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: rows %d…%d: %w", r.Targets, row, row+int64(n)-1, err)
		}
		if f32 {
			err = calib.Add(a, int(row), z32[:n*c], y[:n])
		} else {
			err = calib.Add(a, int(row), z64[:n*c], y[:n])
		}
		if err != nil {
			return locate(r, err, func(at int64) string {
				if targets.DType().IsFloat() {
					return ""
				}
				// The value in the file, not its clamped int.
				return fmt.Sprintf("target %d is outside [0, %d)", i64[at-row], c)
			})
		}
		row += int64(n)
	}
	return nil, nil
}

// locate turns calib's error for a row of r into a badRow naming the file:
// the targets file for a target out of range (targetMsg, if it returns a
// message, words it), else the logits file (with the column of a bad
// logit).
func locate(r Range, err error, targetMsg func(row int64) string) (*badRow, error) {
	var le *lsce.Error
	if !errors.As(err, &le) || le.Row < 0 {
		return nil, err
	}
	row := int64(le.Row)
	switch {
	case errors.Is(le.Kind, lsce.ErrTarget):
		msg := le.Msg
		if m := targetMsg(row); m != "" {
			msg = m
		}
		return &badRow{r.Shard, row, fmt.Sprintf("%s: row %d: %s", r.Targets, row, msg)}, nil
	case le.Class >= 0:
		return &badRow{r.Shard, row, fmt.Sprintf("%s: row %d, column %d: %s", r.Logits, row, le.Class, le.Msg)}, nil
	default:
		return &badRow{r.Shard, row, fmt.Sprintf("%s: row %d: %s", r.Logits, row, le.Msg)}, nil
	}
}

// rangeReader reads the elements of a .npy file from a given row on.
type rangeReader struct {
	*tensorio.NpyReader
	rc io.ReadCloser
}

func (r *rangeReader) Close() error { return r.rc.Close() }

// openRange opens the .npy file name at row lo of rowLen elements per row:
// tensorio reads its header, then the header again followed by the data
// from row lo on (by seeking where the file system allows it, else by
// skipping), so that tensorio decodes the rows whatever their dtype and
// byte order.
func openRange(ctx context.Context, name string, lo int64, rowLen int) (*rangeReader, error) {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	defer fs.Close()
	rc, err := fs.OpenRead(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	h, err := parseHeader(rc, name)
	if err != nil {
		rc.Close()
		return nil, err
	}
	start := h.offset + lo*int64(rowLen)*int64(h.dtype.Size())
	// The parse read a buffer's worth beyond the header; go to start.
	if s, ok := rc.(io.Seeker); ok {
		_, err = s.Seek(start, io.SeekStart)
	} else {
		rc.Close()
		if rc, err = fs.OpenRead(ctx, name); err == nil {
			_, err = io.CopyN(io.Discard, rc, start)
		}
	}
	if err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, fmt.Errorf("%s: row %d: %v", name, lo, err)
	}
	nr, err := tensorio.NewNpyReader(io.MultiReader(bytes.NewReader(h.raw), rc), name)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return &rangeReader{nr, rc}, nil
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// readFull calls read until dst is full.
func readFull[T any](read func([]T) (int, error), dst []T) error {
	n := 0
	for n < len(dst) {
		k, err := read(dst[n:])
		n += k
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
	}
	return nil
}
