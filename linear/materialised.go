package linear

import "github.com/lsce/lsce"

// Materialised is the reference path the fused loss avoids: it computes all
// N×V logits Z = H·Wᵀ + b, calls lsce.CrossEntropyGrad on them, and
// multiplies the logits' gradient G out: dH = G·W, dW = Gᵀ·H, db = Σ_n G. It
// holds N×V values (plus the inputs), and serves to check CrossEntropyGrad.
func Materialised[T Float](g Grads[T], in Input[T], opt lsce.Options) (*lsce.Result, error) {
	n, d, v := in.Rows, in.Hidden, in.Classes
	if _, err := newFused(g, in, &opt); err != nil {
		return nil, err
	}
	z := make([]T, n*v)
	if n > 0 {
		gemmNT(n, v, d, in.H, d, in.W, d, z, v)
	}
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
		gemmNN(n, d, v, z, v, in.W, d, g.H, d)
	}
	if g.W != nil {
		clear(g.W)
		gemmTN(v, d, n, z, v, in.H, d, g.W, d)
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
