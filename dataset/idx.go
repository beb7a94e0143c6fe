package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX is the content of one IDX file.
type IDX struct {
	// Dims are the sizes of the dimensions; Dims[0] is the item count.
	Dims []int
	// Data holds the product of Dims unsigned bytes, row-major.
	Data []byte
}

// maxElements bounds the element count a header may declare (16 GiB would
// be far beyond any IDX data set), so that a corrupt header cannot make the
// reader overflow int.
const maxElements = 1 << 34

// FormatError is a malformed IDX file: its name, the byte offset (in the
// uncompressed stream) where the problem was found, and what is wrong.
type FormatError struct {
	File   string
	Offset int64
	Msg    string
	Err    error // the underlying read error, if any
}

func (e *FormatError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: byte %d: %s: %v", e.File, e.Offset, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: byte %d: %s", e.File, e.Offset, e.Msg)
}

// Unwrap returns the underlying read error.
func (e *FormatError) Unwrap() error { return e.Err }

// ReadIDXFile reads the IDX file at path, gzip-compressed or not: its first
// items items, or all of them when items < 0.
func ReadIDXFile(path string, items int) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadIDXFirst(f, path, items)
}

// ReadIDX reads one IDX file from r, decompressing it if it starts with the
// gzip magic number. name is used in error messages. Only unsigned-byte
// elements (type 0x08) are supported; trailing bytes after the data are an
// error, as is a file shorter than its header says.
func ReadIDX(r io.Reader, name string) (*IDX, error) {
	return ReadIDXFirst(r, name, -1)
}

// ReadIDXFirst is ReadIDX reading only the first items items (all of them
// when items < 0 or the file has fewer); Dims[0] is then the count read, and
// what follows is not looked at.
func ReadIDXFirst(r io.Reader, name string, items int) (*IDX, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		defer zr.Close()
		return readIDX(bufio.NewReader(zr), name, items)
	}
	return readIDX(br, name, items)
}

func readIDX(r *bufio.Reader, name string, items int) (*IDX, error) {
	ferr := func(off int64, format string, a ...any) error {
		return &FormatError{File: name, Offset: off, Msg: fmt.Sprintf(format, a...)}
	}
	var head [4]byte
	if n, err := io.ReadFull(r, head[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, ferr(0, "empty file, expected an IDX header")
		}
		return nil, wrapRead(ferr, int64(n), err, "the 4-byte IDX magic number")
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, ferr(0, "magic number %#08x does not start with two zero bytes: not an IDX file", binary.BigEndian.Uint32(head[:]))
	}
	if head[2] != 0x08 {
		return nil, ferr(2, "element type %#02x (%s) is not supported; only unsigned bytes (0x08) are", head[2], typeName(head[2]))
	}
	nd := int(head[3])
	if nd == 0 {
		return nil, ferr(3, "zero dimensions")
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		var b [4]byte
		off := int64(4 + 4*i)
		if n, err := io.ReadFull(r, b[:]); err != nil {
			return nil, wrapRead(ferr, off+int64(n), err, fmt.Sprintf("the size of dimension %d of %d", i+1, nd))
		}
		d := int64(binary.BigEndian.Uint32(b[:]))
		dims[i] = int(d)
		total *= d
		if total > maxElements {
			return nil, ferr(off, "dimensions %v… declare more than %d elements", dims[:i+1], int64(maxElements))
		}
	}
	start := int64(4 + 4*nd)
	partial := items >= 0 && items < dims[0]
	if partial {
		total = total / int64(dims[0]) * int64(items)
		dims[0] = items
	}
	// Read at most what the header declares plus one byte (to detect trailing
	// data), growing the buffer with what actually arrives rather than
	// trusting the header with one large allocation.
	var buf bytes.Buffer
	got, err := buf.ReadFrom(io.LimitReader(r, total+1))
	if err != nil {
		return nil, wrapRead(ferr, start+got, err, "the data")
	}
	switch {
	case got < total:
		return nil, ferr(start+got, "truncated: the header (dimensions %v) declares %d data bytes, the file has %d", dims, total, got)
	case got > total && !partial:
		return nil, ferr(start+total, "trailing bytes after the %d data bytes that the header (dimensions %v) declares", total, dims)
	}
	return &IDX{Dims: dims, Data: buf.Bytes()[:total]}, nil
}

// wrapRead turns a read error into a FormatError for truncation, and keeps
// other errors (gzip checksum, I/O) with the file name and offset.
func wrapRead(ferr func(int64, string, ...any) error, off int64, err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return ferr(off, "truncated while reading %s", what)
	}
	fe := ferr(off, "reading %s", what).(*FormatError)
	fe.Err = err
	return fe
}

func typeName(t byte) string {
	switch t {
	case 0x09:
		return "signed byte"
	case 0x0B:
		return "int16"
	case 0x0C:
		return "int32"
	case 0x0D:
		return "float32"
	case 0x0E:
		return "float64"
	}
	return "unknown"
}
