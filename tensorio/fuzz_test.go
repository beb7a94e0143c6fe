package tensorio

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// addNpySeeds adds every numpy-written file under testdata/ and a few
// hand-made headers to the corpus.
func addNpySeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.npy")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,)}`, make([]byte, 16)))
	f.Add(npyBytes(`{'descr': '>i4', 'fortran_order': False, 'shape': (2, 0, 3), }`, nil))
	f.Add([]byte("\x93NUMPY\x03\x00\x08\x00\x00\x00{}      "))
}

// FuzzReadNpy: no input makes the whole-file reader panic, every failure is
// an *Error, and a success holds exactly the declared number of elements.
func FuzzReadNpy(f *testing.F) {
	addNpySeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		tn, err := ReadNpy(bytes.NewReader(b), "f")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			return
		}
		if tn.Len() != product(tn.Shape) {
			t.Fatalf("%d elements for shape %v", tn.Len(), tn.Shape)
		}
		// What was read writes back and reads again to the same values.
		var out bytes.Buffer
		switch tn.DType {
		case Float32:
			err = WriteNpy(&out, tn.Shape, tn.F32)
		case Float64:
			err = WriteNpy(&out, tn.Shape, tn.F64)
		default:
			err = WriteNpy(&out, tn.Shape, tn.I64)
		}
		if err != nil {
			t.Fatal(err)
		}
		back, err := ReadNpy(&out, "g")
		if err != nil {
			t.Fatalf("reading back: %v", err)
		}
		if back.Len() != tn.Len() || !bytes.Equal(bits(back), bits(tn)) {
			t.Fatalf("round trip changed the values")
		}
	})
}

// bits is a tensor's values as bytes, for comparison including NaN payloads.
func bits(t *Tensor) []byte {
	var b bytes.Buffer
	switch t.DType {
	case Float32:
		WriteNpy(&b, []int{len(t.F32)}, t.F32)
	case Float64:
		WriteNpy(&b, []int{len(t.F64)}, t.F64)
	default:
		WriteNpy(&b, []int{len(t.I64)}, t.I64)
	}
	return b.Bytes()
}

// FuzzStreamNpy: the streaming reader, in odd-sized chunks, never panics and
// reads exactly what the whole-file reader reads.
func FuzzStreamNpy(f *testing.F) {
	addNpySeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		whole, werr := ReadNpy(bytes.NewReader(b), "f")
		r, err := NewNpyReader(bytes.NewReader(b), "f")
		if err != nil {
			if werr == nil {
				t.Fatalf("stream failed (%v), whole read succeeded", err)
			}
			return
		}
		var got []float64
		buf := make([]float64, 3)
		for {
			n, err := r.ReadFloat64(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				if werr == nil {
					t.Fatalf("stream failed (%v), whole read succeeded", err)
				}
				return
			}
			got = append(got, buf[:n]...)
		}
		if werr != nil {
			t.Fatalf("stream succeeded, whole read failed: %v", werr)
		}
		exp := whole.Float64s()
		if len(got) != len(exp) {
			t.Fatalf("streamed %d values, want %d", len(got), len(exp))
		}
		for i := range got {
			if got[i] != exp[i] && !(got[i] != got[i] && exp[i] != exp[i]) {
				t.Fatalf("value %d: %v, want %v", i, got[i], exp[i])
			}
		}
	})
}

// FuzzReadCSV: no input makes the CSV reader panic; a success is a
// rectangle whose line numbers increase.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"4.2,-2.4\n1.6,-0.6\n", "y\n0\n1\n", "a,b\r\n1, 2\r\n", "1,,2\n", "\n", "1\n\n2", "NaN,Inf\n", "\"x\",'y'\n1,2"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tn, err := Read(bytes.NewReader(b), "f")
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			return
		}
		if tn.Format != CSV {
			return
		}
		if len(tn.Shape) != 2 || tn.Shape[0]*tn.Shape[1] != len(tn.F64) || len(tn.Lines) != tn.Shape[0] {
			t.Fatalf("shape %v, %d values, %d lines", tn.Shape, len(tn.F64), len(tn.Lines))
		}
		for i := 1; i < len(tn.Lines); i++ {
			if tn.Lines[i] <= tn.Lines[i-1] {
				t.Fatalf("lines %v do not increase", tn.Lines)
			}
		}
		for i := range tn.F64 {
			_ = tn.Where(i)
		}
		tn.Ints()
	})
}
