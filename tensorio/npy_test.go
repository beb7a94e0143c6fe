package tensorio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The files under testdata/ were written by numpy (scripts/tensorio/
// gen_testdata.py). Element i holds (i−3)/4 for floats, i−3 for signed
// integers, i%3 == 0 for bool and 7i mod 256 for uint8.
func want(d DType, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		switch d {
		case Float32, Float64:
			out[i] = float64(i-3) * 0.25
		case Int32, Int64:
			out[i] = float64(i - 3)
		case Bool:
			if i%3 == 0 {
				out[i] = 1
			}
		case Uint8:
			out[i] = float64(7 * i % 256)
		}
	}
	return out
}

func TestReadNumpyFiles(t *testing.T) {
	cases := []struct {
		file  string
		dtype DType
		shape []int
	}{
		{"le_f4_2x3.npy", Float32, []int{2, 3}},
		{"be_f4_2x3.npy", Float32, []int{2, 3}},
		{"le_f8_2x3.npy", Float64, []int{2, 3}},
		{"be_f8_2x3.npy", Float64, []int{2, 3}},
		{"le_i4_2x3.npy", Int32, []int{2, 3}},
		{"be_i4_2x3.npy", Int32, []int{2, 3}},
		{"le_i8_2x3.npy", Int64, []int{2, 3}},
		{"be_i8_2x3.npy", Int64, []int{2, 3}},
		{"na_b1_2x3.npy", Bool, []int{2, 3}},
		{"na_u1_2x3.npy", Uint8, []int{2, 3}},
		{"le_f4_5.npy", Float32, []int{5}},
		{"le_f8_5.npy", Float64, []int{5}},
		{"le_f4_2x3x2.npy", Float32, []int{2, 3, 2}},
		{"le_f8_2x3x2.npy", Float64, []int{2, 3, 2}},
		{"le_f4_scalar.npy", Float32, []int{}},
		{"le_f8_scalar.npy", Float64, []int{}},
		{"le_f4_0x4.npy", Float32, []int{0, 4}},
		{"le_f8_0x4.npy", Float64, []int{0, 4}},
		{"v2_f8_2x3.npy", Float64, []int{2, 3}},
		{"v3_f8_2x3.npy", Float64, []int{2, 3}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", c.file)
			tn, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tn.DType != c.dtype || !reflect.DeepEqual(tn.Shape, c.shape) || tn.Format != NPY {
				t.Fatalf("got %v %v %v, want %v %v npy", tn.DType, tn.Shape, tn.Format, c.dtype, c.shape)
			}
			exp := want(c.dtype, tn.Len())
			if tn.Len() != product(c.shape) {
				t.Fatalf("%d elements, want %d", tn.Len(), product(c.shape))
			}
			if got := tn.Float64s(); !reflect.DeepEqual(got, exp) && len(exp) > 0 {
				t.Errorf("values %v, want %v", got, exp)
			}
			// The same through an io.Reader (no size known) and the sniffer.
			b, _ := os.ReadFile(path)
			tr, err := Read(bytes.NewReader(b), "x")
			if err != nil || !reflect.DeepEqual(tr.Float64s(), tn.Float64s()) {
				t.Errorf("Read: %v, %v", err, tr)
			}
		})
	}
}

func product(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func TestIntsAndBools(t *testing.T) {
	tn, err := ReadFile("testdata/le_i4_2x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	ints, err := tn.Ints()
	if err != nil || !reflect.DeepEqual(ints, []int{-3, -2, -1, 0, 1, 2}) {
		t.Errorf("Ints = %v, %v", ints, err)
	}
	tb, err := ReadFile("testdata/na_b1_2x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.Bools(); !reflect.DeepEqual(got, []bool{true, false, false, true, false, false}) {
		t.Errorf("Bools = %v", got)
	}
	tf, _ := ReadFile("testdata/le_f8_2x3.npy")
	_, err = tf.Ints()
	checkErr(t, err, "testdata/le_f8_2x3.npy: row 0, column 0: -0.75 is not an integer class index")
}

func TestRejectNumpyFiles(t *testing.T) {
	for file, msg := range map[string]string{
		"bad_fortran.npy":    "testdata/bad_fortran.npy: header: Fortran-order arrays are not supported",
		"bad_object.npy":     `testdata/bad_object.npy: header: object dtype "|O" is not supported`,
		"bad_int16.npy":      `testdata/bad_int16.npy: header: dtype "<i2" is not supported: want float32, float64, int32, int64, bool or uint8`,
		"bad_structured.npy": `testdata/bad_structured.npy: header: structured dtype (("a", "<f4"), ("b", "<i4")) is not supported`,
	} {
		_, err := ReadFile(filepath.Join("testdata", file))
		checkErr(t, err, msg)
		_, err = OpenNpy(filepath.Join("testdata", file))
		checkErr(t, err, msg)
	}
}

// checkErr checks that err is an *Error whose message starts with prefix.
func checkErr(t *testing.T, err error, prefix string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want an *Error starting %q", err, err, prefix)
	}
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("error\n %q\nwant prefix\n %q", err, prefix)
	}
}

// npyBytes builds a version 1.0 file from a header dictionary and data.
func npyBytes(dict string, data []byte) []byte {
	b := []byte("\x93NUMPY\x01\x00")
	b = append(b, byte(len(dict)+1), byte((len(dict)+1)>>8))
	b = append(b, dict...)
	b = append(b, '\n')
	return append(b, data...)
}

// overflowMsg is why a (2³², 2³²) shape is refused: its product overflows,
// or, with 32-bit ints, its dimensions do.
var overflowMsg = map[bool]string{
	true:  "f: header: shape (4294967296, 4294967296) is too large",
	false: `f: header: integer "4294967296" in the header is out of range`,
}[strconv.IntSize == 64]

func TestHandWrittenHeaders(t *testing.T) {
	f8 := func(vals ...byte) []byte { return vals }
	cases := []struct {
		name string
		in   []byte
		err  string // "" for success
	}{
		{"ok double quotes", npyBytes(`{"descr": "<i8", "fortran_order": False, "shape": (1,)}`, f8(5, 0, 0, 0, 0, 0, 0, 0)), ""},
		{"ok python2 long", npyBytes(`{'descr': '<i8', 'fortran_order': False, 'shape': (1L,), }`, f8(5, 0, 0, 0, 0, 0, 0, 0)), ""},
		{"empty", nil, "f: empty file"},
		{"short magic", []byte("\x93NUM"), "f: header: file ends inside the .npy magic"},
		{"bad magic", []byte("\x93NUMPX\x01\x00\x00\x00"), "f: header: not a .npy file"},
		{"version 4", []byte("\x93NUMPY\x04\x00\x00\x00"), "f: header: unsupported .npy format version 4.0"},
		{"version 1.1", []byte("\x93NUMPY\x01\x01\x00\x00"), "f: header: unsupported .npy format version 1.1"},
		{"truncated length", []byte("\x93NUMPY\x01\x00\x10"), "f: header: file is truncated"},
		{"truncated dict", []byte("\x93NUMPY\x01\x00\x40\x00{'descr'"), "f: header: file is truncated"},
		{"huge v2 header", []byte("\x93NUMPY\x02\x00\xff\xff\xff\xff"), "f: header: header length 4294967295 exceeds"},
		{"not a dict", npyBytes(`('descr', '<f8')`, nil), "f: header: header is not a dictionary"},
		{"no descr", npyBytes(`{'fortran_order': False, 'shape': (1,)}`, nil), "f: header: header has no 'descr'"},
		{"no shape", npyBytes(`{'descr': '<f8', 'fortran_order': False}`, nil), "f: header: header has no 'shape'"},
		{"no order", npyBytes(`{'descr': '<f8', 'shape': (1,)}`, nil), "f: header: header has no 'fortran_order'"},
		{"bad order", npyBytes(`{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}`, nil), "f: header: 'fortran_order' is 0"},
		{"negative dim", npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (2, -1)}`, nil), "f: header: shape (2, -1): dimension 1"},
		{"shape string", npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': '2'}`, nil), "f: header: 'shape' is \"2\""},
		{"overflowing shape", npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}`, nil), overflowMsg},
		{"huge int", npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,)}`, nil), "f: header: integer"},
		{"unterminated", npyBytes(`{'descr: '<f8'}`, nil), "f: header: want ':'"},
		{"garbage", npyBytes(`{'descr': <f8}`, nil), "f: header: unexpected"},
		{"trailing", npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': ()} x`, nil), "f: header: unexpected \"x\""},
		{"duplicate key", npyBytes(`{'descr': '<f8', 'descr': '<f8'}`, nil), "f: header: header repeats key"},
		{"deep nesting", npyBytes(strings.Repeat("(", 100), nil), "f: header: header nests deeper"},
		{"huge shape small data", npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,)}`, make([]byte, 16)), "f: file is truncated: data ends at element 2 of 100000000"},
		{"truncated data", npyBytes(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}`, make([]byte, 6)), "f: file is truncated: data ends at element 1 of 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tn, err := ReadNpy(bytes.NewReader(c.in), "f")
			if c.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := tn.I64; !reflect.DeepEqual(got, []int64{5}) {
					t.Errorf("got %v, want [5]", got)
				}
				return
			}
			checkErr(t, err, c.err)
		})
	}
}

// A regular file whose header declares more data than it holds is rejected
// from its size, before any data is read or allocated.
func TestHugeShapeFileChecksSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.npy")
	os.WriteFile(path, npyBytes(`{'descr': '<f8', 'fortran_order': False, 'shape': (10000, 10000)}`, make([]byte, 8)), 0o644)
	_, err := ReadFile(path)
	checkErr(t, err, path+": file is truncated: shape [10000 10000] of float64 needs 800000076 bytes, the file has 84")
	_, err = OpenNpy(path)
	checkErr(t, err, path+": file is truncated: shape")
}

// A file named .npy without the magic gets a .npy error, not a CSV one.
func TestNpySuffixWithoutMagic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.npy")
	os.WriteFile(path, []byte("1,2\n"), 0o644)
	_, err := ReadFile(path)
	checkErr(t, err, path+": header: not a .npy file (no \\x93NUMPY magic)")
}

func TestMissingFile(t *testing.T) {
	_, err := ReadFile("testdata/no-such-file.npy")
	checkErr(t, err, "testdata/no-such-file.npy: no such file or directory")
	_, err = OpenNpy("testdata/no-such-file.npy")
	checkErr(t, err, "testdata/no-such-file.npy: no such file or directory")
}

func TestStreamRows(t *testing.T) {
	f, err := OpenNpy("testdata/be_f8_2x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.DType() != Float64 || !reflect.DeepEqual(f.Shape(), []int{2, 3}) || f.Rows() != 2 || f.RowLen() != 3 || f.Len() != 6 || f.Name() != "testdata/be_f8_2x3.npy" {
		t.Fatalf("header: %v %v %d %d %d", f.DType(), f.Shape(), f.Rows(), f.RowLen(), f.Len())
	}
	var got []float64
	buf := make([]float64, f.RowLen())
	for {
		n, err := f.ReadFloat64(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Fatalf("read %d elements, want a whole row of 3", n)
		}
		got = append(got, buf[:n]...)
	}
	if !reflect.DeepEqual(got, want(Float64, 6)) || f.Offset() != 6 {
		t.Errorf("streamed %v (offset %d), want %v", got, f.Offset(), want(Float64, 6))
	}
	if n, err := f.ReadFloat64(buf); n != 0 || err != io.EOF {
		t.Errorf("after the end: %d, %v", n, err)
	}
}

func TestStreamKinds(t *testing.T) {
	f, err := OpenNpy("testdata/le_i8_2x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := make([]int64, 4)
	if n, err := f.ReadInt64(a); n != 4 || err != nil || !reflect.DeepEqual(a, []int64{-3, -2, -1, 0}) {
		t.Errorf("ReadInt64 = %d, %v, %v", n, err, a)
	}
	b := make([]float32, 4)
	if n, err := f.ReadFloat32(b); n != 2 || err != nil || !reflect.DeepEqual(b[:2], []float32{1, 2}) {
		t.Errorf("ReadFloat32 = %d, %v, %v", n, err, b)
	}
	g, err := OpenNpy("testdata/le_f4_2x3.npy")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	_, err = g.ReadInt64(a)
	checkErr(t, err, "testdata/le_f4_2x3.npy: dtype float32: want integer values")
}

// WriteNpy's output is byte for byte what numpy.save wrote.
func TestWriteMatchesNumpy(t *testing.T) {
	check := func(file string, got []byte) {
		t.Helper()
		exp, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, exp) {
			t.Errorf("%s: WriteNpy wrote\n%q\nnumpy wrote\n%q", file, got, exp)
		}
	}
	var b bytes.Buffer
	f32 := []float32{-0.75, -0.5, -0.25, 0, 0.25, 0.5}
	if err := WriteNpy(&b, []int{2, 3}, f32); err != nil {
		t.Fatal(err)
	}
	check("le_f4_2x3.npy", b.Bytes())
	b.Reset()
	WriteNpy(&b, []int{5}, []float64{-0.75, -0.5, -0.25, 0, 0.25})
	check("le_f8_5.npy", b.Bytes())
	b.Reset()
	WriteNpy(&b, []int{2, 3}, []int64{-3, -2, -1, 0, 1, 2})
	check("le_i8_2x3.npy", b.Bytes())
	b.Reset()
	WriteNpy(&b, []int{}, []float64{-0.75})
	check("le_f8_scalar.npy", b.Bytes())
	b.Reset()
	WriteNpy(&b, []int{0, 4}, []float32{})
	check("le_f4_0x4.npy", b.Bytes())

	if err := WriteNpy(&b, []int{2, 2}, []float64{1}); err == nil {
		t.Error("WriteNpy accepted 1 value for shape (2, 2)")
	}
}

func TestWriteNpyFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.npy")
	data := []float32{1.5, -2, 3e-39, 7}
	if err := WriteNpyFile(path, []int{2, 1, 2}, data); err != nil {
		t.Fatal(err)
	}
	tn, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tn.F32, data) || !reflect.DeepEqual(tn.Shape, []int{2, 1, 2}) {
		t.Errorf("round trip: %v %v", tn.Shape, tn.F32)
	}
}

func TestWhere(t *testing.T) {
	tn := &Tensor{Shape: []int{2, 3, 4}, Format: NPY}
	if got := tn.Where(23); got != "index [1, 2, 3]" {
		t.Errorf("Where(23) = %q", got)
	}
	tn = &Tensor{Shape: []int{2, 3}, Format: NPY}
	if got := tn.Where(4); got != "row 1, column 1" {
		t.Errorf("Where(4) = %q", got)
	}
	tn = &Tensor{Shape: []int{2, 3}, Format: CSV, Lines: []int{2, 3}}
	if got := tn.Where(4); got != "row 3, column 2" {
		t.Errorf("CSV Where(4) = %q", got)
	}
}
