package tensorio

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"syscall"
	"testing"
)

// A .npy or CSV file read through a pipe or a FIFO is read once: the sniff
// loses no bytes.
func TestOpenPipeAndFIFO(t *testing.T) {
	var npy bytes.Buffer
	WriteNpy(&npy, []int{2, 2}, []float64{1, 2, 3, 4})
	for _, data := range [][]byte{npy.Bytes(), []byte("1,2\n3,4\n")} {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() { w.Write(data); w.Close() }()
		tn, err := Read(r, "/dev/fd/3")
		r.Close()
		if err != nil || !reflect.DeepEqual(tn.Float64s(), []float64{1, 2, 3, 4}) {
			t.Errorf("through a pipe: %v, %v", tn, err)
		}

		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err == nil {
				f.Write(data)
				f.Close()
			}
		}()
		tn, err = ReadFile(fifo)
		if err != nil || !reflect.DeepEqual(tn.Float64s(), []float64{1, 2, 3, 4}) {
			t.Errorf("through a FIFO: %v, %v", tn, err)
		}
	}
}

// Rewind reads a regular file's data again; a pipe cannot rewind.
func TestRewind(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.npy")
	if err := WriteNpyFile(p, []int{3}, []float32{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	r, err := OpenNpy(p)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	buf := make([]float32, 3)
	for pass := range 2 {
		if n, err := r.ReadFloat32(buf); n != 3 || err != nil || !reflect.DeepEqual(buf, []float32{1, 2, 3}) {
			t.Fatalf("pass %d: %d, %v, %v", pass, n, err, buf)
		}
		if !r.CanRewind() {
			t.Fatal("a regular file cannot rewind")
		}
		if err := r.Rewind(); err != nil {
			t.Fatal(err)
		}
	}
	pr, pw, _ := os.Pipe()
	go func() { WriteNpy(pw, []int{1}, []float32{1}); pw.Close() }()
	in, err := OpenReader(pr, "pipe")
	if err != nil {
		t.Fatal(err)
	}
	nr, err := in.Npy()
	if err != nil {
		t.Fatal(err)
	}
	if nr.CanRewind() || nr.Rewind() == nil {
		t.Error("a pipe claims to rewind")
	}
	pr.Close()
}
