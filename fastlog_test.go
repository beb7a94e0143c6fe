package lsce

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestLogPos checks logPos against math.Log over the positive normal
// floats, and densely near 1 (both branches), to within 2 ulps of the result.
func TestLogPos(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 1_000_000 {
		var x float64
		switch n % 3 {
		case 0:
			x = math.Exp(r.Float64()*1400 - 700)
		case 1:
			x = 1 + (r.Float64()-0.5)*0.2
		default:
			x = 1 + (r.Float64()-0.5)*math.Exp(-r.Float64()*40)
		}
		got, want := logPos(x), math.Log(x)
		if ulp := math.Abs(got-want) / (math.Abs(want) * 0x1p-52); ulp > 2 {
			t.Fatalf("logPos(%v) = %v, math.Log %v (%.2g ulp)", x, got, want, ulp)
		}
	}
	for _, x := range []float64{1, 2, 0.5, math.SmallestNonzeroFloat64 * (1 << 52), math.MaxFloat64, 1 + 1.0/64, 1 - 1.0/64} {
		if got, want := logPos(x), math.Log(x); math.Abs(got-want) > math.Abs(want)*0x1p-51 {
			t.Errorf("logPos(%v) = %v, math.Log %v", x, got, want)
		}
	}
}
