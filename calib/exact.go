package calib

import (
	"math"
	"math/big"
)

// exactSum adds float64 values without rounding: a fixed-point accumulator
// (Kulisch) wide enough for every finite float64, so that its sum is the exact
// real sum of what was added, rounded once at the end. Sums are therefore
// independent of the order of the additions and of how they are grouped into
// chunks and workers: streaming a file equals computing on it whole, bit for
// bit.
//
// The value is Σ_i limb[i]·2^(32·i − 1074). Each limb holds a 32-bit digit plus
// carries; one addition changes at most three limbs by less than 2^32 each,
// so after fewer than 2^30 additions no limb can overflow int64, and pending
// counts them to normalise in time.
type exactSum struct {
	limb    [exactLimbs]int64
	pending int64 // additions since the last normalisation
}

const (
	// exactLimbs covers bit positions 0 … 2045+84 of the fixed point (the
	// smallest subnormal is bit 0; the largest finite float64's top bit is
	// 2097) plus room for the carry of 2^62 additions in the top limb.
	exactLimbs = 68
	// exactFlush is the number of pending additions that forces the carries
	// to be propagated.
	exactFlush = 1 << 29
)

// add adds x, which must be finite.
func (s *exactSum) add(x float64) {
	if x == 0 {
		return
	}
	bits := math.Float64bits(x)
	e := int((bits >> 52) & 0x7ff)
	mant := bits & (1<<52 - 1)
	if e == 0 {
		e = 1 // subnormal: same scale as the smallest normal, no hidden bit
	} else {
		mant |= 1 << 52
	}
	p := e - 1 // bit position of mant's lowest bit above 2^−1074
	i, sh := p>>5, uint(p&31)
	lo := int64((mant << sh) & 0xffffffff)
	mid := int64((mant >> (32 - sh)) & 0xffffffff)
	hi := int64(mant >> (64 - sh))
	if bits>>63 != 0 {
		s.limb[i] -= lo
		s.limb[i+1] -= mid
		s.limb[i+2] -= hi
	} else {
		s.limb[i] += lo
		s.limb[i+1] += mid
		s.limb[i+2] += hi
	}
	s.pending++
	if s.pending >= exactFlush {
		s.normalize()
	}
}

// merge adds the sum o.
func (s *exactSum) merge(o *exactSum) {
	if o.pending+s.pending >= exactFlush {
		s.normalize()
		oc := *o
		oc.normalize()
		o = &oc
	}
	for i := range s.limb {
		s.limb[i] += o.limb[i]
	}
	s.pending += o.pending + 1
}

// normalize propagates the carries, leaving every limb but the top one in
// [0, 2^32).
func (s *exactSum) normalize() {
	var carry int64
	for i := 0; i < exactLimbs-1; i++ {
		v := s.limb[i] + carry
		carry = v >> 32 // arithmetic shift: floor division
		s.limb[i] = v & 0xffffffff
	}
	s.limb[exactLimbs-1] += carry
	s.pending = 0
}

// float64 returns the sum rounded to the nearest float64 (ties to even); an
// exact sum beyond the float64 range gives ±Inf.
func (s *exactSum) float64() float64 {
	c := *s
	c.normalize()
	top := exactLimbs - 1
	for top > 0 && c.limb[top] == 0 {
		top--
	}
	if top == 0 && c.limb[0] == 0 {
		return 0
	}
	n := big.NewInt(c.limb[top])
	d := new(big.Int)
	for i := top - 1; i >= 0; i-- {
		n.Lsh(n, 32)
		n.Add(n, d.SetInt64(c.limb[i]))
	}
	f := new(big.Float).SetInt(n) // exact: the precision grows to fit
	f.SetMantExp(f, -1074)
	v, _ := f.Float64()
	return v
}
