package linear

import (
	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/fanout"
)

// Materialised is the reference path the fused loss avoids: it computes all
// N×V logits Z = H·Wᵀ + b, calls lsce.CrossEntropyGrad on them, and
// multiplies the logits' gradient G out: dH = G·W, dW = Gᵀ·H, db = Σ_n G. It
// holds N×V values (plus the inputs), and serves to check CrossEntropyGrad.
func Materialised[T Float](g Grads[T], in Input[T], opt lsce.Options) (*lsce.Result, error) {
	n, d, v := in.Rows, in.Hidden, in.Classes
	if _, err := newFused(g, in, &opt); err != nil {
		return nil, err
	}
	workers := fanout.Workers(opt.Workers, 0, 0)
	z := make([]T, n*v)
	splitRows(n, workers, func(r0, r1 int) {
		gemmNT(r1-r0, v, d, in.H[r0*d:], d, in.W, d, z[r0*v:], v)
	})
	if in.B != nil {
		for i := range n {
			row := z[i*v : (i+1)*v]
			for j := range row {
				row[j] += in.B[j]
			}
		}
	}
	var grad []T
	if g.H != nil || g.W != nil || g.B != nil {
		grad = z // in place
	}
	res, err := lsce.CrossEntropyGrad(grad, lsce.Input[T]{Logits: z, Shape: []int{n, v}, Targets: in.Targets}, opt)
	if err != nil || grad == nil {
		return res, err
	}
	if g.H != nil {
		clear(g.H)
		splitRows(n, workers, func(r0, r1 int) {
			gemmNN(r1-r0, d, v, z[r0*v:], v, in.W, d, g.H[r0*d:], d)
		})
	}
	if g.W != nil {
		clear(g.W)
		splitRows(v, workers, func(c0, c1 int) {
			gemmTN(c1-c0, d, n, z[c0:], v, in.H, d, g.W[c0*d:], d)
		})
	}
	if g.B != nil {
		clear(g.B)
		for i := range n {
			for j, x := range z[i*v : (i+1)*v] {
				g.B[j] += x
			}
		}
	}
	return res, nil
}

// splitRows runs fn on contiguous ranges of at least 64 rows covering
// [0, m), one per worker.
func splitRows(m, workers int, fn func(lo, hi int)) {
	parts := max(1, min(workers, m/64))
	fanout.Run(parts, parts, fanout.Func(func(_, p int) error {
		fn(p*m/parts, (p+1)*m/parts)
		return nil
	}))
}

// Implementation names the matrix-product implementation in use: "avx2"
// (the package's own AVX2+FMA kernels), "gonum" or "go".
func Implementation() string { return gemmName() }
