//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package main

import "time"

// peakRSSMB reports 0 where getrusage's maxrss is not in KiB or missing.
func peakRSSMB() float64 { return 0 }

// cpuTime reports 0 where getrusage is missing.
func cpuTime() time.Duration { return 0 }
