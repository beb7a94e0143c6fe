// Package kernel holds the row kernels behind package lsce: the few loops that
// touch every logit. Each kernel exists per element type (…F32, …F64) because
// assembly cannot be generic, and its doc comment is its reference loop.
//
// The generic Go versions in generic.go always build. Vectorised versions, where
// present, are chosen at run time from the CPU's features; LSCE_PUREGO=1 in the
// environment, or the purego build tag, forces the generic code.
//
// Contract shared by every implementation:
//   - Stats returns m = max x, s = Σ exp(x−m) and sx = Σ x, accumulated in
//     float64 (or in float32 over short blocks that are then added in float64),
//     so that a 256,000-element float32 row stays within 1e-6 relative of a
//     float64 computation. For an empty x it returns (−Inf, 0, 0).
//   - NaN or ±Inf in x need not be reported: they surface in m or sx, and the
//     caller locates them.
//   - Grad writes exactly len(x) elements of g and nothing else; g may alias x.
package kernel
