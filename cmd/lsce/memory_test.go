package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// sparseNpy writes a float32 .npy file of the given shape whose data is a
// hole: the file has its full size on no disk space.
func sparseNpy(t *testing.T, path string, rows, cols int) {
	t.Helper()
	dict := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	pad := 64 - (10+len(dict)+1)%64
	dict += strings.Repeat(" ", pad) + "\n"
	hdr := append([]byte("\x93NUMPY\x01\x00"), byte(len(dict)), byte(len(dict)>>8))
	hdr = append(hdr, dict...)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(hdr)
	if err := f.Truncate(int64(len(hdr)) + 4*int64(rows)*int64(cols)); err != nil {
		t.Skip("no sparse files here:", err)
	}
}

// lsce loss refuses, from the header, logits larger than the memory
// available that it cannot stream, instead of dying of "fatal error: out of
// memory"; nothing is written.
func TestLossRefusesMoreThanMemory(t *testing.T) {
	avail, ok := availableMemory()
	if !ok {
		t.Skip("the available memory is not known on this system")
	}
	// Square float32 logits of about twice the memory available.
	side := 1
	for uint64(side)*uint64(side)*4 < 2*avail {
		side *= 2
	}
	dir := t.TempDir()
	x := filepath.Join(dir, "x.npy")
	sparseNpy(t, x, side, side)
	y := filepath.Join(dir, "y.csv")
	os.WriteFile(y, []byte("0\n"), 0o644)
	var stdout, stderr bytes.Buffer
	// The gradient of the mean cannot stream (testdata/script/loss_stream
	// covers what does).
	code := run([]string{"loss", "--logits", x, "--targets", y, "--grad", filepath.Join(dir, "g.npy")}, strings.NewReader(""), &stdout, &stderr)
	want := regexp.MustCompile(`^lsce loss: .*x\.npy: logits of shape \[\d+ \d+\] \(float32\) with --grad: [\d.]+ GB of memory needed, [\d.]+ [GM]B available: lsce loss streams larger \.npy logits only`)
	if code != 2 || !want.MatchString(stderr.String()) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q", stdout.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "g.npy")); err == nil {
		t.Error("a gradient file was written")
	}
}

// A CSV file is refused as soon as its values pass what the memory holds
// (here GOMEMLIMIT, 1 MiB: 131072 float64 values).
func TestLossRefusesLargeCSV(t *testing.T) {
	old := debug.SetMemoryLimit(1 << 20)
	defer debug.SetMemoryLimit(old)
	dir := t.TempDir()
	x := filepath.Join(dir, "x.csv")
	var b strings.Builder
	for range 20000 {
		b.WriteString("1,2,3,4,5,6,7,8\n")
	}
	os.WriteFile(x, []byte(b.String()), 0o644)
	y := filepath.Join(dir, "y.csv")
	os.WriteFile(y, []byte("0\n"), 0o644)
	var stdout, stderr bytes.Buffer
	code := run([]string{"loss", "--logits", x, "--targets", y}, strings.NewReader(""), &stdout, &stderr)
	want := regexp.MustCompile(`^lsce loss: .*x\.csv: more than 131072 logits: more than the 1\.0 MB of memory available hold: lsce loss streams`)
	if code != 2 || !want.MatchString(stderr.String()) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// explain refuses a CSV file of more logits than a walk-through takes as
// soon as it has read that many, not after loading the whole file.
func TestExplainStopsLargeCSV(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "x.csv")
	row := strings.TrimSuffix(strings.Repeat("0,", 1000), ",") + "\n"
	os.WriteFile(x, []byte(strings.Repeat(row, 1100)), 0o644)
	y := filepath.Join(dir, "y.csv")
	os.WriteFile(y, []byte(strings.Repeat("0\n", 1100)), 0o644)
	var stdout, stderr bytes.Buffer
	code := run([]string{"explain", "--logits", x, "--targets", y, "--format", "csv"}, strings.NewReader(""), &stdout, &stderr)
	want := regexp.MustCompile(`^lsce explain: .*x\.csv: more than the 1048576 logits a walk-through takes\n$`)
	if code != 2 || !want.MatchString(stderr.String()) || stdout.Len() != 0 {
		t.Errorf("exit %d, stderr %q, %d bytes on stdout", code, stderr.String(), stdout.Len())
	}
}
