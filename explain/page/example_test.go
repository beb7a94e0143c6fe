package page_test

import (
	"fmt"
	"strings"

	"github.com/lsce/lsce/explain/page"
)

// A request as the page sends it, and the numbers it gets back.
func ExampleCompute() {
	p, err := page.Decode(strings.NewReader(`{"data": "image,label,cat,dog\nimg-1.jpg,cat,4.2,-2.4\nimg-2.jpg,dog,1.6,-0.6\n", "epsilon": "0.1", "variant": "uniform", "row": 1}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := page.Compute(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("losses %.4f, match %v\n", res.Library, res.Match)
	fmt.Printf("row %d: p %.4f, q' %.4f, gradient %.4f\n", res.Row, res.Grad.P, res.Grad.Q, res.Grad.Grad)
	fmt.Printf("the loss is smallest at the gap %.4f\n", *res.Curve.MinGap)
	// Output:
	// losses [0.3314 2.1951], match true
	// row 1: p [0.9002 0.0998], q' [0.0500 0.9500], gradient [0.8502 -0.8502]
	// the loss is smallest at the gap 2.9444
}

// Bad input gets a message that names the line and column.
func ExampleDecode() {
	_, err := page.Decode(strings.NewReader(`{"data": "image,label,cat,dog\nimg-1.jpg,cat,4.2,x\n", "epsilon": "0.1"}`))
	fmt.Println(err)
	// Output:
	// line 2, column "dog": "x" is not a finite number
}

// With ε = 0.1 and two classes, a confident model gains nothing past a gap
// of ln(0.95/0.05) between the label's logit and the other.
func ExampleOptimalGap() {
	fmt.Printf("%.4f\n", page.OptimalGap(0.1, 2))
	// Output:
	// 2.9444
}
