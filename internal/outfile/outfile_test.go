package outfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// entries lists dir's names, to find temporary files left behind.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func TestWriteNewAndReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	if err := Write(p, writeString("one")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, writeString("two")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	st, _ := os.Stat(p)
	if string(b) != "two" || st.Mode().Perm() != 0o600 {
		t.Errorf("replaced file holds %q with mode %v, want \"two\" with mode 0600", b, st.Mode().Perm())
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only out.txt", got)
	}
}

func TestWriteErrorKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	os.WriteFile(p, []byte("old"), 0o644)
	boom := errors.New("boom")
	err := Write(p, func(w io.Writer) error {
		w.Write(make([]byte, 1<<20)) // past the buffer: bytes reach the temporary file
		return boom
	})
	if err != boom {
		t.Fatalf("Write: %v, want the writer's error", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("the old file holds %q after a failed write", b)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v after a failed write, want only out.txt", got)
	}
}

func TestWritePanicLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	func() {
		defer func() { recover() }()
		Write(p, func(io.Writer) error { panic("writer") })
	}()
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("directory holds %v after a panic, want nothing", got)
	}
}

func TestWriteRefusesNonRegular(t *testing.T) {
	for _, p := range []string{os.DevNull, t.TempDir()} {
		err := Write(p, writeString("x"))
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("Write(%s): %v, want ErrNotRegular", p, err)
		}
		if err := Check(p); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Check(%s): %v, want ErrNotRegular", p, err)
		}
	}
}

func TestWriteFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.txt")
	link := filepath.Join(dir, "link.txt")
	os.WriteFile(real, []byte("old"), 0o644)
	if err := os.Symlink("real.txt", link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := Write(link, writeString("new")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced by a file")
	}
	if b, _ := os.ReadFile(real); string(b) != "new" {
		t.Errorf("the linked file holds %q, want \"new\"", b)
	}
}

func TestWriteMissingDirectory(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "out.txt"), writeString("x"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Write into a missing directory: %v, want ErrNotExist", err)
	}
}

func TestCheckSameFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("1,2\n"), 0o644)
	hard := filepath.Join(dir, "hard.csv")
	if err := os.Link(in, hard); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(dir, "sym.csv")
	os.Symlink(in, sym)
	for _, out := range []string{in, hard, sym, filepath.Join(dir, ".", "in.csv")} {
		var se *SameError
		if err := Check(out, "-", in); !errors.As(err, &se) || se.Input != in {
			t.Errorf("Check(%s, %s): %v, want a SameError", out, in, err)
		}
	}
	// An output that does not exist yet, named as an input that does not
	// exist either.
	var se *SameError
	if err := Check(filepath.Join(dir, "new.npy"), filepath.Join(dir, "x", "..", "new.npy")); !errors.As(err, &se) {
		t.Errorf("Check of a new output named as an input: %v, want a SameError", err)
	}
	if err := Check(filepath.Join(dir, "other.npy"), in, "-"); err != nil {
		t.Errorf("Check of a distinct output: %v", err)
	}
}
