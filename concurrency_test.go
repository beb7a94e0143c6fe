package lsce_test

import (
	"errors"
	"math"
	"sync"
	"testing"

	"github.com/lsce/lsce"
)

// TestConcurrentResults runs many goroutines at once (go test -race checks
// them): each with Results of its own, alternating float32 and float64 calls
// on one Result and on shapes that take every path, must get the losses a
// single goroutine computed beforehand; goroutines sharing one Result must
// each get either the right loss or the "in use" ErrOption error, never a
// panic, a race or a wrong number.
func TestConcurrentResults(t *testing.T) {
	type job struct {
		in32 lsce.Input[float32]
		in64 lsce.Input[float64]
		opt  lsce.Options
		want [2]float64 // float32, float64
	}
	shapes := [][2]int{{8, 10}, {300, 21}, {70, 600}, {3, 70000}}
	var jobs []job
	for _, sh := range shapes {
		for _, w := range []int{0, 1, 3} {
			j := job{in32: benchInput[float32](sh[0], sh[1]), in64: benchInput[float64](sh[0], sh[1]),
				opt: lsce.Options{Epsilon: 0.1, Workers: w}}
			r32, err := lsce.CrossEntropy(j.in32, j.opt)
			if err != nil {
				t.Fatal(err)
			}
			r64, err := lsce.CrossEntropy(j.in64, j.opt)
			if err != nil {
				t.Fatal(err)
			}
			j.want = [2]float64{r32.Loss, r64.Loss}
			jobs = append(jobs, j)
		}
	}
	check := func(t *testing.T, got, want float64, what string) {
		if got != want {
			t.Errorf("%s: loss %v, want %v", what, got, want)
		}
	}
	const goroutines = 16
	var shared lsce.Result
	var inUse, sharedOK sync.Map
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			var own lsce.Result // one Result for both element types
			grad32 := make([]float32, 3*70000)
			grad64 := make([]float64, 3*70000)
			for it := range 3 * len(jobs) {
				j := jobs[(g+it)%len(jobs)]
				if err := lsce.CrossEntropyInto(&own, grad32[:len(j.in32.Logits)], j.in32, j.opt); err != nil {
					t.Error(err)
					return
				}
				check(t, own.Loss, j.want[0], "own Result, float32")
				if err := lsce.CrossEntropyInto(&own, nil, j.in64, j.opt); err != nil {
					t.Error(err)
					return
				}
				check(t, own.Loss, j.want[1], "own Result, float64")
				// The shared Result: success with the right loss (read by
				// the winner only while it still holds it: copy first), or
				// the in-use error.
				var err error
				if it%2 == 0 {
					err = lsce.CrossEntropyInto(&shared, grad64[:len(j.in64.Logits)], j.in64, j.opt)
				} else {
					err = lsce.CrossEntropyInto(&shared, nil, j.in32, j.opt)
				}
				var le *lsce.Error
				switch {
				case err == nil:
					sharedOK.Store(g, true)
				case errors.As(err, &le) && errors.Is(err, lsce.ErrOption) && le.Row == -1:
					inUse.Store(g, true)
				default:
					t.Errorf("shared Result: %v", err)
				}
			}
		})
	}
	wg.Wait()
	n := 0
	sharedOK.Range(func(any, any) bool { n++; return true })
	if n == 0 {
		t.Error("no call on the shared Result succeeded")
	}
}

// TestResultReuse: one Result used for float32 and float64 calls in turn,
// on every path, gives the losses of fresh Results; a copy of a Result used
// afterwards leaves the original's per-element losses alone.
func TestResultReuse(t *testing.T) {
	var r lsce.Result
	for _, sh := range [][2]int{{8, 10}, {300, 21}, {70, 600}, {3, 70000}, {5, 7}} {
		for _, red := range []lsce.Reduction{lsce.Mean, lsce.None} {
			opt := lsce.Options{Epsilon: 0.1, Reduction: red}
			in32, in64 := benchInput[float32](sh[0], sh[1]), benchInput[float64](sh[0], sh[1])
			want32, _ := lsce.CrossEntropy(in32, opt)
			want64, _ := lsce.CrossEntropy(in64, opt)
			for range 2 {
				if err := lsce.CrossEntropyInto(&r, make([]float32, len(in32.Logits)), in32, opt); err != nil {
					t.Fatal(err)
				}
				if r.Loss != want32.Loss {
					t.Errorf("%v float32 after float64: loss %v, want %v", sh, r.Loss, want32.Loss)
				}
				if err := lsce.CrossEntropyInto(&r, nil, in64, opt); err != nil {
					t.Fatal(err)
				}
				if r.Loss != want64.Loss {
					t.Errorf("%v float64 after float32: loss %v, want %v", sh, r.Loss, want64.Loss)
				}
			}
		}
	}
	in := benchInput[float64](4, 3)
	opt := lsce.Options{Reduction: lsce.None}
	if err := lsce.CrossEntropyInto(&r, nil, in, opt); err != nil {
		t.Fatal(err)
	}
	before := append([]float64(nil), r.Losses...)
	c := r
	in.Logits = make([]float64, 12) // other losses: ln 3 each
	if err := lsce.CrossEntropyInto(&c, nil, in, opt); err != nil {
		t.Fatal(err)
	}
	for i, l := range r.Losses {
		if l != before[i] {
			t.Fatalf("the copy's call changed the original's Losses[%d]: %v, was %v", i, l, before[i])
		}
		if math.Abs(c.Losses[i]-math.Log(3)) > 1e-15 {
			t.Fatalf("copy: Losses[%d] = %v, want ln 3", i, c.Losses[i])
		}
	}
}
