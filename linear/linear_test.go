package linear

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/kernel"
	"github.com/lsce/lsce/internal/resultcheck"
	"pgregory.net/rapid"
)

// problem is a random classifier head.
type problem[T Float] struct {
	in  Input[T]
	opt lsce.Options
}

func drawProblem[T Float](t *rapid.T) problem[T] {
	n := rapid.IntRange(0, 23).Draw(t, "rows")
	d := rapid.IntRange(1, 9).Draw(t, "hidden")
	v := rapid.IntRange(1, 41).Draw(t, "classes")
	fill := func(k int, scale float64) []T {
		x := make([]T, k)
		for i := range x {
			x[i] = T(rapid.Float64Range(-scale, scale).Draw(t, "x"))
		}
		return x
	}
	in := Input[T]{H: fill(n*d, 2), W: fill(v*d, 1), Rows: n, Hidden: d, Classes: v,
		RowBlock: rapid.IntRange(1, 9).Draw(t, "rb"), ClassBlock: rapid.IntRange(1, 17).Draw(t, "cb")}
	if rapid.Bool().Draw(t, "bias") {
		in.B = fill(v, 1)
	}
	opt := lsce.Options{
		Epsilon:   rapid.Float64Range(0, 1).Draw(t, "eps"),
		Reduction: lsce.Reduction(rapid.IntRange(0, 2).Draw(t, "reduction")),
		Variant:   lsce.Variant(rapid.IntRange(0, 1).Draw(t, "variant")),
		ZeroFloor: rapid.Bool().Draw(t, "floor"),
		Workers:   rapid.IntRange(1, 3).Draw(t, "workers"),
	}
	if rapid.Bool().Draw(t, "zloss") {
		opt.ZLoss = rapid.Float64Range(0, 0.1).Draw(t, "lambda")
	}
	if rapid.Bool().Draw(t, "softcap") {
		opt.SoftCap = rapid.Float64Range(0.5, 5).Draw(t, "cap")
	}
	if rapid.Bool().Draw(t, "weighted") {
		opt.Weight = make([]float64, v)
		for c := range opt.Weight {
			opt.Weight[c] = float64(T(rapid.Float64Range(0.1, 2).Draw(t, "w")))
		}
	}
	in.Targets = make([]int, n)
	for i := range in.Targets {
		in.Targets[i] = rapid.IntRange(0, v-1).Draw(t, "y")
		if rapid.Float64Range(0, 1).Draw(t, "ignore") < 0.15 {
			in.Targets[i] = lsce.DefaultIgnoreIndex
		}
	}
	return problem[T]{in, opt}
}

func newGrads[T Float](in Input[T]) Grads[T] {
	return Grads[T]{H: make([]T, in.Rows*in.Hidden), W: make([]T, in.Classes*in.Hidden), B: make([]T, in.Classes)}
}

func maxAbs[T Float](x []T) float64 {
	m := 0.0
	for _, v := range x {
		m = math.Max(m, math.Abs(float64(v)))
	}
	return m
}

// checkAgainstMaterialised compares the fused loss and gradients with the
// materialised path (all logits, then lsce.CrossEntropyGrad, whose numbers
// are checked against PyTorch in the root package).
func checkAgainstMaterialised[T Float](t *rapid.T, tol float64) {
	p := drawProblem[T](t)
	gf, gm := newGrads(p.in), newGrads(p.in)
	// Poison the fused buffers: they must be overwritten, not accumulated.
	for _, s := range [][]T{gf.H, gf.W, gf.B} {
		for i := range s {
			s[i] = 7
		}
	}
	got, err := CrossEntropyGrad(gf, p.in, p.opt)
	if err != nil {
		t.Fatalf("fused: %v", err)
	}
	want, err := Materialised(gm, p.in, p.opt)
	if err != nil {
		t.Fatalf("materialised: %v", err)
	}
	if err := resultcheck.Diff(got, want, tol, false); err != nil {
		t.Fatal(err)
	}
	for _, pair := range []struct {
		name string
		g, w []T
	}{{"dH", gf.H, gm.H}, {"dW", gf.W, gm.W}, {"db", gf.B, gm.B}} {
		// Rounding is relative to the terms summed (of order 1), not to
		// gradients that cancel to nearly 0.
		scale := math.Max(1, maxAbs(pair.w))
		for i := range pair.w {
			if d := math.Abs(float64(pair.g[i] - pair.w[i])); d > tol*scale || math.IsNaN(d) {
				t.Fatalf("%s[%d] = %.10g, want %.10g", pair.name, i, float64(pair.g[i]), float64(pair.w[i]))
			}
		}
	}
}

// TestFusedEqualsMaterialised64: float64, every option, random sizes and
// block shapes (edges included), 1..3 workers.
func TestFusedEqualsMaterialised64(t *testing.T) {
	// Different summation orders of ≤ 41·9 products of size ≲ 2: 1e-10.
	rapid.Check(t, func(t *rapid.T) { checkAgainstMaterialised[float64](t, 1e-10) })
}

// TestFusedEqualsMaterialised32: the same in float32, where the matrix
// products round to float32 (2^-24 ≈ 6e-8 per operation, sums of ≤ 41·9
// terms): 2e-5 relative to the largest value.
func TestFusedEqualsMaterialised32(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkAgainstMaterialised[float32](t, 2e-5) })
}

// TestFiniteDifferences checks every gradient entry against central
// differences of the fused loss itself, in float64, for several options.
func TestFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, opt := range []lsce.Options{
		{Epsilon: 0.1},
		{Epsilon: 0.2, Weight: []float64{1, 0.5, 2, 1, 0.3, 1.5, 1}, Reduction: lsce.Sum},
		{Epsilon: 0.3, Variant: lsce.Others, ZLoss: 0.01, ZeroFloor: true},
		{Epsilon: 0.1, SoftCap: 1.5, ZLoss: 0.02, Weight: []float64{2, 1, 1, 1, 0.5, 1, 1}},
	} {
		n, d, v := 5, 4, 7
		in := Input[float64]{H: randn(rng, n*d), W: randn(rng, v*d), B: randn(rng, v), Rows: n, Hidden: d, Classes: v,
			Targets: []int{3, -100, 0, 6, 2}, RowBlock: 2, ClassBlock: 3}
		g := newGrads(in)
		if _, err := CrossEntropyGrad(g, in, opt); err != nil {
			t.Fatal(err)
		}
		loss := func() float64 {
			r, err := CrossEntropy(in, opt)
			if err != nil {
				t.Fatal(err)
			}
			return r.Loss
		}
		const h = 1e-6
		for _, pair := range []struct {
			name  string
			x, dx []float64
		}{{"H", in.H, g.H}, {"W", in.W, g.W}, {"b", in.B, g.B}} {
			for i := range pair.x {
				x0 := pair.x[i]
				pair.x[i] = x0 + h
				up := loss()
				pair.x[i] = x0 - h
				down := loss()
				pair.x[i] = x0
				fd := (up - down) / (2 * h)
				// Central differences: O(h²) ≈ 1e-12 truncation, 1e-16/h ≈ 1e-10 rounding.
				if math.Abs(fd-pair.dx[i]) > 1e-7*math.Max(1, math.Abs(fd)) {
					t.Errorf("%+v: d%s[%d] = %.10g, finite differences %.10g", opt, pair.name, i, pair.dx[i], fd)
				}
			}
		}
	}
}

func randn(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// TestGemmKernels checks both implementations of the three products against
// the textbook triple loop, on sizes around the 4×4 tiles.
func TestGemmKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	defer func(s string) { gemmImpl = s }(gemmImpl)
	for _, blas := range gemmImpls() {
		gemmImpl = blas
		for _, m := range []int{1, 3, 4, 5, 6, 9, 13} {
			for _, n := range []int{1, 4, 7, 16, 17, 70} {
				for _, k := range []int{1, 5, 8, 300} {
					checkGemm[float64](t, rng, blas, m, n, k, 1e-12)
					// float32: sums of ≤ 300 products of normals, rounded
					// to 2^-24 each (FMA or not): 1e-4 absolute.
					checkGemm[float32](t, rng, blas, m, n, k, 1e-4)
				}
			}
		}
	}
}

// TestErrors: bad input is an error naming where, never a panic.
func TestErrors(t *testing.T) {
	in := Input[float32]{H: []float32{1, 2, 3, float32(math.NaN())}, W: make([]float32, 6), Rows: 2, Hidden: 2, Classes: 3, Targets: []int{0, 1}}
	var le *lsce.Error
	if _, err := CrossEntropy(in, lsce.Options{}); !errors.As(err, &le) || le.Row != 1 || le.Class != 1 || !errors.Is(err, lsce.ErrNonFinite) {
		t.Errorf("NaN in H[1,1]: %v", err)
	}
	in.H[3] = 0
	in.Targets = []int{0, 3}
	if _, err := CrossEntropy(in, lsce.Options{}); !errors.As(err, &le) || le.Row != 1 || !errors.Is(err, lsce.ErrTarget) {
		t.Errorf("target 3 of 3 classes: %v", err)
	}
	in.Targets = []int{0, 1}
	if _, err := CrossEntropy(in, lsce.Options{ClassMask: []bool{true, true, false}}); !errors.Is(err, lsce.ErrOption) {
		t.Errorf("class mask: %v", err)
	}
	in.B = []float32{1}
	if _, err := CrossEntropy(in, lsce.Options{}); !errors.Is(err, lsce.ErrShape) {
		t.Errorf("short bias: %v", err)
	}
	in.B = nil
	in.W = []float32{1e30, 1e30, 0, 0, 0, 0}
	in.H = []float32{1e10, 1e10, 0, 0}
	if _, err := CrossEntropy(in, lsce.Options{}); !errors.Is(err, lsce.ErrNonFinite) {
		t.Errorf("overflowing logits: %v", err)
	}
}

// checkGemm compares the three products with the textbook triple loop in
// float64, on matrices embedded in wider ones (leading dimensions > width)
// whose padding must stay untouched.
func checkGemm[T Float](t *testing.T, rng *rand.Rand, impl string, m, n, k int, tol float64) {
	t.Helper()
	const pad = 3
	rnd := func(c int) []T {
		x := make([]T, c)
		for i := range x {
			x[i] = T(rng.NormFloat64())
		}
		return x
	}
	lda, ldb, ldc := k+pad, k+pad, n+pad
	a, b := rnd(m*lda), rnd(n*ldb)
	c := rnd(m * ldc)
	c0 := append([]T(nil), c...)
	gemmNT(m, n, k, a, lda, b, ldb, c, ldc)
	for i := range m {
		for j := range ldc {
			want := float64(c0[i*ldc+j]) // padding untouched
			if j < n {
				want = 0
				for p := range k {
					want += float64(a[i*lda+p]) * float64(b[j*ldb+p])
				}
			}
			if math.Abs(float64(c[i*ldc+j])-want) > tol {
				t.Fatalf("%s %T NT %d×%d×%d: c[%d,%d] = %g, want %g", impl, c[0], m, n, k, i, j, float64(c[i*ldc+j]), want)
			}
		}
	}
	bb := rnd(k * (n + pad))
	ldbb := n + pad
	c = append([]T(nil), c0...)
	gemmNN(m, n, k, a, lda, bb, ldbb, c, ldc)
	ldat := m + pad
	at := rnd(k * ldat)
	c2 := append([]T(nil), c0...)
	gemmTN(m, n, k, at, ldat, bb, ldbb, c2, ldc)
	for i := range m {
		for j := range ldc {
			s, s2 := float64(c0[i*ldc+j]), float64(c0[i*ldc+j])
			if j < n {
				for p := range k {
					s += float64(a[i*lda+p]) * float64(bb[p*ldbb+j])
					s2 += float64(at[p*ldat+i]) * float64(bb[p*ldbb+j])
				}
			}
			if math.Abs(float64(c[i*ldc+j])-s) > tol || math.Abs(float64(c2[i*ldc+j])-s2) > tol {
				t.Fatalf("%s %T NN/TN %d×%d×%d at [%d,%d]: %g, %g; want %g, %g", impl, c[0], m, n, k, i, j,
					float64(c[i*ldc+j]), float64(c2[i*ldc+j]), s, s2)
			}
		}
	}
}

// TestMicroKernel checks the assembly micro-kernels against their reference
// loops: kern6x16Generic and kern6x8dGeneric (AVX2+FMA), kernGeneric(32, …) and
// kernGeneric(16, …) (AVX-512, where this CPU runs it).
func TestMicroKernel(t *testing.T) {
	if !hasKernel() {
		t.Skip("no AVX2+FMA kernel on this CPU or build: nothing to compare")
	}
	widths := []bool{false}
	if kernel.HasAVX512 {
		widths = append(widths, true)
	} else {
		t.Log("no AVX-512 on this CPU: the AVX-512 micro-kernels are not tested")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, wide := range widths {
		nr32, nr64 := 16, 8
		if wide {
			nr32, nr64 = 32, 16
		}
		for _, k := range []int{0, 1, 2, 7, 64, 257} {
			a32, b32, a64, b64 := make([]float32, 6*k+1), make([]float32, nr32*k+1), make([]float64, 6*k+1), make([]float64, nr64*k+1)
			for i := range a32 {
				a64[i] = rng.NormFloat64()
				a32[i] = float32(a64[i])
			}
			for i := range b32 {
				b32[i] = float32(rng.NormFloat64())
			}
			for i := range b64 {
				b64[i] = rng.NormFloat64()
			}
			const ldc = 37 // wider than a tile: the columns past it must stay
			c32, c64 := make([]float32, 6*ldc), make([]float64, 6*ldc)
			for i := range c32 {
				c32[i], c64[i] = float32(i), float64(i)
			}
			w32, w64 := append([]float32(nil), c32...), append([]float64(nil), c64...)
			microKernel32(wide, k, a32, b32, c32, ldc)
			kernGeneric(nr32, k, a32, b32, w32, ldc)
			microKernel64(wide, k, a64, b64, c64, ldc)
			kernGeneric(nr64, k, a64, b64, w64, ldc)
			for i := range c32 {
				// FMA rounds once per step, the Go loop twice: ≤ k·2^-24·|terms|
				// (float32), ≤ k·2^-53·|terms| (float64).
				if math.Abs(float64(c32[i]-w32[i])) > 1e-5*float64(k+1) {
					t.Fatalf("wide=%v float32 k=%d: c[%d] = %g, want %g", wide, k, i, c32[i], w32[i])
				}
				if math.Abs(c64[i]-w64[i]) > 1e-13*float64(k+1) {
					t.Fatalf("wide=%v float64 k=%d: c[%d] = %g, want %g", wide, k, i, c64[i], w64[i])
				}
			}
		}
	}
}

// TestNoLogitsMaterialised: the fused path allocates far less than the N×V
// logits would take (one strip of rows' logits, per-row statistics and one
// partial dH per worker), measured as bytes allocated during the call.
func TestNoLogitsMaterialised(t *testing.T) {
	if raceEnabled {
		t.Skip("under -race sync.Pool drops the packing buffers at random, so allocation counts say nothing")
	}
	const n, d, v = 2048, 16, 8192 // logits: 64 MiB in float32
	rng := rand.New(rand.NewPCG(9, 9))
	in := Input[float32]{H: make([]float32, n*d), W: make([]float32, v*d), Rows: n, Hidden: d, Classes: v, Targets: make([]int, n)}
	for i := range in.H {
		in.H[i] = float32(rng.NormFloat64())
	}
	for i := range in.W {
		in.W[i] = float32(rng.NormFloat64() / 4)
	}
	for i := range in.Targets {
		in.Targets[i] = rng.IntN(v)
	}
	g := newGrads(in)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := CrossEntropyGrad(g, in, lsce.Options{Epsilon: 0.1, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	logits := uint64(n * v * 4)
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d bytes during the call; the logits would take %d", got, logits)
	// The working set is one strip of 256 rows' logits (8 MiB here: it grows
	// with V, not N), a 256×16 partial dH per worker and the packed operands;
	// an eighth of the logits was too tight once the pool of packing buffers
	// started cold.
	if got > logits/4 {
		t.Errorf("fused path allocated %d bytes; the logits are %d", got, logits)
	}
}
