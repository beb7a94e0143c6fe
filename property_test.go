package lsce_test

// Property tests (pgregory.net/rapid). Each property is checked against
// something independent of the code under test: invariance of the same
// function under a transformation, finite differences, or a plain formula
// written out here from REFERENCE.md.

import (
	"math"
	"testing"

	"pgregory.net/rapid"

	"github.com/lsce/lsce"
)

// propCase is one random input.
type propCase struct {
	in        lsce.Input[float64]
	opt       lsce.Options
	k         int // classes
	n         int // elements (rows)
	classLast bool
	shape     []int
}

// index returns the position of element e's class c in the logits.
func (p *propCase) index(e, c int) int {
	if p.classLast || len(p.shape) <= 2 {
		return e*p.k + c
	}
	inner := p.n / p.shape[0]
	o, i := e/inner, e%inner
	return (o*p.k+c)*inner + i
}

// ignoreIndex is the ignore index the case uses.
func (p *propCase) ignoreIndex() int {
	if p.opt.IgnoreIndex == nil {
		return lsce.DefaultIgnoreIndex
	}
	return *p.opt.IgnoreIndex
}

type propKnobs struct {
	weights, probs, others, ignore bool
	maxK, maxN                     int
	logit                          float64 // logits in [−logit, logit]
}

var allKnobs = propKnobs{weights: true, probs: true, others: true, ignore: true, maxK: 12, maxN: 5, logit: 30}

func drawCase(t *rapid.T, kn propKnobs) *propCase {
	p := &propCase{}
	p.k = rapid.IntRange(1, kn.maxK).Draw(t, "K")
	outer := rapid.IntRange(1, kn.maxN).Draw(t, "N")
	switch rapid.IntRange(0, 3).Draw(t, "layout") {
	case 0: // (N, C)
		p.shape = []int{outer, p.k}
	case 1: // (N, C, d1, d2)
		d1, d2 := rapid.IntRange(1, 3).Draw(t, "d1"), rapid.IntRange(1, 3).Draw(t, "d2")
		p.shape = []int{outer, p.k, d1, d2}
	case 2: // class-last (N, d1, C)
		d1 := rapid.IntRange(1, 4).Draw(t, "d1")
		p.shape = []int{outer, d1, p.k}
		p.classLast = true
	case 3: // one row (C)
		p.shape = []int{p.k}
	}
	total := 1
	for _, d := range p.shape {
		total *= d
	}
	p.n = total / p.k
	p.in.Shape = p.shape
	p.in.Logits = rapid.SliceOfN(rapid.Float64Range(-kn.logit, kn.logit), total, total).Draw(t, "logits")
	p.opt.ClassLast = p.classLast
	p.opt.Epsilon = rapid.Float64Range(0, 1).Draw(t, "eps")
	p.opt.Reduction = lsce.Reduction(rapid.IntRange(0, 2).Draw(t, "reduction"))
	if kn.others && p.k >= 2 && rapid.Bool().Draw(t, "others") {
		p.opt.Variant = lsce.Others
	}
	if kn.weights && rapid.Bool().Draw(t, "weighted") {
		// Weights in steps of 1/1000 up to 3, 0 included: rapid's float
		// ranges favour denormals, whose 1/Σ w_y overflows (an error case,
		// tested in errors_test.go).
		for _, w := range rapid.SliceOfN(rapid.IntRange(0, 3000), p.k, p.k).Draw(t, "weights") {
			p.opt.Weight = append(p.opt.Weight, float64(w)/1000)
		}
	}
	if kn.probs && rapid.IntRange(0, 3).Draw(t, "probs?") == 0 {
		p.in.Probs = rapid.SliceOfN(rapid.Float64Range(0, 1), total, total).Draw(t, "probs")
		return p
	}
	lo := 0
	if kn.ignore {
		lo = -1
		if rapid.Bool().Draw(t, "custom ignore") {
			p.opt.IgnoreIndex = new(-1)
		}
	}
	p.in.Targets = make([]int, p.n)
	for e := range p.n {
		y := rapid.IntRange(lo, p.k-1).Draw(t, "y")
		if y < 0 {
			y = p.ignoreIndex()
		}
		p.in.Targets[e] = y
	}
	return p
}

// lossOf is the reduced loss (None: the sum) and the gradient.
func lossOf(t interface{ Fatalf(string, ...any) }, p *propCase, logits []float64) (float64, []float64) {
	in := p.in
	in.Logits = logits
	g := make([]float64, len(logits))
	res, err := lsce.CrossEntropyGrad(g, in, p.opt)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return res.Loss, g
}

// Shift invariance: adding a constant to one element's logits leaves every
// loss and the gradient unchanged (softmax is shift invariant, and the
// smoothing term (1/K)Σ_c w_c(LSE − z_c) too).
func TestPropertyShiftInvariance(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, allKnobs)
		e := rapid.IntRange(0, p.n-1).Draw(t, "element")
		shift := rapid.Float64Range(-1000, 1000).Draw(t, "shift")
		l0, g0 := lossOf(t, p, p.in.Logits)
		x := append([]float64(nil), p.in.Logits...)
		for c := range p.k {
			x[p.index(e, c)] += shift
		}
		l1, g1 := lossOf(t, p, x)
		// The shifted logits carry an absolute rounding error of
		// u·|z + shift| ≈ 1.1e-16·1030 each, which moves the loss by at most
		// that times Σ w q̃ ≤ 3·(1 + K) per element: 1e-11 covers it.
		if math.Abs(l1-l0) > 1e-11*(1+math.Abs(l0))*float64(p.k) {
			t.Fatalf("loss %v before the shift by %v, %v after", l0, shift, l1)
		}
		for i := range g0 {
			if math.Abs(g1[i]-g0[i]) > 1e-11*float64(p.k) {
				t.Fatalf("grad[%d] %v before the shift, %v after", i, g0[i], g1[i])
			}
		}
	})
}

// Without weights every element's gradient sums to 0 over its classes:
// Σ_j (Σq̃)·p_j − q̃_j = Σq̃ − Σq̃ (index and probability targets alike).
func TestPropertyGradientRowsSumToZero(t *testing.T) {
	kn := allKnobs
	kn.weights = false
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, kn)
		_, g := lossOf(t, p, p.in.Logits)
		for e := range p.n {
			s, mag := 0.0, 0.0
			for c := range p.k {
				s += g[p.index(e, c)]
				mag += math.Abs(g[p.index(e, c)])
			}
			// K terms of size ≤ 1 (times the mean's 1/denominator), each
			// rounded once: 1e-14·K is ~50 ulps of the largest.
			if math.Abs(s) > 1e-14*float64(p.k)*(1+mag) {
				t.Fatalf("element %d: gradient sums to %v", e, s)
			}
		}
	})
}

// The analytic gradient equals central finite differences of the reduced loss.
func TestPropertyFiniteDifferences(t *testing.T) {
	kn := allKnobs
	kn.logit = 8
	kn.maxK, kn.maxN = 6, 3
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, kn)
		l0, g := lossOf(t, p, p.in.Logits)
		x := append([]float64(nil), p.in.Logits...)
		for i := range x {
			// h = 1e-5: the truncation error h²/6·|f'''| is ~1e-11 for
			// |f'''| ≤ Σ w q̃ ≲ 10 per element; the rounding error of the
			// difference quotient is ~u·|L|/h.
			const h = 1e-5
			v := x[i]
			x[i] = v + h
			lp, _ := lossOf(t, p, x)
			x[i] = v - h
			lm, _ := lossOf(t, p, x)
			x[i] = v
			fd := (lp - lm) / (2 * h)
			allowed := 1e-7*(1+math.Abs(g[i])) + 4e-16*(1+math.Abs(l0))/h
			if math.Abs(fd-g[i]) > allowed {
				t.Fatalf("d loss/d z[%d]: analytic %.12g, finite difference %.12g (allowed %.3g)", i, g[i], fd, allowed)
			}
		}
	})
}

// logSumExp is the max-shifted log-sum-exp, written out for the oracles here.
func logSumExp(z []float64) float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = max(m, v)
	}
	s := 0.0
	for _, v := range z {
		s += math.Exp(v - m)
	}
	return m + math.Log(s)
}

// With ε = 0 the loss is plain (weighted) cross-entropy, from the textbook
// formula: mean = Σ_n w_{y_n}(LSE_n − z_{n,y_n}) / Σ_n w_{y_n}.
func TestPropertyEpsilonZeroIsCrossEntropy(t *testing.T) {
	kn := allKnobs
	kn.probs, kn.others = false, false
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, kn)
		p.opt.Epsilon = 0
		got, _ := lossOf(t, p, p.in.Logits)
		var num, den float64
		for e := range p.n {
			y := p.in.Targets[e]
			if y == p.ignoreIndex() {
				continue
			}
			z := make([]float64, p.k)
			for c := range z {
				z[c] = p.in.Logits[p.index(e, c)]
			}
			w := 1.0
			if p.opt.Weight != nil {
				w = p.opt.Weight[y]
			}
			num += w * (logSumExp(z) - z[y])
			den += w
		}
		want := num
		if p.opt.Reduction == lsce.Mean {
			want = 0
			if den > 0 {
				want = num / den
			}
		}
		// Same terms in another order: 1e-12 relative, with an absolute
		// part for cancellation in LSE − z_y at |z| ≤ 30.
		if math.Abs(got-want) > 1e-12*math.Abs(want)+1e-13*float64(p.n)*30 {
			t.Fatalf("ε = 0: loss %.15g, plain cross-entropy %.15g", got, want)
		}
	})
}

// hFloor is H(q') for the uniform variant: the target holds 1 − ε + ε/K, the
// K − 1 others ε/K.
func hFloor(eps float64, k int) float64 {
	xlx := func(x float64) float64 {
		if x == 0 {
			return 0
		}
		return x * math.Log(x)
	}
	u := eps / float64(k)
	return -xlx(1-eps+u) - float64(k-1)*xlx(u)
}

// The loss never falls below H(q') (Gibbs' inequality), and reaches it at
// z = log q'. Unweighted, index targets and normalised probability targets.
func TestPropertyLossFloor(t *testing.T) {
	// REFERENCE.md's values for ε = 0.1, to the 6 decimals given.
	for _, tc := range []struct {
		k    int
		want float64
	}{{2, 0.198515}, {10, 0.500288}, {1000, 1.014848}} {
		if got := hFloor(0.1, tc.k); math.Abs(got-tc.want) > 5e-7 {
			t.Errorf("H(q') for K = %d: formula %v, REFERENCE.md %v", tc.k, got, tc.want)
		}
		// The loss at z = log q' is the floor.
		z := make([]float64, tc.k)
		u := 0.1 / float64(tc.k)
		for c := range z {
			z[c] = math.Log(u)
		}
		z[0] = math.Log(1 - 0.1 + u)
		res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: z, Shape: []int{1, tc.k}, Targets: []int{0}}, lsce.Options{Epsilon: 0.1})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(res.Loss-tc.want) > 5e-7 {
			t.Errorf("K = %d: loss at z = log q' is %v, want the floor %v", tc.k, res.Loss, tc.want)
		}
	}
	kn := allKnobs
	kn.weights, kn.others = false, false
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, kn)
		p.opt.Reduction = lsce.None
		if p.in.Probs != nil { // normalise each element's targets
			for e := range p.n {
				s := 0.0
				for c := range p.k {
					s += p.in.Probs[p.index(e, c)]
				}
				for c := range p.k {
					if s > 0 {
						p.in.Probs[p.index(e, c)] /= s
					} else {
						p.in.Probs[p.index(e, c)] = 1 / float64(p.k)
					}
				}
			}
		}
		res, err := lsce.CrossEntropy(p.in, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		for e := range p.n {
			var floor float64
			switch {
			case p.in.Probs != nil:
				for c := range p.k {
					q := (1-p.opt.Epsilon)*p.in.Probs[p.index(e, c)] + p.opt.Epsilon/float64(p.k)
					if q > 0 {
						floor -= q * math.Log(q)
					}
				}
			case p.in.Targets[e] == p.ignoreIndex():
				continue
			default:
				floor = hFloor(p.opt.Epsilon, p.k)
			}
			// 1e-12: rounding only; the loss equals the floor at best.
			if res.Losses[e] < floor-1e-12*(1+floor) {
				t.Fatalf("element %d: loss %.15g below H(q') = %.15g", e, res.Losses[e], floor)
			}
		}
	})
}

// loss = (1−ε')·NLL + ε'·Smooth, per element and reduced, with NLL and Smooth
// checked against their own formulas (w_y(LSE − z_y) and
// (1/K)Σ_c w_c(LSE − z_c); −Σ_c w_c q_c log p_c for probability targets).
func TestPropertyDecomposition(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, allKnobs)
		p.opt.Reduction = lsce.None
		res, err := lsce.CrossEntropy(p.in, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		eps := p.opt.Epsilon
		if p.opt.Variant == lsce.Others {
			eps = eps * float64(p.k) / float64(p.k-1)
		}
		w := func(c int) float64 {
			if p.opt.Weight == nil {
				return 1
			}
			return p.opt.Weight[c]
		}
		var sumLoss float64
		for e := range p.n {
			z := make([]float64, p.k)
			for c := range z {
				z[c] = p.in.Logits[p.index(e, c)]
			}
			lse := logSumExp(z)
			var nll, smooth float64
			switch {
			case p.in.Probs != nil:
				for c := range z {
					nll += w(c) * p.in.Probs[p.index(e, c)] * (lse - z[c])
				}
			case p.in.Targets[e] == p.ignoreIndex():
				if res.Losses[e] != 0 || res.NLLs[e] != 0 || res.Smooths[e] != 0 {
					t.Fatalf("ignored element %d: loss %v nll %v smooth %v", e, res.Losses[e], res.NLLs[e], res.Smooths[e])
				}
				continue
			default:
				y := p.in.Targets[e]
				nll = w(y) * (lse - z[y])
			}
			for c := range z {
				smooth += w(c) * (lse - z[c])
			}
			smooth /= float64(p.k)
			// |z| ≤ 30, weights ≤ 3: terms up to ~200, 1e-12 relative to that.
			const tol = 1e-12 * 200
			loss := (1-eps)*nll + eps*smooth
			if math.Abs(res.NLLs[e]-nll) > tol*float64(p.k) || math.Abs(res.Smooths[e]-smooth) > tol || math.Abs(res.Losses[e]-loss) > tol*float64(p.k) {
				t.Fatalf("element %d: (loss, nll, smooth) = (%v, %v, %v), formulas (%v, %v, %v)", e, res.Losses[e], res.NLLs[e], res.Smooths[e], loss, nll, smooth)
			}
			if d := res.Losses[e] - ((1-eps)*res.NLLs[e] + eps*res.Smooths[e]); math.Abs(d) > tol {
				t.Fatalf("element %d: loss − ((1−ε')NLL + ε'Smooth) = %v", e, d)
			}
			sumLoss += loss
		}
		if math.Abs(res.Loss-sumLoss) > 1e-12*200*float64(p.n*p.k) {
			t.Fatalf("None: Loss %v, sum of the losses %v", res.Loss, sumLoss)
		}
		// Reduced: the same identity.
		for _, red := range []lsce.Reduction{lsce.Mean, lsce.Sum} {
			p.opt.Reduction = red
			r, err := lsce.CrossEntropy(p.in, p.opt)
			if err != nil {
				t.Fatal(err)
			}
			if d := r.Loss - ((1-eps)*r.NLL + eps*r.Smooth); math.Abs(d) > 1e-12*(1+math.Abs(r.Loss))*float64(p.k) {
				t.Fatalf("%v: Loss %v ≠ (1−ε')·%v + ε'·%v", red, r.Loss, r.NLL, r.Smooth)
			}
		}
	})
}

// Workers = 1 and Workers = N give the same bits (fixed blocks, summed in order).
func TestPropertyWorkersBitForBit(t *testing.T) {
	kn := allKnobs
	kn.maxN = 200 // up to 200·9·… elements: several 64-element blocks
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, kn)
		p.opt.Workers = 1
		g1 := make([]float64, len(p.in.Logits))
		r1, err := lsce.CrossEntropyGrad(g1, p.in, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3, 8} {
			p.opt.Workers = w
			g := make([]float64, len(p.in.Logits))
			r, err := lsce.CrossEntropyGrad(g, p.in, p.opt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Loss != r1.Loss || r.NLL != r1.NLL || r.Smooth != r1.Smooth {
				t.Fatalf("workers %d: loss %v, workers 1: %v", w, r.Loss, r1.Loss)
			}
			for i := range g {
				if g[i] != g1[i] {
					t.Fatalf("workers %d: grad[%d] %v, workers 1: %v", w, i, g[i], g1[i])
				}
			}
		}
	})
}

// The same for long rows, which may be split across workers.
func TestWorkersBitForBitLongRows(t *testing.T) {
	for _, k := range []int{1 << 16, 100003} {
		for _, n := range []int{1, 2, 3} {
			raw := splitmix(uint64(k+n), n*k, 9)
			x32 := make([]float32, len(raw))
			for i, v := range raw {
				x32[i] = float32(v)
			}
			targets := make([]int, n)
			for i := range targets {
				targets[i] = (i*7919 + 11) % k
			}
			w := make([]float64, k)
			for i := range w {
				w[i] = 0.5 + float64(i%5)
			}
			for _, weighted := range []bool{false, true} {
				opt := lsce.Options{Epsilon: 0.1, Workers: 1}
				if weighted {
					opt.Weight = w
				}
				check := func(name string, in func(opt lsce.Options) (float64, []float64)) {
					l1, g1 := in(opt)
					for _, workers := range []int{2, 3, 4} {
						o := opt
						o.Workers = workers
						l, g := in(o)
						if l != l1 {
							t.Errorf("%s K=%d N=%d weighted=%v: workers %d loss %.17g, workers 1 %.17g", name, k, n, weighted, workers, l, l1)
						}
						for i := range g {
							if g[i] != g1[i] {
								t.Errorf("%s K=%d N=%d weighted=%v: workers %d grad[%d] %v, workers 1 %v", name, k, n, weighted, workers, i, g[i], g1[i])
								break
							}
						}
					}
				}
				check("float64", func(opt lsce.Options) (float64, []float64) {
					g := make([]float64, len(raw))
					r, err := lsce.CrossEntropyGrad(g, lsce.Input[float64]{Logits: raw, Shape: []int{n, k}, Targets: targets}, opt)
					if err != nil {
						t.Fatal(err)
					}
					return r.Loss, g
				})
				check("float32", func(opt lsce.Options) (float64, []float64) {
					g := make([]float32, len(raw))
					r, err := lsce.CrossEntropyGrad(g, lsce.Input[float32]{Logits: x32, Shape: []int{n, k}, Targets: targets}, opt)
					if err != nil {
						t.Fatal(err)
					}
					out := make([]float64, len(g))
					for i, v := range g {
						out[i] = float64(v)
					}
					return r.Loss, out
				})
			}
		}
	}
}

// The gradient written in place over the logits equals the gradient written
// into a separate buffer, bit for bit, and so does the loss.
func TestPropertyInPlaceGradient(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawCase(t, allKnobs)
		sep := make([]float64, len(p.in.Logits))
		r1, err := lsce.CrossEntropyGrad(sep, p.in, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		in := p.in
		in.Logits = append([]float64(nil), p.in.Logits...)
		r2, err := lsce.CrossEntropyGrad(in.Logits, in, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Loss != r2.Loss {
			t.Fatalf("in place: loss %v, separate %v", r2.Loss, r1.Loss)
		}
		for i := range sep {
			if in.Logits[i] != sep[i] {
				t.Fatalf("in place: grad[%d] %v, separate %v", i, in.Logits[i], sep[i])
			}
		}
		// float32 too.
		x32 := make([]float32, len(p.in.Logits))
		var q32 []float32
		for i, v := range p.in.Logits {
			x32[i] = float32(v)
		}
		if p.in.Probs != nil {
			for _, v := range p.in.Probs {
				q32 = append(q32, float32(v))
			}
		}
		in32 := lsce.Input[float32]{Logits: x32, Shape: p.in.Shape, Targets: p.in.Targets, Probs: q32}
		sep32 := make([]float32, len(x32))
		r3, err := lsce.CrossEntropyGrad(sep32, in32, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		r4, err := lsce.CrossEntropyGrad(x32, in32, p.opt)
		if err != nil {
			t.Fatal(err)
		}
		if r3.Loss != r4.Loss {
			t.Fatalf("float32 in place: loss %v, separate %v", r4.Loss, r3.Loss)
		}
		for i := range sep32 {
			if x32[i] != sep32[i] {
				t.Fatalf("float32 in place: grad[%d] %v, separate %v", i, x32[i], sep32[i])
			}
		}
	})
}

// A long row in place: the split path with several workers.
func TestInPlaceLongRow(t *testing.T) {
	const k = 1 << 17
	raw := splitmix(7, 2*k, 5)
	for _, workers := range []int{1, 2, 4} {
		opt := lsce.Options{Epsilon: 0.2, Workers: workers}
		in := lsce.Input[float64]{Logits: raw, Shape: []int{2, k}, Targets: []int{5, k - 1}}
		sep := make([]float64, len(raw))
		r1, err := lsce.CrossEntropyGrad(sep, in, opt)
		if err != nil {
			t.Fatal(err)
		}
		in.Logits = append([]float64(nil), raw...)
		r2, err := lsce.CrossEntropyGrad(in.Logits, in, opt)
		if err != nil {
			t.Fatal(err)
		}
		if r1.Loss != r2.Loss {
			t.Errorf("workers %d: in place loss %v, separate %v", workers, r2.Loss, r1.Loss)
		}
		for i := range sep {
			if sep[i] != in.Logits[i] {
				t.Errorf("workers %d: in place grad[%d] %v, separate %v", workers, i, in.Logits[i], sep[i])
				break
			}
		}
	}
}
