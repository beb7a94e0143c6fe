package tensorio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/lsce/lsce/internal/outfile"
)

// Writable is an element type WriteNpy writes.
type Writable interface{ float32 | float64 | int64 }

// WriteNpy writes data of the given shape (C order) to w as a version 1.0
// little-endian .npy file (version 2.0 if the header needs it).
func WriteNpy[T Writable](w io.Writer, shape []int, data []T) error {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("tensorio: shape %v has a negative dimension", shape)
		}
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("tensorio: shape %v holds %d elements, data has %d", shape, n, len(data))
	}
	var d DType
	switch any(data).(type) {
	case []float32:
		d = Float32
	case []float64:
		d = Float64
	case []int64:
		d = Int64
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.Write(formatHeader(d, shape))
	var b [8]byte
	switch v := any(data).(type) {
	case []float32:
		for _, x := range v {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
			bw.Write(b[:4])
		}
	case []float64:
		for _, x := range v {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
			bw.Write(b[:8])
		}
	case []int64:
		for _, x := range v {
			binary.LittleEndian.PutUint64(b[:], uint64(x))
			bw.Write(b[:8])
		}
	}
	return bw.Flush()
}

// WriteNpyFile writes data to the .npy file at path, as WriteNpy does;
// "-" writes standard output. The file is replaced atomically: a write that
// fails (a full disk, say) leaves the previous file as it was and no
// temporary file behind. A path that exists and is not a regular file
// (/dev/stdout, a FIFO) is refused.
func WriteNpyFile[T Writable](path string, shape []int, data []T) error {
	if path == "-" {
		return WriteNpy(os.Stdout, shape, data)
	}
	return outfile.Write(path, func(w io.Writer) error { return WriteNpy(w, shape, data) })
}
