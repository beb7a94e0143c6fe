package main

import (
	"github.com/mmcloughlin/avo/gotypes"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// trainSet builds the assembly of package train:
//
//	axpyF32AVX2(a float32, x, y []float32)
func trainSet() { axpyF32() }

// axpyF32 emits axpyF32AVX2: for i := range y { y[i] += a * x[i] }, with
// len(x) ≥ len(y). The product is rounded before the sum (VMULPS then
// VADDPS, no FMA), so that the result has the same bits as the Go loop and
// gonum's SSE kernel: four vectors a step, then one, then scalars.
func axpyF32() {
	const name = "axpyF32AVX2"
	TEXT(name, NOSPLIT, "func(a float32, x, y []float32)")
	Pragma("noescape")
	Doc(name+" is y += a·x over len(y) elements (len(x) ≥ len(y)), the product rounded",
		"before the sum as in the Go loop and gonum; its reference loop is axpyF32Generic.")
	av := YMM()
	VBROADCASTSS(addr(Param("a")), av) // straight from the argument frame
	x := Load(Param("x").Base(), GP64()).(GPVirtual)
	y := Load(Param("y").Base(), GP64()).(GPVirtual)
	n := Load(Param("y").Len(), GP64()).(GPVirtual)

	Label(name + "_loop32")
	CMPQ(n, U8(32))
	JL(LabelRef(name + "_loop8"))
	var t [4]VecVirtual
	for u := range t {
		t[u] = YMM()
		VMULPS(Mem{Base: x, Disp: 32 * u}, av, t[u])
	}
	for u := range t {
		VADDPS(Mem{Base: y, Disp: 32 * u}, t[u], t[u])
	}
	for u := range t {
		VMOVUPS(t[u], Mem{Base: y, Disp: 32 * u})
	}
	ADDQ(U32(128), x)
	ADDQ(U32(128), y)
	SUBQ(U8(32), n)
	JMP(LabelRef(name + "_loop32"))

	Label(name + "_loop8")
	CMPQ(n, U8(8))
	JL(LabelRef(name + "_tail"))
	v := YMM()
	VMULPS(Mem{Base: x}, av, v)
	VADDPS(Mem{Base: y}, v, v)
	VMOVUPS(v, Mem{Base: y})
	ADDQ(U32(32), x)
	ADDQ(U32(32), y)
	SUBQ(U8(8), n)
	JMP(LabelRef(name + "_loop8"))

	Label(name + "_tail")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	s := XMM()
	VMOVSS(Mem{Base: x}, s)
	VMULSS(av.AsX(), s, s)
	VADDSS(Mem{Base: y}, s, s)
	VMOVSS(s, Mem{Base: y})
	ADDQ(U32(4), x)
	ADDQ(U32(4), y)
	DECQ(n)
	JMP(LabelRef(name + "_tail"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// addr is the memory operand of an argument (or a part of one).
func addr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}
