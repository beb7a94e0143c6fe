package calib

import (
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/lsce/lsce"
)

// sliceSource serves rows held in memory to EvaluateStream, in reads of
// whatever size it asks for.
type sliceSource struct {
	z     []float64
	y     []int
	c     int
	row   int
	reads int
}

func (s *sliceSource) Rewind() error { s.row = 0; return nil }

func (s *sliceSource) Read(logits []float64, targets []int) (int, error) {
	n := min(len(targets), len(s.y)-s.row)
	if n == 0 {
		return 0, io.EOF
	}
	copy(logits, s.z[s.row*s.c:(s.row+n)*s.c])
	copy(targets, s.y[s.row:s.row+n])
	s.row += n
	s.reads++
	return n, nil
}

// TestEvaluateStream: streaming gives Evaluate's Report bit for bit, for
// any worker count (100 000 rows of 21 classes are three chunks of up to
// 49 932 rows), and the first bad row's error whatever the workers.
func TestEvaluateStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, c = 100_000, 21
	z, y := randomCase(rng, n, c, 2)
	opt := Options{Epsilon: 0.1, Bins: 10}
	want, err := Evaluate(z, n, c, y, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 3, 1000} {
		o := opt
		o.Workers = workers
		passes := 0
		got, err := EvaluateStream[float64](&sliceSource{z: z, y: y, c: c}, n, c, o, func(pass, rows int) {
			if rows == 0 {
				passes = pass
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if !sameMetrics(got.Metrics, want.Metrics) || !sameMetrics(got.Calibrated, want.Calibrated) || got.Temperature != want.Temperature || got.Loss != want.Loss {
			t.Errorf("%d workers: streamed report differs from Evaluate's", workers)
		}
		if passes != got.Passes {
			t.Errorf("%d workers: progress saw %d passes, the report says %d", workers, passes, got.Passes)
		}
	}
	bad := append([]float64(nil), z...)
	bad[70_000*c+3] = math.NaN()
	bad[99_950*c+1] = math.Inf(1) // the third chunk: rows 99 864…
	for _, workers := range []int{1, 2, 7} {
		_, err := EvaluateStream[float64](&sliceSource{z: bad, y: y, c: c}, n, c, Options{Workers: workers}, nil)
		var le *lsce.Error
		if !errors.As(err, &le) || le.Row != 70_000 || le.Class != 3 {
			t.Errorf("%d workers: err = %v, want row 70000, class 3", workers, err)
		}
	}
}

// TestStreamBounded: the workers and buffers follow the data (issue 15:
// lsce eval --workers 1000 on 8 rows took 13 GB): for 8 rows, one worker
// and one buffer of 8 rows; for many rows, at most GOMAXPROCS workers.
func TestStreamBounded(t *testing.T) {
	s := newStream[float32](nil, 8, 4, 1000, nil)
	if s.workers != 1 || len(s.bufs) != 1 || len(s.bufs[0].logits) != 8*4 {
		t.Errorf("8×4: %d workers, %d buffers of %d logits; want 1, 1, 32", s.workers, len(s.bufs), len(s.bufs[0].logits))
	}
	s = newStream[float32](nil, 1<<22, 10, 1000, nil)
	if p := runtime.GOMAXPROCS(0); s.workers > p || len(s.bufs) > p+2 {
		t.Errorf("2^22×10: %d workers, %d buffers; want at most %d and %d", s.workers, len(s.bufs), p, p+2)
	}
}
