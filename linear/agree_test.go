package linear

import (
	"errors"
	"math"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/resultcheck"
	"pgregory.net/rapid"
)

// badInputs are the kinds of bad input TestAgreesWithRoot injects, one at a
// time, into a random configuration.
var badInputs = []string{"none", "weight NaN", "weight +Inf", "weight negative", "weights huge",
	"hidden NaN", "bias +Inf", "bias -Inf", "target too large", "target negative",
	"epsilon below 0", "epsilon above 1", "epsilon NaN", "one class", "all ignored"}

// rootReference computes what package lsce gives for the head: the logits
// H·Wᵀ + b in plain loops, lsce.CrossEntropyGrad on them, and the chain rule
// dH = G·W, dW = Gᵀ·H, db = Σ_n G in plain loops (no code of this package).
func rootReference(in Input[float64], opt lsce.Options) (*lsce.Result, Grads[float64], error) {
	n, d, v := in.Rows, in.Hidden, in.Classes
	z := make([]float64, n*v)
	for i := range n {
		for c := range v {
			s := 0.0
			for k := range d {
				s += in.H[i*d+k] * in.W[c*d+k]
			}
			if in.B != nil {
				s += in.B[c]
			}
			z[i*v+c] = s
		}
	}
	g := make([]float64, n*v)
	res, err := lsce.CrossEntropyGrad(g, lsce.Input[float64]{Logits: z, Shape: []int{n, v}, Targets: in.Targets}, opt)
	if err != nil {
		return nil, Grads[float64]{}, err
	}
	out := newGrads(in)
	for i := range n {
		for c := range v {
			gc := g[i*v+c]
			for k := range d {
				out.H[i*d+k] += gc * in.W[c*d+k]
				out.W[c*d+k] += gc * in.H[i*d+k]
			}
			out.B[c] += gc
		}
	}
	return res, out, nil
}

// TestAgreesWithRoot: for random configurations (weights, ignore index,
// every reduction, both variants, z-loss, soft-cap, zero floor, 1–3
// workers, block shapes) and each kind of bad input, the fused loss and
// package lsce on the materialised logits give the same error kind, or the
// same loss and gradients within 1e-9 relative.
func TestAgreesWithRoot(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := drawProblem[float64](t)
		in, opt := p.in, p.opt
		if rapid.Bool().Draw(t, "ignore index set") {
			opt.IgnoreIndex = new(rapid.IntRange(-1, in.Classes).Draw(t, "ignore index"))
		}
		bad := rapid.SampledFrom(badInputs).Draw(t, "bad input")
		counted := -1 // a row that is not ignored, if any
		ign := lsce.DefaultIgnoreIndex
		if opt.IgnoreIndex != nil {
			ign = *opt.IgnoreIndex
		}
		for i, y := range in.Targets {
			if y != ign {
				counted = i
				break
			}
		}
		cls := rapid.IntRange(0, in.Classes-1).Draw(t, "class")
		switch bad {
		case "weight NaN", "weight +Inf", "weight negative":
			if opt.Weight == nil {
				opt.Weight = make([]float64, in.Classes)
				for c := range opt.Weight {
					opt.Weight[c] = 1
				}
			}
			opt.Weight[cls] = map[string]float64{"weight NaN": math.NaN(), "weight +Inf": math.Inf(1), "weight negative": -1}[bad]
		case "weights huge":
			// Their sum overflows (ErrWeight). (One class alone would only
			// test the cancellation of 1e308·LSE − Σ w·z, rounded differently.)
			if in.Classes < 2 {
				break
			}
			opt.Weight = make([]float64, in.Classes)
			for c := range opt.Weight {
				opt.Weight[c] = 1e308
			}
		case "hidden NaN":
			// In a counted row: an ignored row's NaN would reach dW as
			// 0·NaN through the materialised chain rule.
			if counted >= 0 && in.Hidden > 0 {
				in.H[counted*in.Hidden] = math.NaN()
			}
		case "bias +Inf", "bias -Inf":
			// Only where lsce sees it: in the logits of a counted row (the
			// fused loss refuses a non-finite input in any case).
			if counted < 0 {
				break
			}
			if in.B == nil {
				in.B = make([]float64, in.Classes)
			}
			in.B[cls] = math.Inf(map[string]int{"bias +Inf": 1, "bias -Inf": -1}[bad])
		case "target too large", "target negative":
			if counted >= 0 {
				in.Targets[counted] = map[string]int{"target too large": in.Classes, "target negative": -2}[bad]
				if in.Targets[counted] == ign {
					in.Targets[counted] = -3
				}
			}
		case "epsilon below 0":
			opt.Epsilon = -0.1
		case "epsilon above 1":
			opt.Epsilon = 1.5
		case "epsilon NaN":
			opt.Epsilon = math.NaN()
		case "one class":
			in.Classes = 1
			in.W = in.W[:in.Hidden]
			if in.B != nil {
				in.B = in.B[:1]
			}
			if opt.Weight != nil {
				opt.Weight = opt.Weight[:1]
			}
			for i, y := range in.Targets {
				if y != ign {
					in.Targets[i] = 0
				}
			}
		case "all ignored":
			for i := range in.Targets {
				in.Targets[i] = ign
			}
		}
		gl := newGrads(in)
		got, errL := CrossEntropyGrad(gl, in, opt)
		want, gr, errR := rootReference(in, opt)
		switch {
		case errL != nil || errR != nil:
			var kl, kr *lsce.Error
			if !errors.As(errL, &kl) || !errors.As(errR, &kr) || kl.Kind != kr.Kind {
				t.Fatalf("%s: linear: %v; lsce: %v", bad, errL, errR)
			}
			return
		}
		if err := resultcheck.Diff(got, want, 1e-9, true); err != nil {
			t.Fatalf("%s: %v", bad, err)
		}
		for _, pair := range []struct {
			name string
			g, w []float64
		}{{"dH", gl.H, gr.H}, {"dW", gl.W, gr.W}, {"db", gl.B, gr.B}} {
			scale := math.Max(1, maxAbs(pair.w))
			for i := range pair.w {
				if d := math.Abs(pair.g[i] - pair.w[i]); !(d <= 1e-9*scale) {
					t.Fatalf("%s: %s[%d] = %.12g, lsce %.12g", bad, pair.name, i, pair.g[i], pair.w[i])
				}
			}
		}
	})
}
