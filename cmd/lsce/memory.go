package main

import "fmt"

// checkMemory refuses, before the data is read, to hold need bytes when
// less memory is available (see availableMemory), so that a too-large
// input ends with a message instead of Go's "fatal error: out of memory".
// what names the data; why says what to do instead.
func checkMemory(what string, need uint64, why string) error {
	avail, ok := availableMemory()
	if !ok || need <= avail {
		return nil
	}
	return inputErrorf("%s: %s of memory needed, %s available: %s", what, bytesString(need), bytesString(avail), why)
}

// bytesString writes a byte count for people: "2.4 GB".
func bytesString(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%d bytes", n)
}
