package lsce

import (
	"math"
	"sync"
)

// splitMinClasses is the row length from which a row is split across workers
// when there are fewer rows than workers.
const splitMinClasses = 1 << 16

// runSplit computes few long rows by splitting each row's classes across the
// workers and merging their partial statistics exactly:
//
//	m = max m_i,  s = Σ s_i·exp(m_i − m),  Σz = Σ sz_i
func (e *engine[T]) runSplit() error {
	n, k := e.lay.elements(), e.lay.classes
	workers := e.opt.workers()
	chunk := (k + workers - 1) / workers
	type stat struct{ m, s, sx, swz float64 }
	st := make([]stat, workers)
	var total sums
	for i := range n {
		if e.in.Targets[i] == e.ign {
			e.zeroGrad(i)
			continue
		}
		x := e.in.Logits[i*k : (i+1)*k]
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				lo, hi := min(w*chunk, k), min((w+1)*chunk, k)
				var s stat
				s.m, s.s, s.sx = e.ops.stats(x[lo:hi])
				if e.wT != nil {
					s.swz = e.ops.dot(x[lo:hi], e.wT[lo:hi])
				}
				st[w] = s
			})
		}
		wg.Wait()
		m := math.Inf(-1)
		var s, sx, swz float64
		for _, p := range st {
			m = max(m, p.m)
		}
		for _, p := range st {
			if p.s > 0 {
				s += p.s * math.Exp(p.m-m)
			}
			sx += p.sx
			swz += p.swz
		}
		if !finite(m) || !finite(sx) || !(s > 0) {
			return locateNonFinite(i, x)
		}
		y := e.in.Targets[i]
		lse := m + math.Log(s)
		wy := 1.0
		if e.wT == nil {
			swz = sx
		} else {
			wy = e.opt.Weight[y]
		}
		p := e.rowParts(k, lse, float64(x[y]), wy, swz, e.wSum)
		if e.grad != nil {
			g := e.grad[i*k : (i+1)*k]
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					lo, hi := min(w*chunk, k), min((w+1)*chunk, k)
					sub := *e
					sub.wT = nil
					if e.wT != nil {
						sub.wT = e.wT[lo:hi]
					}
					sub.fastGrad(g[lo:hi], x[lo:hi], p.eps, m, s, lse, wy, k)
				})
			}
			wg.Wait()
			g[y] -= T((1 - p.eps) * wy * e.scale)
		}
		total.add(e.dst, i, p)
	}
	e.finish(total)
	return nil
}
