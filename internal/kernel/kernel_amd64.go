//go:build amd64 && !purego

package kernel

import "math"

// Features of the CPU and the operating system, probed once (as variable
// initialisers, so that impls, which depends on them, sees them set):
// hasAVX2FMA: AVX2 and FMA, and the OS saves YMM state; hasAVX512: AVX-512
// F/DQ/BW/VL too, and the OS saves ZMM and opmask state.
var hasAVX2FMA, hasAVX512 = detect()

func detect() (hasAVX2FMA, hasAVX512 bool) {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return
	}
	_, _, ecx1, _ := cpuid(1, 0)
	_, ebx7, _, _ := cpuid(7, 0)
	osxsave := ecx1&(1<<27) != 0
	if !osxsave {
		return
	}
	xcr0, _ := xgetbv()
	osYMM := xcr0&0x6 == 0x6   // XMM and YMM state
	osZMM := xcr0&0xe6 == 0xe6 // and opmask, ZMM_Hi256, Hi16_ZMM
	avx := ecx1&(1<<28) != 0
	fma := ecx1&(1<<12) != 0
	avx2 := ebx7&(1<<5) != 0
	hasAVX2FMA = osYMM && avx && fma && avx2
	const f, dq, bw, vl = 1 << 16, 1 << 17, 1 << 30, 1 << 31
	hasAVX512 = hasAVX2FMA && osZMM && ebx7&(f|dq|bw|vl) == f|dq|bw|vl
	return
}

// platformImpls lists the vectorised implementations this CPU runs, fastest
// first. An AVX-512 set would go first here, guarded by hasAVX512; none exists
// yet (it could not be verified on the development machine).
func platformImpls() []*impl {
	var l []*impl
	if hasAVX2FMA {
		l = append(l, avx2)
	}
	return l
}

var avx2 = &impl{
	name:    "avx2",
	stats32: statsF32AVX2, stats64: statsF64AVX2,
	dot32: dotF32, dot64: dotF64,
	grad32: func(g, x []float32, m, a, b float64) {
		gradF32AVX2(g[:len(x)], x, float32(m), float32(a), float32(b))
	},
	grad64: func(g, x []float64, m, a, b float64) { gradF64AVX2(g[:len(x)], x, m, a, b) },
	gradW32: func(g, x, w []float32, m, a, b float64) {
		gradWF32AVX2(g[:len(x)], x, w[:len(x)], float32(m), float32(a), float32(b))
	},
	gradW64:    func(g, x, w []float64, m, a, b float64) { gradWF64AVX2(g[:len(x)], x, w[:len(x)], m, a, b) },
	statsExp32: statsExpF32AVX2, statsExp64: statsExpF64AVX2,
	axpb32:  func(g []float32, a, b float64) { axpbF32AVX2(g, float32(a), float32(b)) },
	axpb64:  axpbF64AVX2,
	axpbW32: func(g, w []float32, a, b float64) { axpbWF32AVX2(g, w[:len(g)], float32(a), float32(b)) },
	axpbW64: func(g, w []float64, a, b float64) { axpbWF64AVX2(g, w[:len(g)], a, b) },
	gradE32: func(g, e []float32, a, b float64) { gradNTF32AVX2(g, e[:len(g)], float32(a), float32(b)) },
	gradE64: func(g, e []float64, a, b float64) { gradNTF64AVX2(g, e[:len(g)], a, b) },
	gradEW32: func(g, e, w []float32, a, b float64) {
		gradWNTF32AVX2(g, e[:len(g)], w[:len(g)], float32(a), float32(b))
	},
	gradEW64: func(g, e, w []float64, a, b float64) { gradWNTF64AVX2(g, e[:len(g)], w[:len(g)], a, b) },
	maxSum32: maxSumF32, maxSum64: maxSumF64,
	exp32: func(e, x []float32, m float64) float64 {
		if len(x) == 0 {
			return 0
		}
		return expStoreF32AVX2(e[:len(x)], x, float32(m))
	},
	exp64: func(e, x []float64, m float64) float64 {
		if len(x) == 0 {
			return 0
		}
		return expStoreF64AVX2(e[:len(x)], x, m)
	},
	vecRows: true,
}

// expRowsF32Vec is ExpRowsF32 with the AVX2 kernels, called directly per row
// (no table, no wrapper): the maximum and Σ x, then the exponentials and
// their sum (exp(0) = 1 exactly at the row's maximum).
func expRowsF32Vec(e, x []float32, k int, m, s, sx []float64) {
	if k < blockRowsMax {
		expRowsF32Block(e, x, k, m, s, sx)
		return
	}
	n := len(x) / k
	e, m, s, sx = e[:n*k], m[:n], s[:n], sx[:n]
	for r := range n {
		xr, er := x[r*k:(r+1)*k:(r+1)*k], e[r*k:(r+1)*k:(r+1)*k]
		mb, bsx := maxSumF32AVX2(xr)
		mr, sxr := float64(mb), bsx+float64(k)*float64(xr[0])
		m[r], sx[r] = mr, sxr
		if mr-mr != 0 || sxr-sxr != 0 { // NaN or ±Inf
			clear(er)
			s[r] = 0
			continue
		}
		s[r] = expStoreF32AVX2(er, xr, mb)
	}
}

// blockRowsMax is the row length below which expRowsF32Vec takes
// expRowsF32Block's way (measured on AVX2: rows of 10 gain, rows of 21 are even).
const blockRowsMax = 16

// expRowsF32Block is expRowsF32Vec for rows shorter than blockRowsMax, where
// the two kernel calls per row cost more than the work: per row the maximum
// and Σ x by the kernel and x − m written to e in Go, then the exponentials
// of all the rows in one kernel call (exp(0) = 1 exactly at each row's
// maximum), and the row sums in Go.
func expRowsF32Block(e, x []float32, k int, m, s, sx []float64) {
	n := len(x) / k
	if n == 0 {
		return
	}
	e, m, s, sx = e[:n*k], m[:n], s[:n], sx[:n]
	bad := 0
	for r := range n {
		xr, er := x[r*k:(r+1)*k:(r+1)*k], e[r*k:(r+1)*k:(r+1)*k]
		mb, bsx := maxSumF32AVX2(xr)
		mr, sxr := float64(mb), bsx+float64(k)*float64(xr[0])
		m[r], sx[r] = mr, sxr
		if mr-mr != 0 || sxr-sxr != 0 { // NaN or ±Inf
			clear(er)
			bad++
			continue
		}
		j := 0
		for ; j+4 <= k; j += 4 {
			dj, xj := er[j:j+4:j+4], xr[j:j+4:j+4]
			dj[0], dj[1], dj[2], dj[3] = xj[0]-mb, xj[1]-mb, xj[2]-mb, xj[3]-mb
		}
		for ; j < k; j++ {
			er[j] = xr[j] - mb
		}
	}
	expStoreF32AVX2(e, e, 0)
	sumRows(s, e, k)
	for r := 0; bad > 0 && r < n; r++ {
		if !finite(m[r]) || !finite(sx[r]) {
			s[r] = 0
			clear(e[r*k : (r+1)*k])
			bad--
		}
	}
}

// sumRows stores Σ e over each row of k elements of e in s[r], in float64.
func sumRows(s []float64, e []float32, k int) {
	for r := range len(e) / k {
		er := e[r*k : (r+1)*k]
		var s0, s1, s2, s3 float64
		j := 0
		for ; j+4 <= len(er); j += 4 {
			ej := er[j : j+4 : j+4]
			s0, s1, s2, s3 = s0+float64(ej[0]), s1+float64(ej[1]), s2+float64(ej[2]), s3+float64(ej[3])
		}
		for ; j < len(er); j++ {
			s0 += float64(er[j])
		}
		s[r] = (s0 + s1) + (s2 + s3)
	}
}

// maxSumF32 is MaxSumF32: the kernel returns Σ (x − x[0]), to which n·x[0]
// is added back.
func maxSumF32(x []float32) (m, sx float64) {
	if len(x) == 0 {
		return maxSumGeneric(x)
	}
	mb, bsx := maxSumF32AVX2(x)
	return float64(mb), bsx + float64(len(x))*float64(x[0])
}

func maxSumF64(x []float64) (m, sx float64) {
	if len(x) == 0 {
		return maxSumGeneric(x)
	}
	m, sx = maxSumF64AVX2(x)
	return m, sx + float64(len(x))*x[0]
}

// Rows up to wholeRow elements (256 KiB of float32, 512 KiB of float64) are
// swept twice whole, max and Σx then Σexp, the second sweep from L2: the
// same computation as StatsExp, so a pass with the gradient gives the same
// bits as one without. Longer rows go in blocks of block32 or block64
// elements, each swept twice while it sits in L1 and merged by rescaling.
const (
	wholeRow = 1 << 16
	block32  = 2048
	block64  = 1024
)

func statsF32AVX2(x []float32) (m, s, sx float64) {
	if len(x) <= wholeRow && len(x) > 0 {
		mb, bsx := maxSumF32AVX2(x)
		m, sx = float64(mb), bsx+float64(len(x))*float64(x[0])
		if finite(m) && finite(sx) {
			return m, expSumF32AVX2(x, mb), sx
		}
		return statsGeneric(x)
	}
	mb := float32(math.Inf(-1))
	for rest := x; len(rest) > 0; {
		blk := rest[:min(len(rest), block32)]
		rest = rest[len(blk):]
		bm, bsx := maxSumF32AVX2(blk)
		nm := max(mb, bm)
		se := expSumF32AVX2(blk, nm)
		if nm > mb && s != 0 {
			s *= math.Exp(float64(mb) - float64(nm))
		}
		s, sx, mb = s+se, sx+bsx+float64(len(blk))*float64(blk[0]), nm
	}
	m = float64(mb)
	if !(s > 0) || !finite(m) || !finite(s) || !finite(sx) {
		// Empty, non-finite or extreme rows: the reference loop decides.
		return statsGeneric(x)
	}
	return m, s, sx
}

func statsF64AVX2(x []float64) (m, s, sx float64) {
	if len(x) <= wholeRow && len(x) > 0 {
		m, sx = maxSumF64AVX2(x)
		sx += float64(len(x)) * x[0]
		if finite(m) && finite(sx) {
			return m, expSumF64AVX2(x, m), sx
		}
		return statsGeneric(x)
	}
	m = math.Inf(-1)
	for rest := x; len(rest) > 0; {
		blk := rest[:min(len(rest), block64)]
		rest = rest[len(blk):]
		bm, bsx := maxSumF64AVX2(blk)
		nm := max(m, bm)
		se := expSumF64AVX2(blk, nm)
		if nm > m && s != 0 {
			s *= math.Exp(m - nm)
		}
		s, sx, m = s+se, sx+bsx+float64(len(blk))*blk[0], nm
	}
	if !(s > 0) || !finite(m) || !finite(s) || !finite(sx) {
		return statsGeneric(x)
	}
	return m, s, sx
}

// statsExpF32AVX2 sweeps the whole row twice: max and Σx, then exp(x − m)
// stored and summed (the row is expected to stay in L2 between the sweeps).
func statsExpF32AVX2(e, x []float32) (m, s, sx float64) {
	if len(x) == 0 {
		return statsGeneric(x)
	}
	e = e[:len(x)]
	mb, bsx := maxSumF32AVX2(x)
	m, sx = float64(mb), bsx+float64(len(x))*float64(x[0])
	if !finite(m) || !finite(sx) {
		m, s, sx = statsGeneric(x)
		if finite(m) && finite(sx) && s > 0 {
			expStoreF32AVX2(e, x, float32(m))
		}
		return m, s, sx
	}
	return m, expStoreF32AVX2(e, x, mb), sx
}

func statsExpF64AVX2(e, x []float64) (m, s, sx float64) {
	if len(x) == 0 {
		return statsGeneric(x)
	}
	e = e[:len(x)]
	m, sx = maxSumF64AVX2(x)
	sx += float64(len(x)) * x[0]
	if !finite(m) || !finite(sx) {
		m, s, sx = statsGeneric(x)
		if finite(m) && finite(sx) && s > 0 {
			expStoreF64AVX2(e, x, m)
		}
		return m, s, sx
	}
	return m, expStoreF64AVX2(e, x, m), sx
}

func dotF32(x, w []float32) float64 {
	w = w[:len(x)]
	d := dotF32AVX2(x, w)
	for i := len(x) &^ 7; i < len(x); i++ {
		d += float64(x[i]) * float64(w[i])
	}
	return d
}

func dotF64(x, w []float64) float64 {
	w = w[:len(x)]
	d := dotF64AVX2(x, w)
	for i := len(x) &^ 7; i < len(x); i++ {
		d += x[i] * w[i]
	}
	return d
}
