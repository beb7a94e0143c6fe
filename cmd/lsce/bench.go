package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/kernel"
)

// benchArgs are the flags of `lsce bench`.
type benchArgs struct {
	rows, classes, workers, reps int
	dtype, impl, format, clock   string
	linear, check                bool
	hidden                       int
}

var benchFlags benchArgs

var cmdBench = &command{
	name:  "bench",
	short: "time the kernels (or fused linear cross-entropy) against memory bandwidth",
	args:  "[--rows N] [--classes C] [--dtype float32|float64] [--workers W] [--impl auto|all|avx512|avx2|generic] [--format text|json]",
	summary: `Times the loss on random logits drawn from N(0, 3²) with random targets
(ε = 0.1, mean): the forward pass, and the forward pass with the gradient
(into a separate buffer), each repeated and reported as the median, with the
logits' throughput. The single-core memory read bandwidth over the same
logits, measured in the same run, is the ceiling of a one-sweep pass.
It names the kernels in use (--impl auto: the path chosen for this CPU,
which LSCE_KERNELS=avx512|avx2|generic in the environment can force);
--impl all times every implementation this CPU runs side by side, their
repetitions interleaved, one line each (one JSON object per line with
--format json). Sizes that do not fit in the memory available are refused
before anything is allocated.
With --linear, times fused linear cross-entropy instead (--hidden, --check).`,
	setFlags: func(fs *flag.FlagSet) {
		a := &benchFlags
		*a = benchArgs{}
		fs.IntVar(&a.rows, "rows", 4096, "rows N (batch × sequence)")
		fs.IntVar(&a.classes, "classes", 32000, "classes C per row")
		fs.StringVar(&a.dtype, "dtype", "float32", "element type: float32 or float64")
		fs.IntVar(&a.workers, "workers", 1, "goroutines splitting the rows (0: GOMAXPROCS)")
		fs.StringVar(&a.impl, "impl", "auto", "row kernels: auto, all (each available one, side by side), avx512, avx2 or generic")
		fs.IntVar(&a.reps, "reps", 5, "repetitions of each measurement (the median is reported)")
		fs.StringVar(&a.format, "format", "text", "output: text or json")
		fs.StringVar(&a.clock, "clock", "wall", "wall (elapsed time) or cpu (the process's CPU time: steadier on a loaded machine, but it sums the workers)")
		fs.BoolVar(&a.linear, "linear", false, "time fused linear cross-entropy (hidden → classes) instead")
		fs.IntVar(&a.hidden, "hidden", 0, "with --linear: hidden size H")
		fs.BoolVar(&a.check, "check", false, "with --linear: compare the fused result with the materialised one")
	},
	run: func(env *env, args []string) error {
		if len(args) > 0 {
			return usageErrorf("unexpected argument %q", args[0])
		}
		return runBench(env, benchFlags)
	},
}

// benchReport is the result of `lsce bench`; --format json prints it as one object.
type benchReport struct {
	Rows        int     `json:"rows"`
	Classes     int     `json:"classes"`
	DType       string  `json:"dtype"`
	Workers     int     `json:"workers"`
	Impl        string  `json:"impl"`
	Auto        bool    `json:"auto"` // Impl is what --impl auto chooses here
	Reps        int     `json:"reps"`
	Clock       string  `json:"clock"`
	ReadMS      float64 `json:"read_ms"`
	ReadGBps    float64 `json:"read_gbps"`
	ForwardMS   float64 `json:"forward_ms"`
	ForwardGBps float64 `json:"forward_gbps"`
	FwdBwdMS    float64 `json:"forward_backward_ms"`
	FwdBwdGBps  float64 `json:"forward_backward_gbps"`
	Loss        float64 `json:"loss"`
}

func runBench(env *env, a benchArgs) error {
	if a.linear {
		return benchLinear(env, linearBenchArgs{Rows: a.rows, Hidden: a.hidden, Classes: a.classes,
			Workers: a.workers, Check: a.check, Format: a.format, DType: a.dtype})
	}
	switch {
	case a.hidden != 0 || a.check:
		return usageErrorf("--hidden and --check go with --linear")
	case a.rows < 1 || a.classes < 1:
		return usageErrorf("--rows and --classes must be at least 1 (got %d and %d)", a.rows, a.classes)
	case a.workers < 0:
		return usageErrorf("--workers %d is negative", a.workers)
	case a.reps < 1:
		return usageErrorf("--reps must be at least 1 (got %d)", a.reps)
	case a.format != "text" && a.format != "json":
		return usageErrorf("--format %q: want text or json", a.format)
	case a.clock != "wall" && a.clock != "cpu":
		return usageErrorf("--clock %q: want wall or cpu", a.clock)
	case a.rows > math.MaxInt/a.classes/8:
		return usageErrorf("--rows %d × --classes %d is too large", a.rows, a.classes)
	}
	if _, ok := cpuClock(); a.clock == "cpu" && !ok {
		return usageErrorf("--clock cpu: no process CPU clock on this platform")
	}
	size := 4
	if a.dtype == "float64" {
		size = 8
	}
	if err := checkBenchMemory(float64(a.rows)*float64(a.classes)*float64(2*size)+float64(a.rows)*8,
		fmt.Sprintf("%d × %d %s logits and their gradient", a.rows, a.classes, a.dtype)); err != nil {
		return err
	}
	impls := []string{a.impl}
	if a.impl == "all" {
		impls = kernel.Available()
	}
	for _, im := range impls {
		if err := kernel.Use(im); err != nil {
			return usageErrorf("--impl: %v", err)
		}
	}
	defer kernel.Use("auto")
	switch a.dtype {
	case "float32":
		return benchType[float32](env, a, impls)
	case "float64":
		return benchType[float64](env, a, impls)
	}
	return usageErrorf("--dtype %q: want float32 or float64", a.dtype)
}

// benchType times the implementations impls on the same data, each
// repetition running all of them in turn (so that a change in the machine's
// load falls on all alike), and prints one report per implementation.
func benchType[T lsce.Float](env *env, a benchArgs, impls []string) error {
	in := benchData[T](a.rows, a.classes)
	grad := make([]T, len(in.Logits))
	opt := lsce.Options{Epsilon: 0.1, Workers: a.workers}
	bytes := float64(len(in.Logits)) * float64(unsafe.Sizeof(T(0)))
	var res lsce.Result
	var runErr error
	pass := func(g []T) {
		if err := lsce.CrossEntropyInto(&res, g, in, opt); err != nil && runErr == nil {
			runErr = err
		}
	}
	workers := a.workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	clock := func() time.Duration { return time.Duration(time.Now().UnixNano()) }
	if a.clock == "cpu" {
		clock = func() time.Duration { d, _ := cpuClock(); return d }
	}
	timeMS := func(f func()) float64 {
		start := clock()
		f()
		return float64((clock() - start).Nanoseconds()) / 1e6
	}
	kernel.Use("auto")
	auto := kernel.Impl()
	var sink uint64
	var read []float64
	fwd, fb := make([][]float64, len(impls)), make([][]float64, len(impls))
	reports := make([]benchReport, len(impls))
	for rep := -1; rep < a.reps; rep++ { // rep −1 warms up
		t := timeMS(func() { sink += readSweep(in.Logits) })
		if rep >= 0 {
			read = append(read, t)
		}
		for i, im := range impls {
			kernel.Use(im)
			tf := timeMS(func() { pass(nil) })
			tb := timeMS(func() { pass(grad) })
			if rep >= 0 {
				fwd[i], fb[i] = append(fwd[i], tf), append(fb[i], tb)
			}
			if rep == a.reps-1 {
				pass(nil)
				reports[i] = benchReport{Rows: a.rows, Classes: a.classes, DType: a.dtype, Workers: workers,
					Impl: kernel.Impl(), Auto: kernel.Impl() == auto, Reps: a.reps, Clock: a.clock, Loss: res.Loss}
			}
		}
	}
	if runErr != nil {
		return runErr
	}
	gbps := func(ms float64) float64 { return bytes / ms / 1e6 }
	for i := range reports {
		r := &reports[i]
		r.ReadMS, r.ForwardMS, r.FwdBwdMS = median(read), median(fwd[i]), median(fb[i])
		r.ReadGBps, r.ForwardGBps, r.FwdBwdGBps = gbps(r.ReadMS), gbps(r.ForwardMS), gbps(r.FwdBwdMS)
	}
	if sink == 1 { // keep the read sweep from being optimised away
		reports[0].Loss += 0
	}
	if a.format == "json" {
		enc := json.NewEncoder(env.stdout)
		for _, r := range reports {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	r := reports[0]
	how := "forced by --impl"
	switch {
	case a.impl == "auto" && kernel.EnvNote() != "":
		how = kernel.EnvNote()
	case a.impl == "auto" && (os.Getenv("LSCE_KERNELS") != "" || os.Getenv("LSCE_PUREGO") != ""):
		how = "chosen by the environment (LSCE_KERNELS or LSCE_PUREGO)"
	case a.impl == "auto":
		how = "chosen for this CPU; LSCE_KERNELS=avx512|avx2|generic forces one"
	case a.impl == "all":
		how = "all available, side by side; auto chooses " + auto
	}
	fmt.Fprintf(env.stdout, "lsce bench: %d × %d %s, %d worker(s), ε = 0.1, mean; medians of %d, %s clock\n",
		r.Rows, r.Classes, r.DType, r.Workers, r.Reps, r.Clock)
	names := make([]string, len(reports))
	for i, r := range reports {
		names[i] = r.Impl
	}
	fmt.Fprintf(env.stdout, "kernels: %s (%s)\n", strings.Join(names, ", "), how)
	fmt.Fprintf(env.stdout, "%-28s %10.3f ms %8.2f GB/s\n", "memory read (1 core)", r.ReadMS, r.ReadGBps)
	if len(reports) == 1 {
		fmt.Fprintf(env.stdout, "%-28s %10.3f ms %8.2f GB/s\n", "forward", r.ForwardMS, r.ForwardGBps)
		fmt.Fprintf(env.stdout, "%-28s %10.3f ms %8.2f GB/s\n", "forward + gradient", r.FwdBwdMS, r.FwdBwdGBps)
		fmt.Fprintf(env.stdout, "loss %.9g\n", r.Loss)
		return nil
	}
	fmt.Fprintf(env.stdout, "%-10s %12s %8s %18s %8s %s\n", "kernels", "forward ms", "GB/s", "forward + gradient", "GB/s", "loss")
	for _, r := range reports {
		mark := ""
		if r.Auto {
			mark = " (auto)"
		}
		fmt.Fprintf(env.stdout, "%-10s %12.3f %8.2f %15.3f ms %8.2f %.9g%s\n", r.Impl, r.ForwardMS, r.ForwardGBps, r.FwdBwdMS, r.FwdBwdGBps, r.Loss, mark)
	}
	return nil
}

// benchData draws logits from N(0, 3²) and uniform targets, from a fixed seed.
func benchData[T lsce.Float](n, c int) lsce.Input[T] {
	r := rand.New(rand.NewPCG(2024, 11))
	x := make([]T, n*c)
	for i := range x {
		x[i] = T(3 * r.NormFloat64())
	}
	y := make([]int, n)
	for i := range y {
		y[i] = r.IntN(c)
	}
	return lsce.Input[T]{Logits: x, Shape: []int{n, c}, Targets: y}
}

// median is the median of t (which it sorts).
func median(t []float64) float64 {
	slices.Sort(t)
	if n := len(t); n%2 == 1 {
		return t[n/2]
	}
	return (t[len(t)/2-1] + t[len(t)/2]) / 2
}

// readSweep reads every byte of x once on one core, as 64-bit words XORed
// into eight independent accumulators: cheap enough per byte that its time is
// the memory read bandwidth.
func readSweep[T lsce.Float](x []T) uint64 {
	if len(x) == 0 {
		return 0
	}
	nb := len(x) * int(unsafe.Sizeof(x[0]))
	w := unsafe.Slice((*uint64)(unsafe.Pointer(&x[0])), nb/8)
	var a0, a1, a2, a3, a4, a5, a6, a7 uint64
	i := 0
	for ; i+8 <= len(w); i += 8 {
		a0 ^= w[i]
		a1 ^= w[i+1]
		a2 ^= w[i+2]
		a3 ^= w[i+3]
		a4 ^= w[i+4]
		a5 ^= w[i+5]
		a6 ^= w[i+6]
		a7 ^= w[i+7]
	}
	for ; i < len(w); i++ {
		a0 ^= w[i]
	}
	return a0 ^ a1 ^ a2 ^ a3 ^ a4 ^ a5 ^ a6 ^ a7
}
