package linear

import (
	"testing"

	"github.com/lsce/lsce/internal/kernel"
)

// TestDispatchFollowsKernel: the GEMM follows the project's one switch,
// kernel.Use: the generic path takes gonum's BLAS, a vectorised one its own
// micro-kernels (where this CPU and build run them).
func TestDispatchFollowsKernel(t *testing.T) {
	defer kernel.Use("auto")
	for _, name := range kernel.Available() {
		if err := kernel.Use(name); err != nil {
			t.Fatal(err)
		}
		want := name
		if name == "generic" {
			want = "gonum"
		}
		if got := Implementation(); got != want {
			t.Errorf("kernel.Use(%q): Implementation() = %q, want %q", name, got, want)
		}
	}
}
