package linear_test

import (
	"fmt"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/linear"
)

// A classifier head of 4 classes over 2-dimensional hidden states: the
// smoothed loss and its gradients without materialising the logits.
// PyTorch 1.13: F.cross_entropy(h @ w.T + b, y, label_smoothing=0.1) = 1.1294,
// and h.grad[0] = [0.1116, 0.0907].
func Example() {
	in := linear.Input[float32]{
		H:       []float32{1, 0.5, -1, 2, 0.3, -0.7},
		W:       []float32{0.2, -0.1, 0.5, 0.4, -0.3, 0.8, 1, 0},
		B:       []float32{0, 0.1, -0.2, 0.05},
		Rows:    3,
		Hidden:  2,
		Classes: 4,
		Targets: []int{0, 2, 3},
	}
	g := linear.Grads[float32]{H: make([]float32, 6), W: make([]float32, 8), B: make([]float32, 4)}
	res, err := linear.CrossEntropyGrad(g, in, lsce.Options{Epsilon: 0.1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("loss %.4f\n", res.Loss)
	fmt.Printf("dH[0] %.4f\n", g.H[:2])
	// Output:
	// loss 1.1294
	// dH[0] [0.1116 0.0907]
}
