package tensorio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"unsafe"
)

// NpyReader streams the elements of a .npy file in C order without loading
// the file: [OpenNpy] or [NewNpyReader] read the header, then each Read…
// call decodes the next elements into the caller's buffer.
//
// Each Read… call fills its whole buffer unless fewer elements remain; it
// returns the number of elements decoded and a nil error, or 0 and io.EOF
// once every element has been read. A file that ends early is an error naming
// the first missing element. With a buffer of k·RowLen() elements every call
// returns whole rows.
type NpyReader struct {
	name   string
	h      *header
	r      *bufio.Reader
	closer io.Closer
	off    int // elements read so far
	raw    []byte
	file   *os.File // a regular file, for Rewind
	start  int64    // the file's offset of the .npy magic
}

// OpenNpy opens the .npy file at path ("-" is standard input) and reads its
// header. For a regular file it checks that the file holds all the data the
// header declares before anything is read, and the reader can Rewind. Close
// the reader when done.
func OpenNpy(path string) (*NpyReader, error) {
	in, err := Open(path)
	if err != nil {
		return nil, err
	}
	r, err := in.Npy()
	if err != nil {
		in.Close()
		return nil, err
	}
	if in.close {
		r.closer = in.file
	}
	return r, nil
}

// unwrapPath drops the *os.PathError wrapper: the Error names the file.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// checkSize reports a file too short for the declared data.
func (r *NpyReader) checkSize(size int64) error {
	need := r.h.size + int64(r.h.count)*int64(r.h.dtype.Size())
	if size < need {
		return errorf(r.name, "", "file is truncated: shape %v of %s needs %d bytes, the file has %d", r.h.shape, r.h.dtype, need, size)
	}
	return nil
}

// NewNpyReader reads a .npy header from r and returns a reader of its data.
// name is used in errors. Closing the NpyReader does not close r.
func NewNpyReader(r io.Reader, name string) (*NpyReader, error) {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<16)
	}
	h, err := readHeader(br, name)
	if err != nil {
		return nil, err
	}
	return &NpyReader{name: name, h: h, r: br}, nil
}

// Name returns the file's name as used in errors.
func (r *NpyReader) Name() string { return r.name }

// DType returns the element type.
func (r *NpyReader) DType() DType { return r.h.dtype }

// Shape returns the shape (a copy); a scalar has an empty shape.
func (r *NpyReader) Shape() []int { return append([]int{}, r.h.shape...) }

// Len returns the number of elements.
func (r *NpyReader) Len() int { return r.h.count }

// Rows returns the length of axis 0 (1 for a scalar).
func (r *NpyReader) Rows() int {
	if len(r.h.shape) == 0 {
		return 1
	}
	return r.h.shape[0]
}

// RowLen returns the number of elements per row along axis 0: the product
// of Shape()[1:] (1 for rank 0 and 1).
func (r *NpyReader) RowLen() int {
	n := 1
	for _, d := range r.h.shape[min(1, len(r.h.shape)):] {
		n *= d
	}
	return n
}

// Offset returns the number of elements read so far.
func (r *NpyReader) Offset() int { return r.off }

// CanRewind reports whether Rewind works: the data is in a regular file.
func (r *NpyReader) CanRewind() bool { return r.file != nil }

// Rewind starts the data over: the next Read… call decodes element 0
// again. It needs a regular file (see CanRewind); a pipe or FIFO is read
// once.
func (r *NpyReader) Rewind() error {
	if r.file == nil {
		return &Error{File: r.name, Err: errors.New("cannot read the data again: not a regular file")}
	}
	if _, err := r.file.Seek(r.start+r.h.size, io.SeekStart); err != nil {
		return &Error{File: r.name, Err: err}
	}
	r.r.Reset(r.file)
	r.off = 0
	return nil
}

// Close closes the file opened by OpenNpy; it does nothing for a reader
// made by NewNpyReader.
func (r *NpyReader) Close() error {
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	return err
}

// bigEndianHost reports the machine's byte order: data in it is read
// straight into the caller's buffer, with no decoding.
var bigEndianHost = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 0
}()

// direct reads whole elements of the file's (native) representation
// straight into b, the bytes of the caller's buffer.
func (r *NpyReader) direct(b []byte) (int, error) {
	sz := r.h.dtype.Size()
	n := min(len(b)/sz, r.h.count-r.off)
	if n <= 0 {
		if len(b) == 0 && r.off < r.h.count {
			return 0, nil
		}
		return 0, io.EOF
	}
	got, err := io.ReadFull(r.r, b[:n*sz])
	if err != nil {
		return 0, r.readError(got, err)
	}
	r.off += n
	return n, nil
}

// readError reports a failed read of raw data, got bytes into it.
func (r *NpyReader) readError(got int, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		missing := r.off + got/r.h.dtype.Size()
		return errorf(r.name, "", "file is truncated: data ends at element %d of %d (%s, shape %v)", missing, r.h.count, r.h.dtype, r.h.shape)
	}
	return &Error{File: r.name, Err: err}
}

// next reads the raw bytes of up to max elements and returns how many.
func (r *NpyReader) next(max int) (int, error) {
	n := min(max, r.h.count-r.off)
	if n <= 0 {
		if max == 0 && r.off < r.h.count {
			return 0, nil
		}
		return 0, io.EOF
	}
	sz := r.h.dtype.Size()
	if cap(r.raw) < n*sz {
		r.raw = make([]byte, n*sz)
	}
	r.raw = r.raw[:n*sz]
	got, err := io.ReadFull(r.r, r.raw)
	if err != nil {
		return 0, r.readError(got, err)
	}
	return n, nil
}

// ReadFloat64 decodes the next elements, whatever the dtype, into dst as
// float64 (bool as 0 or 1; int64 beyond 2⁵³ rounds).
func (r *NpyReader) ReadFloat64(dst []float64) (int, error) {
	return readInto(r, dst, Float64)
}

// ReadFloat32 decodes the next elements into dst as float32 (float64 and
// integers round to the nearest float32).
func (r *NpyReader) ReadFloat32(dst []float32) (int, error) {
	return readInto(r, dst, Float32)
}

// ReadInt64 decodes the next elements of an integer, bool or uint8 file
// into dst; it is an error for a floating-point file.
func (r *NpyReader) ReadInt64(dst []int64) (int, error) {
	if r.h.dtype.IsFloat() {
		return 0, errorf(r.name, "", "dtype %s: want integer values", r.h.dtype)
	}
	return readInto(r, dst, Int64)
}

// readInto reads the next len(dst) elements into dst: straight from the
// stream when the file's dtype is native, the type of T in the host's byte
// order; decoded through the raw buffer otherwise.
func readInto[T number](r *NpyReader, dst []T, native DType) (int, error) {
	if r.h.dtype == native && r.h.bigEndian == bigEndianHost {
		var z T
		return r.direct(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), int(unsafe.Sizeof(z))*len(dst)))
	}
	n, err := r.next(len(dst))
	if n == 0 {
		return 0, err
	}
	decode(dst[:n], r.raw, r.h.dtype, r.h.bigEndian)
	r.off += n
	return n, nil
}

// number is what decode writes.
type number interface{ float32 | float64 | int64 }

// decode converts len(dst) raw elements of type d, big- or little-endian.
// Each case is a loop over a concrete byte order, so that the loads inline.
func decode[T number](dst []T, raw []byte, d DType, big bool) {
	le, be := binary.LittleEndian, binary.BigEndian
	switch {
	case d == Float32 && !big:
		raw = raw[:4*len(dst)]
		for i := range dst {
			dst[i] = T(math.Float32frombits(le.Uint32(raw[4*i:])))
		}
	case d == Float32:
		raw = raw[:4*len(dst)]
		for i := range dst {
			dst[i] = T(math.Float32frombits(be.Uint32(raw[4*i:])))
		}
	case d == Float64 && !big:
		raw = raw[:8*len(dst)]
		for i := range dst {
			dst[i] = T(math.Float64frombits(le.Uint64(raw[8*i:])))
		}
	case d == Float64:
		raw = raw[:8*len(dst)]
		for i := range dst {
			dst[i] = T(math.Float64frombits(be.Uint64(raw[8*i:])))
		}
	case d == Int32 && !big:
		raw = raw[:4*len(dst)]
		for i := range dst {
			dst[i] = T(int32(le.Uint32(raw[4*i:])))
		}
	case d == Int32:
		raw = raw[:4*len(dst)]
		for i := range dst {
			dst[i] = T(int32(be.Uint32(raw[4*i:])))
		}
	case d == Int64 && !big:
		raw = raw[:8*len(dst)]
		for i := range dst {
			dst[i] = T(int64(le.Uint64(raw[8*i:])))
		}
	case d == Int64:
		raw = raw[:8*len(dst)]
		for i := range dst {
			dst[i] = T(int64(be.Uint64(raw[8*i:])))
		}
	case d == Bool || d == Uint8:
		raw = raw[:len(dst)]
		for i := range dst {
			dst[i] = T(raw[i])
		}
	default:
		panic(fmt.Sprintf("tensorio: decode of dtype %v", d)) // parseDescr admits no other
	}
}
