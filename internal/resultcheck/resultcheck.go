// Package resultcheck compares two lsce.Results, for tests that check one
// way of computing the loss against another (sharded or fused against the
// whole, materialised computation).
package resultcheck

import (
	"fmt"
	"math"

	"github.com/lsce/lsce"
)

// Diff returns an error naming the first field of got that differs from want
// by more than tol·max(1, |want|), or is NaN: the reduced loss and its parts,
// Denominator, Counted and the per-element Losses, and with parts also the
// per-element NLLs and Smooths. It returns nil when they agree.
func Diff(got, want *lsce.Result, tol float64, parts bool) error {
	near := func(what string, g, w float64) error {
		if math.Abs(g-w) > tol*math.Max(1, math.Abs(w)) || math.IsNaN(g) {
			return fmt.Errorf("%s = %.15g, want %.15g", what, g, w)
		}
		return nil
	}
	for _, f := range []struct {
		name string
		g, w float64
	}{
		{"Loss", got.Loss, want.Loss},
		{"NLL", got.NLL, want.NLL},
		{"Smooth", got.Smooth, want.Smooth},
		{"ZLoss", got.ZLoss, want.ZLoss},
		{"Floor", got.Floor, want.Floor},
		{"Denominator", got.Denominator, want.Denominator},
	} {
		if err := near(f.name, f.g, f.w); err != nil {
			return err
		}
	}
	if got.Counted != want.Counted || len(got.Losses) != len(want.Losses) {
		return fmt.Errorf("Counted %d, %d losses; want %d, %d", got.Counted, len(got.Losses), want.Counted, len(want.Losses))
	}
	for i := range want.Losses {
		if err := near(fmt.Sprintf("Losses[%d]", i), got.Losses[i], want.Losses[i]); err != nil {
			return err
		}
		if !parts {
			continue
		}
		if err := near(fmt.Sprintf("NLLs[%d]", i), got.NLLs[i], want.NLLs[i]); err != nil {
			return err
		}
		if err := near(fmt.Sprintf("Smooths[%d]", i), got.Smooths[i], want.Smooths[i]); err != nil {
			return err
		}
	}
	return nil
}
