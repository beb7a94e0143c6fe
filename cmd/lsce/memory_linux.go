package main

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// availableMemory is the memory this process can still take: the least of
// the system's MemAvailable, the room left under the cgroup's (v2, then v1)
// limit, the address-space limit (ulimit -v) and GOMEMLIMIT. ok is false when none of them can be read.
func availableMemory() (avail uint64, ok bool) {
	avail = math.MaxUint64
	if v, found := meminfo("MemAvailable:"); found {
		avail, ok = min(avail, v), true
	}
	limit, usage := cgroupFile("memory.max"), cgroupFile("memory.current")
	if limit == 0 {
		limit, usage = cgroupFile("memory/memory.limit_in_bytes"), cgroupFile("memory/memory.usage_in_bytes")
	}
	if limit > 0 && limit < 1<<62 {
		avail, ok = min(avail, limit-min(limit, usage)), true
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_AS, &rl) == nil && rl.Cur != math.MaxUint64 && rl.Cur > 0 {
		avail, ok = min(avail, rl.Cur), true
	}
	if gl := debug.SetMemoryLimit(-1); gl > 0 && gl < math.MaxInt64 {
		avail, ok = min(avail, uint64(gl)), true
	}
	return avail, ok
}

// meminfo reads one "Key: N kB" line of /proc/meminfo, in bytes.
func meminfo(key string) (uint64, bool) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == key {
			v, err := strconv.ParseUint(f[1], 10, 64)
			return v << 10, err == nil
		}
	}
	return 0, false
}

// cgroupFile reads a number from the process's cgroup directory (v2: the
// path in /proc/self/cgroup under /sys/fs/cgroup; v1, name "memory/…": the
// memory controller's), or from the mount's root, which is the process's
// own cgroup inside a container; 0 when absent or "max".
func cgroupFile(name string) uint64 {
	v1 := strings.HasPrefix(name, "memory/")
	var dirs []string
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			parts := strings.SplitN(line, ":", 3)
			switch {
			case len(parts) != 3:
			case !v1 && parts[0] == "0":
				dirs = append(dirs, "/sys/fs/cgroup"+parts[2])
			case v1 && strings.Contains(parts[1], "memory"):
				dirs = append(dirs, "/sys/fs/cgroup/memory"+parts[2])
			}
		}
	}
	base := strings.TrimPrefix(name, "memory/")
	if v1 {
		dirs = append(dirs, "/sys/fs/cgroup/memory")
	} else {
		dirs = append(dirs, "/sys/fs/cgroup")
	}
	for _, d := range dirs {
		if v, err := os.ReadFile(d + "/" + base); err == nil {
			if n, err := strconv.ParseUint(strings.TrimSpace(string(v)), 10, 64); err == nil {
				return n
			}
			return 0 // "max"
		}
	}
	return 0
}
