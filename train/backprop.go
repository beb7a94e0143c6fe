package train

import (
	"github.com/lsce/lsce"
)

// workspace holds the buffers of one training step for batches of up to
// batch rows, reused from step to step.
type workspace[T lsce.Float] struct {
	acts   [][]T      // activations per layer; acts[0] is the input batch
	deltas [][]T      // ∂loss/∂(pre-activation) per layer l+1
	gW, gB [][]T      // gradients of the weights and biases
	cols   columns[T] // the non-zero inputs of the batch
	res    lsce.Result
	shape  [2]int
	// workers is how many goroutines the first layer uses.
	workers int
}

func newWorkspace[T lsce.Float](m *MLP[T], batch, workers int) *workspace[T] {
	ws := &workspace[T]{acts: make([][]T, len(m.Sizes)), deltas: make([][]T, m.Layers()), workers: workers}
	for l, s := range m.Sizes {
		if l > 0 {
			ws.acts[l] = make([]T, batch*s)
			ws.deltas[l-1] = make([]T, batch*s)
		}
	}
	for l := range m.Layers() {
		ws.gW = append(ws.gW, make([]T, len(m.W[l])))
		ws.gB = append(ws.gB, make([]T, len(m.B[l])))
	}
	return ws
}

// step runs the forward and backward passes on the n rows of x with targets
// y, leaving the gradients of the mean loss in ws.gW and ws.gB, the loss in
// ws.res and the logits in the last activation buffer.
func (m *MLP[T]) step(ws *workspace[T], x []T, y []int, n int, opt lsce.Options) error {
	L := m.Layers()
	ws.acts[0] = x
	m.forward(ws.acts, n, L, &ws.cols, ws.workers)
	C := m.Classes()
	ws.shape = [2]int{n, C}
	delta := ws.deltas[L-1][:n*C]
	in := lsce.Input[T]{Logits: ws.acts[L][:n*C], Shape: ws.shape[:], Targets: y}
	if err := lsce.CrossEntropyInto(&ws.res, delta, in, opt); err != nil {
		return err
	}
	for l := L - 1; l >= 0; l-- {
		fanIn, out := m.Sizes[l], m.Sizes[l+1]
		delta := ws.deltas[l][:n*out]
		h := ws.acts[l][:n*fanIn]
		// ∂W = hᵀ·δ, ∂b = Σ_rows δ.
		switch {
		case l == 0:
			sparseGradW(ws.workers, &ws.cols, delta, ws.gW[0], n, fanIn, out)
		case out <= narrowMax:
			narrowGradW(h, delta, ws.gW[l], n, fanIn, out)
		default:
			gemm(true, false, fanIn, out, n, h, delta, ws.gW[l])
		}
		gb := ws.gB[l]
		clear(gb)
		for r := range n {
			for j, v := range delta[r*out : (r+1)*out] {
				gb[j] += v
			}
		}
		if l == 0 {
			break
		}
		// δ of the layer below: (δ·Wᵀ) ⊙ [h > 0] (ReLU's derivative, taken
		// as 0 at 0).
		prev := ws.deltas[l-1][:n*fanIn]
		if out <= narrowMax {
			narrowBack(h, delta, m.W[l], prev, n, fanIn, out)
			continue
		}
		gemm(false, true, n, fanIn, out, delta, m.W[l], prev)
		for i, v := range h {
			if v <= 0 {
				prev[i] = 0
			}
		}
	}
	return nil
}
