package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/lsce/lsce/tensorio"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the testscripts run "lsce" as a command: the test binary
// re-executes itself as lsce.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"lsce": func() {
			debugTrace = os.Getenv("LSCE_DEBUG") != ""
			os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs every testdata/script/*.txtar. Each subcommand's helper
// adds its own files there (loss_*.txtar for "lsce loss", and so on); this
// test picks them all up.
//
// Besides testscript's built-in commands, scripts can use:
//
//	$TESTDATA            the absolute path of cmd/lsce/testdata
//	$GOPATH, $GOMODCACHE the test process's (HOME is /no-home in scripts)
//	jsonnear KEY WANT [TOL]
//	                     the JSON object on the last stdout has KEY (a number
//	                     or nested arrays) within TOL (default 1e-9, relative
//	                     to max(1, |want|)) of WANT: a JSON literal, or a .npy
//	                     file (its values, nested in its shape)
//	npycmp GOT WANT [TOL] two .npy files have the same dtype and shape and
//	                     values within TOL (default 1e-9, relative as above)
//	truncate FILE N      cuts FILE to its first N bytes
//	exits N PROG [ARGS]  runs PROG as exec does (stdout and stderr are then
//	                     checked as usual) and requires exit status N
//	mknpy FILE DTYPE SHAPE VALUES
//	                     writes a .npy file: DTYPE float32, float64 or
//	                     int64, SHAPE like 2x3 (or "scalar"), VALUES
//	                     comma-separated
//	notemp DIR           no temporary file of internal/outfile (.NAME.*.tmp)
//	                     is left in DIR
//	fill DIR FREE        fills DIR's file system (a small tmpfs) with one
//	                     file, then frees FREE bytes of it
//	[root]               the condition: the test runs as root
//	fifo NAME SRC        makes a FIFO (named pipe) NAME and feeds it SRC's
//	                     bytes once, from a goroutine, as <(cat SRC) would:
//	                     a reader that reopens or seeks it gets nothing
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, filepath.Join("testdata", "script"), nil))
}

// scriptParams are the settings of TestScripts; setup, if not nil, runs
// after the common setup.
func scriptParams(t *testing.T, dir string, setup func(*testscript.Env) error) testscript.Params {
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return testscript.Params{
		Dir: dir,
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(e *testscript.Env) error {
			e.Setenv("TESTDATA", testdata)
			// testscript sets HOME to /no-home; keep the real module cache
			// visible for commands that read data shipped in Go modules.
			gopath := build.Default.GOPATH
			e.Setenv("GOPATH", gopath)
			modcache := os.Getenv("GOMODCACHE")
			if modcache == "" {
				modcache = filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
			}
			e.Setenv("GOMODCACHE", modcache)
			if setup != nil {
				return setup(e)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"jsonnear": cmdJSONNear,
			"npycmp":   cmdNpyCmp,
			"truncate": cmdTruncate,
			"exits":    cmdExits,
			"fifo":     cmdFIFO,
			"mknpy":    cmdMkNpy,
			"notemp":   cmdNoTemp,
			"fill":     cmdFill,
		},
	}
}

// tolerance reads an optional tolerance argument.
func tolerance(ts *testscript.TestScript, args []string, i int) float64 {
	if len(args) <= i {
		return 1e-9
	}
	tol, err := strconv.ParseFloat(args[i], 64)
	if err != nil {
		ts.Fatalf("tolerance %q: %v", args[i], err)
	}
	return tol
}

func cmdJSONNear(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: jsonnear KEY WANT [TOL]")
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(ts.ReadFile("stdout")), &obj); err != nil {
		ts.Fatalf("stdout is not one JSON object: %v", err)
	}
	got, ok := obj[args[0]]
	if !ok {
		ts.Fatalf("no key %q in the JSON output", args[0])
	}
	var want []float64
	var wantShape []int
	if strings.HasSuffix(args[1], ".npy") {
		t, err := tensorio.ReadFile(ts.MkAbs(args[1]))
		if err != nil {
			ts.Fatalf("%v", err)
		}
		want, wantShape = t.Float64s(), t.Shape
	} else {
		var v any
		if err := json.Unmarshal([]byte(args[1]), &v); err != nil {
			ts.Fatalf("WANT %q: %v", args[1], err)
		}
		want, wantShape = flatten(ts, v)
	}
	g, gShape := flatten(ts, got)
	if !slices.Equal(gShape, wantShape) {
		ts.Fatalf("%s has shape %v, want %v", args[0], gShape, wantShape)
	}
	compare(ts, args[0], g, want, tolerance(ts, args, 2))
}

// flatten reads a JSON number or nested arrays into values and a shape.
func flatten(ts *testscript.TestScript, v any) ([]float64, []int) {
	switch v := v.(type) {
	case float64:
		return []float64{v}, []int{}
	case []any:
		var out []float64
		var inner []int
		for i, x := range v {
			f, s := flatten(ts, x)
			if i > 0 && !slices.Equal(s, inner) {
				ts.Fatalf("ragged JSON array")
			}
			inner = s
			out = append(out, f...)
		}
		if len(v) == 0 {
			return nil, []int{0}
		}
		return out, append([]int{len(v)}, inner...)
	}
	ts.Fatalf("JSON value %v is not a number or an array", v)
	return nil, nil
}

func compare(ts *testscript.TestScript, what string, got, want []float64, tol float64) {
	if len(got) != len(want) {
		ts.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= tol*math.Max(1, math.Abs(want[i]))) && got[i] != want[i] {
			ts.Fatalf("%s: value %d is %v, want %v (difference %.3g, tolerance %g)", what, i, got[i], want[i], d, tol)
		}
	}
	ts.Logf("%s: %d values within %g", what, len(got), tol)
}

func cmdNpyCmp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: npycmp GOT WANT [TOL]")
	}
	got, err := tensorio.ReadFile(ts.MkAbs(args[0]))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	want, err := tensorio.ReadFile(ts.MkAbs(args[1]))
	if err != nil {
		ts.Fatalf("%v", err)
	}
	if got.Format != tensorio.NPY || got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) {
		ts.Fatalf("%s is %v %v %v, want npy %v %v", args[0], got.Format, got.DType, got.Shape, want.DType, want.Shape)
	}
	compare(ts, args[0], got.Float64s(), want.Float64s(), tolerance(ts, args, 2))
}

func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE N")
	}
	n, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("%v", err)
	}
	ts.Check(os.Truncate(ts.MkAbs(args[0]), int64(n)))
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exit status %q: %v", args[0], err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

func cmdFIFO(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fifo NAME SRC")
	}
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	name := ts.MkAbs(args[0])
	if err := syscall.Mkfifo(name, 0o600); err != nil {
		ts.Fatalf("mkfifo %s: %v", args[0], err)
	}
	go func() {
		// The open blocks until a reader opens the FIFO (a script whose
		// command never does leaves this goroutine blocked until the test
		// binary exits).
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		f.Write(data)
		f.Close()
	}()
}

func cmdMkNpy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: mknpy FILE DTYPE SHAPE VALUES")
	}
	shape := []int{}
	if args[2] != "scalar" {
		for _, d := range strings.Split(args[2], "x") {
			n, err := strconv.Atoi(d)
			ts.Check(err)
			shape = append(shape, n)
		}
	}
	var vals []string
	if args[3] != "" {
		vals = strings.Split(args[3], ",")
	}
	path := ts.MkAbs(args[0])
	switch args[1] {
	case "int64":
		data := make([]int64, len(vals))
		for i, v := range vals {
			n, err := strconv.ParseInt(v, 10, 64)
			ts.Check(err)
			data[i] = n
		}
		ts.Check(tensorio.WriteNpyFile(path, shape, data))
	case "float32", "float64":
		data := make([]float64, len(vals))
		for i, v := range vals {
			f, err := strconv.ParseFloat(v, 64)
			ts.Check(err)
			data[i] = f
		}
		if args[1] == "float64" {
			ts.Check(tensorio.WriteNpyFile(path, shape, data))
			return
		}
		f32 := make([]float32, len(data))
		for i, v := range data {
			f32[i] = float32(v)
		}
		ts.Check(tensorio.WriteNpyFile(path, shape, f32))
	default:
		ts.Fatalf("mknpy: dtype %q: want float32, float64 or int64", args[1])
	}
}

func cmdNoTemp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: notemp DIR")
	}
	es, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, e := range es {
		// .NAME.HEX.tmp; testscript's own $WORK/.tmp is not one.
		if n := e.Name(); strings.HasPrefix(n, ".") && strings.HasSuffix(n, ".tmp") && strings.Count(n, ".") >= 3 {
			ts.Fatalf("temporary file %s left in %s", e.Name(), args[0])
		}
	}
}

func cmdFill(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fill DIR FREE")
	}
	free, err := strconv.Atoi(args[1])
	ts.Check(err)
	f, err := os.Create(filepath.Join(ts.MkAbs(args[0]), "filler"))
	ts.Check(err)
	defer f.Close()
	buf := make([]byte, 1<<16)
	n := int64(0)
	for {
		k, err := f.Write(buf)
		n += int64(k)
		if errors.Is(err, syscall.ENOSPC) {
			break
		}
		ts.Check(err)
		if n > 1<<30 {
			ts.Fatalf("fill: %s took 1 GB without filling up: not a small file system", args[0])
		}
	}
	ts.Check(f.Truncate(max(0, n-int64(free))))
}
