package pipeline

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/beam/internal/synth"
	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/tensorio"
)

// shardRows are the sizes of the generated shards: uneven, one empty, one
// of a single row, one much larger than the rest.
var shardRows = []int{700, 1, 2500, 0, 333, 1024, 77, 4096, 5, 640, 1500, 12, 900, 3001, 64, 250}

// dataset is synthetic shards (package synth: the fitted T is near 3).
type dataset struct {
	classes int
	z       []float32 // all rows, shard after shard
	y       []int
	rows    []int
}

func newDataset(classes int, rows []int, seed uint64) *dataset {
	d := &dataset{classes: classes, rows: rows}
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, n := range rows {
		d.z, d.y = synth.Rows(rng, classes, n, d.z, d.y)
	}
	for i := 96; i < len(d.y); i += 97 {
		d.y[i] = lsce.DefaultIgnoreIndex // PyTorch's padding: the row is skipped
	}
	return d
}

// write writes the shards into dir as sNN.logits.npy and sNN.targets.npy,
// varying the targets' dtype: int64 mostly, int32 (written by hand, not by
// tensorio) and integral float64 for some, shape (N, 1) for one.
func (d *dataset) write(t testing.TB, dir string) {
	t.Helper()
	row := 0
	for s, n := range d.rows {
		c := d.classes
		base := filepath.Join(dir, fmt.Sprintf("s%02d", s))
		if err := tensorio.WriteNpyFile(base+".logits.npy", []int{n, c}, d.z[row*c:(row+n)*c]); err != nil {
			t.Fatal(err)
		}
		y := d.y[row : row+n]
		var err error
		switch s % 4 {
		case 1:
			raw := make([]byte, 4*n)
			for i, v := range y {
				binary.LittleEndian.PutUint32(raw[4*i:], uint32(v))
			}
			err = writeNpyRaw(base+".targets.npy", "<i4", fmt.Sprintf("(%d,)", n), raw)
		case 2:
			f := make([]float64, n)
			for i, v := range y {
				f[i] = float64(v)
			}
			err = tensorio.WriteNpyFile(base+".targets.npy", []int{n}, f)
		case 3:
			err = tensorio.WriteNpyFile(base+".targets.npy", []int{n, 1}, int64s(y))
		default:
			err = tensorio.WriteNpyFile(base+".targets.npy", []int{n}, int64s(y))
		}
		if err != nil {
			t.Fatal(err)
		}
		row += n
	}
}

func int64s(y []int) []int64 {
	out := make([]int64, len(y))
	for i, v := range y {
		out[i] = int64(v)
	}
	return out
}

// writeNpyRaw writes a version 1.0 .npy file by hand: the header dictionary
// padded to a multiple of 64 bytes, then raw.
func writeNpyRaw(path, descr, shape string, raw []byte) error {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	pad := 64 - (10+len(dict)+1)%64
	dict += strings.Repeat(" ", pad%64) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(dict)))
	b.WriteString(dict)
	b.Write(raw)
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// evaluate runs the pipeline on Prism over dir's shards.
func evaluate(t testing.TB, dir string, cfg Config) (*calib.Report, *Plan, error) {
	t.Helper()
	cfg.Logits, cfg.Targets, cfg.Run = filepath.Join(dir, "*.logits.npy"), filepath.Join(dir, "*.targets.npy"), onPrism
	return Evaluate(context.Background(), cfg)
}

func jsonOf(t testing.TB, r *calib.Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := calib.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAgainstLsceEval: the pipeline on Prism over 16 uneven shards (one
// empty), cut into ranges of about 40 rows, prints the JSON that calib's
// in-memory evaluation and the lsce eval command print for the same rows
// in one file, byte for byte: every sum is exact, so the Newton steps, and
// the fitted temperature, are the same too.
func TestAgainstLsceEval(t *testing.T) {
	d := newDataset(10, shardRows, 1)
	dir := t.TempDir()
	d.write(t, dir)
	var fitted *calib.Report
	for _, noFit := range []bool{false, true} {
		r, plan, err := evaluate(t, dir, Config{Epsilon: 0.1, Bins: 15, IgnoreIndex: new(lsce.DefaultIgnoreIndex), NoFit: noFit, RangeBytes: 40 * 10 * 4})
		if err != nil {
			t.Fatal(err)
		}
		n := len(d.y)
		if r.Metrics.Rows != n-n/97 {
			t.Errorf("%d rows evaluated, want %d: every 97th has the ignore index", r.Metrics.Rows, n-n/97)
		}
		if plan.Rows != int64(n) || len(plan.Shards) != len(shardRows) || len(plan.Ranges) < n/40 {
			t.Fatalf("plan: %d rows in %d shards, %d ranges; want %d rows in %d shards, ≥ %d ranges", plan.Rows, len(plan.Shards), len(plan.Ranges), n, len(shardRows), n/40)
		}
		want, err := calib.Evaluate(d.z, n, d.classes, d.y, calib.Options{Epsilon: 0.1, Bins: 15, IgnoreIndex: new(lsce.DefaultIgnoreIndex), NoFit: noFit})
		if err != nil {
			t.Fatal(err)
		}
		got, wantJSON := jsonOf(t, r), jsonOf(t, want)
		if !bytes.Equal(got, wantJSON) {
			t.Errorf("no-fit %v: pipeline JSON\n%s\ncalib.Evaluate on the concatenation\n%s", noFit, got, wantJSON)
		}
		if !noFit {
			fitted = r
			if r.Passes != want.Passes || math.Abs(r.Temperature-3)/3 > 0.1 {
				t.Errorf("T = %v after %d passes; in memory T = %v after %d; want T near 3", r.Temperature, r.Passes, want.Temperature, want.Passes)
			}
			if rel := math.Abs(r.Temperature-want.Temperature) / want.Temperature; rel > 1e-9 {
				t.Errorf("T = %v, in memory %v (relative %g)", r.Temperature, want.Temperature, rel)
			}
		}
	}
	// The lsce command on one file holding every row.
	all := t.TempDir()
	if err := tensorio.WriteNpyFile(filepath.Join(all, "logits.npy"), []int{len(d.y), d.classes}, d.z); err != nil {
		t.Fatal(err)
	}
	if err := tensorio.WriteNpyFile(filepath.Join(all, "targets.npy"), []int{len(d.y)}, int64s(d.y)); err != nil {
		t.Fatal(err)
	}
	lsce := buildLsce(t)
	cmd := exec.Command(lsce, "eval", "--logits", filepath.Join(all, "logits.npy"), "--targets", filepath.Join(all, "targets.npy"), "--format", "json")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("lsce eval: %v", err)
	}
	if got := jsonOf(t, fitted); !bytes.Equal(got, out) {
		t.Errorf("pipeline JSON\n%s\nlsce eval --format json\n%s", got, out)
	}
}

// buildLsce builds the lsce command of the root module.
func buildLsce(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lsce")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/lsce")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/lsce: %v\n%s", err, out)
	}
	return bin
}

// TestFloat64Shards: float64 logits, some big-endian (written by hand),
// give what calib gives on the concatenation in float64.
func TestFloat64Shards(t *testing.T) {
	d := newDataset(4, []int{50, 0, 130, 21}, 2)
	dir := t.TempDir()
	d.write(t, dir)
	z := make([]float64, len(d.z))
	for i, v := range d.z {
		z[i] = float64(v) + 1e-9*float64(i%7) // values no float32 holds
	}
	row := 0
	for s, n := range d.rows {
		path := filepath.Join(dir, fmt.Sprintf("s%02d.logits.npy", s))
		part := z[row*d.classes : (row+n)*d.classes]
		var err error
		if s%2 == 0 {
			raw := make([]byte, 8*len(part))
			for i, v := range part {
				binary.BigEndian.PutUint64(raw[8*i:], math.Float64bits(v))
			}
			err = writeNpyRaw(path, ">f8", fmt.Sprintf("(%d, %d)", n, d.classes), raw)
		} else {
			err = tensorio.WriteNpyFile(path, []int{n, d.classes}, part)
		}
		if err != nil {
			t.Fatal(err)
		}
		row += n
	}
	r, _, err := evaluate(t, dir, Config{Epsilon: 0.2, Bins: 5, IgnoreIndex: new(lsce.DefaultIgnoreIndex), RangeBytes: 8 * 4 * 16})
	if err != nil {
		t.Fatal(err)
	}
	want, err := calib.Evaluate(z, len(d.y), d.classes, d.y, calib.Options{Epsilon: 0.2, Bins: 5, IgnoreIndex: new(lsce.DefaultIgnoreIndex)})
	if err != nil {
		t.Fatal(err)
	}
	if got, w := jsonOf(t, r), jsonOf(t, want); !bytes.Equal(got, w) {
		t.Errorf("pipeline JSON\n%s\ncalib.Evaluate\n%s", got, w)
	}
}
