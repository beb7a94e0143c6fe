package tensorio

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	cases := []struct {
		name, in string
		shape    []int
		vals     []float64
		header   []string
		lines    []int
	}{
		{"plain", "4.2,-2.4\n1.6,-0.6\n", []int{2, 2}, []float64{4.2, -2.4, 1.6, -0.6}, nil, []int{1, 2}},
		{"no final newline", "1,2\n3,4", []int{2, 2}, []float64{1, 2, 3, 4}, nil, []int{1, 2}},
		{"crlf and spaces", "cat , dog\r\n 1 ,2\r\n3, 4e-1\r\n", []int{2, 2}, []float64{1, 2, 3, 0.4}, []string{"cat", "dog"}, []int{2, 3}},
		{"quoted header", "\"y\"\n0\n1\n", []int{2, 1}, []float64{0, 1}, []string{"y"}, []int{2, 3}},
		{"trailing blank lines", "1\n2\n\n\n", []int{2, 1}, []float64{1, 2}, nil, []int{1, 2}},
		{"nan and inf are numbers", "NaN,+Inf,-inf\n", []int{1, 3}, nil, nil, []int{1}},
		{"byte-order mark", "\xef\xbb\xbfcat,dog\n1,2\n", []int{1, 2}, []float64{1, 2}, []string{"cat", "dog"}, []int{2}},
		{"quoted values are values", "\"1\",\" 2.5\"\n", []int{1, 2}, []float64{1, 2.5}, nil, []int{1}},
		{"quoted names hold commas", "\"cat, black\",\"dog \"\"rex\"\"\"\n1,2\n", []int{1, 2}, []float64{1, 2}, []string{"cat, black", `dog "rex"`}, []int{2}},
		{"a numeric header is data", "0,1,2\n3,4,5\n", []int{2, 3}, []float64{0, 1, 2, 3, 4, 5}, nil, []int{1, 2}},
		{"decimal spellings", ".5,5.,-1e+2,+3E-1\n", []int{1, 4}, []float64{0.5, 5, -100, 0.3}, nil, []int{1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tn, err := ReadCSV(strings.NewReader(c.in), "f.csv")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(tn.Shape, c.shape) || !reflect.DeepEqual(tn.Header, c.header) || !reflect.DeepEqual(tn.Lines, c.lines) || tn.DType != Float64 || tn.Format != CSV {
				t.Errorf("got shape %v header %q lines %v", tn.Shape, tn.Header, tn.Lines)
			}
			if c.vals != nil && !reflect.DeepEqual(tn.F64, c.vals) {
				t.Errorf("values %v, want %v", tn.F64, c.vals)
			}
		})
	}
}

func TestReadCSVErrors(t *testing.T) {
	for in, msg := range map[string]string{
		"":               "f.csv: no data rows",
		"a,b\n":          "f.csv: no data rows",
		"1,2\n\n3,4\n":   "f.csv: row 2: blank line",
		"1,2\n3\n":       "f.csv: row 2, column 2: row has 1 values, the first row has 2",
		"a,b\n1,2,3\n":   "f.csv: row 2, column 3: row has 3 values, the header has 2",
		"1,2\n3,x\n":     `f.csv: row 2, column 2: "x" is not a number`,
		"1,x\n":          `f.csv: row 1, column 2: "x" is not a number`,
		"1,,2\n":         "f.csv: row 1, column 2: empty value",
		"1,2\n3,1e999\n": `f.csv: row 2, column 2: "1e999" is out of the float64 range`,
		"h1,h2\nh1,h2\n": `f.csv: row 2, column 1: "h1" is not a number`,
		"\n1\n":          "f.csv: row 1: blank line",
		"1,1_0\n":        `f.csv: row 1, column 2: "1_0" is not a number`,
		"1\n0x1p-2\n":    `f.csv: row 2, column 1: "0x1p-2" is not a number`,
		"1,e5\n":         `f.csv: row 1, column 2: "e5" is not a number`,
		"1,2e\n":         `f.csv: row 1, column 2: "2e" is not a number`,
		"1,\"1,5\"\n":    `f.csv: row 1, column 2: "1,5" is not a number`,
		"1,2\"3\n":       `f.csv: row 1: a " inside an unquoted value`,
		"1,\"2\n3\n":     `f.csv: row 1: a quoted value is not closed`,
		"  \n1\n":        "f.csv: row 1: blank line",
	} {
		_, err := ReadCSV(strings.NewReader(in), "f.csv")
		checkErr(t, err, msg)
	}
}

// A CSV column of labels converts to class indices; a fraction names its line.
func TestCSVInts(t *testing.T) {
	tn, err := ReadCSV(strings.NewReader("label\n0\n1\n2.5\n"), "y.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = tn.Ints()
	checkErr(t, err, "y.csv: row 4, column 1: 2.5 is not an integer class index")
	tn, _ = ReadCSV(strings.NewReader("0\n-100\n3\n"), "y.csv")
	if got, err := tn.Ints(); err != nil || !reflect.DeepEqual(got, []int{0, -100, 3}) {
		t.Errorf("Ints = %v, %v", got, err)
	}
}

func TestReadSniffsCSV(t *testing.T) {
	tn, err := Read(strings.NewReader("1,2\n"), StdinName)
	if err != nil || tn.Format != CSV || !reflect.DeepEqual(tn.F64, []float64{1, 2}) {
		t.Errorf("Read = %v, %v", tn, err)
	}
	_, err = Read(strings.NewReader("1,q\n"), StdinName)
	checkErr(t, err, `<stdin>: row 1, column 2: "q" is not a number`)
	if DisplayName("-") != StdinName || DisplayName("a.npy") != "a.npy" {
		t.Error("DisplayName")
	}
}

// A line without an end fails after maxLine bytes, not at the end of the
// input.
func TestCSVLongLine(t *testing.T) {
	src := &countingReader{n: 4 * maxLine}
	_, err := ReadCSV(src, "f.csv")
	checkErr(t, err, "f.csv: row 1: line longer than")
	if src.read > maxLine+1<<17 {
		t.Errorf("read %d bytes before the error, want about %d", src.read, maxLine)
	}
}

// countingReader yields n bytes of "1" and counts what was read.
type countingReader struct{ n, read int }

func (c *countingReader) Read(p []byte) (int, error) {
	if c.read >= c.n {
		return 0, io.EOF
	}
	k := min(len(p), c.n-c.read)
	for i := range p[:k] {
		p[i] = '1'
	}
	c.read += k
	return k, nil
}

// TensorMax stops a CSV file as soon as it holds too many values, and a
// .npy file at its header.
func TestTensorMax(t *testing.T) {
	in, err := OpenReader(strings.NewReader("1,2\n3,4\n5,6\n"), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.TensorMax(4)
	var le *LimitError
	if !errors.As(err, &le) || err.Error() != "f.csv: more than 4 values" {
		t.Errorf("TensorMax(4) of 6 values: %v", err)
	}
	var b bytes.Buffer
	WriteNpy(&b, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6})
	in, _ = OpenReader(bytes.NewReader(b.Bytes()), "f.npy")
	if _, err := in.TensorMax(5); !errors.As(err, &le) || err.Error() != "f.npy: shape [2 3]: more than 5 values" {
		t.Errorf("TensorMax(5) of a 2×3 .npy: %v", err)
	}
}

// A .npz archive is refused by name, whatever its file name.
func TestNpzRefused(t *testing.T) {
	for _, c := range []struct{ name, data string }{{"a.npz", "PK\x03\x04rest"}, {"a.csv", "PK\x03\x04rest"}, {"a.npz", "1,2\n"}} {
		_, err := Read(strings.NewReader(c.data), c.name)
		checkErr(t, err, c.name+": a .npz archive")
	}
}
