package calib

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// randomCase returns n rows of c logits, scaled by scale, with targets drawn
// from the softmax of the unscaled logits (so scale > 1 is over-confident).
func randomCase(rng *rand.Rand, n, c int, scale float64) ([]float64, []int) {
	z := make([]float64, n*c)
	y := make([]int, n)
	p := make([]float64, c)
	for i := range n {
		s := 0.0
		for k := range c {
			v := 2 * rng.NormFloat64()
			z[i*c+k] = scale * v
			p[k] = math.Exp(v)
			s += p[k]
		}
		u := rng.Float64() * s
		y[i] = c - 1
		for k := range c {
			if u -= p[k]; u < 0 {
				y[i] = k
				break
			}
		}
	}
	return z, y
}

// TestStreamingExact: the same rows cut into chunks of random sizes, added
// in a random order to a random number of Accumulators merged in a random
// order, give bit-identical metrics, loss and fit statistics to one
// Accumulator fed the whole data at once.
func TestStreamingExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, c = 3000, 7
	z, y := randomCase(rng, n, c, 3)
	for _, temp := range []float64{1, 2.5} {
		opt := Options{Epsilon: 0.1, Bins: 15, Temperature: temp}
		whole, err := NewAccumulator(c, opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := Add(whole, 0, z, y); err != nil {
			t.Fatal(err)
		}
		want := whole.Metrics()
		wantLoss, _ := whole.Loss()
		wf, wg, wh, wg0 := whole.derivatives()
		for trial := range 20 {
			// Random chunk boundaries.
			var cuts []int
			for i := 0; i < n; i += 1 + rng.IntN(400) {
				cuts = append(cuts, i)
			}
			cuts = append(cuts, n)
			order := rng.Perm(len(cuts) - 1)
			accs := make([]*Accumulator, 1+rng.IntN(5))
			for i := range accs {
				accs[i], _ = NewAccumulator(c, opt)
			}
			for _, j := range order {
				lo, hi := cuts[j], cuts[j+1]
				if err := Add(accs[rng.IntN(len(accs))], lo, z[lo*c:hi*c], y[lo:hi]); err != nil {
					t.Fatal(err)
				}
			}
			rng.Shuffle(len(accs), func(i, j int) { accs[i], accs[j] = accs[j], accs[i] })
			for _, a := range accs[1:] {
				if err := accs[0].Merge(a); err != nil {
					t.Fatal(err)
				}
			}
			got := accs[0].Metrics()
			gotLoss, _ := accs[0].Loss()
			gf, gg, gh, gg0 := accs[0].derivatives()
			if !sameMetrics(got, want) || gotLoss != wantLoss || gf != wf || gg != wg || gh != wh || gg0 != wg0 {
				t.Fatalf("T=%v trial %d (%d chunks, %d accumulators): streamed\n%+v loss %v\nwhole\n%+v loss %v",
					temp, trial, len(order), len(accs), got, gotLoss, want, wantLoss)
			}
		}
	}
	// And Evaluate, whatever the worker count, reports the same.
	var first *Report
	for w := 1; w <= 5; w++ {
		r, err := Evaluate(z, n, c, y, Options{Epsilon: 0.1, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = r
			continue
		}
		if !sameMetrics(r.Metrics, first.Metrics) || !sameMetrics(r.Calibrated, first.Calibrated) || r.Temperature != first.Temperature || r.Loss != first.Loss {
			t.Errorf("workers %d: report differs from workers 1", w)
		}
	}
}

// sameMetrics compares bit for bit.
func sameMetrics(a, b Metrics) bool {
	if a.Rows != b.Rows || a.Classes != b.Classes || a.Temperature != b.Temperature || a.Accuracy != b.Accuracy ||
		a.Top5Accuracy != b.Top5Accuracy || a.HasTop5 != b.HasTop5 || a.NLL != b.NLL || a.ECE != b.ECE || a.MCE != b.MCE ||
		a.Brier != b.Brier || a.Confidence != b.Confidence || a.LogitGap != b.LogitGap || len(a.Bins) != len(b.Bins) {
		return false
	}
	for i := range a.Bins {
		if a.Bins[i] != b.Bins[i] {
			return false
		}
	}
	return true
}

// TestMergeMismatch: accumulators of different settings do not merge.
func TestMergeMismatch(t *testing.T) {
	a, _ := NewAccumulator(3, Options{})
	for _, o := range []struct {
		c   int
		opt Options
	}{{4, Options{}}, {3, Options{Bins: 10}}, {3, Options{Temperature: 2}}, {3, Options{Epsilon: 0.1}}} {
		b, _ := NewAccumulator(o.c, o.opt)
		if err := a.Merge(b); err == nil {
			t.Errorf("merging %d classes %+v into 3 classes: no error", o.c, o.opt)
		}
	}
}

// TestExactSum checks the accumulator against big.Float sums at a precision
// that holds every partial sum exactly (math/big is the oracle), on values
// spread over the whole float64 range, with cancellations.
func TestExactSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		var s exactSum
		ref := new(big.Float).SetPrec(4000)
		var vals []float64
		for range 1 + rng.IntN(300) {
			var v float64
			switch rng.IntN(5) {
			case 0:
				v = math.Float64frombits(rng.Uint64() & 0x7fefffffffffffff) // any finite magnitude
			case 1:
				v = math.Float64frombits(rng.Uint64() & 0x000fffffffffffff) // subnormal
			case 2:
				if len(vals) > 0 {
					v = -vals[rng.IntN(len(vals))] // cancel an earlier value
				}
			default:
				v = rng.NormFloat64() * math.Pow(2, float64(rng.IntN(200)-100))
			}
			if rng.IntN(2) == 0 {
				v = -v
			}
			vals = append(vals, v)
			s.add(v)
			ref.Add(ref, new(big.Float).SetFloat64(v))
		}
		want, _ := ref.Float64()
		if got := s.float64(); got != want && !(math.IsInf(got, 0) && math.IsInf(want, 0)) {
			t.Fatalf("trial %d: sum %v, want %v", trial, got, want)
		}
		// Split and merge: the same.
		var a, b exactSum
		for i, v := range vals {
			if i%3 == 0 {
				a.add(v)
			} else {
				b.add(v)
			}
		}
		b.merge(&a)
		if b.float64() != s.float64() {
			t.Fatalf("trial %d: merged sum %v, want %v", trial, b.float64(), s.float64())
		}
	}
	// 1e300 + 1 − 1e300 = 1 exactly, which float64 addition loses.
	var s exactSum
	for _, v := range []float64{1e300, 1, -1e300} {
		s.add(v)
	}
	if s.float64() != 1 {
		t.Errorf("1e300 + 1 − 1e300 = %v, want 1", s.float64())
	}
	// The carry flush: more additions than exactFlush stay exact.
	var m exactSum
	m.pending = exactFlush - 3
	for range 10 {
		m.add(0.5)
	}
	if m.float64() != 5 {
		t.Errorf("across the flush: %v, want 5", m.float64())
	}
}

// TestTemperatureBruteForce compares the fitted T with a scan of the NLL,
// computed directly (log-softmax of z/T, no derivatives), over a fine grid
// of log T, on cases from under- to over-confident.
func TestTemperatureBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, scale := range []float64{0.3, 1, 2, 5} {
		for _, c := range []int{2, 10, 100} {
			n := 10000 / c
			z, y := randomCase(rng, n, c, scale)
			r, err := Evaluate(z, n, c, y, Options{})
			if err != nil {
				t.Fatal(err)
			}
			nll := func(temp float64) float64 {
				s := 0.0
				for i := range n {
					row := z[i*c : (i+1)*c]
					m := math.Inf(-1)
					for _, v := range row {
						m = max(m, v/temp)
					}
					e := 0.0
					for _, v := range row {
						e += math.Exp(v/temp - m)
					}
					s += m + math.Log(e) - row[y[i]]/temp
				}
				return s / float64(n)
			}
			// A coarse scan of log T over [0.01, 100] (201 points), then a
			// fine one (201 points) over ±2 coarse steps around its best:
			// a final step of 0.09% in T.
			scan := func(lo, hi float64) (bestT, best, step float64) {
				const pts = 201
				best = math.Inf(1)
				step = math.Pow(hi/lo, 1.0/(pts-1))
				for i := range pts {
					temp := lo * math.Pow(step, float64(i))
					if f := nll(temp); f < best {
						bestT, best = temp, f
					}
				}
				return bestT, best, step
			}
			coarseT, _, cstep := scan(0.01, 100)
			bestT, best, step := scan(coarseT/(cstep*cstep), coarseT*cstep*cstep)
			fit := nll(r.Temperature)
			if fit > best+1e-13 {
				t.Errorf("scale %v C %d: NLL %v at the fitted T %v above the grid's best %v at T %v", scale, c, fit, r.Temperature, best, bestT)
			}
			if r.Temperature < bestT/step || r.Temperature > bestT*step {
				t.Errorf("scale %v C %d: fitted T %v is more than a grid step from the grid's best %v", scale, c, r.Temperature, bestT)
			}
			check(t, "calibrated NLL", r.Calibrated.NLL, fit, 1e-12)
			if r.Passes > 12 {
				t.Errorf("scale %v C %d: %d passes", scale, c, r.Passes)
			}
			t.Logf("scale %v C %3d: T %.6f (grid %.6f), %d passes, ECE %.4f → %.4f", scale, c, r.Temperature, bestT, r.Passes, r.Metrics.ECE, r.Calibrated.ECE)
		}
	}
}
