package kernel

import "math"

// The generic float32 Stats and StatsExp in one sweep over the row (an
// online softmax): the maximum, Σx and Σexp are gathered together, the
// exponentials taken against the running maximum m. When a group of four
// logits raises m (rare after the first few: a row's running maximum rises
// about ln n times), the sums so far are rescaled by e^(m_old − m_new), so
// that every exponential's argument stays ≤ 0 and the accuracy is that of
// the two-sweep loop. Stats and StatsExp run the same sweep, so a pass with
// the gradient gives the same bits as one without; StatsExp stores each
// exponential against the running maximum and rescales the stretches stored
// before it last rose, as the vector kernels do per block (vec_amd64.go).
// Rows shorter than onlineMinLen keep the two sweeps (maxSumGeneric, then
// the exponentials): there the rises' rescaling, e^(m_old − m_new) and the
// stale stretches, costs StatsExp more than the second sweep.
// A row whose maximum keeps rising (a rising ramp) would rescale often:
// after onlineRises rises, each block's maximum is found first, so that m
// rises at most once per block.

const (
	onlineBlock = 2048 // elements per block (8 KiB) once the maximum rises often
	onlineRises = 32   // rises after which blocks find their maximum first

	onlineMaxStale = 16   // stale stretches of e kept before rescaling them
	onlineMinLen   = 8192 // shorter rows are swept twice
)

// stats32Generic is the generic StatsF32, storing e[j] = exp(x[j] − m) when
// e is not nil (len(e) ≥ len(x); e may alias x). When x holds NaN or ±Inf,
// e is not written from the pair holding the first one on.
func stats32Generic(e, x []float32) (m, s, sx float64) {
	if len(x) < onlineMinLen {
		m, sx = maxSumGeneric(x)
		if !finite(m) || !finite(sx) {
			return m, 0, sx
		}
		if e != nil {
			return m, expStore32(e[:len(x)], x, m), sx
		}
		return m, expSum32(x, m), sx
	}
	if e != nil {
		e = e[:len(x)]
	}
	m, s, sx, ok := statsOnline32(e, x)
	if !ok || !finite(m) || !finite(sx) {
		m, sx = maxSumGeneric(x)
		return m, 0, sx
	}
	return m, s, sx
}

// onlineStale is the sweep's count of rises and StatsExp's record of the stretches of e stored against an
// earlier, smaller running maximum: stale[i] ends at end[i] and was stored
// against m[i]; the stretches tile e[:end[n−1]].
type onlineStale struct {
	e     []float32
	n     int
	rises int
	end   [onlineMaxStale]int
	m     [onlineMaxStale]float64
}

// raise rescales the two partial sums from the running maximum m to nm > m
// and, when storing, records e[:pos] as stored against m.
func (st *onlineStale) raise(pos int, m, nm, s0, s1 float64) (float64, float64) {
	st.rises++
	c := math.Exp(m - nm) // 0 for the first raise (m = −Inf)
	if st.e != nil && pos > 0 {
		if st.n == onlineMaxStale {
			st.rescale(m)
		}
		st.end[st.n], st.m[st.n] = pos, m
		st.n++
	}
	return s0 * c, s1 * c
}

// rescale brings every stale stretch of e to the maximum m.
func (st *onlineStale) rescale(m float64) {
	start := 0
	for i := range st.n {
		c := math.Exp(st.m[i] - m)
		for j, v := range st.e[start:st.end[i]] {
			st.e[start+j] = float32(float64(v) * c)
		}
		start = st.end[i]
	}
	st.n = 0
}

// statsOnline32 is the sweep of stats32Generic (len(x) > 0; len(e) = len(x)
// or e nil), block by block. ok is false when, storing, it met a NaN or ±Inf
// (without e, they surface in m or sx); the results are then meaningless.
func statsOnline32(e, x []float32) (m, s, sx float64, ok bool) {
	st := onlineStale{e: e}
	m = math.Inf(-1)
	var s0, s1 float64
	for off := 0; off < len(x); off += onlineBlock {
		blk := x[off:min(len(x), off+onlineBlock)]
		if st.rises > onlineRises {
			bm, _ := maxSumGeneric(blk)
			if !finite(bm) {
				return 0, 0, 0, false
			}
			if bm > m {
				s0, s1 = st.raise(off, m, bm, s0, s1)
				m = bm
			}
		}
		if e == nil {
			m, s0, s1, sx = sweepSum32(&st, blk, off, m, s0, s1, sx)
			continue
		}
		m, s0, s1, sx, ok = sweepStore32(&st, e[off:off+len(blk)], blk, off, m, s0, s1, sx)
		if !ok {
			return 0, 0, 0, false
		}
	}
	if e != nil {
		st.rescale(m)
	}
	return m, s0 + s1, sx, true
}

// sweepSum32 adds block x (at offset off of its row) to the running
// maximum m, the two partial sums of exp(x − m) and Σx. Two lanes: with
// more, the Go compiler spills the loop's values. A NaN raises nothing and
// surfaces in sx.
func sweepSum32(st *onlineStale, x []float32, off int, m, s0, s1, sx float64) (float64, float64, float64, float64) {
	mf := float32(m) // exact: m is −Inf or one of the logits
	i := 0
	for ; i+2 <= len(x); i += 2 {
		g := x[i : i+2 : i+2]
		v0, v1 := g[0], g[1]
		if v0 > mf || v1 > mf {
			nm := float64(max(mf, v0, v1))
			s0, s1 = st.raise(off+i, m, nm, s0, s1)
			m, mf = nm, float32(nm)
		}
		d0, d1 := float64(v0), float64(v1)
		sx += d0 + d1
		s0 += exp32(d0 - m)
		s1 += exp32(d1 - m)
	}
	if i < len(x) {
		v := x[i]
		if v > mf {
			s0, s1 = st.raise(off+i, m, float64(v), s0, s1)
			m = float64(v)
		}
		sx += float64(v)
		s0 += exp32(float64(v) - m)
	}
	return m, s0, s1, sx
}

// sweepStore32 is sweepSum32 that stores e[j] = exp(x[j] − m) against the
// running maximum (len(e) = len(x)). ok is false at the first NaN or ±Inf:
// e is not written from the pair holding it on. Its sums are sweepSum32's,
// bit for bit.
func sweepStore32(st *onlineStale, e, x []float32, off int, m, s0, s1, sx float64) (_, _, _, _ float64, ok bool) {
	mf := float32(m)
	e = e[:len(x)]
	i := 0
	for ; i+2 <= len(x); i += 2 {
		g, eg := x[i:i+2:i+2], e[i:i+2:i+2]
		v0, v1 := g[0], g[1]
		d0, d1 := float64(v0), float64(v1)
		q := d0 + d1 // NaN or ±Inf exactly when v0 or v1 is
		if v0 > mf || v1 > mf || !(q >= -math.MaxFloat64 && q <= math.MaxFloat64) {
			if !(q >= -math.MaxFloat64 && q <= math.MaxFloat64) {
				return 0, 0, 0, 0, false
			}
			nm := float64(max(mf, v0, v1))
			s0, s1 = st.raise(off+i, m, nm, s0, s1)
			m, mf = nm, float32(nm)
		}
		sx += q
		x0, x1 := exp32(d0-m), exp32(d1-m)
		eg[0], eg[1] = float32(x0), float32(x1)
		s0, s1 = s0+x0, s1+x1
	}
	if i < len(x) {
		v := float64(x[i])
		if !finite(v) {
			return 0, 0, 0, 0, false
		}
		if v > m {
			s0, s1 = st.raise(off+i, m, v, s0, s1)
			m = v
		}
		sx += v
		ev := exp32(v - m)
		e[i] = float32(ev)
		s0 += ev
	}
	return m, s0, s1, sx, true
}
