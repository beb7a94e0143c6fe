package explain_test

import (
	"fmt"
	"os"

	"github.com/lsce/lsce/explain"
)

// The write-up's cat/dog example: the walk-through's losses, which the write-up's
// fastai/PyTorch run printed as tensor([0.3314, 2.1951, 2.3668, 1.2633, 1.9855]).
func Example() {
	ex, _ := explain.LookupExample("catdog")
	w, err := explain.New(ex.Input)
	if err != nil {
		panic(err)
	}
	fmt.Printf("smoothed labels of img-1.jpg: %.2f\n", w.Smoothed[:2])
	fmt.Printf("losses: %.4f\n", w.Loss)
	fmt.Println("library agrees:", w.Match())
	// Output:
	// smoothed labels of img-1.jpg: [0.95 0.05]
	// losses: [0.3314 2.1951 2.3668 1.2633 1.9855]
	// library agrees: true
}

// A walk-through of one's own data, as text (PyTorch 1.13: F.cross_entropy of
// [[2, 0, -1]], target 0, label_smoothing=0.3 is 0.66985). WriteXLSX or SaveXLSX would
// write it as a live spreadsheet.
func ExampleWalkthrough_WriteText() {
	w, err := explain.New(explain.Input{
		Logits:  []float64{2, 0, -1},
		N:       1,
		K:       3,
		Targets: []int{0},
		Classes: []string{"bird", "plane", "kite"},
		Images:  []string{"sky.jpg"},
		Epsilon: 0.3,
	})
	if err != nil {
		panic(err)
	}
	w.WriteText(os.Stdout)
	// Output:
	// Label-smoothing cross-entropy, step by step: 1 image, 3 classes (bird, plane, kite), ε = 0.3
	//
	// 1. One-hot labels: 1 for the image's class, 0 elsewhere
	//   image    label  bird  plane  kite
	//   sky.jpg  bird      1      0     0
	//
	// 2. Smoothed labels q' = (1 − ε)·one-hot + ε/K = 0.7·one-hot + 0.1
	//   ε = 0.3, K = 3 classes: the label gets 0.8000, every other class 0.1000.
	//   image      bird   plane    kite
	//   sky.jpg  0.8000  0.1000  0.1000
	//
	// 3. Logits: the model's outputs
	//   image      bird   plane     kite
	//   sky.jpg  2.0000  0.0000  -1.0000
	//
	// 4. exp(logit)
	//   image      bird   plane    kite
	//   sky.jpg  7.3891  1.0000  0.3679
	//
	// 5. Σexp: the sum of each row's exps
	//   image      Σexp
	//   sky.jpg  8.7569
	//
	// 6. Probabilities p = exp / Σexp (the softmax; each row sums to 1)
	//   image      bird   plane    kite
	//   sky.jpg  0.8438  0.1142  0.0420
	//
	// 7. −q'·ln p for each class
	//   ln is the natural log (LN in a spreadsheet; Excel's LOG is base 10, the write-up's own pitfall).
	//   ln p is taken as logit − ln Σexp: the same number as ln(p), and finite even where p rounds to 0.
	//   image      bird   plane    kite
	//   sky.jpg  0.1359  0.2170  0.3170
	//
	// 8. Loss per row: the sum of step 7 over the classes
	//   image      loss
	//   sky.jpg  0.6698
	//
	// 9. The same loss as (1 − ε)·H(q,p) + ε·H(u,p) = 0.7·H(q,p) + 0.3·H(u,p)
	//   H(q,p) = −ln p[label] is the plain cross-entropy; H(u,p) = −(1/K)·Σ ln p is the cross-entropy against uniform labels.
	//   image    H(q,p)  H(u,p)    loss
	//   sky.jpg  0.1698  1.8365  0.6698
	//
	// 10. The library: lsce.CrossEntropy, reduction none (the fastai/PyTorch semantics)
	//   library losses: [0.6698]
	//   match: every loss agrees with the walk-through's within 1e-9.
}
