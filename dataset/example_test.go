package dataset_test

import (
	"bytes"
	"fmt"

	"github.com/lsce/lsce/dataset"
)

// An IDX file of two 2×2 images, written by hand: two zero bytes, the
// element type 0x08 (unsigned byte), 3 dimensions, the sizes 2, 2, 2 as
// big-endian uint32, then the pixels.
func ExampleReadIDX() {
	file := []byte{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 255, 255, 0, 1, 2, 3, 4}
	m, err := dataset.ReadIDX(bytes.NewReader(file), "two.idx")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Dims, m.Data)

	// The same file cut short: the error says where.
	_, err = dataset.ReadIDX(bytes.NewReader(file[:20]), "two.idx")
	fmt.Println(err)
	// Output:
	// [2 2 2] [0 255 255 0 1 2 3 4]
	// two.idx: byte 20: truncated: the header (dimensions [2 2 2]) declares 8 data bytes, the file has 4
}
