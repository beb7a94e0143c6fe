package train

import "github.com/lsce/lsce"

// Layers with few outputs (the logits: 10) make gonum's products call an
// axpy or a dot of length 10 per element, mostly call overhead. These plain
// loops do the same arithmetic in line and skip the zero (ReLU) inputs.

// narrowMax is the widest layer output the narrow kernels handle.
const narrowMax = 32

// narrowForward is z = h·W for the n rows of h (in values each) and W
// in×out.
func narrowForward[T lsce.Float](h, w, z []T, n, in, out int) {
	for r := range n {
		zr := z[r*out : (r+1)*out]
		clear(zr)
		for i, v := range h[r*in : (r+1)*in] {
			if v == 0 {
				continue
			}
			wi := w[i*out : (i+1)*out]
			for j := range zr {
				zr[j] += v * wi[j]
			}
		}
	}
}

// narrowGradW is g = hᵀ·δ (in×out), summed over the rows in order.
func narrowGradW[T lsce.Float](h, delta, g []T, n, in, out int) {
	clear(g)
	for r := range n {
		dr := delta[r*out : (r+1)*out]
		for i, v := range h[r*in : (r+1)*in] {
			if v == 0 {
				continue
			}
			gi := g[i*out : (i+1)*out]
			for j := range gi {
				gi[j] += v * dr[j]
			}
		}
	}
}

// narrowBack is prev = (δ·Wᵀ) ⊙ [h > 0]: the gradient with respect to the
// ReLU outputs h of the layer below, zero where the ReLU was off.
func narrowBack[T lsce.Float](h, delta, w, prev []T, n, in, out int) {
	for r := range n {
		dr := delta[r*out : (r+1)*out]
		pr := prev[r*in : (r+1)*in]
		for i, v := range h[r*in : (r+1)*in] {
			if v <= 0 {
				pr[i] = 0
				continue
			}
			wi := w[i*out : (i+1)*out]
			var s T
			for j, d := range dr {
				s += d * wi[j]
			}
			pr[i] = s
		}
	}
}
