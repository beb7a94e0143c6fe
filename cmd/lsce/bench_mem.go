package main

import "fmt"

// checkBenchMemory refuses, before allocating, a benchmark whose arrays
// (bytes in all, what says what they are) do not fit in the memory this
// process may use: a clear error instead of the runtime's fatal out of memory.
func checkBenchMemory(bytes float64, what string) error {
	avail, ok := availableMemory()
	if !ok || bytes <= float64(avail) {
		return nil
	}
	return fmt.Errorf("%s need %s, more than the %s of memory available: choose smaller sizes", what, fmtBytes(bytes), fmtBytes(float64(avail)))
}

// fmtBytes writes a size in bytes with a binary unit.
func fmtBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return fmt.Sprintf("%.1f %s", b, units[i])
}
