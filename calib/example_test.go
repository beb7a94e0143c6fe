package calib_test

import (
	"fmt"

	"github.com/lsce/lsce/calib"
)

// Four rows of three classes, two of them right, all with confidence
// e⁸/(e⁸+2). The NLL log(a+2) − ½·log a, a = e^(8/T), is least at a = 2:
// T = 8/ln 2 ≈ 11.5416, where the confidence is 1/2, the accuracy.
func ExampleEvaluate() {
	logits := []float64{
		8, 0, 0, // right, confident
		8, 0, 0, // wrong (target 1), equally confident
		0, 0, 8, // right
		0, 8, 0, // wrong (target 2)
	}
	targets := []int{0, 1, 2, 2}
	r, err := calib.Evaluate(logits, 4, 3, targets, calib.Options{Epsilon: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, c := r.Metrics, r.Calibrated
	fmt.Printf("accuracy %.2f, confidence %.4f, ECE %.4f, NLL %.4f\n", m.Accuracy, m.Confidence, m.ECE, m.NLL)
	fmt.Printf("T = %.4f: confidence %.4f, ECE %.4f, NLL %.4f\n", r.Temperature, c.Confidence, c.ECE, c.NLL)
	// Output:
	// accuracy 0.50, confidence 0.9993, ECE 0.4993, NLL 4.0007
	// T = 11.5416: confidence 0.5000, ECE 0.0000, NLL 1.0397
}

// Streaming: chunks added to per-worker Accumulators, merged, read once.
func ExampleAccumulator() {
	a, _ := calib.NewAccumulator(2, calib.Options{Bins: 5})
	b, _ := calib.NewAccumulator(2, calib.Options{Bins: 5})
	_ = calib.Add(a, 0, []float32{2, 0, 0, 2}, []int{0, 1}) // rows 0–1
	_ = calib.Add(b, 2, []float32{2, 0}, []int{1})          // row 2
	if err := a.Merge(b); err != nil {
		fmt.Println(err)
		return
	}
	m := a.Metrics()
	fmt.Printf("%d rows, accuracy %.4f, confidence %.4f\n", m.Rows, m.Accuracy, m.Confidence)
	for _, bin := range m.Bins {
		if bin.Count > 0 {
			fmt.Printf("(%.1f, %.1f]: %d rows, accuracy %.4f\n", bin.Lo, bin.Hi, bin.Count, bin.Accuracy)
		}
	}
	// Output:
	// 3 rows, accuracy 0.6667, confidence 0.8808
	// (0.8, 1.0]: 3 rows, accuracy 0.6667
}
