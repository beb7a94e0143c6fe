package kernel

import "math"

// The exponentials of the generic kernels, small enough to inline into their
// loops. Both reduce d = k·ln2/expN + r with k = round(d·expN/ln2), so that
// |r| ≤ ln2/(2·expN) ≈ 0.0027, and return 2^⌊k/expN⌋ · 2^(j/expN) · e^r with
// j = k mod expN: the power of two goes into the exponent bits of the table
// entry for 2^(j/expN) (expTab, exact to the last bit), and e^r, so close to
// 1, needs only a short polynomial. They compute in float64: scalar float32
// arithmetic is no faster on amd64 or arm64, and float64 leaves the float32
// results one rounding from exact.

// expN is the number of table entries per octave.
const expN = 128

const (
	expMagic = 0x1.8p52 // t = d·expN/ln2 + expMagic holds round(d·expN/ln2) in its low bits
	expInvL  = expN / math.Ln2
	// ln2/expN split in two: ln2HiN has 33 significant bits, so kf·ln2HiN
	// is exact for |k| < 2²⁰ (|d| < 5600).
	ln2HiN = 0x1.62e42fefp-8
	ln2LoN = math.Ln2/expN - ln2HiN
)

// exp32 returns e^d within 3.4e-9 relative (float32 results then round
// once: within 0.56 ulp of e^d) for d in [−104, 89]; below −104 it returns
// e^−104 (≈ 7e−46, which rounds to float32 0), and NaN gives NaN. d above 89
// (beyond float32) must be clamped by the caller, as the gradient loops do:
// the clamp of both ends would make exp32 too large to inline.
func exp32(d float64) float64 {
	if d < -104 {
		d = -104
	}
	return exp32In(d)
}

// exp32In is exp32 within its range [−104, 89] (NaN gives NaN). e^r: Taylor
// to r², 1 + r + r²/2 = ((r+1)² + 1)/2, its error r³/6 below 3.4e−9, the ½
// taken from the exponent by magic32; one reduction constant suffices
// (kf·ln2/expN's rounding is below 1.2e−14 for these d).
func exp32In(d float64) float64 {
	t := d*expInvL + magic32
	kf := t - magic32
	r := d - kf*(math.Ln2/expN)
	k := math.Float64bits(t)
	half := math.Float64frombits(expTab[k%expN] + k<<45) // 2^(k/expN) / 2
	u := r + 1
	return half * (u*u + 1)
}

// magic32 is expMagic less expN: t then holds k − expN, whose ⌊/expN⌋ is one
// less (the ½ of exp32In), its remainder the same.
const magic32 = expMagic - expN

// exp64Reduce and exp64Finish are the two halves of the float64
// exponential (one function would be too large to inline):
// exp64Finish(exp64Reduce(d)) is e^d within 0.52 ulp for d in
// [exp64Lo, exp64Hi], where the results are normal; outside it (and for NaN)
// the loops call exp64Edge. e^r − 1: Taylor to r⁵ (error r⁶/720 < 6e−19),
// added to the table entry's own rounding error expTail[j] before the one
// rounding of the result. The reduction takes two constants, ln2HiN's
// product being exact.
func exp64Reduce(d float64) (k uint64, r float64) {
	t := d*expInvL + expMagic
	kf := t - expMagic
	return math.Float64bits(t), (d - kf*ln2HiN) - kf*ln2LoN
}

// exp64Finish is the second half of the float64 exponential.
func exp64Finish(k uint64, r float64) float64 {
	j := k % expN
	scale := math.Float64frombits(expTab[j] + k<<45)
	r2 := r * r
	q := expTail[j] + r + r2*((0.5+r*(1.0/6))+r2*((1.0/24)+r*(1.0/120)))
	return scale + scale*q
}

const (
	exp64Lo = -1022 * math.Ln2 // e^exp64Lo is the smallest normal float64
	exp64Hi = 709.7            // k/expN ≤ 1023: the scale stays finite
)

// exp64Edge is e^d for d outside [exp64Lo, exp64Hi]: 0 below (as the
// assembly: results below the smallest normal are 0), math.Exp above (which
// overflows to +Inf past 709.78), NaN for NaN.
func exp64Edge(d float64) float64 {
	if d < exp64Lo {
		return 0
	}
	return math.Exp(d)
}
