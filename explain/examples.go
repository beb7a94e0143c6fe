package explain

// Example is one of the worked examples of the write-up "Label Smoothing
// Explained using Microsoft Excel" (Aman Arora, 18 July 2020).
type Example struct {
	// Name is what --example takes: "catdog" or "animals".
	Name string
	// Title says where the example comes from.
	Title string
	// Input is the example at ε = 0.1, the write-up's smoothing.
	Input Input
	// Printed holds the losses the write-up printed from fastai/PyTorch
	// (LabelSmoothingCrossEntropy(ε=0.1, reduction='none')), to 4 decimals,
	// or is nil when it printed none.
	Printed []float64
}

// Examples returns the embedded examples, catdog first (the default).
func Examples() []Example {
	return []Example{
		{
			Name:  "catdog",
			Title: "5 images of cats and dogs, the write-up's spreadsheet",
			Input: Input{
				Logits: []float64{
					4.2, -2.4,
					1.6, -0.6,
					3.6, 1.2,
					-0.5, 0.5,
					-0.25, 1.7,
				},
				N: 5, K: 2,
				Targets: []int{0, 1, 1, 0, 0},
				Classes: []string{"cat", "dog"},
				Images:  []string{"img-1.jpg", "img-2.jpg", "img-3.jpg", "img-4.jpg", "img-5.jpg"},
				Epsilon: 0.1,
			},
			Printed: []float64{0.3314, 2.1951, 2.3668, 1.2633, 1.9855},
		},
		{
			Name:  "animals",
			Title: "5 images of 5 animals, the write-up's first table",
			Input: Input{
				Logits: []float64{
					4.7, -2.5, 0.6, 1.2, 0.4,
					-1.2, 2.4, 2.6, -0.6, 2.34,
					-2.4, 1.2, 1.1, 0.8, 1.2,
					1.2, 0.2, 0.8, 1.9, -0.6,
					-0.9, -0.1, -0.2, -0.5, 1.6,
				},
				N: 5, K: 5,
				Targets: []int{0, 1, 2, 3, 4},
				Classes: []string{"dog", "cat", "horse", "bear", "kangaroo"},
				Images:  []string{"img-1.jpg", "img-2.jpg", "img-3.jpg", "img-4.jpg", "img-5.jpg"},
				Epsilon: 0.1,
			},
		},
	}
}

// LookupExample returns the example of that name.
func LookupExample(name string) (Example, bool) {
	for _, e := range Examples() {
		if e.Name == name {
			return e, true
		}
	}
	return Example{}, false
}

// ExampleNames returns the names LookupExample knows, the default first.
func ExampleNames() []string {
	var out []string
	for _, e := range Examples() {
		out = append(out, e.Name)
	}
	return out
}
