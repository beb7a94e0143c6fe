//go:build !amd64 || purego

package kernel

// platformImpls: no vectorised kernels for this architecture or build.
func platformImpls() []*impl { return nil }
