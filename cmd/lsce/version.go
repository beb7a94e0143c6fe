package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/kernel"
)

// printVersion prints the module version lsce was built from (a tagged
// version for "go install …@vX", a pseudo-version or "(devel)" for a build
// in a checkout, with its commit when Go recorded one), the Go toolchain and
// target, and the row kernels chosen on this CPU (see lsce.Implementation).
func printVersion(w io.Writer) {
	version, commit, dirty := "(unknown)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	fmt.Fprintf(w, "lsce %s", version)
	if commit != "" {
		fmt.Fprintf(w, " (commit %.12s", commit)
		if dirty {
			fmt.Fprint(w, ", modified")
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintf(w, "\n%s %s/%s, kernels: %s (this CPU and build run %s; LSCE_KERNELS=%s forces one)\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, lsce.Implementation(), strings.Join(kernel.Available(), ", "), strings.Join(kernel.Available(), "|"))
	if note := kernel.EnvNote(); note != "" {
		fmt.Fprintln(w, note)
	}
}
