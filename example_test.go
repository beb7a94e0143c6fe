package lsce_test

import (
	"fmt"

	"github.com/lsce/lsce"
)

// The cat/dog example of Aman Arora's "Label Smoothing Explained using
// Microsoft Excel" (18 July 2020): fastai's LabelSmoothingCrossEntropy(ε=0.1,
// reduction='none') prints tensor([0.3314, 2.1951, 2.3668, 1.2633, 1.9855]).
func Example() {
	logits := []float64{
		4.2, -2.4,
		1.6, -0.6,
		3.6, 1.2,
		-0.5, 0.5,
		-0.25, 1.7,
	}
	res, err := lsce.CrossEntropy(lsce.Input[float64]{
		Logits:  logits,
		Shape:   []int{5, 2},
		Targets: []int{0, 1, 1, 0, 0},
	}, lsce.Options{Epsilon: 0.1, Reduction: lsce.None})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", res.Losses)
	// Output: [0.3314 2.1951 2.3668 1.2633 1.9855]
}

// The gradient of the mean loss, written into a caller's buffer. PyTorch 1.13:
// F.cross_entropy(x, y, label_smoothing=0.1) = 0.7016, x.grad as printed.
func ExampleCrossEntropyGrad() {
	logits := []float32{2, 0.5, -1, 0.1, 0.2, 0.3}
	grad := make([]float32, len(logits))
	res, err := lsce.CrossEntropyGrad(grad, lsce.Input[float32]{
		Logits:  logits,
		Shape:   []int{2, 3},
		Targets: []int{0, 2},
	}, lsce.Options{Epsilon: 0.1})
	if err != nil {
		panic(err)
	}
	fmt.Printf("loss %.4f\n", res.Loss)
	fmt.Printf("grad %.4f\n", grad)
	// Output:
	// loss 0.7016
	// grad [-0.0739 0.0710 0.0029 0.1336 0.1494 -0.2831]
}

// The write-up's fastai class, line by line, on top of lsce's parts:
//
//	loss = reduce_loss(-log_preds.sum(dim=-1))   # K·H(u,p) per row
//	nll  = F.nll_loss(log_preds, target)         # H(q,p) per row
//	return (1-ε)*nll + ε*(loss/c)
//
// NLLs holds H(q,p) and Smooths holds H(u,p) = −(1/K)·Σ_k ln p_k, so
// fastai's loss/c is Smooths itself.
func Example_fastaiLabelSmoothingCrossEntropy() {
	const eps, c = 0.1, 2
	x := []float64{4.2, -2.4, 1.6, -0.6, 3.6, 1.2, -0.5, 0.5, -0.25, 1.7}
	y := []int{0, 1, 1, 0, 0}
	parts, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: x, Shape: []int{5, c}, Targets: y},
		lsce.Options{Reduction: lsce.None}) // ε does not change the parts
	if err != nil {
		panic(err)
	}
	out := make([]float64, len(y))
	for i := range out {
		nll := parts.NLLs[i]         // F.nll_loss(log_preds, target, reduction='none')
		loss := c * parts.Smooths[i] // -log_preds.sum(dim=-1)
		out[i] = (1-eps)*nll + eps*(loss/c)
	}
	fmt.Printf("%.4f\n", out)
	// Output: [0.3314 2.1951 2.3668 1.2633 1.9855]
}
