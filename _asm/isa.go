package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// This file holds what differs between the AVX2 and the AVX-512 form of a
// kernel: the register width, how a partial vector is masked (a vector of
// all-ones lanes and VMASKMOV/VBLENDV for AVX2, an opmask register and
// masked moves for AVX-512) and the horizontal reductions. The kernels
// themselves are written once, in main.go, against these methods.

// isaName names the instruction set of a register width in bytes.
func isaName(vb int) string {
	if vb == 64 {
		return "AVX512"
	}
	return "AVX2"
}

// wide reports whether the spec is for AVX-512 (ZMM registers).
func (s *spec) wide() bool { return s.vb == 64 }

// V allocates a vector register of the spec's width.
func (s *spec) V() VecVirtual {
	if s.wide() {
		return ZMM()
	}
	return YMM()
}

// param loads the scalar parameter name into every lane of a vector.
func (s *spec) param(name string) VecVirtual {
	x := XMM()
	Load(Param(name), x)
	v := s.V()
	s.bcast(x, v)
	return v
}

// firstLanes returns a mask of the first r lanes, 0 ≤ r < lanes: for AVX2 a
// vector loaded from the mask table at element offset lanes − r, for AVX-512
// an opmask register holding 2ʳ − 1.
func (s *spec) firstLanes(r GPVirtual) Op {
	if s.wide() {
		ones, bits := GP64(), GP64()
		MOVQ(I32(-1), ones)
		BZHIQ(r, ones, bits) // bits = low r bits of ones
		k := K()
		KMOVW(bits.As32(), k)
		return k
	}
	idx := GP64()
	MOVQ(U32(s.lanes), idx)
	SUBQ(r, idx)
	tbl := GP64()
	LEAQ(s.masks, tbl)
	m := YMM()
	VMOVDQU(Mem{Base: tbl, Index: idx, Scale: uint8(s.size)}, m)
	return m
}

// zeroOutside sets the lanes of v outside mask to 0.
func (s *spec) zeroOutside(mask Op, v VecVirtual) {
	if s.wide() {
		s.movuZ(v, mask, v)
		return
	}
	s.and(mask, v, v)
}

// fillOutside sets the lanes of v outside mask to those of fill.
func (s *spec) fillOutside(mask Op, v, fill VecVirtual) {
	if s.wide() {
		s.blendm(v, fill, mask, v) // v = mask ? v : fill
		return
	}
	s.blendv(mask, v, fill, v) // v = mask ? v : fill
}

// flushInto adds the lanes of acc (element type) into the float64 vector sum.
func (s *spec) flushInto(acc, sum VecVirtual) {
	if s.size == 8 {
		VADDPD(acc, sum, sum)
		return
	}
	// Widen each half of acc to float64 and add it.
	t := s.V()
	if s.wide() {
		VCVTPS2PD(acc.AsY(), t)
		VADDPD(t, sum, sum)
		h := YMM()
		VEXTRACTF64X4(U8(1), acc, h)
		VCVTPS2PD(h, t)
		VADDPD(t, sum, sum)
		return
	}
	VCVTPS2PD(acc.AsX(), t)
	VADDPD(t, sum, sum)
	h := XMM()
	VEXTRACTF128(U8(1), acc, h)
	VCVTPS2PD(h, t)
	VADDPD(t, sum, sum)
}

// hsum64 reduces a vector of float64 into the low lane of an XMM.
func (s *spec) hsum64(v VecVirtual) VecVirtual {
	if s.wide() {
		y := YMM()
		VEXTRACTF64X4(U8(1), v, y)
		VADDPD(y, v.AsY(), y)
		v = y
	}
	h := XMM()
	VEXTRACTF128(U8(1), v, h)
	VADDPD(h, v.AsX(), h)
	l := XMM()
	VPERMILPD(U8(1), h, l)
	VADDSD(l, h, h)
	return h
}

// hmax returns a YMM holding the maximum of the lanes of v in every lane.
func (s *spec) hmax(v VecVirtual) VecVirtual {
	m := v
	if s.wide() {
		m = YMM()
		VEXTRACTF64X4(U8(1), v, m)
		s.max(v.AsY(), m, m)
	}
	t := YMM()
	VPERM2F128(U8(1), m, m, t) // swap 128-bit halves
	s.max(t, m, m)
	if s.size == 4 {
		VPERMILPS(U8(0x4E), m, t)
		s.max(t, m, m)
		VPERMILPS(U8(0xB1), m, t)
		s.max(t, m, m)
	} else {
		VPERMILPD(U8(0x5), m, t)
		s.max(t, m, m)
	}
	return m
}
