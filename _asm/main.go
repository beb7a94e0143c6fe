// Command _asm generates the assembly of the project with avo: one set of
// functions per invocation, chosen by -set, written to the files named by
// avo's own flags -out, -stubs and -pkg. It is run by go generate in each
// package that has assembly (see their gen.go):
//
//	-set kernel (the default): the AVX2+FMA and AVX-512 row kernels of internal/kernel
//	  (this file, with isa.go for what differs between the two and rows.go
//	  for the many-short-rows kernel)
//	-set linear: the packed GEMM micro-kernels of linear (linear.go)
//	-set train: the float32 axpy of train (train.go)
//
// For example, in internal/kernel:
//
//	go run -C ../../_asm . -out ../internal/kernel/kernel_amd64.s -stubs ../internal/kernel/stubs_amd64.go -pkg kernel
//
// The rest of this comment is about the row kernels. Every kernel exists for float32 and float64; one description (spec) drives
// both, so the two stay the same loop with different vector widths.
//
// The exponential is computed as exp(d) = 2ⁿ·exp(r) with n = round(d/ln 2)
// (by adding the magic constant 1.5·2^mantissa), r = d − n·ln 2 in two steps
// (Cody–Waite), exp(r) = 1 + r + r²·Q(r) with Q a polynomial (a near-minimax
// fit of degree 4 for float32, Taylor of degree 11 for float64), and 2ⁿ built
// in the exponent bits. d is clamped below so that n ≥ −bias: 2ⁿ is then
// exactly 0, so very negative inputs give 0, never NaN or a denormal mess.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// spec describes one element type.
type spec struct {
	suffix string // "F32" or "F64"
	isa    string // "AVX2" (YMM registers, vector masks) or "AVX512" (ZMM registers, opmask registers)
	goType string
	vb     int // bytes per vector register: 32 or 64
	lanes  int // elements per vector register
	size   int // bytes per element
	// chunk is the number of elements summed in the element type before the
	// partial sums are added into float64 accumulators.
	chunk int

	add, sub, mul, max, and                 func(ops ...Op)
	fmadd213, fnmadd231, fmsub213, fmsub231 func(ops ...Op)
	padd, psll                              func(ops ...Op)
	bcast, movu                             func(ops ...Op)
	maskmov                                 func(a, b, c Op)    // AVX2 masked load or store
	blendv                                  func(a, b, c, d Op) // AVX2 blend by a vector mask
	movuZ                                   func(a, b, c Op)    // AVX-512 zero-masked move
	blendm                                  func(ops ...Op)     // AVX-512 blend by an opmask
	mantBits                                int

	// constants (vectors of lanes copies): the exponential's in memory, or
	// in registers within a function that asked for it (expInRegisters)
	log2e, magic, ln2hi, ln2lo, clamp, bias, one Op
	poly                                         []Op // Q coefficients, highest degree first
	negInf                                       Mem
	masks                                        Mem // AVX2: lanes × all-ones then lanes × zero
}

// expInRegisters loads the float32 exponential's constants into registers
// for the rest of the function being emitted, and returns the function that
// puts back their memory operands for the next one. AVX-512 holds all 12 in
// registers (it has 32), AVX2 all but Q's coefficients (16 registers, which
// the loop's values share): each exponential then loads its argument and at
// most 5 constants instead of 14, and on Zen 4, whose loads move one 512-bit
// vector or two 256-bit ones per cycle, those loads and not the arithmetic
// bound the exponential sweeps (256×1000 float32 forward, one worker:
// avx512 0.122 → 0.102 ms, avx2 0.122 → 0.115).
func (s *spec) expInRegisters() (restore func()) {
	saved := *s
	if s.size != 4 {
		return func() {}
	}
	reg := func(c Op) Op {
		r := s.V()
		s.movu(c, r)
		return r
	}
	s.clamp, s.log2e, s.magic, s.ln2hi, s.ln2lo = reg(s.clamp), reg(s.log2e), reg(s.magic), reg(s.ln2hi), reg(s.ln2lo)
	s.one, s.bias = reg(s.one), reg(s.bias)
	if s.wide() {
		s.poly = make([]Op, len(saved.poly))
		for i, c := range saved.poly {
			s.poly[i] = reg(c)
		}
	}
	return func() { *s = saved }
}

// consts holds the vector constants defined so far, by name: the AVX2 and
// AVX-512 specs share them.
var consts = map[string]Mem{}

// vec defines (once) a read-only vector constant of 64 bytes holding 64/size
// copies, enough for a ZMM load; YMM loads read its first half.
func vec(name string, size int, bits uint64) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	consts[name] = m
	for i := 0; i < 64/size; i++ {
		if size == 4 {
			DATA(4*i, U32(uint32(bits)))
		} else {
			DATA(8*i, U64(bits))
		}
	}
	return m
}

func f32s(name string, v float64) Mem { return vec(name, 4, uint64(math.Float32bits(float32(v)))) }
func f64s(name string, v float64) Mem { return vec(name, 8, math.Float64bits(v)) }

// Near-minimax Q for float32: exp(r) ≈ 1 + r + r²·Q(r) on |r| ≤ ln2/2, max
// relative error 3.1e-9 (0.05 ulp) before rounding. Found by a Lawson-weighted
// least-squares fit (relative error) on Chebyshev nodes.
var q32 = []float64{0.49999993451679897, 0.16666520689634917, 0.0416683873670058, 0.008368709842560332, 0.0013814612983211825}

// newSpec32 describes float32 in registers of vb bytes (32: AVX2, 64: AVX-512).
func newSpec32(vb int) *spec {
	s := &spec{suffix: "F32", isa: isaName(vb), goType: "float32", vb: vb, lanes: vb / 4, size: 4, chunk: 256, mantBits: 23,
		add: VADDPS, sub: VSUBPS, mul: VMULPS, max: VMAXPS, and: VANDPS,
		fmadd213: VFMADD213PS, fnmadd231: VFNMADD231PS, fmsub213: VFMSUB213PS, fmsub231: VFMSUB231PS,
		padd: VPADDD, psll: VPSLLD, bcast: VBROADCASTSS, movu: VMOVUPS,
		maskmov: VMASKMOVPS, blendv: VBLENDVPS, movuZ: VMOVUPS_Z, blendm: VBLENDMPS,
	}
	s.log2e = f32s("f32log2e", math.Log2E)
	s.magic = f32s("f32magic", 1.5*(1<<23))
	s.ln2hi = f32s("f32ln2hi", 0.693359375)
	s.ln2lo = f32s("f32ln2lo", -2.12194440e-4)
	// −88: d·log2e rounds to −127, 2^−127 is built as 0.
	s.clamp = f32s("f32clamp", -88)
	s.bias = vec("f32bias", 4, 127)
	s.one = f32s("f32one", 1)
	s.negInf = vec("f32neginf", 4, uint64(math.Float32bits(float32(math.Inf(-1)))))
	for i := len(q32) - 1; i >= 0; i-- {
		s.poly = append(s.poly, f32s(fmt.Sprintf("f32q%d", i), q32[i]))
	}
	s.masks = maskTable("f32masks", 4)
	return s
}

// newSpec64 describes float64 in registers of vb bytes.
func newSpec64(vb int) *spec {
	s := &spec{suffix: "F64", isa: isaName(vb), goType: "float64", vb: vb, lanes: vb / 8, size: 8, chunk: 128, mantBits: 52,
		add: VADDPD, sub: VSUBPD, mul: VMULPD, max: VMAXPD, and: VANDPD,
		fmadd213: VFMADD213PD, fnmadd231: VFNMADD231PD, fmsub213: VFMSUB213PD, fmsub231: VFMSUB231PD,
		padd: VPADDQ, psll: VPSLLQ, bcast: VBROADCASTSD, movu: VMOVUPD,
		maskmov: VMASKMOVPD, blendv: VBLENDVPD, movuZ: VMOVUPD_Z, blendm: VBLENDMPD,
	}
	s.log2e = f64s("f64log2e", math.Log2E)
	s.magic = f64s("f64magic", 1.5*(1<<52))
	// Cody–Waite split of ln 2: ln2hi has 32 significant bits, so n·ln2hi is exact.
	s.ln2hi = f64s("f64ln2hi", 6.93147180369123816490e-01)
	s.ln2lo = f64s("f64ln2lo", 1.90821492927058770002e-10)
	// −709: d·log2e rounds to −1023, 2^−1023 is built as 0.
	s.clamp = f64s("f64clamp", -709)
	s.bias = vec("f64bias", 8, 1023)
	s.one = f64s("f64one", 1)
	s.negInf = vec("f64neginf", 8, math.Float64bits(math.Inf(-1)))
	// Taylor: Q(r) = Σ_{k=0..11} r^k/(k+2)!, truncation error < 2e-18 on |r| ≤ ln2/2.
	for k := 11; k >= 0; k-- {
		f := 1.0
		for j := 2; j <= k+2; j++ {
			f *= float64(j)
		}
		s.poly = append(s.poly, f64s(fmt.Sprintf("f64q%d", k), 1/f))
	}
	s.masks = maskTable("f64masks", 8)
	return s
}

// maskTable holds 32/size all-ones elements then as many zeros: loading one
// vector at element offset lanes−r gives a mask of the first r lanes.
func maskTable(name string, size int) Mem {
	if m, ok := consts[name]; ok {
		return m
	}
	m := GLOBL(name, RODATA|NOPTR)
	consts[name] = m
	n := 32 / size
	for i := 0; i < 2*n; i++ {
		v := uint64(0)
		if i < n {
			v = math.MaxUint64
		}
		if size == 4 {
			DATA(4*i, U32(uint32(v)))
		} else {
			DATA(8*i, U64(v))
		}
	}
	return m
}

// exp replaces d (which must be ≤ 0 or NaN) by exp(d) and returns the register holding it.
func (s *spec) exp(d VecVirtual) VecVirtual {
	s.max(s.clamp, d, d) // d = max(d, clamp)
	t := s.V()
	s.movu(s.log2e, t)
	s.fmadd213(s.magic, d, t) // t = d·log2e + magic: n in the low mantissa bits
	n := s.V()
	s.sub(s.magic, t, n)       // n = t − magic, as a float
	s.fnmadd231(s.ln2hi, n, d) // d −= n·ln2hi
	s.fnmadd231(s.ln2lo, n, d) // r = d − n·ln2lo
	q := s.V()
	s.movu(s.poly[0], q)
	for _, c := range s.poly[1:] {
		s.fmadd213(c, d, q) // q = q·r + c
	}
	s.fmadd213(s.one, d, q) // q = q·r + 1
	s.fmadd213(s.one, d, q) // q = q·r + 1 = 1 + r + r²·Q
	s.padd(s.bias, t, t)
	s.psll(Imm(uint64(s.mantBits)), t, t) // t = 2ⁿ (0 when n = −bias)
	s.mul(t, q, q)
	return q
}

// loop emits a sweep over n elements at p: body is called for whole vectors
// (with the element memory operand, the accumulator index and the lane mask or
// nil), flush after every chunk and at the end. Chunks have unroll vectors per
// step; leftover whole vectors and then one masked vector follow.
type sweep struct {
	s      *spec
	name   string
	p, n   GPVirtual
	ptrs   []GPVirtual // other pointers advanced with p
	unroll int
	body   func(off int, acc int, mask Op)
	flush  func()
	zero   func()
	// ahead, when set, holds a byte distance: every unrolled step of the
	// main loop prefetches (into L1) each cache line of the step that far
	// past p.
	ahead GPVirtual
}

func (w *sweep) emit() {
	s := w.s
	vb := s.vb
	step := w.unroll * s.lanes
	chunk := s.chunk
	if w.flush == nil {
		chunk = 1 << 20 // no chunking needed: loop until fewer than step remain
	}
	Label(w.name + "_chunk")
	CMPQ(w.n, U32(step))
	JB(LabelRef(w.name + "_vec"))
	if w.zero != nil {
		w.zero()
	}
	j := GP64()
	// iterations in this chunk: min(chunk, n) / step
	MOVQ(w.n, j)
	CMPQ(j, U32(chunk))
	JBE(LabelRef(w.name + "_small"))
	MOVQ(U32(chunk), j)
	Label(w.name + "_small")
	SHRQ(U8(bitsOf(step)), j)
	Label(w.name + "_inner")
	if w.ahead != nil {
		for off := 0; off < w.unroll*vb; off += 64 {
			PREFETCHT0(Mem{Base: w.p, Index: w.ahead, Scale: 1, Disp: off})
		}
	}
	for u := 0; u < w.unroll; u++ {
		w.body(u*vb, u, nil)
	}
	w.advance(step)
	SUBQ(U32(step), w.n)
	DECQ(j)
	JNZ(LabelRef(w.name + "_inner"))
	if w.flush != nil {
		w.flush()
	}
	JMP(LabelRef(w.name + "_chunk"))

	Label(w.name + "_vec")
	if w.zero != nil {
		w.zero()
	}
	Label(w.name + "_vecloop")
	CMPQ(w.n, U32(s.lanes))
	JB(LabelRef(w.name + "_tail"))
	w.body(0, 0, nil)
	w.advance(s.lanes)
	SUBQ(U32(s.lanes), w.n)
	JMP(LabelRef(w.name + "_vecloop"))

	Label(w.name + "_tail")
	TESTQ(w.n, w.n)
	JZ(LabelRef(w.name + "_done"))
	w.body(0, 0, s.firstLanes(w.n))
	Label(w.name + "_done")
	if w.flush != nil {
		w.flush()
	}
}

func (w *sweep) advance(elems int) {
	ADDQ(U32(elems*w.s.size), w.p)
	for _, q := range w.ptrs {
		ADDQ(U32(elems*w.s.size), q)
	}
}

func bitsOf(v int) uint8 {
	for i := uint8(0); i < 32; i++ {
		if 1<<i == v {
			return i
		}
	}
	panic("not a power of two")
}

// load reads a vector at off from p, masked when mask is not nil (masked
// lanes read as 0 and touch no memory).
func (s *spec) load(p GPVirtual, off int, mask Op) VecVirtual {
	x := s.V()
	switch {
	case mask == nil:
		s.movu(Mem{Base: p, Disp: off}, x)
	case s.wide():
		s.movuZ(Mem{Base: p, Disp: off}, mask, x)
	default:
		s.maskmov(Mem{Base: p, Disp: off}, mask, x)
	}
	return x
}

// store writes x at off from p, only the lanes of mask when it is not nil.
func (s *spec) store(x VecVirtual, p GPVirtual, off int, mask Op) {
	switch {
	case mask == nil:
		s.movu(x, Mem{Base: p, Disp: off})
	case s.wide():
		s.movu(x, mask, Mem{Base: p, Disp: off})
	default:
		s.maskmov(x, mask, Mem{Base: p, Disp: off})
	}
}

func zero(v VecVirtual) { VXORPS(v, v, v) }

// maxSumStep reads the vector at off from p (the lanes of mask, when not
// nil), adds x − piv to the sum acc and takes the maximum into mv; masked-off
// lanes add 0 and count as neg (−Inf).
func (s *spec) maxSumStep(p GPVirtual, off int, mask Op, piv, neg, acc, mv VecVirtual) {
	s.maxSumStepOne(p, off, mask, piv, neg, acc, mv, nil)
}

// maxSumStepOne is maxSumStep; given one (a register of 1s), a whole vector
// takes x − piv as x·1 − piv (the same bits) on the multiply-add units, and
// its maximum from memory (L1) again: the sweep's three operations then no
// longer all queue for the adders, which bound it on Zen 4.
func (s *spec) maxSumStepOne(p GPVirtual, off int, mask Op, piv, neg, acc, mv VecVirtual, one Op) {
	if one != nil && mask == nil {
		d := s.load(p, off, nil)
		s.fmsub213(piv, one, d) // d = x·1 − piv
		s.add(d, acc, acc)
		s.max(Mem{Base: p, Disp: off}, mv, mv)
		return
	}
	x := s.load(p, off, mask)
	d := s.V()
	s.sub(piv, x, d)
	if mask != nil {
		s.zeroOutside(mask, d)
	}
	s.add(d, acc, acc)
	if mask != nil {
		s.fillOutside(mask, x, neg)
	}
	s.max(x, mv, mv)
}

// expSumStep reads the vector at off from p (the lanes of mask, when not
// nil), computes e = exp(x − m), writes it at off from ep unless ep is nil,
// and adds it to the sum acc; masked-off lanes add 0 and are not written.
func (s *spec) expSumStep(p, ep GPVirtual, off int, mask Op, m, acc VecVirtual) {
	x := s.load(p, off, mask)
	s.sub(m, x, x)
	e := s.exp(x)
	if mask != nil {
		s.zeroOutside(mask, e)
	}
	if ep != nil {
		s.store(e, ep, off, mask)
	}
	s.add(e, acc, acc)
}

// maxSum emits
//
//	maxSum{T}(x []T) (m T, sx float64)
//
// with m = max x (−Inf for no x) and sx = Σ (x − x[0]), summed about the pivot
// x[0] (the caller adds len·x[0]): rows of large logits close together
// (−1e4 ± 50) then lose nothing to cancellation. len(x) > 0.
func (s *spec) maxSum() {
	name := "maxSum" + s.suffix + s.isa
	TEXT(name, NOSPLIT, fmt.Sprintf("func(x []%s) (m %s, sx float64)", s.goType, s.goType))
	Doc(name + " returns m = max x and sx = Σ (x − x[0]); len(x) > 0.")
	p := Load(Param("x").Base(), GP64()).(GPVirtual)
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	m, sx := s.maxSumSweep(name, p, n)
	VZEROUPPER()
	Store(m.AsX(), ReturnIndex(0))
	Store(sx, ReturnIndex(1))
	RET()
}

// maxSumSweep emits maxSum's sweep over the n elements at p (both
// consumed), labels prefixed with name, and returns the maximum (in every
// lane of the register) and Σ (x − x[0]).
func (s *spec) maxSumSweep(name string, p, n GPVirtual) (m, sx VecVirtual) {
	neg := s.V()
	s.movu(s.negInf, neg)
	mv := [2]VecVirtual{s.V(), s.V()}
	s.movu(neg, mv[0])
	s.movu(neg, mv[1])
	sxAcc := [2]VecVirtual{s.V(), s.V()}
	sxSum := s.V()
	zero(sxSum)
	piv := s.V()
	s.bcast(Mem{Base: p}, piv)
	var one Op
	if s.size == 4 {
		one = s.V()
		s.movu(s.one, one)
	}
	w := &sweep{s: s, name: name, p: p, n: n, unroll: 2,
		zero:  func() { zero(sxAcc[0]); zero(sxAcc[1]) },
		body:  func(off, a int, mask Op) { s.maxSumStepOne(p, off, mask, piv, neg, sxAcc[a], mv[a], one) },
		flush: func() { s.flushInto(sxAcc[0], sxSum); s.flushInto(sxAcc[1], sxSum) },
	}
	w.emit()
	s.max(mv[1], mv[0], mv[0])
	return s.hmax(mv[0]), s.hsum64(sxSum)
}

// statsRow emits, for float32,
//
//	statsRow{T}(x []T) (m T, s, sx float64)
//
// maxSum, then expSum against its maximum, in one call: package kernel's
// Stats of a row of one block, without a second call and the Go between.
// len(x) > 0; the caller checks m and sx for NaN or ±Inf (s is then
// meaningless).
func (s *spec) statsRow() {
	name := "statsRow" + s.suffix + s.isa
	TEXT(name, NOSPLIT, fmt.Sprintf("func(x []%s) (m %s, s, sx float64)", s.goType, s.goType))
	Doc(name + " returns m = max x, s = Σ exp(x − m) and sx = Σ (x − x[0]); len(x) > 0.")
	p := Load(Param("x").Base(), GP64()).(GPVirtual)
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	p2, n2 := GP64(), GP64()
	MOVQ(p, p2)
	MOVQ(n, n2)
	mh, sx := s.maxSumSweep(name+"_max", p, n)
	Store(mh.AsX(), ReturnIndex(0))
	Store(sx, ReturnIndex(2))
	m := s.V()
	s.bcast(mh.AsX(), m)
	se := s.expSumSweep(name+"_exp", p2, n2, nil, nil, m)
	VZEROUPPER()
	Store(se, ReturnIndex(1))
	RET()
}

// expSum emits expSum{T}(x []T, m T) float64 = Σ exp(x − m), m ≥ max x; with
// store, expStore{T}(e, x []T, m T) float64, which also writes
// e[j] = exp(x[j] − m) (e may alias x).
//
// The caller passes one L1-sized block of a row (see package kernel's
// stats), which its maximum sweep has just brought into L1: this sweep is
// compute-bound. Meanwhile it prefetches into L1 every cache line of the
// len(x) elements that follow, the block the caller reads next, so that the
// memory read overlaps the exponentials instead of following them; the
// distance is one block, whatever the CPU. (A prefetch never faults, so
// reaching past the last row is harmless.)
func (s *spec) expSum(store bool) {
	name := "expSum" + s.suffix + s.isa
	sig := fmt.Sprintf("func(x []%s, m %s) float64", s.goType, s.goType)
	doc := name + " returns Σ exp(x − m) for m ≥ max x."
	if store {
		name = "expStore" + s.suffix + s.isa
		sig = fmt.Sprintf("func(e, x []%s, m %s) float64", s.goType, s.goType)
		doc = name + " writes e[j] = exp(x[j] − m) for j < len(x) and returns their sum; m ≥ max x."
	}
	TEXT(name, NOSPLIT, sig)
	Doc(doc)
	p := Load(Param("x").Base(), GP64()).(GPVirtual)
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	var ep GPVirtual
	var ptrs []GPVirtual
	if store {
		ep = Load(Param("e").Base(), GP64()).(GPVirtual)
		ptrs = append(ptrs, ep)
	}
	m := s.param("m")
	se := s.expSumSweep(name, p, n, ep, ptrs, m)
	VZEROUPPER()
	Store(se, ReturnIndex(0))
	RET()
}

// expSumSweep emits expSum's sweep over the n elements at p (both
// consumed; ep, when not nil, receives the exponentials and is in ptrs),
// labels prefixed with name, against m in every lane, and returns the sum.
func (s *spec) expSumSweep(name string, p, n, ep GPVirtual, ptrs []GPVirtual, m VecVirtual) VecVirtual {
	defer s.expInRegisters()()
	ahead := GP64()
	MOVQ(n, ahead)
	SHLQ(U8(bitsOf(s.size)), ahead)
	eAcc := [2]VecVirtual{s.V(), s.V()}
	eSum := s.V()
	zero(eSum)
	w := &sweep{s: s, name: name, p: p, n: n, ptrs: ptrs, unroll: 2, ahead: ahead,
		zero:  func() { zero(eAcc[0]); zero(eAcc[1]) },
		body:  func(off, a int, mask Op) { s.expSumStep(p, ep, off, mask, m, eAcc[a]) },
		flush: func() { s.flushInto(eAcc[0], eSum); s.flushInto(eAcc[1], eSum) },
	}
	w.emit()
	return s.hsum64(eSum)
}

// axpb emits axpb{T}(g []T, a, b T): g[j] = a·g[j] − b; with w,
// axpbW{T}(g, w []T, a, b T): g[j] = a·g[j] − b·w[j] (len(w) ≥ len(g)).
func (s *spec) axpb(weighted bool) {
	name := "axpb" + s.suffix + s.isa
	sig := fmt.Sprintf("func(g []%s, a, b %s)", s.goType, s.goType)
	doc := name + " writes g[j] = a·g[j] − b for j < len(g)."
	if weighted {
		name = "axpbW" + s.suffix + s.isa
		sig = fmt.Sprintf("func(g, w []%s, a, b %s)", s.goType, s.goType)
		doc = name + " writes g[j] = a·g[j] − b·w[j] for j < len(g)."
	}
	TEXT(name, NOSPLIT, sig)
	Doc(doc)
	p := Load(Param("g").Base(), GP64()).(GPVirtual)
	n := Load(Param("g").Len(), GP64()).(GPVirtual)
	var wp GPVirtual
	var ptrs []GPVirtual
	if weighted {
		wp = Load(Param("w").Base(), GP64()).(GPVirtual)
		ptrs = append(ptrs, wp)
	}
	a, b := s.param("a"), s.param("b")
	w := &sweep{s: s, name: name, p: p, n: n, ptrs: ptrs, unroll: 4,
		body: func(off, _ int, mask Op) {
			g := s.load(p, off, mask)
			if weighted {
				bw := s.load(wp, off, mask)
				s.mul(b, bw, bw)
				s.fmsub231(g, a, bw) // bw = a·g − b·w
				s.store(bw, p, off, mask)
			} else {
				s.fmsub213(b, a, g) // g = a·g − b
				s.store(g, p, off, mask)
			}
		},
	}
	w.emit()
	VZEROUPPER()
	RET()
}

// gradNT emits gradNT{T}(g, e []T, a, b T): g[j] = a·e[j] − b; with w,
// gradWNT{T}(g, e, w []T, a, b T): g[j] = a·e[j] − b·w[j]. g is written with
// non-temporal (streaming) stores where it is vector-aligned: the gradient
// goes to memory without first being read into the cache, which saves a
// third of the memory traffic of a forward-with-gradient pass (e is a
// scratch row that stays in cache). len(e), len(w) ≥ len(g).
func (s *spec) gradNT(weighted bool) {
	name := "gradNT" + s.suffix + s.isa
	sig := fmt.Sprintf("func(g, e []%s, a, b %s)", s.goType, s.goType)
	doc := name + " writes g[j] = a·e[j] − b for j < len(g), streaming where aligned."
	if weighted {
		name = "gradWNT" + s.suffix + s.isa
		sig = fmt.Sprintf("func(g, e, w []%s, a, b %s)", s.goType, s.goType)
		doc = name + " writes g[j] = a·e[j] − b·w[j] for j < len(g), streaming where aligned."
	}
	TEXT(name, NOSPLIT, sig)
	Doc(doc)
	gp := Load(Param("g").Base(), GP64()).(GPVirtual)
	n := Load(Param("g").Len(), GP64()).(GPVirtual)
	ep := Load(Param("e").Base(), GP64()).(GPVirtual)
	var wp GPVirtual
	ptrs := []GPVirtual{gp, ep}
	if weighted {
		wp = Load(Param("w").Base(), GP64()).(GPVirtual)
		ptrs = append(ptrs, wp)
	}
	a, b := s.param("a"), s.param("b")
	body := func(off int, mask Op, nt bool) {
		x := s.load(ep, off, mask)
		if weighted {
			bw := s.load(wp, off, mask)
			s.mul(b, bw, bw)
			s.fmsub231(x, a, bw) // bw = a·e − b·w
			x = bw
		} else {
			s.fmsub213(b, a, x) // x = a·e − b
		}
		switch {
		case !nt:
			s.store(x, gp, off, mask)
		case s.size == 4:
			VMOVNTPS(x, Mem{Base: gp, Disp: off})
		default:
			VMOVNTPD(x, Mem{Base: gp, Disp: off})
		}
	}
	advance := func(elems Op) {
		for _, q := range ptrs {
			LEAQ(Mem{Base: q, Index: elems.(GPVirtual), Scale: uint8(s.size)}, q)
		}
		SUBQ(elems, n)
	}
	// Head: up to the first vector-aligned address of g, masked ordinary stores.
	h := GP64()
	MOVQ(gp, h)
	NEGQ(h)
	ANDQ(U8(s.vb-1), h)
	SHRQ(U8(bitsOf(s.size)), h)
	JZ(LabelRef(name + "_aligned"))
	CMPQ(h, n)
	JBE(LabelRef(name + "_head"))
	MOVQ(n, h)
	Label(name + "_head")
	body(0, s.firstLanes(h), false)
	advance(h)
	Label(name + "_aligned")
	step := GP64()
	MOVQ(U32(2*s.lanes), step)
	Label(name + "_loop2")
	CMPQ(n, step)
	JB(LabelRef(name + "_loop1"))
	body(0, nil, true)
	body(s.vb, nil, true)
	advance(step)
	JMP(LabelRef(name + "_loop2"))
	Label(name + "_loop1")
	MOVQ(U32(s.lanes), step)
	CMPQ(n, step)
	JB(LabelRef(name + "_tail"))
	body(0, nil, true)
	advance(step)
	Label(name + "_tail")
	TESTQ(n, n)
	JZ(LabelRef(name + "_done"))
	body(0, s.firstLanes(n), false)
	Label(name + "_done")
	SFENCE()
	VZEROUPPER()
	RET()
}

// grad emits grad{T}(g, x []T, m, a, b T): g[j] = a·exp(x[j] − m) − b over
// len(x) elements (len(g) ≥ len(x) is the caller's duty); with w, gradW{T}:
// g[j] = a·exp(x[j] − m) − b·w[j].
func (s *spec) grad(weighted bool) {
	name := "grad" + s.suffix + s.isa
	sig := fmt.Sprintf("func(g, x []%s, m, a, b %s)", s.goType, s.goType)
	if weighted {
		name = "gradW" + s.suffix + s.isa
		sig = fmt.Sprintf("func(g, x, w []%s, m, a, b %s)", s.goType, s.goType)
	}
	TEXT(name, NOSPLIT, sig)
	if weighted {
		Doc(name + " writes g[j] = a·exp(x[j] − m) − b·w[j] for j < len(x).")
	} else {
		Doc(name + " writes g[j] = a·exp(x[j] − m) − b for j < len(x).")
	}
	gp := Load(Param("g").Base(), GP64()).(GPVirtual)
	p := Load(Param("x").Base(), GP64()).(GPVirtual)
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	var wp GPVirtual
	ptrs := []GPVirtual{gp}
	if weighted {
		wp = Load(Param("w").Base(), GP64()).(GPVirtual)
		ptrs = append(ptrs, wp)
	}
	m, a, b := s.param("m"), s.param("a"), s.param("b")
	defer s.expInRegisters()()
	w := &sweep{s: s, name: name, p: p, n: n, ptrs: ptrs, unroll: 2,
		body: func(off, _ int, mask Op) {
			x := s.load(p, off, mask)
			s.sub(m, x, x)
			e := s.exp(x)
			if weighted {
				bw := s.load(wp, off, mask)
				s.mul(b, bw, bw)
				s.fmsub231(e, a, bw) // bw = a·e − b·w
				s.store(bw, gp, off, mask)
			} else {
				s.fmsub213(b, a, e) // e = a·e − b
				s.store(e, gp, off, mask)
			}
		},
	}
	w.emit()
	VZEROUPPER()
	RET()
}

// dot emits dot{T}(x, w []T) float64 = Σ x[i]·w[i] over the first
// len(x) &^ (2·vb/8 − 1) elements (a multiple of 8 for AVX2, of 16 for
// AVX-512), multiplied and added in float64; the caller adds the rest.
func (s *spec) dot() {
	name := "dot" + s.suffix + s.isa
	TEXT(name, NOSPLIT, fmt.Sprintf("func(x, w []%s) float64", s.goType))
	per := 2 * s.vb / 8 // elements per step: two vectors of float64
	Doc(fmt.Sprintf("%s returns Σ x[i]·w[i] over the first len(x) &^ %d elements, in float64.", name, per-1))
	p := Load(Param("x").Base(), GP64()).(GPVirtual)
	n := Load(Param("x").Len(), GP64()).(GPVirtual)
	wp := Load(Param("w").Base(), GP64()).(GPVirtual)
	acc := [2]VecVirtual{s.V(), s.V()}
	zero(acc[0])
	zero(acc[1])
	SHRQ(U8(bitsOf(per)), n)
	JZ(LabelRef(name + "_done"))
	Label(name + "_loop")
	for h := range 2 {
		x, y := s.V(), s.V()
		if s.size == 4 {
			VCVTPS2PD(Mem{Base: p, Disp: s.vb / 2 * h}, x)
			VCVTPS2PD(Mem{Base: wp, Disp: s.vb / 2 * h}, y)
		} else {
			VMOVUPD(Mem{Base: p, Disp: s.vb * h}, x)
			VMOVUPD(Mem{Base: wp, Disp: s.vb * h}, y)
		}
		VFMADD231PD(x, y, acc[h])
	}
	ADDQ(U32(per*s.size), p)
	ADDQ(U32(per*s.size), wp)
	DECQ(n)
	JNZ(LabelRef(name + "_loop"))
	Label(name + "_done")
	VADDPD(acc[1], acc[0], acc[0])
	r := s.hsum64(acc[0])
	VZEROUPPER()
	Store(r, ReturnIndex(0))
	RET()
}

// cpu emits the feature probes used by the dispatcher.
func cpu() {
	TEXT("cpuid", NOSPLIT, "func(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)")
	Doc("cpuid executes CPUID with the given EAX and ECX.")
	Load(Param("eaxArg"), EAX)
	Load(Param("ecxArg"), ECX)
	CPUID()
	Store(EAX, Return("eax"))
	Store(EBX, Return("ebx"))
	Store(ECX, Return("ecx"))
	Store(EDX, Return("edx"))
	RET()

	TEXT("xgetbv", NOSPLIT, "func() (eax, edx uint32)")
	Doc("xgetbv reads XCR0, the register-state components the OS saves (call only when CPUID reports OSXSAVE).")
	XORL(ECX, ECX)
	XGETBV()
	Store(EAX, Return("eax"))
	Store(EDX, Return("edx"))
	RET()
}

// sets maps each value of -set to the function that builds its functions.
var sets = map[string]func(){
	"kernel": kernelSet,
	"linear": linearSet,
	"train":  trainSet,
}

func main() {
	set := flag.String("set", "kernel", "which functions to generate: kernel, linear or train")
	flag.Parse()
	gen, ok := sets[*set]
	if !ok {
		fmt.Fprintf(os.Stderr, "_asm: unknown -set %q (want kernel, linear or train)\n", *set)
		os.Exit(2)
	}
	ConstraintExpr("amd64,!purego")
	gen()
	Generate()
}

// kernelSet builds the row kernels of internal/kernel.
func kernelSet() {
	specs := []*spec{newSpec32(32), newSpec64(32), newSpec32(64), newSpec64(64)}
	for _, s := range specs {
		s.maxSum()
		s.expSum(false)
		s.expSum(true)
		s.axpb(false)
		s.axpb(true)
		s.gradNT(false)
		s.gradNT(true)
		s.grad(false)
		s.grad(true)
		s.dot()
		if s.size == 4 {
			s.expRows()
			s.statsRow()
		}
	}
	cpu()
}
