package lsce_test

import (
	"math"
	"runtime"
	"testing"

	"github.com/lsce/lsce"
)

// TestSteadyStateAllocs: with one worker, a call reusing its Result
// allocates nothing, for every reduction, with and without weights and
// gradient.
func TestSteadyStateAllocs(t *testing.T) {
	in := benchInput[float32](64, 100)
	in64 := benchInput[float64](64, 100)
	w := make([]float64, 100)
	for i := range w {
		w[i] = 1 + float64(i%3)
	}
	grad := make([]float32, len(in.Logits))
	grad64 := make([]float64, len(in64.Logits))
	for _, red := range []lsce.Reduction{lsce.Mean, lsce.Sum, lsce.None} {
		for _, weight := range [][]float64{nil, w} {
			opt := lsce.Options{Epsilon: 0.1, Workers: 1, Reduction: red, Weight: weight}
			var res, res64 lsce.Result // one per element type
			allocs := testing.AllocsPerRun(20, func() {
				if err := lsce.CrossEntropyInto(&res, grad, in, opt); err != nil {
					t.Fatal(err)
				}
				if err := lsce.CrossEntropyInto(&res, nil, in, opt); err != nil {
					t.Fatal(err)
				}
				if err := lsce.CrossEntropyInto(&res64, grad64, in64, opt); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("reduction %v, weights %v: %v allocations per call", red, weight != nil, allocs/3)
			}
		}
	}
}

// TestDefaultOptionsAllocs: with the default Options (Workers 0) and
// GOMAXPROCS 4, an ordinary minibatch reusing its Result runs on the calling
// goroutine and allocates nothing, forward and backward, both element types.
func TestDefaultOptionsAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, sh := range [][2]int{{128, 10}, {1024, 100}, {64, 1000}} {
		in32, in64 := benchInput[float32](sh[0], sh[1]), benchInput[float64](sh[0], sh[1])
		g32, g64 := make([]float32, len(in32.Logits)), make([]float64, len(in64.Logits))
		var r lsce.Result
		opt := lsce.Options{Epsilon: 0.1}
		n := mallocs(50, func() {
			for _, g := range [][]float32{nil, g32} {
				if err := lsce.CrossEntropyInto(&r, g, in32, opt); err != nil {
					t.Fatal(err)
				}
			}
			for _, g := range [][]float64{nil, g64} {
				if err := lsce.CrossEntropyInto(&r, g, in64, opt); err != nil {
					t.Fatal(err)
				}
			}
		})
		if n != 0 {
			t.Errorf("%d×%d: %v allocations per four calls with the default Options", sh[0], sh[1], n)
		}
	}
}

// mallocs returns the average number of heap allocations of f over runs
// calls, at the current GOMAXPROCS (testing.AllocsPerRun sets GOMAXPROCS to
// 1, which would hide the default Options' workers). The process-wide count
// also sees the odd allocation of the runtime or the test framework, so the
// least of five trials is returned: an allocation of f shows in every one.
func mallocs(runs int, f func()) float64 {
	f()
	least := math.Inf(1)
	for range 5 {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		for range runs {
			f()
		}
		runtime.ReadMemStats(&b)
		least = min(least, float64(b.Mallocs-a.Mallocs)/float64(runs))
	}
	return least
}
