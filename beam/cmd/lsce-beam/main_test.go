package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/tensorio"
)

// The test binary is the command when LSCE_BEAM_MAIN is set: each test runs
// it as a separate process, as a user would (Beam's flags are global).
func TestMain(m *testing.M) {
	if os.Getenv("LSCE_BEAM_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func lsceBeam(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "LSCE_BEAM_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// writeShards writes three shards of 5 classes (one empty) and returns the
// rows concatenated.
func writeShards(t *testing.T, dir string) (z []float32, y []int) {
	for s, n := range []int{7, 0, 12} {
		zs := make([]float32, 5*n)
		ys := make([]int64, n)
		for i := range zs {
			zs[i] = float32((i*7919+s*31)%23)/4 - 2
		}
		for i := range ys {
			ys[i] = int64((i*3 + s) % 5)
			y = append(y, int(ys[i]))
		}
		z = append(z, zs...)
		base := filepath.Join(dir, "s"+string(rune('0'+s)))
		if err := tensorio.WriteNpyFile(base+".logits.npy", []int{n, 5}, zs); err != nil {
			t.Fatal(err)
		}
		if err := tensorio.WriteNpyFile(base+".targets.npy", []int{n}, ys); err != nil {
			t.Fatal(err)
		}
	}
	return z, y
}

// TestEval: the command prints calib's JSON of the concatenated rows and
// draws the diagram; nothing else on stderr.
func TestEval(t *testing.T) {
	dir := t.TempDir()
	z, y := writeShards(t, dir)
	plot := filepath.Join(dir, "rel.svg")
	out, errOut, code := lsceBeam(t, "eval", "--logits", dir+"/*.logits.npy", "--targets", dir+"/*.targets.npy",
		"--epsilon", "0.05", "--bins", "6", "--plot", plot, "--runner", "prism")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	r, err := calib.Evaluate(z, len(y), 5, y, calib.Options{Epsilon: 0.05, Bins: 6})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	calib.WriteJSON(&want, r)
	if out != want.String() {
		t.Errorf("stdout\n%s\nwant calib's JSON of the concatenation\n%s", out, want.String())
	}
	svg, err := os.ReadFile(plot)
	if err != nil || !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("After temperature scaling")) {
		t.Errorf("--plot %s: %v, %d bytes", plot, err, len(svg))
	}
}

// TestEvalErrors: usage and bad input exit 2 with one message.
func TestEvalErrors(t *testing.T) {
	dir := t.TempDir()
	writeShards(t, dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage: lsce-beam eval"},
		{[]string{"eval", "--targets", "x"}, "--logits and --targets are required"},
		{[]string{"eval", "--logits", "a", "--targets", "b", "--bins", "0"}, "--bins 0"},
		{[]string{"eval", "--logits", "a", "--targets", "b", "--plot", "x.gif"}, "--plot"},
		{[]string{"eval", "--logits", dir + "/*.nothing.npy", "--targets", dir + "/*.targets.npy"}, "no file matches"},
		{[]string{"eval", "--logits", dir + "/s2.logits.npy", "--targets", dir + "/s0.targets.npy"}, "shard 0 pairs"},
	} {
		out, errOut, code := lsceBeam(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
}
