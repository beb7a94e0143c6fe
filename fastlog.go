package lsce

import "math"

// logOff is the bit pattern of 0.6875: logPos brings x's mantissa into
// [0.6875, 1.375), so that no ln 2 cancels against a table entry near x = 1.
const logOff = 0x3fe6000000000000

// logTable holds, for the 128 intervals of logPos's reduced mantissa z (the
// top 7 bits of z's bits less logOff), 1/c and −ln(1/c) at the interval's
// midpoint c.
var logTable = func() (t [128]struct{ inv, logc float64 }) {
	for i := range t {
		lo := math.Float64frombits(logOff + uint64(i)<<45)
		hi := math.Float64frombits(logOff + uint64(i+1)<<45)
		inv := 1 / ((lo + hi) / 2)
		t[i].inv, t[i].logc = inv, -math.Log(inv)
	}
	return t
}()

// logPos returns ln x for a positive, normal, finite x, within a few ulp of
// math.Log and without a division (the method of glibc's log): x = 2ᵏ·z with
// z in [0.6875, 1.375), z = c·(1 + r) for the tabled midpoint c of z's
// interval (|r| ≤ 2⁻⁸, r rounded once by a fused multiply-add), and
//
//	ln x = k·ln 2 + ln c + ln(1 + r),  ln(1 + r) = r − r²/2 + … + r⁷/7
//
// (the next term is below 2⁻⁶⁷). Near 1, where ln c and r would cancel,
// ln(1 + r) is summed directly from r = x − 1 (exact), to r¹⁰/10. It is
// cheaper than math.Log, which matters where a logarithm per short row is a
// visible share of the work (shortBlock).
func logPos(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01 // ln 2, high 32 bits: k·ln2Hi is exact
		ln2Lo = 1.90821492927058770002e-10
	)
	if r := x - 1; math.Abs(r) < 1.0/64 {
		q := -1.0/8 + r*(1.0/9+r*(-1.0/10))
		q = -1.0/4 + r*(1.0/5+r*(-1.0/6+r*(1.0/7+r*q)))
		return r + r*r*(-1.0/2+r*(1.0/3+r*q))
	}
	b := math.Float64bits(x)
	tmp := b - logOff
	k := float64(int64(tmp) >> 52)
	t := &logTable[(tmp>>45)&127]
	z := math.Float64frombits(b - tmp&(0xfff<<52))
	r := math.FMA(z, t.inv, -1)
	r2 := r * r // Estrin's scheme: a shorter chain of dependent operations
	p := r2 * ((-1.0/2 + r*(1.0/3)) + r2*((-1.0/4+r*(1.0/5))+r2*(-1.0/6+r*(1.0/7))))
	return (k*ln2Hi + t.logc) + (k*ln2Lo + r + p)
}
