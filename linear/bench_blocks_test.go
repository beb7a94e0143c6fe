//go:build linux || darwin || freebsd

package linear

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/lsce/lsce"
)

// BenchmarkFusedBlocks sweeps the block shape of the fused path, reporting
// CPU time per operation (cpu-ms/op, all threads) next to the wall time:
// on a shared machine the steadier figure. Measured on the development
// machine: 350–490 cpu-ms/op for every shape, within noise; the defaults
// (256×1024) among the best.
func BenchmarkFusedBlocks(b *testing.B) {
	in, g := benchProblem(1024, 256, 8192)
	opt := lsce.Options{Epsilon: 0.1}
	for _, rb := range []int{128, 256, 512} {
		for _, cb := range []int{512, 1024, 2048} {
			in.RowBlock, in.ClassBlock = rb, cb
			b.Run(fmt.Sprintf("rb=%d/cb=%d", rb, cb), func(b *testing.B) {
				start := cpuNow()
				for b.Loop() {
					if _, err := CrossEntropyGrad(g, in, opt); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuNow()-start)/1e6/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// cpuNow is the process's user + system CPU time in nanoseconds.
func cpuNow() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
