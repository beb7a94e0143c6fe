package tensorio_test

import (
	"fmt"
	"io"
	"log"

	"github.com/lsce/lsce/tensorio"
)

// Stream a (2, 3) float64 file written by numpy, one row at a time.
func ExampleOpenNpy() {
	f, err := tensorio.OpenNpy("testdata/le_f8_2x3.npy")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	fmt.Println(f.DType(), f.Shape())
	row := make([]float64, f.RowLen())
	for {
		n, err := f.ReadFloat64(row)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(row[:n])
	}
	// Output:
	// float64 [2 3]
	// [-0.75 -0.5 -0.25]
	// [0 0.25 0.5]
}

// Read a whole file, whatever its format, and see where an element is.
func ExampleReadFile() {
	t, err := tensorio.ReadFile("testdata/le_i4_2x3.npy")
	if err != nil {
		log.Fatal(err)
	}
	labels, _ := t.Ints()
	fmt.Println(t.DType, t.Shape, labels, t.Where(4))
	// Output: int32 [2 3] [-3 -2 -1 0 1 2] row 1, column 1
}
