package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/linear"
)

// linearBenchArgs are the flags of `lsce bench --linear`, parsed by bench.go.
type linearBenchArgs struct {
	Rows, Hidden, Classes, Workers int
	Check                          bool
	Format, DType                  string
}

// linearBenchJSON is the --format json object of `lsce bench --linear`.
type linearBenchJSON struct {
	Rows    int     `json:"rows"`
	Hidden  int     `json:"hidden"`
	Classes int     `json:"classes"`
	DType   string  `json:"dtype"`
	Workers int     `json:"workers"`
	Gemm    string  `json:"gemm"`
	Epsilon float64 `json:"epsilon"`
	Loss    float64 `json:"loss"`
	FusedMS float64 `json:"fused_ms"`
	// FusedCPUMS is the CPU time (user + system, all threads) of the fused
	// run: on a shared machine a steadier figure than the wall time.
	FusedCPUMS float64 `json:"fused_cpu_ms"`
	PeakRSSMB  float64 `json:"peak_rss_mb"` // whole process, after the fused run

	MaterialisedMS     *float64 `json:"materialised_ms,omitempty"`
	MaterialisedCPUMS  *float64 `json:"materialised_cpu_ms,omitempty"`
	MaterialisedLoss   *float64 `json:"materialised_loss,omitempty"`
	LossRelDiff        *float64 `json:"loss_rel_diff,omitempty"`
	GradMaxAbsDiff     *float64 `json:"grad_max_abs_diff,omitempty"`
	PeakRSSWithCheckMB *float64 `json:"peak_rss_with_check_mb,omitempty"`
}

// benchLinear times the fused linear cross-entropy (package linear) with
// its gradients dH, dW and db on random data: H ~ N(0, 1) (rows × hidden),
// W ~ N(0, 1/hidden) (classes × hidden), b ~ N(0, 0.01), uniform targets,
// ε = 0.1, a fixed seed. It reports the time and the process's peak resident
// memory (getrusage's maxrss) after the fused run; with Check it then runs
// the materialised path (all N×V logits, lsce.CrossEntropyGrad, three matrix
// products) and reports its time and the differences.
func benchLinear(env *env, args linearBenchArgs) error {
	if args.Rows < 1 || args.Hidden < 1 || args.Classes < 1 {
		return usageErrorf("--linear needs --rows, --hidden and --classes ≥ 1 (got %d, %d, %d)", args.Rows, args.Hidden, args.Classes)
	}
	if args.Workers < 0 {
		return usageErrorf("--workers %d is negative", args.Workers)
	}
	switch args.Format {
	case "", "text", "json":
	default:
		return usageErrorf("--format %q: want text or json", args.Format)
	}
	size, elems := 4.0, 2*(float64(args.Rows)*float64(args.Hidden)+float64(args.Classes)*float64(args.Hidden)+float64(args.Classes))
	if args.DType == "float64" {
		size = 8
	}
	if args.Check {
		elems += 2 * float64(args.Rows) * float64(args.Classes) // the materialised logits and their gradient
	}
	if err := checkBenchMemory(size*elems, "the inputs and gradients"); err != nil {
		return err
	}
	switch args.DType {
	case "", "float32":
		return runLinearBench[float32](env, args, "float32")
	case "float64":
		return runLinearBench[float64](env, args, "float64")
	}
	return usageErrorf("--dtype %q: want float32 or float64", args.DType)
}

func runLinearBench[T lsce.Float](env *env, args linearBenchArgs, dtype string) error {
	n, d, v := args.Rows, args.Hidden, args.Classes
	rng := rand.New(rand.NewPCG(7, uint64(n*31+d*7+v)))
	fill := func(k int, sd float64) []T {
		x := make([]T, k)
		for i := range x {
			x[i] = T(rng.NormFloat64() * sd)
		}
		return x
	}
	in := linear.Input[T]{H: fill(n*d, 1), W: fill(v*d, 1/math.Sqrt(float64(d))), B: fill(v, 0.1),
		Rows: n, Hidden: d, Classes: v, Targets: make([]int, n)}
	for i := range in.Targets {
		in.Targets[i] = rng.IntN(v)
	}
	opt := lsce.Options{Epsilon: 0.1, Workers: args.Workers}
	workers := args.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	g := linear.Grads[T]{H: make([]T, n*d), W: make([]T, v*d), B: make([]T, v)}

	start, cpu := time.Now(), cpuTime()
	res, err := linear.CrossEntropyGrad(g, in, opt)
	if err != nil {
		return err
	}
	out := linearBenchJSON{Rows: n, Hidden: d, Classes: v, DType: dtype, Workers: workers, Gemm: linear.Implementation(),
		Epsilon: opt.Epsilon, Loss: res.Loss, FusedMS: ms(time.Since(start)), FusedCPUMS: ms(cpuTime() - cpu), PeakRSSMB: peakRSSMB()}

	if args.Check {
		gm := linear.Grads[T]{H: make([]T, n*d), W: make([]T, v*d), B: make([]T, v)}
		start, cpu = time.Now(), cpuTime()
		mres, err := linear.Materialised(gm, in, opt)
		if err != nil {
			return err
		}
		mt, mcpu := ms(time.Since(start)), ms(cpuTime()-cpu)
		rel := math.Abs(res.Loss-mres.Loss) / math.Max(math.Abs(mres.Loss), math.SmallestNonzeroFloat64)
		diff := 0.0
		for _, p := range [][2][]T{{g.H, gm.H}, {g.W, gm.W}, {g.B, gm.B}} {
			for i := range p[0] {
				diff = math.Max(diff, math.Abs(float64(p[0][i])-float64(p[1][i])))
			}
		}
		rss := peakRSSMB()
		out.MaterialisedCPUMS = &mcpu
		out.MaterialisedMS, out.MaterialisedLoss, out.LossRelDiff, out.GradMaxAbsDiff, out.PeakRSSWithCheckMB = &mt, &mres.Loss, &rel, &diff, &rss
	}

	if args.Format == "json" {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	w := env.stdout
	fmt.Fprintf(w, "fused linear cross-entropy: N=%d D=%d V=%d %s, %d workers, gemm %s, ε=%g\n", n, d, v, dtype, workers, out.Gemm, out.Epsilon)
	fmt.Fprintf(w, "loss               %.9g\n", out.Loss)
	fmt.Fprintf(w, "fused              %.1f ms (CPU %.1f ms; loss, dH, dW, db)\n", out.FusedMS, out.FusedCPUMS)
	fmt.Fprintf(w, "peak RSS           %.1f MB (whole process, after the fused run; logits would take %.1f MB)\n",
		out.PeakRSSMB, float64(n)*float64(v)*float64(sizeOf[T]())/(1<<20))
	if args.Check {
		fmt.Fprintf(w, "materialised       %.1f ms (CPU %.1f ms; loss %.9g)\n", *out.MaterialisedMS, *out.MaterialisedCPUMS, *out.MaterialisedLoss)
		fmt.Fprintf(w, "loss rel. diff     %.3g\n", *out.LossRelDiff)
		fmt.Fprintf(w, "grad max abs diff  %.3g\n", *out.GradMaxAbsDiff)
		fmt.Fprintf(w, "peak RSS (check)   %.1f MB\n", *out.PeakRSSWithCheckMB)
	}
	return nil
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/100) / 10 }

func sizeOf[T lsce.Float]() int {
	var z T
	if _, ok := any(z).(float32); ok {
		return 4
	}
	return 8
}
