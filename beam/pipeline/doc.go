// Package pipeline evaluates sharded logits with Apache Beam: the metrics
// and temperature scaling of package calib (what lsce eval computes) over
// pairs of .npy shards, each pass of calib.Run one pipeline run in which
// calib's Accumulator is the CombineFn over row ranges of the shards.
//
// NewPlan lists and checks the shards and cuts them into Ranges; Evaluate
// runs the passes on a Runner (Prism in this process, or a cluster through
// beamx.Run) and returns the calib.Report, whose JSON (calib.WriteJSON) is
// that of lsce eval --format json. See beam/README.md.
package pipeline
