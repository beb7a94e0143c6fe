// Package calib measures how well a classifier's confidence matches its
// accuracy, from logits and class targets: accuracy, top-5 accuracy, NLL,
// the label-smoothed loss (through package lsce), ECE and MCE over
// equal-width confidence bins, the Brier score, the mean confidence and the
// mean gap between the two largest logits; and it fits the temperature T
// that minimises the NLL of softmax(z/T) (Guo et al. 2017, "On Calibration
// of Modern Neural Networks"), reporting the same metrics after scaling.
//
// # Definitions
//
// With p = softmax(z/T) for a row of C logits z and its target y:
//
//	conf      = max_k p_k
//	correct   = argmax_k z_k = y      (ties: the lowest index, as argmax)
//	top-5     = fewer than 5 classes before y in a stable descending sort (C ≥ 5)
//	NLL       = −log p_y
//	Brier     = Σ_k (p_k − [k = y])²
//	logit gap = (top-1 − top-2 logit)/T
//	bins      = B equal-width intervals (lo, hi], edges i·(1/B) as NumPy's linspace
//	ECE       = Σ_b |B_b|/N · |acc(B_b) − conf(B_b)|,   MCE = max_b |acc(B_b) − conf(B_b)|
//
// Means are over the N rows; an empty bin has accuracy and confidence 0 and
// does not count towards MCE.
//
// # In memory and streaming
//
// Evaluate takes logits in memory (float32 or float64, row-major (N, C)) and
// does everything. EvaluateStream does the same over a Source that reads the
// rows once per pass (a file, a pipe already read into memory, …), in chunks
// over workers, in memory that does not grow with the data; lsce eval uses
// it. To drive the passes oneself, an Accumulator takes chunks
// of rows (Add), Accumulators of different workers merge (Merge), and Run
// drives the passes of the temperature fit over a Pass function that reads
// the data once per call: the fit keeps no logits, so memory is bounded by
// the chunks in flight (see Run for the method: about 5 to 9 passes).
//
// Every sum is exact until it is read (a fixed-point accumulator covering the
// whole float64 range), and every count an integer: the same rows give
// bit-identical results whatever the chunk sizes, their order, and the number
// of workers.
//
// # Errors
//
// Bad input returns an *lsce.Error locating the row (counted from the start
// of the data) and class: a NaN or infinite logit (lsce.ErrNonFinite), a
// target outside [0, C) (lsce.ErrTarget), lengths that do not fit
// (lsce.ErrShape), a setting out of range such as negative bins
// (lsce.ErrOption). Nothing panics and no NaN is returned.
//
// Package calib/reliability draws reliability diagrams from the Metrics.
package calib
