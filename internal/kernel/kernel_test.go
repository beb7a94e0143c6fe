package kernel

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// The oracle for every implementation is the plain float64 loop below (the
// definition in the package contract, summed in float64 with math.Exp). The
// float32 kernels compute in float32 internally, so they are held to the
// issue's tolerances: loss within 1e-6 relative, gradient within 1e-7 absolute.

// requireImpl lists implementations that must be available (comma-separated):
// a run on the emulated AVX-512 CPU (scripts/avx512/run.sh, in .ci/run)
// passes -require-impl avx512, so that it cannot pass by skipping them.
var requireImpl = flag.String("require-impl", os.Getenv("LSCE_REQUIRE_IMPL"), "comma-separated implementations that must be available (default $LSCE_REQUIRE_IMPL)")

// forEachImpl runs f once per implementation the issue names, with that
// implementation selected; those this CPU or build cannot run are skipped
// with the reason, or fail when -require-impl names them.
func forEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, name := range []string{"avx512", "avx2", "generic"} {
		t.Run(name, func(t *testing.T) {
			if !slices.Contains(Available(), name) {
				if slices.Contains(strings.Split(*requireImpl, ","), name) {
					t.Fatalf("-require-impl names %s, but this CPU or build cannot run it (available: %v)", name, Available())
				}
				t.Skipf("%s kernels are not available on this CPU or build (available: %v)", name, Available())
			}
			if err := Use(name); err != nil {
				t.Fatal(err)
			}
			defer Use("auto")
			if Impl() != name {
				t.Fatalf("Impl() = %q after Use(%q)", Impl(), name)
			}
			f(t)
		})
	}
}

// refStats is the float64 oracle of Stats.
func refStats[T float32 | float64](x []T) (m, s, sx float64) {
	m = math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
		sx += float64(v)
	}
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m, s, sx
}

// lengths are the row lengths every kernel is checked at.
func lengths() []int {
	var l []int
	for n := 0; n <= 130; n++ {
		l = append(l, n)
	}
	for _, c := range []int{1000, 1024, 2048, 4096, 32000, 50257} {
		l = append(l, c-1, c, c+1)
	}
	return l
}

// rows returns named test rows of length n: N(0, 3²) logits, extreme ±1e4
// logits, a very negative row, a row with one dominant logit, a constant row.
func rows(n int, seed uint64) map[string][]float64 {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	out := map[string][]float64{}
	gen := func(name string, f func(i int) float64) {
		x := make([]float64, n)
		for i := range x {
			x[i] = f(i)
		}
		out[name] = x
	}
	gen("normal", func(int) float64 { return 3 * r.NormFloat64() })
	gen("extreme", func(int) float64 { return []float64{1e4, -1e4, 0, 3}[r.IntN(4)] })
	gen("negative", func(int) float64 { return -1e4 - 50*r.Float64() })
	gen("dominant", func(i int) float64 {
		if i == n/2 {
			return 40
		}
		return r.NormFloat64()
	})
	gen("constant", func(int) float64 { return -7.25 })
	gen("ramp", func(i int) float64 { return float64(i%97) * 0.5 })
	// The maximum rises in every block of a long row (every block rescales
	// the sum, and StatsExp's stale exponentials more than maxStale times).
	gen("rising", func(i int) float64 { return float64(i)*1e-3 + r.NormFloat64() })
	return out
}

func conv[T float32 | float64](x []float64) []T {
	y := make([]T, len(x))
	for i, v := range x {
		y[i] = T(v)
	}
	return y
}

type kernels[T float32 | float64] struct {
	stats    func([]T) (float64, float64, float64)
	dot      func(x, w []T) float64
	grad     func(g, x []T, m, a, b float64)
	gradW    func(g, x, w []T, m, a, b float64)
	statsExp func(e, x []T) (float64, float64, float64)
	axpb     func(g []T, a, b float64)
	axpbW    func(g, w []T, a, b float64)
	gradE    func(g, e []T, a, b float64)
	gradEW   func(g, e, w []T, a, b float64)
	// tolerances: relative for the loss, absolute for the gradient
	lossTol, gradTol float64
}

var k32 = kernels[float32]{StatsF32, DotF32, GradF32, GradWF32, StatsExpF32, AxpbF32, AxpbWF32, GradExpF32, GradExpWF32, 1e-6, 1e-7}
var k64 = kernels[float64]{StatsF64, DotF64, GradF64, GradWF64, StatsExpF64, AxpbF64, AxpbWF64, GradExpF64, GradExpWF64, 1e-12, 1e-15}

func TestStats(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("float32", func(t *testing.T) { testStats(t, k32) })
		t.Run("float64", func(t *testing.T) { testStats(t, k64) })
	})
}

func testStats[T float32 | float64](t *testing.T, k kernels[T]) {
	for _, n := range lengths() {
		for name, x64 := range rows(n, 1) {
			x := conv[T](x64)
			m, s, sx := k.stats(x)
			if n%2 == 1 {
				// At odd lengths, StatsExp is held to the same tolerances.
				e, _ := guarded[T](n)
				m, s, sx = k.statsExp(e, x)
			}
			rm, rs, rsx := refStats(x)
			if n == 0 {
				if !math.IsInf(m, -1) || s != 0 || sx != 0 {
					t.Fatalf("n=0: got (%v, %v, %v), want (-Inf, 0, 0)", m, s, sx)
				}
				continue
			}
			where := fmt.Sprintf("n=%d %s", n, name)
			if m != rm {
				t.Fatalf("%s: max %v, want %v", where, m, rm)
			}
			if math.Abs(s-rs) > k.lossTol*rs {
				t.Fatalf("%s: Σexp %v, want %v (rel err %.3g)", where, s, rs, (s-rs)/rs)
			}
			// Σx is checked at the scale it enters the loss: Σx/n against
			// the row's magnitude.
			scale := math.Max(math.Abs(rm), 1)
			if math.Abs(sx-rsx)/float64(n) > k.lossTol*scale {
				t.Fatalf("%s: Σx %v, want %v", where, sx, rsx)
			}
			// The loss of target n/3 with ε = 0.1, as the core computes it.
			loss := func(m, s, sx float64) float64 {
				lse := m + math.Log(s)
				return 0.9*(lse-float64(x[n/3])) + 0.1*(lse-sx/float64(n))
			}
			got, want := loss(m, s, sx), loss(rm, rs, rsx)
			if math.Abs(got-want) > k.lossTol*math.Max(math.Abs(want), 1e-3) {
				t.Fatalf("%s: loss %v, want %v (rel err %.3g)", where, got, want, (got-want)/want)
			}
		}
	}
}

// TestStatsLongRow: a 256,000-element float32 row stays within 1e-6 relative
// of float64, also when the maximum comes late (every block rescales).
func TestStatsLongRow(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 7))
		for _, name := range []string{"normal", "rising"} {
			x := make([]float32, 256000)
			for i := range x {
				x[i] = float32(3 * r.NormFloat64())
				if name == "rising" {
					x[i] += float32(i) * 1e-3
				}
			}
			m, s, sx := StatsF32(x)
			rm, rs, rsx := refStats(x)
			if m != rm || math.Abs(s-rs) > 1e-6*rs || math.Abs(sx-rsx) > 1e-6*math.Abs(rsx) {
				t.Errorf("%s: got (%v, %v, %v), want (%v, %v, %v)", name, m, s, sx, rm, rs, rsx)
			}
		}
	})
}

func TestStatsNonFinite(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, n := range []int{1, 5, 8, 33, 3000, 70001} {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				for _, at := range []int{0, n / 2, n - 1} {
					x := make([]float32, n)
					x[at] = float32(bad)
					m, _, sx := StatsF32(x)
					if finite(m) && finite(sx) {
						t.Errorf("n=%d x[%d]=%v: m=%v sx=%v both finite", n, at, bad, m, sx)
					}
					e, intact := guarded[float32](n)
					for i := range e {
						e[i] = 12345.678
					}
					if m, _, sx := StatsExpF32(e, x); finite(m) && finite(sx) {
						t.Errorf("StatsExp n=%d x[%d]=%v: m=%v sx=%v both finite", n, at, bad, m, sx)
					}
					for i := at; i < n; i++ {
						if e[i] != 12345.678 {
							t.Fatalf("StatsExp n=%d x[%d]=%v wrote e[%d], at or after the non-finite logit", n, at, bad, i)
						}
					}
					if !intact() {
						t.Fatalf("StatsExp wrote outside e")
					}
					y := make([]float64, n)
					y[at] = bad
					m, _, sx = StatsF64(y)
					if finite(m) && finite(sx) {
						t.Errorf("float64 n=%d x[%d]=%v: m=%v sx=%v both finite", n, at, bad, m, sx)
					}
				}
			}
		}
	})
}

func TestGrad(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("float32", func(t *testing.T) { testGrad(t, k32) })
		t.Run("float64", func(t *testing.T) { testGrad(t, k64) })
	})
}

const guards = 9 // guard elements on each side of an output

// guarded returns an output slice of n elements with guard values around it,
// and a check that the guards are intact. The slice starts n mod 16 elements
// further into its buffer, so that the lengths swept meet every alignment
// within a 64-byte vector (the streaming stores of GradExp align to it).
func guarded[T float32 | float64](n int) ([]T, func() bool) {
	const sentinel = 12345.678
	start := guards + n%16
	buf := make([]T, start+n+guards)
	for i := range buf {
		buf[i] = sentinel
	}
	return buf[start : start+n : start+n], func() bool {
		for i, v := range buf {
			if (i < start || i >= start+n) && v != sentinel {
				return false
			}
		}
		return true
	}
}

func testGrad[T float32 | float64](t *testing.T, k kernels[T]) {
	for _, n := range lengths() {
		if n == 0 {
			continue
		}
		for name, x64 := range rows(n, 2) {
			x := conv[T](x64)
			w := make([]T, n)
			for i := range w {
				w[i] = T(0.5 + float64(i%7)/4)
			}
			rm, rs, _ := refStats(x)
			// a, b as the core passes them: probabilities scaled by 1/N.
			a, b := 1/rs, 0.1/float64(n)
			for _, weighted := range []bool{false, true} {
				want := make([]float64, n)
				for j := range x {
					wj := 1.0
					if weighted {
						wj = float64(w[j])
					}
					want[j] = a*math.Exp(float64(x[j])-rm) - b*wj
				}
				check := func(mode string, g []T) {
					t.Helper()
					for j := range g {
						if d := math.Abs(float64(g[j]) - want[j]); !(d <= k.gradTol) {
							t.Fatalf("n=%d %s weighted=%v %s: g[%d] = %v, want %v (diff %.3g)",
								n, name, weighted, mode, j, g[j], want[j], d)
						}
					}
				}
				g, intact := guarded[T](n)
				if weighted {
					k.gradW(g, x, w, rm, a, b)
				} else {
					k.grad(g, x, rm, a, b)
				}
				if !intact() {
					t.Fatalf("n=%d %s weighted=%v: wrote outside g", n, name, weighted)
				}
				check("separate", g)
				// In place: g aliases x, guarded too.
				xg, intact := guarded[T](n)
				copy(xg, x)
				if weighted {
					k.gradW(xg, xg, w, rm, a, b)
				} else {
					k.grad(xg, xg, rm, a, b)
				}
				if !intact() {
					t.Fatalf("n=%d %s weighted=%v in place: wrote outside g", n, name, weighted)
				}
				check("in place", xg)
				// Fused: StatsExp leaves exp(x − m) in g, Axpb finishes it;
				// separate and in place.
				for _, inPlace := range []bool{false, true} {
					g, intact := guarded[T](n)
					src := x
					if inPlace {
						copy(g, x)
						src = g
					}
					m, _, _ := k.statsExp(g, src)
					if m != rm {
						t.Fatalf("n=%d %s: StatsExp max %v, want %v", n, name, m, rm)
					}
					if weighted {
						k.axpbW(g, w, a, b)
					} else {
						k.axpb(g, a, b)
					}
					if !intact() {
						t.Fatalf("n=%d %s weighted=%v fused in place=%v: wrote outside g", n, name, weighted, inPlace)
					}
					check(fmt.Sprintf("fused, in place %v", inPlace), g)
				}
				// Scratch: StatsExp into a scratch row, GradExp streams into
				// g (at every alignment the guards give), separate and in place.
				for _, inPlace := range []bool{false, true} {
					g, intact := guarded[T](n)
					src := x
					if inPlace {
						copy(g, x)
						src = g
					}
					sc := make([]T, n+5)
					k.statsExp(sc, src)
					if weighted {
						k.gradEW(g, sc, w, a, b)
					} else {
						k.gradE(g, sc, a, b)
					}
					if !intact() {
						t.Fatalf("n=%d %s weighted=%v scratch in place=%v: wrote outside g", n, name, weighted, inPlace)
					}
					check(fmt.Sprintf("scratch, in place %v", inPlace), g)
				}
			}
		}
	}
}

func TestDot(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		t.Run("float32", func(t *testing.T) { testDot(t, k32) })
		t.Run("float64", func(t *testing.T) { testDot(t, k64) })
	})
}

func testDot[T float32 | float64](t *testing.T, k kernels[T]) {
	for _, n := range lengths() {
		x := conv[T](rows(n, 3)["normal"])
		w := make([]T, n+3) // longer than x: only len(x) elements count
		var want, mag float64
		for i := range w {
			w[i] = T(0.5 + float64(i%11)/8)
			if i < n {
				want += float64(x[i]) * float64(w[i])
				mag += math.Abs(float64(x[i]) * float64(w[i]))
			}
		}
		if got := k.dot(x, w); math.Abs(got-want) > 1e-14*mag {
			t.Fatalf("n=%d: dot %v, want %v", n, got, want)
		}
	}
}

// TestUse checks the selection API.
func TestUse(t *testing.T) {
	// "auto" here is the CPU's own choice: the environment's override is
	// cleared for the test and the default restored after it (the cleanup
	// registered first runs last, once the variables are back).
	t.Cleanup(func() { Use("auto") })
	t.Setenv("LSCE_KERNELS", "")
	t.Setenv("LSCE_PUREGO", "")
	if err := Use("nonsense"); err == nil {
		t.Error("Use(nonsense) succeeded")
	}
	if err := Use("generic"); err != nil || Impl() != "generic" {
		t.Errorf("Use(generic): err %v, Impl %q", err, Impl())
	}
	if err := Use("auto"); err != nil || Impl() != Available()[0] && Impl() != "generic" {
		t.Errorf("Use(auto): err %v, Impl %q, available %v", err, Impl(), Available())
	}
	if Available()[len(Available())-1] != "generic" {
		t.Errorf("Available() = %v, want generic last", Available())
	}
}

// TestPuregoEnv: LSCE_PUREGO=1 makes the default (and Use("auto")) generic;
// "0" or unset leaves the fastest available.
func TestPuregoEnv(t *testing.T) {
	defer Use("auto")
	t.Setenv("LSCE_KERNELS", "")
	t.Setenv("LSCE_PUREGO", "1")
	if err := Use("auto"); err != nil || Impl() != "generic" {
		t.Errorf("LSCE_PUREGO=1: Use(auto) gives %q, %v", Impl(), err)
	}
	t.Setenv("LSCE_PUREGO", "0")
	if err := Use("auto"); err != nil || Impl() != Available()[0] {
		t.Errorf("LSCE_PUREGO=0: Use(auto) gives %q, %v; available %v", Impl(), err, Available())
	}
}

// TestKernelsEnv: LSCE_KERNELS forces a path for Use("auto") (and the
// default), AVX2 and AVX512 follow it; a path the CPU cannot run or an
// unknown name leaves the fastest available, and EnvNote says why.
func TestKernelsEnv(t *testing.T) {
	defer Use("auto")
	t.Setenv("LSCE_PUREGO", "")
	for _, name := range []string{"generic", "avx2", "avx512", "AVX2", "nonsense"} {
		t.Setenv("LSCE_KERNELS", name)
		if err := Use("auto"); err != nil {
			t.Fatal(err)
		}
		want := strings.ToLower(name)
		if !slices.Contains(Available(), want) {
			want = Available()[0]
			if EnvNote() == "" {
				t.Errorf("LSCE_KERNELS=%s: no note, though %s is in use", name, Impl())
			}
		} else if EnvNote() != "" {
			t.Errorf("LSCE_KERNELS=%s: note %q, though obeyed", name, EnvNote())
		}
		if Impl() != want {
			t.Errorf("LSCE_KERNELS=%s: Impl() = %q, want %q", name, Impl(), want)
		}
		if AVX2() != (want != "generic") || AVX512() != (want == "avx512") {
			t.Errorf("LSCE_KERNELS=%s: AVX2() = %v, AVX512() = %v with %s in use", name, AVX2(), AVX512(), want)
		}
	}
	// LSCE_KERNELS wins over its alias LSCE_PUREGO.
	t.Setenv("LSCE_PUREGO", "1")
	t.Setenv("LSCE_KERNELS", "auto")
	if Use("auto"); Impl() != Available()[0] {
		t.Errorf("LSCE_KERNELS=auto LSCE_PUREGO=1: Impl() = %q, want %q", Impl(), Available()[0])
	}
	if HasAVX512 && !HasAVX2 {
		t.Error("HasAVX512 without HasAVX2")
	}
}

// TestExpULP: every implementation's exponential, seen through Grad with
// a = 1, b = 0, m = 0 (g = exp(x)), is within 1 ulp (float32) or 2 ulp
// (float64) of math.Exp down to the smallest normal results, and exactly 0
// below them.
func TestExpULP(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		const n = 200001
		x32, g32 := make([]float32, n), make([]float32, n)
		x64, g64 := make([]float64, n), make([]float64, n)
		for i := range n {
			x32[i] = float32(-87.3 * float64(i) / (n - 1))
			x64[i] = -708.3 * float64(i) / (n - 1)
		}
		GradF32(g32, x32, 0, 1, 0)
		GradF64(g64, x64, 0, 1, 0)
		var worst32, worst64 float64
		for i := range n {
			want := math.Exp(float64(x32[i]))
			w32 := float32(want)
			ulp := float64(math.Nextafter32(w32, float32(math.Inf(1))) - w32)
			worst32 = max(worst32, math.Abs(float64(g32[i])-want)/ulp)
			want = math.Exp(x64[i])
			worst64 = max(worst64, math.Abs(g64[i]-want)/(math.Nextafter(want, math.Inf(1))-want))
		}
		t.Logf("max error: float32 %.2f ulp, float64 %.2f ulp", worst32, worst64)
		if !(worst32 <= 1 && worst64 <= 2) {
			t.Errorf("max error: float32 %.2f ulp (want ≤ 1), float64 %.2f ulp (want ≤ 2)", worst32, worst64)
		}
		for _, v := range []float32{-1e4, -104, float32(math.Inf(-1))} {
			g := []float32{7}
			GradF32(g, []float32{v}, 0, 1, 0)
			if g[0] != 0 {
				t.Errorf("float32 exp(%v) = %v, want 0", v, g[0])
			}
		}
		for _, v := range []float64{-1e4, -746, math.Inf(-1)} {
			g := []float64{7}
			GradF64(g, []float64{v}, 0, 1, 0)
			if g[0] != 0 {
				t.Errorf("float64 exp(%v) = %v, want 0", v, g[0])
			}
		}
	})
}

// TestStatsExpSameBits: StatsExp returns what Stats returns, bit for bit (the
// package contract: a pass with the gradient gives the loss of one without),
// also for rows whose maximum rises late or often.
func TestStatsExpSameBits(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		for _, n := range lengths() {
			for name, x64 := range rows(n, 1) {
				x := conv[float32](x64)
				m, s, sx := StatsF32(x)
				e := make([]float32, n)
				em, es, esx := StatsExpF32(e, x)
				if em != m || es != s || esx != sx {
					t.Fatalf("n=%d %s: StatsExp (%v, %v, %v), Stats (%v, %v, %v)", n, name, em, es, esx, m, s, sx)
				}
				y := conv[float64](x64)
				m, s, sx = StatsF64(y)
				em, es, esx = StatsExpF64(make([]float64, n), y)
				if em != m || es != s || esx != sx {
					t.Fatalf("float64 n=%d %s: StatsExp (%v, %v, %v), Stats (%v, %v, %v)", n, name, em, es, esx, m, s, sx)
				}
			}
		}
	})
}
