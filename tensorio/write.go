package tensorio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"unsafe"

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
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := WriteNpyHeader[T](bw, shape); err != nil {
		return err
	}
	if err := WriteNpyData(bw, data); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteNpyHeader writes the header of a .npy file of T elements of the
// given shape, as WriteNpy does; WriteNpyData then writes the elements in
// C order, in as many calls as the caller likes (a gradient streamed chunk
// by chunk). The caller writes exactly the shape's count of elements.
func WriteNpyHeader[T Writable](w io.Writer, shape []int) error {
	var d DType
	var z T
	switch any(z).(type) {
	case float32:
		d = Float32
	case float64:
		d = Float64
	case int64:
		d = Int64
	}
	_, err := w.Write(formatHeader(d, shape))
	return err
}

// WriteNpyData writes elements after WriteNpyHeader, little-endian.
func WriteNpyData[T Writable](w io.Writer, data []T) error {
	var buf [4096]byte
	var z T
	size := int(unsafe.Sizeof(z))
	for len(data) > 0 {
		k := min(len(data), len(buf)/size)
		switch v := any(data[:k]).(type) {
		case []float32:
			for i, x := range v {
				binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
			}
		case []float64:
			for i, x := range v {
				binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(x))
			}
		case []int64:
			for i, x := range v {
				binary.LittleEndian.PutUint64(buf[8*i:], uint64(x))
			}
		}
		if _, err := w.Write(buf[:k*size]); err != nil {
			return err
		}
		data = data[k:]
	}
	return nil
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
