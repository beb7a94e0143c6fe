package kernel

import (
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// ulps is |got − want| in units of the last place of want as a T.
func ulps32(got, want float64) float64 {
	w := float32(want)
	return math.Abs(got-want) / float64(math.Nextafter32(w, float32(math.Inf(1)))-w)
}

func ulps64(got, want float64) float64 {
	return math.Abs(got-want) / (math.Nextafter(want, math.Inf(1)) - want)
}

// sweep calls f at a few hundred thousand points of [lo, hi], denser near 0.
func sweep(lo, hi float64, f func(d float64)) {
	for d := lo; d <= hi; d += 4e-5 * (1 + math.Abs(d)) {
		f(d)
	}
	for _, d := range []float64{lo, hi, 0, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64} {
		f(d)
	}
}

// TestExp32 checks the float32 path's exponential against math.Exp: within
// 3.5e−9 relative over [−104, 89], so that its float32 rounding is within
// 0.56 ulp, and its edges.
func TestExp32(t *testing.T) {
	var worstRel, worstULP float64
	sweep(-104, 89, func(d float64) {
		got, want := exp32(d), math.Exp(d)
		worstRel = max(worstRel, math.Abs(got-want)/want)
		if want >= 0x1p-126 && want <= math.MaxFloat32 {
			worstULP = max(worstULP, ulps32(float64(float32(got)), want))
		}
	})
	t.Logf("exp32: max relative error %.3g, float32 result within %.3f ulp", worstRel, worstULP)
	if !(worstRel <= 3.5e-9 && worstULP <= 0.56) {
		t.Errorf("exp32: max relative error %.3g (want ≤ 3.5e-9), %.3f ulp (want ≤ 0.56)", worstRel, worstULP)
	}
	for _, d := range []float64{-105, -1e4, -1e300, math.Inf(-1)} {
		if got := exp32(d); float32(got) != 0 || got < 0 {
			t.Errorf("exp32(%v) = %v, want a float32 0", d, got)
		}
	}
	for _, d := range []float64{89, 1000, math.Inf(1)} {
		g := []float32{7}
		gradGeneric(g, []float32{float32(d)}, 0, 1, 0)
		if !math.IsInf(float64(g[0]), 1) {
			t.Errorf("float32 exp(%v) = %v, want +Inf", d, g[0])
		}
	}
	if got := exp32(math.NaN()); !math.IsNaN(got) {
		t.Errorf("exp32(NaN) = %v", got)
	}
}

// bigExp returns e^d to about 240 bits: the Taylor series of e^(d/2¹¹),
// squared eleven times.
func bigExp(d float64) *big.Float {
	const prec = 256
	y := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(d), -11)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	for n := int64(1); n < 60; n++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetInt64(n))
		sum.Add(sum, term)
	}
	for range 11 {
		sum.Mul(sum, sum)
	}
	return sum
}

// TestExp64 checks the float64 path's exponential over the normal results:
// within 0.52 ulp of e^d (computed in big.Float) at 4,000 points, within 2
// ulp of math.Exp (whose own error reaches 2 ulp on amd64) over a few hundred thousand points
// up to 709, where the amd64 math.Exp overflows early; and its edges.
func TestExp64(t *testing.T) {
	var worst, worstExact float64
	sweep(exp64Lo, 709, func(d float64) {
		worst = max(worst, ulps64(exp64Finish(exp64Reduce(d)), math.Exp(d)))
	})
	r := rand.New(rand.NewPCG(64, 64))
	for i := range 4000 {
		d := exp64Lo + (exp64Hi-exp64Lo)*r.Float64()
		if i%2 == 0 {
			d = 20 * (r.Float64() - 0.5)
		}
		want, _ := bigExp(d).Float64()
		got := new(big.Float).SetPrec(256).SetFloat64(exp64Finish(exp64Reduce(d)))
		diff, _ := got.Sub(got, bigExp(d)).Float64()
		worstExact = max(worstExact, math.Abs(diff)/(math.Nextafter(want, math.Inf(1))-want))
	}
	t.Logf("exp64: max error %.3f ulp against e^d, %.3f ulp against math.Exp", worstExact, worst)
	if !(worstExact <= 0.52 && worst <= 2) {
		t.Errorf("exp64: max error %.3f ulp against e^d (want ≤ 0.52), %.3f ulp against math.Exp (want ≤ 2)", worstExact, worst)
	}
	for d, want := range map[float64]float64{
		exp64Lo - 1e-9: 0, -746: 0, -1e4: 0, math.Inf(-1): 0,
		709.7: 0x1.d75ae7a50ee14p+1023, 709.79: math.Inf(1), 1e4: math.Inf(1), math.Inf(1): math.Inf(1),
	} {
		if got := exp64At(d); got != want {
			t.Errorf("exp(%v) = %v, want %v", d, got, want)
		}
	}
	if got := exp64At(math.NaN()); !math.IsNaN(got) {
		t.Errorf("exp(NaN) = %v", got)
	}
}

// TestGenericInlined: the generic loops are fast only while their
// exponentials inline (one function call per element would double their
// time); the compiler's inlining report (go build -gcflags=-m) must list them.
func TestGenericInlined(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("go command not found under CI: %v", err)
		}
		t.Skipf("go command not found: %v", err)
	}
	for _, goarch := range []string{"amd64", "arm64"} {
		cmd := exec.Command(gobin, "build", "-gcflags=-m", "-o", os.DevNull, ".")
		cmd.Env = append(os.Environ(), "GOARCH="+goarch, "GOFLAGS=-tags=purego", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("GOARCH=%s go build -gcflags=-m: %v\n%s", goarch, err, out)
		}
		for _, f := range []string{"exp32", "exp32In", "exp64Reduce", "exp64Finish"} {
			if !strings.Contains(string(out), "can inline "+f+"\n") {
				t.Errorf("GOARCH=%s: %s is not inlined any more (go build -gcflags=-m does not say \"can inline %s\")", goarch, f, f)
			}
		}
	}
}
