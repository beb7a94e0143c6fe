package tensorio

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// Input is a tensor file opened once: its format is sniffed from the first
// bytes through a buffer, so that nothing is lost when the input is a pipe,
// a FIFO, a process substitution such as <(…), or standard input. An Input
// is read either whole ([Input.Tensor]) or as a stream ([Input.Npy]), once.
//
// Nothing ever reopens the path. A regular file (standard input redirected
// from one included) can be read again from the start of its data with
// [NpyReader.Rewind]; any other input is read exactly once.
type Input struct {
	// Name is the file's name as used in errors (StdinName for "-").
	Name string
	// Format is the format sniffed.
	Format Format

	br    *bufio.Reader
	file  *os.File // the file, when r is one
	start int64    // the file's offset when opened, for a regular file
	size  int64    // bytes from start to the end, or −1 unless regular
	close bool     // Close closes file (opened by Open)
}

// Open opens the file at path, or standard input for "-", and sniffs its
// format: .npy when it starts with the .npy magic or its name ends in
// ".npy" (so that a damaged .npy file gets a .npy error), CSV otherwise. A
// .npz archive is refused by name.
func Open(path string) (*Input, error) {
	if path == "-" {
		return OpenReader(os.Stdin, StdinName)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: unwrapPath(err)}
	}
	in, err := OpenReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	in.close = true
	return in, nil
}

// OpenReader sniffs the format of r as Open does; name is used in errors
// and for the sniff by extension. When r is an *os.File of a regular file,
// its size is checked against .npy headers and the data can be rewound.
func OpenReader(r io.Reader, name string) (*Input, error) {
	in := &Input{Name: name, size: -1}
	if f, ok := r.(*os.File); ok {
		in.file = f
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil {
				in.start, in.size = off, st.Size()-off
			}
		}
	}
	in.br = bufio.NewReaderSize(r, 1<<16)
	b, err := in.br.Peek(len(npyMagic))
	lower := strings.ToLower(name)
	switch {
	case string(b) == npyMagic:
		in.Format = NPY
	case strings.HasPrefix(string(b), zipMagic) || strings.HasSuffix(lower, ".npz"):
		return nil, errorf(name, "", "a .npz archive (zip of .npy files): lsce reads .npy and .csv files; save each array with numpy.save")
	case strings.HasSuffix(lower, ".npy"):
		in.Format = NPY
	case err != nil && err != io.EOF && err != bufio.ErrBufferFull:
		return nil, &Error{File: name, Err: err}
	default:
		in.Format = CSV
	}
	return in, nil
}

// zipMagic starts a zip archive, as a .npz file is.
const zipMagic = "PK\x03\x04"

// Regular reports whether the input is a regular file (standard input
// redirected from one included): its size is known and a reader from Npy
// can Rewind.
func (in *Input) Regular() bool { return in.size >= 0 }

// Close closes the file opened by Open; it does nothing for OpenReader's.
func (in *Input) Close() error {
	if !in.close {
		return nil
	}
	in.close = false
	return in.file.Close()
}

// Tensor reads the whole input.
func (in *Input) Tensor() (*Tensor, error) {
	return in.TensorMax(-1)
}

// TensorMax reads the whole input, refusing with a *[LimitError] more than
// max elements (max < 0: no limit): a .npy file by its header, before its
// data; a CSV file as soon as the values read exceed max.
func (in *Input) TensorMax(max int) (*Tensor, error) {
	if in.Format == CSV {
		return readCSV(in.br, in.Name, max)
	}
	nr, err := in.Npy()
	if err != nil {
		return nil, err
	}
	if max >= 0 && nr.Len() > max {
		return nil, &LimitError{File: in.Name, Shape: nr.Shape(), Max: max}
	}
	return nr.readAll(in.size >= 0)
}

// Npy reads the .npy header and returns a reader of the data. For a regular
// file the file's size is checked against the header first, and the reader
// can Rewind. The Input is consumed: read it no other way.
func (in *Input) Npy() (*NpyReader, error) {
	if in.Format != NPY {
		return nil, errorf(in.Name, "header", "not a .npy file (no \\x93NUMPY magic)")
	}
	r, err := NewNpyReader(in.br, in.Name)
	if err != nil {
		return nil, err
	}
	if in.size >= 0 {
		if err := r.checkSize(in.size); err != nil {
			return nil, err
		}
		r.file, r.start = in.file, in.start
	}
	return r, nil
}

// ReadAll reads the rest of the data into a Tensor (all of it, before any
// Read… call). Memory is allocated at once for a regular file, whose size
// confirmed the header; otherwise it grows with the data actually read.
func (r *NpyReader) ReadAll() (*Tensor, error) {
	return r.readAll(r.file != nil)
}

// LimitError is the error of TensorMax for an input of more than Max
// elements.
type LimitError struct {
	File  string
	Shape []int // the .npy file's shape, or nil for CSV (not read to its end)
	Max   int
}

func (e *LimitError) Error() string {
	if e.Shape != nil {
		return fmt.Sprintf("%s: shape %v: more than %d values", e.File, e.Shape, e.Max)
	}
	return fmt.Sprintf("%s: more than %d values", e.File, e.Max)
}

// Is makes a LimitError an ErrFormat.
func (e *LimitError) Is(target error) bool { return target == ErrFormat }
