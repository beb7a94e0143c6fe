//go:build unix

package main

import (
	"time"

	"golang.org/x/sys/unix"
)

// cpuClock returns the CPU time the process has used, for `lsce bench
// --clock cpu`: unlike wall time, it does not count the time other processes
// take the CPU from us on a loaded machine.
func cpuClock() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
