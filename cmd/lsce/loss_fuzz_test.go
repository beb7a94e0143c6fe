package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoss feeds arbitrary logits and targets files (and option choices) to
// "lsce loss": it must never panic (exec would report "internal error"),
// must exit 0, 1 or 2, and on failure print exactly one "lsce loss: " line
// and nothing on stdout.
func FuzzLoss(f *testing.F) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "loss", name))
		if err != nil {
			f.Fatal(err)
		}
		return b
	}
	f.Add(read("seed_x.npy"), read("seed_y.npy"), uint8(0))
	f.Add(read("seed_x32.npy"), read("seed_y32.npy"), uint8(7))
	f.Add(read("kdim_x.npy"), read("kdim_y.npy"), uint8(13))
	f.Add(read("prob_x.npy"), read("prob_p.npy"), uint8(2))
	f.Add(read("mask_x.npy"), read("mask_y.npy"), uint8(255))
	f.Add([]byte("4.2,-2.4\n1.6,-0.6\n"), []byte("0\n1\n"), uint8(1))
	f.Add([]byte("a,b\n4.2,nan\n"), []byte("y\n-100\n"), uint8(4))
	f.Add([]byte("1,0\n0,1\n"), []byte("0.5,0.5\n1,0\n"), uint8(9))
	f.Fuzz(func(t *testing.T, logits, targets []byte, opts uint8) {
		dir := t.TempDir()
		lp, tp := filepath.Join(dir, "logits"), filepath.Join(dir, "targets")
		os.WriteFile(lp, logits, 0o644)
		os.WriteFile(tp, targets, 0o644)
		args := []string{"loss", "--logits", lp, "--targets", tp, "--workers", "2",
			"--reduction", []string{"mean", "sum", "none"}[opts%3],
			"--format", []string{"text", "json", "csv"}[opts/3%3]}
		if opts&16 != 0 {
			args = append(args, "--grad", filepath.Join(dir, "g.npy"))
		}
		if opts&32 != 0 {
			args = append(args, "--class-last")
		}
		if opts&64 != 0 {
			args = append(args, "--weights", "1,2", "--softcap", "3", "--z-loss", "0.1")
		}
		if opts&128 != 0 {
			args = append(args, "--variant", "others", "--zero-floor", "--ignore-index", "1")
		}
		var stdout, stderr bytes.Buffer
		code := run(args, strings.NewReader(""), &stdout, &stderr)
		msg := stderr.String()
		if strings.Contains(msg, "internal error") {
			t.Fatalf("panic: %s", msg)
		}
		switch code {
		case 0:
			if msg != "" || stdout.Len() == 0 {
				t.Fatalf("exit 0 with stderr %q and %d bytes of stdout", msg, stdout.Len())
			}
			if strings.Contains(stdout.String(), "NaN") {
				t.Fatalf("NaN in the output:\n%s", stdout.String())
			}
		case 1, 2:
			if !strings.HasPrefix(msg, "lsce loss: ") || strings.Count(msg, "\n") != 1 || stdout.Len() != 0 {
				t.Fatalf("exit %d with stderr %q and stdout %q", code, msg, stdout.String())
			}
		default:
			t.Fatalf("exit %d", code)
		}
	})
}
