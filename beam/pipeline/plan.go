package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/lsce/lsce/tensorio"
)

// Shard is one pair of .npy files: logits (Rows, Classes) and Rows targets.
type Shard struct {
	Logits, Targets string
	Rows            int64
	Classes         int
	// LogitsType and TargetsType are the files' element types.
	LogitsType, TargetsType tensorio.DType
}

// Range is the rows [Lo, Hi) of one shard: the unit of work of a pass.
type Range struct {
	Shard           int // index in the plan's shard list
	Logits, Targets string
	Classes         int
	Lo, Hi          int64
}

// Plan is the data of an evaluation: its shards, in the order of their names,
// and their rows cut into ranges.
type Plan struct {
	Shards  []Shard
	Ranges  []Range
	Rows    int64
	Classes int
}

// DefaultRangeBytes is the size of logits one Range holds at most (64 MiB:
// 16.7 M float32 logits), so that a large shard is read by many workers.
const DefaultRangeBytes = 64 << 20

// headerReaders bounds the shard headers read at the same time while
// planning (each read is one small request to the file system).
const headerReaders = 16

// NewPlan lists the shard pairs matching the two globs (Beam file systems:
// local paths, and gs:// or s3:// where registered), reads every header
// and checks the shards as lsce eval checks its two files: float logits of
// shape (N, C) with C ≥ 2 the same in every shard, integer (or integral
// float) targets of shape (N) or (N, 1) with the same N, data not
// truncated, and at least one row in all. The i-th logits file in name order
// pairs with the i-th targets file; when both names end in .logits.npy and
// .targets.npy their stems must agree. Ranges hold at most rangeBytes of
// logits (0 for DefaultRangeBytes) and at least one row.
func NewPlan(ctx context.Context, logitsGlob, targetsGlob string, rangeBytes int64) (*Plan, error) {
	if rangeBytes <= 0 {
		rangeBytes = DefaultRangeBytes
	}
	logits, err := list(ctx, "--logits", logitsGlob)
	if err != nil {
		return nil, err
	}
	targets, err := list(ctx, "--targets", targetsGlob)
	if err != nil {
		return nil, err
	}
	if len(logits) != len(targets) {
		return nil, inputErrorf("%d logits files match %q but %d targets files match %q: want one targets file per logits file", len(logits), logitsGlob, len(targets), targetsGlob)
	}
	p := &Plan{Shards: make([]Shard, len(logits))}
	for i := range logits {
		l, t := logits[i], targets[i]
		ls, lok := strings.CutSuffix(path.Base(l), ".logits.npy")
		ts, tok := strings.CutSuffix(path.Base(t), ".targets.npy")
		if lok && tok && ls != ts {
			return nil, inputErrorf("shard %d pairs %s with %s: the names differ (files pair in name order)", i, l, t)
		}
		p.Shards[i] = Shard{Logits: l, Targets: t}
	}
	errs := make([]error, len(p.Shards))
	sem := make(chan struct{}, headerReaders)
	var wg sync.WaitGroup
	for i := range p.Shards {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = p.Shards[i].readHeaders(ctx)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, err
		}
		s := &p.Shards[i]
		if i == 0 {
			p.Classes = s.Classes
		} else if s.Classes != p.Classes {
			return nil, inputErrorf("%s: %d classes, but %s has %d: every shard needs the same classes", s.Logits, s.Classes, p.Shards[0].Logits, p.Classes)
		}
		p.Rows += s.Rows
		per := max(1, rangeBytes/(int64(s.Classes)*int64(s.LogitsType.Size())))
		for lo := int64(0); lo < s.Rows; lo += per {
			p.Ranges = append(p.Ranges, Range{Shard: i, Logits: s.Logits, Targets: s.Targets, Classes: s.Classes, Lo: lo, Hi: min(lo+per, s.Rows)})
		}
	}
	if p.Rows == 0 {
		return nil, inputErrorf("%q: %d shards and no rows", logitsGlob, len(p.Shards))
	}
	return p, nil
}

// list expands a glob through the Beam file system of its scheme.
func list(ctx context.Context, flag, glob string) ([]string, error) {
	if glob == "" {
		return nil, inputErrorf("%s: a glob of .npy files is required", flag)
	}
	fs, err := filesystem.New(ctx, glob)
	if err != nil {
		return nil, inputErrorf("%s %s: %v", flag, glob, err)
	}
	defer fs.Close()
	files, err := fs.List(ctx, glob)
	if err != nil {
		return nil, inputErrorf("%s %s: %v", flag, glob, err)
	}
	if len(files) == 0 {
		return nil, inputErrorf("%s %s: no file matches", flag, glob)
	}
	sort.Strings(files)
	return files, nil
}

// readHeaders reads and checks the shard's two headers.
func (s *Shard) readHeaders(ctx context.Context) error {
	lh, err := readHeader(ctx, s.Logits)
	if err != nil {
		return err
	}
	th, err := readHeader(ctx, s.Targets)
	if err != nil {
		return err
	}
	switch {
	case !lh.dtype.IsFloat():
		return inputErrorf("%s: logits have dtype %s: want float32 or float64", s.Logits, lh.dtype)
	case len(lh.shape) != 2:
		return inputErrorf("%s: logits of shape %v: want (N, C), one row of C classes per sample", s.Logits, lh.shape)
	case lh.shape[1] < 2:
		return inputErrorf("%s: %d classes: calibration needs at least 2", s.Logits, lh.shape[1])
	case th.dtype == tensorio.Bool:
		return inputErrorf("%s: targets have dtype bool: want integer class indices", s.Targets)
	}
	n := -1
	if len(th.shape) == 1 || (len(th.shape) == 2 && th.shape[1] == 1) {
		n = th.shape[0]
	} else {
		return inputErrorf("%s: targets of shape %v: want N class indices, shape (N) or (N, 1)", s.Targets, th.shape)
	}
	if n != lh.shape[0] {
		return inputErrorf("%s has %d rows but %s has %d targets: want one target per row", s.Logits, lh.shape[0], s.Targets, n)
	}
	s.Rows, s.Classes = int64(n), lh.shape[1]
	s.LogitsType, s.TargetsType = lh.dtype, th.dtype
	return nil
}

// npyHeader is what a range needs of a .npy header.
type npyHeader struct {
	dtype  tensorio.DType
	shape  []int
	offset int64  // where the data starts
	raw    []byte // the header's bytes, magic included
}

// readHeader parses the header of the .npy file at name (with tensorio) and
// checks that the file holds the data it declares.
func readHeader(ctx context.Context, name string) (*npyHeader, error) {
	fs, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, inputErrorf("%s: %v", name, err)
	}
	defer fs.Close()
	rc, err := fs.OpenRead(ctx, name)
	if err != nil {
		return nil, inputErrorf("%s: %v", name, err)
	}
	defer rc.Close()
	h, err := parseHeader(rc, name)
	if err != nil {
		return nil, err
	}
	size, err := fs.Size(ctx, name)
	if err != nil {
		return nil, inputErrorf("%s: %v", name, err)
	}
	count := int64(1)
	for _, d := range h.shape {
		count *= int64(d)
	}
	if need := h.offset + count*int64(h.dtype.Size()); size < need {
		return nil, inputErrorf("%s: file is truncated: shape %v of %s needs %d bytes, the file has %d", name, h.shape, h.dtype, need, size)
	}
	return h, nil
}

// parseHeader reads a .npy header from r with tensorio, keeping its bytes:
// the reader sees them through a recorder, and what tensorio's buffer read
// beyond the header is cut off again.
func parseHeader(r io.Reader, name string) (*npyHeader, error) {
	rec := &recorder{r: r}
	br := bufio.NewReader(rec)
	nr, err := tensorio.NewNpyReader(br, name)
	if err != nil {
		return nil, &InputError{err.Error()}
	}
	off := int64(len(rec.buf) - br.Buffered())
	return &npyHeader{dtype: nr.DType(), shape: nr.Shape(), offset: off, raw: rec.buf[:off]}, nil
}

// recorder keeps the bytes read through it.
type recorder struct {
	r   io.Reader
	buf []byte
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.buf = append(c.buf, p[:n]...)
	return n, err
}

// InputError is bad input: a glob that matches nothing, shards that do not
// fit together, or bad data in a shard. Its message names the file (and the
// row).
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErrorf(format string, a ...any) error {
	return &InputError{fmt.Sprintf(format, a...)}
}
