package tensorio

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// ReadFile reads the tensor in the file at path, sniffing the format: .npy
// when the file starts with the .npy magic or its name ends in ".npy" (so
// that a damaged .npy file gets a .npy error), CSV otherwise. The path "-"
// reads standard input.
func ReadFile(path string) (*Tensor, error) {
	if path == "-" {
		return Read(os.Stdin, StdinName)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: unwrapPath(err)}
	}
	defer f.Close()
	var size int64 = -1
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	br := bufio.NewReaderSize(f, 1<<16)
	if isNpy(br) || strings.HasSuffix(strings.ToLower(path), ".npy") {
		return readNpy(br, path, size)
	}
	return ReadCSV(br, path)
}

// Read reads a tensor from r, sniffing the format as ReadFile does. name is
// used in errors.
func Read(r io.Reader, name string) (*Tensor, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if isNpy(br) {
		return readNpy(br, name, -1)
	}
	return ReadCSV(br, name)
}

// isNpy reports whether br starts with the .npy magic.
func isNpy(br *bufio.Reader) bool {
	b, _ := br.Peek(len(npyMagic))
	return string(b) == npyMagic
}

// ReadNpy reads a whole .npy file from r. name is used in errors. Memory
// grows with the data actually read, so a header declaring a huge shape
// fails at the end of the input, not at an allocation.
func ReadNpy(r io.Reader, name string) (*Tensor, error) {
	return readNpy(r, name, -1)
}

// chunk is the number of elements read at a time while the data's presence
// is unconfirmed.
const chunk = 1 << 16

// readNpy reads a .npy file; size ≥ 0 is the file's size, checked first.
func readNpy(r io.Reader, name string, size int64) (*Tensor, error) {
	nr, err := NewNpyReader(r, name)
	if err != nil {
		return nil, err
	}
	if size >= 0 {
		if err := nr.checkSize(size); err != nil {
			return nil, err
		}
	}
	t := &Tensor{DType: nr.DType(), Shape: nr.Shape(), Name: name, Format: NPY}
	n := nr.Len()
	// With a confirmed size, allocate once; otherwise grow as data arrives.
	initial := n
	if size < 0 {
		initial = min(n, chunk)
	}
	switch t.DType {
	case Float32:
		t.F32, err = readAll(nr.ReadFloat32, n, initial)
	case Float64:
		t.F64, err = readAll(nr.ReadFloat64, n, initial)
	default:
		t.I64, err = readAll(nr.ReadInt64, n, initial)
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// readAll reads n elements with read into a slice that starts at capacity
// initial and doubles as data arrives.
func readAll[T number](read func([]T) (int, error), n, initial int) ([]T, error) {
	out := make([]T, 0, initial)
	for len(out) < n {
		if len(out) == cap(out) {
			out = append(out, make([]T, min(cap(out), n-len(out)))...)[:len(out)]
		}
		k, err := read(out[len(out):min(cap(out), n)])
		if err != nil {
			if err == io.EOF {
				break // not reached: n counts the elements the reader has
			}
			return nil, err
		}
		out = out[:len(out)+k]
	}
	return out, nil
}
