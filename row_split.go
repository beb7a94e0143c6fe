package lsce

import (
	"math"

	"github.com/lsce/lsce/internal/fanout"
	"github.com/lsce/lsce/internal/rowmath"
)

// splitMinClasses is the row length from which a row is split across workers
// when there are fewer rows than workers.
const splitMinClasses = 1 << 16

// splitChunk is the number of classes per partial statistic of a long row
// (k ≥ splitMinClasses), whether one worker computes the chunks or several:
// the chunks and their merge order are fixed, so the result does not depend
// on Workers, bit for bit.
const splitChunk = 1 << 14

// rowStat is the statistics of one chunk of a row.
type rowStat struct{ m, s, sx, swz float64 }

// merge adds o (the next chunk) to st, in order:
//
//	m = max(m, m_o),  s = s·exp(m − m') + s_o·exp(m_o − m'),  Σz and Σwz add.
func (st *rowStat) merge(o rowStat) {
	st.m, st.s = rowmath.Merge(st.m, st.s, o.m, o.s)
	st.sx += o.sx
	st.swz += o.swz
}

// chunkStat computes the statistics of x[lo:hi].
func (e *engine[T]) chunkStat(x []T, lo, hi int) rowStat {
	var s rowStat
	s.m, s.s, s.sx = e.ops.stats(x[lo:hi])
	if e.wT != nil {
		s.swz = e.ops.dot(x[lo:hi], e.wT[lo:hi])
	}
	return s
}

// longRowStat computes a long row's statistics chunk by chunk on one
// goroutine, with the same chunks and merge order as runSplit.
func (e *engine[T]) longRowStat(x []T) rowStat {
	total := rowStat{m: math.Inf(-1)}
	for lo := 0; lo < len(x); lo += splitChunk {
		total.merge(e.chunkStat(x, lo, min(lo+splitChunk, len(x))))
	}
	return total
}

// runSplit computes few long rows by splitting each row's classes into fixed
// chunks shared among the workers, and merging their partial statistics
// exactly and in chunk order:
//
//	m = max m_i,  s = Σ s_i·exp(m_i − m),  Σz = Σ sz_i
func (e *engine[T]) runSplit() error {
	n, k := e.lay.elements(), e.lay.classes
	workers := e.workers
	chunks := (k + splitChunk - 1) / splitChunk
	st := make([]rowStat, chunks)
	var total sums
	for i := range n {
		if e.in.Targets[i] == e.ign {
			e.zeroGrad(i)
			total.add(e.dst, i, parts{})
			continue
		}
		x := e.in.Logits[i*k : (i+1)*k]
		fanout.Run(chunks, workers, fanout.Func(func(_, c int) error {
			st[c] = e.chunkStat(x, c*splitChunk, min((c+1)*splitChunk, k))
			return nil
		}))
		row := rowStat{m: math.Inf(-1)}
		for _, p := range st {
			row.merge(p)
		}
		m, s, sx, swz := row.m, row.s, row.sx, row.swz
		y := e.in.Targets[i]
		p, lse, wy, err := e.statsParts(i, x, float64(x[y]), m, s, sx, swz)
		if err != nil {
			return err
		}
		if e.grad != nil {
			g := e.grad[i*k : (i+1)*k]
			fanout.Run(chunks, workers, fanout.Func(func(_, c int) error {
				lo, hi := c*splitChunk, min((c+1)*splitChunk, k)
				sub := *e
				sub.wT = nil
				if e.wT != nil {
					sub.wT = e.wT[lo:hi]
				}
				sub.fastGrad(g[lo:hi], x[lo:hi], p.Eps, m, s, lse, wy, k)
				return nil
			}))
			g[y] -= T((1 - p.Eps) * wy * e.scale)
		}
		total.add(e.dst, i, p)
	}
	return e.finish(total)
}
