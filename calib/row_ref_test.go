package calib

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lsce/lsce"
)

// rowStatsRef is rowStats as plain loops over math.Exp, the reference the
// kernel-based version is checked against.
func rowStatsRef[T lsce.Float](z []T, y int, beta float64) stats {
	zy := float64(z[y])
	m1, m2 := math.Inf(-1), math.Inf(-1)
	ahead := 0
	for k, v := range z {
		f := float64(v)
		if f > m1 {
			m1, m2 = f, m1
		} else if f > m2 {
			m2 = f
		}
		if f > zy || (f == zy && k < y) {
			ahead++
		}
	}
	e := make([]float64, len(z))
	var s, su, off, off2, ubar float64
	for k, v := range z {
		u := float64(v) - m1
		ubar += u / float64(len(z))
		e[k] = math.Exp(beta * u)
		s += e[k]
		su += e[k] * u
		if k != y {
			off += e[k]
			off2 += e[k] * e[k]
		}
	}
	mean := su / s
	var v float64
	for k, x := range z {
		d := float64(x) - m1 - mean
		v += e[k] * d * d
	}
	uy := zy - m1
	st := stats{ahead: ahead, below: zy < m1, conf: 1 / s, nll: math.Log(s) - beta*uy,
		brier: (off2 + off*off) / (s * s), grad: mean - uy, curv: v / s, grad0: ubar - uy}
	if len(z) > 1 {
		st.gap = beta * (m1 - m2)
	}
	return st
}

// TestRowStatsKernel compares the kernel-based row statistics with the plain
// loops on random rows of lengths around the vector widths, both types, and
// several temperatures.
func TestRowStatsKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var sc scratch
	for _, c := range []int{2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000, 4099} {
		for _, beta := range []float64{1e-3, 0.3, 1, 4} {
			for range 5 {
				z := make([]float64, c)
				for k := range z {
					z[k] = 5 * rng.NormFloat64()
				}
				y := rng.IntN(c)
				// 1e-13: a few ulps per term of the exponentials (the kernel's
				// float64 contract is 1e-15), summed in a different order.
				cmpStats(t, c, beta, must(rowStats(z, y, beta, -1, &sc)), rowStatsRef(z, y, beta), 1e-13)
				z32 := make([]float32, c)
				for k := range z {
					z32[k] = float32(z[k])
				}
				cmpStats(t, c, beta, must(rowStats(z32, y, beta, -1, &sc)), rowStatsRef(z32, y, beta), 1e-13)
			}
		}
	}
}

func cmpStats(t *testing.T, c int, beta float64, got, want stats, tol float64) {
	t.Helper()
	if got.ahead != want.ahead || got.below != want.below {
		t.Fatalf("C %d β %v: ranks %+v, want %+v", c, beta, got, want)
	}
	for _, f := range []struct {
		name      string
		got, want float64
	}{
		{"conf", got.conf, want.conf}, {"nll", got.nll, want.nll}, {"brier", got.brier, want.brier},
		{"gap", got.gap, want.gap}, {"grad", got.grad, want.grad}, {"curv", got.curv, want.curv}, {"grad0", got.grad0, want.grad0},
	} {
		if !near(f.got, f.want, tol) {
			t.Errorf("C %d β %v: %s = %.17g, want %.17g", c, beta, f.name, f.got, f.want)
		}
	}
}

// must returns rowStats' statistics, panicking on its error (the rows of
// these tests are finite).
func must(st stats, err *lsce.Error) stats {
	if err != nil {
		panic(err)
	}
	return st
}
