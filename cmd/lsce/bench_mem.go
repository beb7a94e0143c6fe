package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// checkBenchMemory refuses, before allocating, a benchmark whose arrays
// (bytes in all, what says what they are) do not fit in the memory this
// process may use: a clear error instead of the runtime's fatal out of memory.
func checkBenchMemory(bytes float64, what string) error {
	avail, ok := memoryAvailable()
	if !ok || bytes <= float64(avail) {
		return nil
	}
	return fmt.Errorf("%s need %s, more than the %s of memory available: choose smaller sizes", what, fmtBytes(bytes), fmtBytes(float64(avail)))
}

// memoryAvailable is the memory this process can still allocate, as far as
// the system says: Linux's MemAvailable (/proc/meminfo), lowered to what the
// cgroup (v2) memory limit leaves; ok is false where neither is known.
func memoryAvailable() (avail uint64, ok bool) {
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 && f[0] == "MemAvailable:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					avail, ok = kb*1024, true
				}
			}
		}
	}
	limit, err1 := readUint("/sys/fs/cgroup/memory.max")
	used, err2 := readUint("/sys/fs/cgroup/memory.current")
	if err1 == nil && err2 == nil && used <= limit && (!ok || limit-used < avail) {
		avail, ok = limit-used, true
	}
	return avail, ok
}

// readUint reads a file holding one unsigned integer ("max" is not one).
func readUint(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
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
