package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/lsce/lsce"
)

// MLP is a fully connected network: Sizes[0] inputs, hidden layers of
// Sizes[1 : len(Sizes)-1] units with ReLU, and Sizes[len(Sizes)-1] logits.
type MLP[T lsce.Float] struct {
	Sizes []int
	// W[l] is the Sizes[l]×Sizes[l+1] weight matrix of layer l, row-major
	// (row i holds the weights leaving input i); B[l] its biases.
	W, B [][]T
}

// NewMLP returns a network with He-normal weights (standard deviation
// √(2/fan-in), Kaiming He et al. 2015) drawn from a generator seeded with
// seed, and zero biases. The same seed and sizes give the same network in
// either precision (the weights are drawn in float64 and rounded).
func NewMLP[T lsce.Float](sizes []int, seed uint64) (*MLP[T], error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("a network needs at least an input and an output size, got %v", sizes)
	}
	for _, s := range sizes {
		if s <= 0 {
			return nil, fmt.Errorf("layer sizes must be positive, got %v", sizes)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0x1417))
	m := &MLP[T]{Sizes: append([]int(nil), sizes...)}
	for l := range len(sizes) - 1 {
		in, out := sizes[l], sizes[l+1]
		sd := math.Sqrt(2 / float64(in))
		w := make([]T, in*out)
		for i := range w {
			w[i] = T(rng.NormFloat64() * sd)
		}
		m.W = append(m.W, w)
		m.B = append(m.B, make([]T, out))
	}
	return m, nil
}

// Layers is the number of weight matrices.
func (m *MLP[T]) Layers() int { return len(m.W) }

// Classes is the number of logits.
func (m *MLP[T]) Classes() int { return m.Sizes[len(m.Sizes)-1] }

// forward computes the activations of the n rows in acts[0] up to layer k
// into acts: acts[l+1] = ReLU(acts[l]·W[l] + B[l]) for hidden layers, and the
// logits (no ReLU) for the last. acts[l] must hold n×Sizes[l] values. The
// first layer lists the non-zero inputs in cols (reused memory) and skips the
// others; the other layers call gonum.
func (m *MLP[T]) forward(acts [][]T, n, k int, cols *columns[T], workers int) {
	L := m.Layers()
	for l := range k {
		in, out := m.Sizes[l], m.Sizes[l+1]
		z := acts[l+1][:n*out]
		if l == 0 {
			cols.build(acts[0], n, in)
			sparseForward(workers, cols, m.W[0], z, n, in, out)
		} else if out <= narrowMax {
			narrowForward(acts[l][:n*in], m.W[l], z, n, in, out)
		} else {
			gemm(false, false, n, out, in, acts[l][:n*in], m.W[l], z)
		}
		b := m.B[l]
		relu := l < L-1
		for r := range n {
			row := z[r*out : (r+1)*out]
			for j := range row {
				v := row[j] + b[j]
				if relu && v < 0 {
					v = 0
				}
				row[j] = v
			}
		}
	}
}

// evalChunk is how many rows Logits and Features push through at once.
const evalChunk = 1000

// Logits returns the logits of the n rows of x (n×Sizes[0] values),
// row-major, n×Classes values.
func (m *MLP[T]) Logits(x []T, n int) []T {
	return m.Layer(x, n, m.Layers())
}

// Layer returns the activations after layer k (1 ≤ k ≤ Layers(); k =
// Layers() gives the logits, k = Layers()−1 the penultimate features) of the
// n rows of x.
func (m *MLP[T]) Layer(x []T, n, k int) []T {
	d := m.Sizes[0]
	out := make([]T, n*m.Sizes[k])
	c := min(n, evalChunk)
	acts := make([][]T, k+1)
	for l := 1; l <= k; l++ {
		acts[l] = make([]T, c*m.Sizes[l])
	}
	var cols columns[T]
	for r := 0; r < n; r += c {
		rows := min(c, n-r)
		acts[0] = x[r*d : (r+rows)*d]
		m.forward(acts, rows, k, &cols, runtime.GOMAXPROCS(0))
		copy(out[r*m.Sizes[k]:], acts[k][:rows*m.Sizes[k]])
	}
	return out
}
