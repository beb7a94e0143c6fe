//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package main

// peakRSSMB reports 0 where getrusage's maxrss is not in KiB or missing.
func peakRSSMB() float64 { return 0 }
