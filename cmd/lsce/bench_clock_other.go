//go:build !unix

package main

import "time"

// cpuClock: no process CPU clock on this platform.
func cpuClock() (time.Duration, bool) { return 0, false }
