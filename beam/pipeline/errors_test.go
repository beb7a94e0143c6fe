package pipeline

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsce/lsce/tensorio"
)

// badCase writes shards of 4 classes into a new directory, lets change
// spoil them, and expects the evaluation to fail with want (the directory
// written as DIR).
type badCase struct {
	name   string
	rows   []int
	change func(t *testing.T, dir string, logits [][]float32, targets [][]int64)
	want   string
}

func TestBadInput(t *testing.T) {
	writeL := func(t *testing.T, dir string, s int, shape []int, z []float32) {
		if err := tensorio.WriteNpyFile(filepath.Join(dir, shardName(s, "logits")), shape, z); err != nil {
			t.Fatal(err)
		}
	}
	writeT := func(t *testing.T, dir string, s int, y []int64) {
		if err := tensorio.WriteNpyFile(filepath.Join(dir, shardName(s, "targets")), []int{len(y)}, y); err != nil {
			t.Fatal(err)
		}
	}
	cases := []badCase{
		{"rows and targets differ", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			writeT(t, dir, 1, y[1][:19])
		}, "DIR/s01.logits.npy has 20 rows but DIR/s01.targets.npy has 19 targets: want one target per row"},
		{"classes differ across shards", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			writeL(t, dir, 2, []int{30, 3}, z[2][:90])
		}, "DIR/s02.logits.npy: 3 classes, but DIR/s00.logits.npy has 4: every shard needs the same classes"},
		{"NaN logit", []int{10, 200, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			z[1][4*150+2] = float32(math.NaN())
			writeL(t, dir, 1, []int{200, 4}, z[1])
		}, "DIR/s01.logits.npy: row 150, column 2: logit is NaN"},
		{"infinite logit, the first of two bad rows", []int{10, 200, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			z[1][4*199+3] = float32(math.Inf(-1))
			z[1][4*120] = float32(math.Inf(1))
			writeL(t, dir, 1, []int{200, 4}, z[1])
			z[2][0] = float32(math.NaN())
			writeL(t, dir, 2, []int{30, 4}, z[2])
		}, "DIR/s01.logits.npy: row 120, column 0: logit is +Inf"},
		{"target out of range", []int{10, 20, 300}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			y[2][271] = 4
			writeT(t, dir, 2, y[2])
		}, "DIR/s02.targets.npy: row 271: target 4 is outside [0, 4)"},
		{"negative target", []int{10, 20, 300}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			y[0][9] = -1
			writeT(t, dir, 0, y[0])
		}, "DIR/s00.targets.npy: row 9: target -1 is outside [0, 4)"},
		{"target beyond int32", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			y[1][3] = math.MaxInt64
			writeT(t, dir, 1, y[1])
		}, "DIR/s01.targets.npy: row 3: target 9223372036854775807 is outside [0, 4)"},
		{"fractional float target", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			f := make([]float64, 20)
			f[17] = 1.5
			if err := tensorio.WriteNpyFile(filepath.Join(dir, shardName(1, "targets")), []int{20}, f); err != nil {
				t.Fatal(err)
			}
		}, "DIR/s01.targets.npy: row 17: 1.5 is not an integer class index"},
		{"truncated shard", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			p := filepath.Join(dir, shardName(2, "logits"))
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, fi.Size()-4); err != nil {
				t.Fatal(err)
			}
		}, "DIR/s02.logits.npy: file is truncated"},
		{"integer logits", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			if err := tensorio.WriteNpyFile(filepath.Join(dir, shardName(0, "logits")), []int{10, 4}, make([]int64, 40)); err != nil {
				t.Fatal(err)
			}
		}, "DIR/s00.logits.npy: logits have dtype int64: want float32 or float64"},
		{"not a .npy file", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			if err := os.WriteFile(filepath.Join(dir, shardName(1, "targets")), []byte("0\n1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "DIR/s01.targets.npy: header: not a .npy file"},
		{"a shard without targets", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			os.Remove(filepath.Join(dir, shardName(1, "targets")))
		}, `3 logits files match "DIR/*.logits.npy" but 2 targets files match "DIR/*.targets.npy"`},
		{"shards that do not pair", []int{10, 20, 30}, func(t *testing.T, dir string, z [][]float32, y [][]int64) {
			os.Rename(filepath.Join(dir, shardName(1, "targets")), filepath.Join(dir, "s01b.targets.npy"))
		}, "shard 1 pairs DIR/s01.logits.npy with DIR/s01b.targets.npy: the names differ"},
		{"no rows", []int{0, 0}, nil, `"DIR/*.logits.npy": 2 shards and no rows`},
		{"empty glob", nil, nil, "--logits DIR/*.logits.npy: no file matches"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var z [][]float32
			var y [][]int64
			for s, n := range c.rows {
				zs := make([]float32, 4*n)
				for i := range zs {
					zs[i] = float32(i%7) - 3
				}
				ys := make([]int64, n)
				for i := range ys {
					ys[i] = int64(i % 4)
				}
				writeL(t, dir, s, []int{n, 4}, zs)
				writeT(t, dir, s, ys)
				z, y = append(z, zs), append(y, ys)
			}
			if c.change != nil {
				c.change(t, dir, z, y)
			}
			// Ranges of 16 rows: errors are located in the shard, not the range.
			_, _, err := evaluate(t, dir, Config{RangeBytes: 16 * 4 * 4})
			want := strings.ReplaceAll(c.want, "DIR", dir)
			var ie *InputError
			if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &ie) {
				t.Errorf("error %v\nwant an InputError containing %s", err, want)
			}
		})
	}
}

func shardName(s int, kind string) string {
	return "s0" + string(rune('0'+s)) + "." + kind + ".npy"
}

// TestMissingFile: a shard removed after planning is an error naming it
// (the job fails; not an InputError of the data).
func TestMissingFile(t *testing.T) {
	dir := t.TempDir()
	d := newDataset(3, []int{5, 6}, 3)
	d.write(t, dir)
	plan, err := NewPlan(context.Background(), filepath.Join(dir, "*.logits.npy"), filepath.Join(dir, "*.targets.npy"), 0)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(plan.Shards[1].Logits)
	a := newTestAccumulator(t, 3)
	_, err = addRange(context.Background(), a, plan.Ranges[1])
	if err == nil || !strings.Contains(err.Error(), plan.Shards[1].Logits) {
		t.Errorf("error %v, want one naming %s", err, plan.Shards[1].Logits)
	}
}
