package tensorio

import (
	"io"
)

// ReadFile reads the tensor in the file at path, sniffing the format as
// [Open] does. The path "-" reads standard input.
func ReadFile(path string) (*Tensor, error) {
	in, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	return in.Tensor()
}

// Read reads a tensor from r, sniffing the format as ReadFile does. name is
// used in errors.
func Read(r io.Reader, name string) (*Tensor, error) {
	in, err := OpenReader(r, name)
	if err != nil {
		return nil, err
	}
	return in.Tensor()
}

// ReadNpy reads a whole .npy file from r. name is used in errors. Memory
// grows with the data actually read, so a header declaring a huge shape
// fails at the end of the input, not at an allocation.
func ReadNpy(r io.Reader, name string) (*Tensor, error) {
	nr, err := NewNpyReader(r, name)
	if err != nil {
		return nil, err
	}
	return nr.readAll(false)
}

// chunk is the number of elements read at a time while the data's presence
// is unconfirmed.
const chunk = 1 << 16

// readAll reads the rest of the data into a tensor; sized says the file's
// size confirmed the data, so that it is allocated at once (otherwise memory
// grows with the data actually read).
func (nr *NpyReader) readAll(sized bool) (*Tensor, error) {
	t := &Tensor{DType: nr.DType(), Shape: nr.Shape(), Name: nr.name, Format: NPY}
	n := nr.Len() - nr.off
	initial := n
	if !sized {
		initial = min(n, chunk)
	}
	var err error
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
