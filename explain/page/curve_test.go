package page

import (
	"math"
	"testing"
)

// TestOptimalGap finds the minimum of the library's loss against the gap
// numerically (golden-section search on lsce.CrossEntropy) and checks it
// against the closed form ln((1−ε+ε/K)/(ε/K)), and checks that with ε = 0
// the loss only decreases.
func TestOptimalGap(t *testing.T) {
	loss := func(g float64, k int, eps float64) float64 {
		l, err := GapLosses([]float64{g}, k, eps)
		if err != nil {
			t.Fatal(err)
		}
		return l[0]
	}
	for _, k := range []int{2, 3, 5, 10, 100} {
		for _, eps := range []float64{0.01, 0.1, 0.25, 0.5, 0.9, 1} {
			a, b := -5.0, 40.0
			phi := (math.Sqrt(5) - 1) / 2
			for b-a > 1e-9 {
				c, d := b-phi*(b-a), a+phi*(b-a)
				if loss(c, k, eps) < loss(d, k, eps) {
					b = d
				} else {
					a = c
				}
			}
			numeric := (a + b) / 2
			closed := math.Log((1 - eps + eps/float64(k)) / (eps / float64(k)))
			// The loss is flat at its minimum: its argmin is known to about
			// the square root of the float64 precision.
			if got := OptimalGap(eps, k); math.Abs(got-closed) > 1e-12 || math.Abs(numeric-closed) > 1e-6 {
				t.Errorf("K = %d, ε = %v: OptimalGap %v, numeric minimum %v, closed form %v", k, eps, got, numeric, closed)
			}
			// At the minimum the softmax gives the label its smoothed target.
			p := math.Exp(closed) / (math.Exp(closed) + float64(k-1))
			if q := 1 - eps + eps/float64(k); math.Abs(p-q) > 1e-12 {
				t.Errorf("K = %d, ε = %v: p(label) at the minimum %v, want %v", k, eps, p, q)
			}
		}
		c, err := NewCurve(k, 0)
		if err != nil {
			t.Fatal(err)
		}
		if c.MinGap != nil {
			t.Errorf("K = %d, ε = 0: a minimum at %v", k, *c.MinGap)
		}
		for i := 1; i < len(c.Plain); i++ {
			if !(c.Plain[i] < c.Plain[i-1]) {
				t.Fatalf("K = %d, ε = 0: the loss rises from gap %v to %v", k, c.Gaps[i-1], c.Gaps[i])
			}
		}
	}
	c, err := NewCurve(2, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if c.MinGap == nil || *c.MinGap < c.Gaps[0] || *c.MinGap > c.Gaps[len(c.Gaps)-1] {
		t.Errorf("the minimum %v lies outside the chart's gaps", c.MinGap)
	}
	for i, g := range c.Gaps {
		if c.Smoothed[i] < *c.MinLoss-1e-15 {
			t.Errorf("the loss at gap %v, %v, is below the minimum %v", g, c.Smoothed[i], *c.MinLoss)
		}
	}
}
