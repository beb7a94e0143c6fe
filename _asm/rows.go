package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// expRows emits, for float32 (the spec's size must be 4),
//
//	expRowsF32{ISA}(e, x []float32, k int, m, s, sx []float64)
//
// over the len(m) rows of k elements of x: per row its maximum in m, Σ x in
// sx (summed about the row's first element, as maxSum does, then
// k·x[0] added), e = exp(x − m) over the row and Σ e in s — Stats and the
// exponentials of StatsExp for many short rows in one call, instead of two
// calls per row. Sums run in float32 within the row, then in float64: the caller
// keeps k short (package kernel: ≤ 1024). A row's whole vectors come first,
// then one masked vector (all lanes masked off when k is a multiple of the
// vector width, which then reads and writes nothing). A non-finite row gets
// non-finite m or sx and meaningless e and s, for the caller to clear.
func (s *spec) expRows() {
	if s.size != 4 {
		panic("expRows: float32 only")
	}
	name := "expRows" + s.suffix + s.isa
	TEXT(name, NOSPLIT, fmt.Sprintf("func(e, x []%s, k int, m, s, sx []float64)", s.goType))
	Pragma("noescape")
	Doc(name + " stores each row's max, Σ exp(x − max) and Σ x in m, s and sx and writes the exponentials to e, for the len(m) rows of k elements of x; k > 0.")
	ep := Load(Param("e").Base(), GP64()).(GPVirtual)
	xp := Load(Param("x").Base(), GP64()).(GPVirtual)
	k := Load(Param("k"), GP64()).(GPVirtual)
	mp := Load(Param("m").Base(), GP64()).(GPVirtual)
	n := Load(Param("m").Len(), GP64()).(GPVirtual)
	sp := Load(Param("s").Base(), GP64()).(GPVirtual)
	sxp := Load(Param("sx").Base(), GP64()).(GPVirtual)

	kf := XMM() // float64(k)
	VXORPS(kf, kf, kf)
	VCVTSI2SDQ(k, kf, kf)
	full := GP64() // whole vectors per row
	MOVQ(k, full)
	SHRQ(U8(bitsOf(s.lanes)), full)
	tail := GP64() // elements in the masked vector
	MOVQ(k, tail)
	ANDQ(U32(s.lanes-1), tail)
	mask := s.firstLanes(tail)
	kb := k // bytes per row
	SHLQ(U8(bitsOf(s.size)), kb)
	neg := s.V()
	s.movu(s.negInf, neg)
	xr, er, j := GP64(), GP64(), GP64()

	Label(name + "_row")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))

	// Sweep 1: maximum, and Σ (x − x[0]).
	piv := s.V()
	s.bcast(Mem{Base: xp}, piv)
	mv, sv := s.V(), s.V()
	s.movu(neg, mv)
	zero(sv)
	MOVQ(xp, xr)
	MOVQ(full, j)
	TESTQ(j, j)
	JZ(LabelRef(name + "_maxtail"))
	Label(name + "_maxloop")
	s.maxSumStep(xr, 0, nil, piv, neg, sv, mv)
	ADDQ(U32(s.vb), xr)
	DECQ(j)
	JNZ(LabelRef(name + "_maxloop"))
	Label(name + "_maxtail")
	s.maxSumStep(xr, 0, mask, piv, neg, sv, mv)
	mh := s.hmax(mv) // the maximum in every lane of a YMM
	md := XMM()
	VCVTSS2SD(mh.AsX(), md, md)
	VMOVSD(md, Mem{Base: mp})
	sum := s.V()
	zero(sum)
	s.flushInto(sv, sum)
	h := s.hsum64(sum)
	x0 := XMM()
	VCVTSS2SD(piv.AsX(), x0, x0)
	VFMADD231SD(kf, x0, h) // h += k·x[0]
	VMOVSD(h, Mem{Base: sxp})

	// Sweep 2: e = exp(x − max), and Σ e.
	mb := s.V()
	s.bcast(mh.AsX(), mb)
	es := s.V()
	zero(es)
	MOVQ(xp, xr)
	MOVQ(ep, er)
	MOVQ(full, j)
	TESTQ(j, j)
	JZ(LabelRef(name + "_exptail"))
	Label(name + "_exploop")
	s.expSumStep(xr, er, 0, nil, mb, es)
	ADDQ(U32(s.vb), xr)
	ADDQ(U32(s.vb), er)
	DECQ(j)
	JNZ(LabelRef(name + "_exploop"))
	Label(name + "_exptail")
	s.expSumStep(xr, er, 0, mask, mb, es)
	sum2 := s.V()
	zero(sum2)
	s.flushInto(es, sum2)
	VMOVSD(s.hsum64(sum2), Mem{Base: sp})

	ADDQ(kb, xp)
	ADDQ(kb, ep)
	ADDQ(U8(8), mp)
	ADDQ(U8(8), sp)
	ADDQ(U8(8), sxp)
	DECQ(n)
	JMP(LabelRef(name + "_row"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}
