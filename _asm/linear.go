package main

import (
	"fmt"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// gemmSpec describes the packed GEMM micro-kernel of package linear for one
// element type.
type gemmSpec struct {
	name, goType string
	size         int // bytes per element
	cols         int // columns of the tile: two vectors
	vb           int // bytes per vector register: 32 (AVX2, YMM) or 64 (AVX-512, ZMM)
	twin         string

	xor, add, movu, bcast, fmadd231 func(ops ...Op)
}

// linearSet builds the micro-kernels of package linear, AVX2+FMA and
// AVX-512 (twice as many columns, in ZMM registers):
//
//	kern6x16(k int, a, b, c *float32, ldc int)
//	kern6x8d(k int, a, b, c *float64, ldc int)
//	kern6x32(k int, a, b, c *float32, ldc int)
//	kern6x16d(k int, a, b, c *float64, ldc int)
func linearSet() {
	gemmSpec{name: "kern6x16", goType: "float32", size: 4, cols: 16, vb: 32,
		xor: VXORPS, add: VADDPS, movu: VMOVUPS, bcast: VBROADCASTSS, fmadd231: VFMADD231PS,
	}.kernel()
	gemmSpec{name: "kern6x8d", goType: "float64", size: 8, cols: 8, vb: 32, twin: "kern6x16",
		xor: VXORPD, add: VADDPD, movu: VMOVUPD, bcast: VBROADCASTSD, fmadd231: VFMADD231PD,
	}.kernel()
	gemmSpec{name: "kern6x32", goType: "float32", size: 4, cols: 32, vb: 64, twin: "kern6x16",
		xor: VXORPS, add: VADDPS, movu: VMOVUPS, bcast: VBROADCASTSS, fmadd231: VFMADD231PS,
	}.kernel()
	gemmSpec{name: "kern6x16d", goType: "float64", size: 8, cols: 16, vb: 64, twin: "kern6x16",
		xor: VXORPD, add: VADDPD, movu: VMOVUPD, bcast: VBROADCASTSD, fmadd231: VFMADD231PD,
	}.kernel()
}

// v allocates a vector register of the spec's width.
func (g gemmSpec) v() VecVirtual {
	if g.vb == 64 {
		return ZMM()
	}
	return YMM()
}

// kernel emits name(k int, a, b, c *T, ldc int):
//
//	C[r][j] += Σ_p a[p*6+r]·b[p*cols+j] for r < 6, j < cols
//
// a 6×cols tile of C (rows ldc elements apart) plus the product of packed
// panels of A (k×6) and B (k×cols). Twelve accumulators, two B vectors,
// two broadcasts: all sixteen YMM registers (AVX2), or sixteen of the 32 ZMM
// registers (AVX-512, with twice the columns).
func (g gemmSpec) kernel() {
	const rows = 6
	TEXT(g.name, NOSPLIT, fmt.Sprintf("func(k int, a, b, c *%s, ldc int)", g.goType))
	Pragma("noescape")
	if g.twin == "" {
		Doc(fmt.Sprintf("%s is the AVX2+FMA %s micro-kernel of packedGemm: C[r][j] += Σ_p a[p*%d+r]·b[p*%d+j]", g.name, g.goType, rows, g.cols),
			fmt.Sprintf("for r < %d, j < %d, with packed panels A (k×%d) and B (k×%d) and C's rows ldc apart;", rows, g.cols, rows, g.cols),
			fmt.Sprintf("its reference loop is %sGo.", g.name))
	} else {
		isa := ""
		if g.vb == 64 {
			isa = " AVX-512 (ZMM)"
		}
		Doc(fmt.Sprintf("%s is the%s %s twin of %s: C[r][j] += Σ_p a[p*%d+r]·b[p*%d+j]", g.name, isa, g.goType, g.twin, rows, g.cols),
			fmt.Sprintf("for r < %d, j < %d; its reference loop is kernGeneric(%d, …).", rows, g.cols, g.cols))
	}
	k := Load(Param("k"), GP64()).(GPVirtual)
	a := Load(Param("a"), GP64()).(GPVirtual)
	b := Load(Param("b"), GP64()).(GPVirtual)
	c := Load(Param("c"), GP64()).(GPVirtual)
	ldc := Load(Param("ldc"), GP64()).(GPVirtual)
	SHLQ(U8(bitsOf(g.size)), ldc) // row stride in bytes

	var acc [rows][2]VecVirtual
	for r := range rows {
		for h := range 2 {
			acc[r][h] = g.v()
			g.xor(acc[r][h], acc[r][h], acc[r][h])
		}
	}
	TESTQ(k, k)
	JZ(LabelRef(g.name + "_store"))

	// One step of k: a row of the B panel (two vectors) times a column of
	// the A panel (six broadcasts, two at a time).
	Label(g.name + "_loop")
	bv := [2]VecVirtual{g.v(), g.v()}
	g.movu(Mem{Base: b}, bv[0])
	g.movu(Mem{Base: b, Disp: g.vb}, bv[1])
	for r := 0; r < rows; r += 2 {
		x := [2]VecVirtual{g.v(), g.v()}
		g.bcast(Mem{Base: a, Disp: r * g.size}, x[0])
		g.bcast(Mem{Base: a, Disp: (r + 1) * g.size}, x[1])
		for i := range 2 {
			for h := range 2 {
				g.fmadd231(bv[h], x[i], acc[r+i][h]) // acc += b·a
			}
		}
	}
	ADDQ(U32(rows*g.size), a)
	ADDQ(U32(g.cols*g.size), b)
	DECQ(k)
	JNZ(LabelRef(g.name + "_loop"))

	// C += the accumulators, row by row.
	Label(g.name + "_store")
	for r := range rows {
		if r > 0 {
			ADDQ(ldc, c)
		}
		g.add(Mem{Base: c}, acc[r][0], acc[r][0])
		g.add(Mem{Base: c, Disp: g.vb}, acc[r][1], acc[r][1])
		g.movu(acc[r][0], Mem{Base: c})
		g.movu(acc[r][1], Mem{Base: c, Disp: g.vb})
	}
	VZEROUPPER()
	RET()
}
