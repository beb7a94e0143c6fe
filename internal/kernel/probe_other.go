//go:build !amd64 || purego

package kernel

// probe: no assembly for this architecture or build.
func probe() (avx2, avx512 bool) { return false, false }

// avx512Impl is nil: there is no "avx512" implementation here.
func avx512Impl() *impl { return nil }
