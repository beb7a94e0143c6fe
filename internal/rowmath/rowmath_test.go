package rowmath

import (
	"math"
	"testing"
)

// TestIndexAgainstDefinition: the parts from statistics equal the
// definition −Σ_c w_c q'_c ln p_c with q' = (1−ε')·onehot(y) + ε'/K, summed
// over the classes directly, for both variants, with and without weights.
func TestIndexAgainstDefinition(t *testing.T) {
	z := []float64{0.3, -1.2, 2.5, 0.7}
	for _, w := range [][]float64{{1, 1, 1, 1}, {0.5, 2, 1, 0.25}} {
		for _, others := range []bool{false, true} {
			for y := range z {
				k := len(z)
				eps := Epsilon(0.2, others, k)
				_, _, lse, swz, wRow := direct(z, w)
				got := Index(k, eps, lse, z[y], w[y], swz, wRow, 0, false).Main()
				want := 0.0
				for c, v := range z {
					q := eps / float64(k)
					if c == y {
						q += 1 - eps
					}
					want -= w[c] * q * (v - lse)
				}
				if math.Abs(got-want) > 1e-14*math.Abs(want) {
					t.Errorf("weights %v, others %v, y %d: loss %v, definition %v", w, others, y, got, want)
				}
			}
		}
	}
}

// TestCoefAgainstDifferences: a·exp(z_c − M) − b·w_c − [c = y]·(1−ε')·w_y·scale
// matches central differences of the loss (with z-loss) in every z_c.
func TestCoefAgainstDifferences(t *testing.T) {
	z := []float64{0.3, -1.2, 2.5, 0.7}
	w := []float64{0.5, 2, 1, 0.25}
	const y, eps, zl, scale, zs = 2, 0.15, 0.05, 0.5, 0.25
	loss := func(z []float64) float64 {
		_, _, lse, swz, wRow := direct(z, w)
		p := Index(len(z), eps, lse, z[y], w[y], swz, wRow, zl, false)
		return p.Main()*scale + p.Z*zs
	}
	m, s, lse, _, wRow := direct(z, w)
	a, b := Coef(len(z), eps, w[y], wRow, s, lse, scale, zs, zl)
	for c := range z {
		g := a*math.Exp(z[c]-m) - b*w[c]
		if c == y {
			g -= (1 - eps) * w[y] * scale
		}
		const h = 1e-6
		zp, zm := append([]float64(nil), z...), append([]float64(nil), z...)
		zp[c] += h
		zm[c] -= h
		if d := (loss(zp) - loss(zm)) / (2 * h); math.Abs(g-d) > 1e-8 {
			t.Errorf("class %d: gradient %v, central difference %v", c, g, d)
		}
	}
}

// TestMerge: merging the (max, Σexp) of two parts gives the whole set's,
// in either order, with the empty set as identity.
func TestMerge(t *testing.T) {
	a := []float64{1, -3, 700}
	b := []float64{-2, 699.5}
	stat := func(x []float64) (m, s float64) {
		m = math.Inf(-1)
		for _, v := range x {
			m = max(m, v)
		}
		for _, v := range x {
			s += math.Exp(v - m)
		}
		return m, s
	}
	ma, sa := stat(a)
	mb, sb := stat(b)
	mw, sw := stat(append(append([]float64(nil), a...), b...))
	for _, got := range [][2]float64{pair(Merge(ma, sa, mb, sb)), pair(Merge(mb, sb, ma, sa))} {
		if got[0] != mw || math.Abs(got[1]-sw) > 1e-15*sw {
			t.Errorf("merge (%v, %v), whole (%v, %v)", got[0], got[1], mw, sw)
		}
	}
	if m, s := Merge(math.Inf(-1), 0, ma, sa); m != ma || s != sa {
		t.Errorf("empty then a: (%v, %v)", m, s)
	}
	if m, s := Merge(ma, sa, 0, 0); m != ma || s != sa {
		t.Errorf("a then empty: (%v, %v)", m, s)
	}
}

// direct computes a row's statistics in plain loops: max, Σexp(z − max),
// log-sum-exp, Σ w·z and Σ w.
func direct(z, w []float64) (m, s, lse, swz, wRow float64) {
	m = math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	for c, v := range z {
		s += math.Exp(v - m)
		swz += w[c] * v
		wRow += w[c]
	}
	return m, s, m + math.Log(s), swz, wRow
}

func pair(a, b float64) [2]float64 { return [2]float64{a, b} }
