//go:build linux || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"math"
	"syscall"
	"time"
)

// peakRSSMB is the process's peak resident memory in MiB: getrusage's
// maxrss, which these systems report in KiB.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return math.Round(float64(ru.Maxrss)/1024*10) / 10
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
