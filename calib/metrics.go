package calib

import "math"

// Bin is one confidence bin (Lo, Hi]. Accuracy and Confidence are the mean
// correctness and the mean confidence of its rows; both are 0 in an empty bin.
type Bin struct {
	Lo, Hi     float64
	Count      int
	Correct    int
	Accuracy   float64
	Confidence float64
}

// Gap returns |Accuracy − Confidence|, 0 for an empty bin.
func (b Bin) Gap() float64 { return math.Abs(b.Accuracy - b.Confidence) }

// Metrics are the calibration measures of a set of rows at one temperature.
// Means over zero rows are 0.
type Metrics struct {
	// Rows and Classes are N and C.
	Rows, Classes int
	// Temperature is the T the logits were divided by.
	Temperature float64
	// Accuracy is the fraction of rows whose first maximal logit is the
	// target's (ties go to the lower index, as argmax).
	Accuracy float64
	// Top5Accuracy is the fraction of rows with fewer than 5 classes ranked
	// before the target (a stable descending sort); valid when HasTop5 (C ≥ 5).
	Top5Accuracy float64
	HasTop5      bool
	// NLL is the mean −log p_y (plain cross-entropy).
	NLL float64
	// ECE is Σ_b |B_b|/N · |acc(B_b) − conf(B_b)|; MCE is max_b |acc − conf|
	// over the non-empty bins.
	ECE, MCE float64
	// Brier is the mean over rows of Σ_k (p_k − [k = y])².
	Brier float64
	// Confidence is the mean of max_k p_k.
	Confidence float64
	// LogitGap is the mean of the top-1 minus the top-2 logit (after
	// dividing by Temperature).
	LogitGap float64
	// Bins are the equal-width confidence bins, lowest first.
	Bins []Bin
}

// Metrics returns the metrics of the rows added so far.
func (a *Accumulator) Metrics() Metrics {
	n := float64(a.rows)
	m := Metrics{
		Rows:        int(a.rows),
		Classes:     a.classes,
		Temperature: 1 / a.beta,
		HasTop5:     a.classes >= 5,
		Bins:        make([]Bin, a.bins),
	}
	for i := range m.Bins {
		b := &m.Bins[i]
		b.Lo, b.Hi = a.edges[i], a.edges[i+1]
		b.Count, b.Correct = int(a.binCount[i]), int(a.binCorrect[i])
		if b.Count > 0 {
			c := float64(b.Count)
			b.Accuracy = float64(b.Correct) / c
			b.Confidence = a.binConf[i].float64() / c
			g := b.Gap()
			m.ECE += c / n * g
			m.MCE = max(m.MCE, g)
		}
	}
	if a.rows == 0 {
		return m
	}
	m.Accuracy = float64(a.correct) / n
	if m.HasTop5 {
		m.Top5Accuracy = float64(a.top5) / n
	}
	m.NLL = a.nll.float64() / n
	m.Brier = a.brier.float64() / n
	m.Confidence = a.conf.float64() / n
	m.LogitGap = a.gap.float64() / n
	return m
}

// Loss returns the mean label-smoothed loss at the Accumulator's ε, as
// lsce.CrossEntropy computes it; ok is false when the Accumulator is not at
// temperature 1, where the loss is not accumulated.
func (a *Accumulator) Loss() (loss float64, ok bool) {
	if !a.withLoss {
		return 0, false
	}
	if a.rows == 0 {
		return 0, true
	}
	return a.loss.float64() / float64(a.rows), true
}

// derivatives returns the mean NLL and its first two derivatives with respect
// to β = 1/T at the Accumulator's β, and the first derivative at β = 0.
func (a *Accumulator) derivatives() (f, g, h, g0 float64) {
	n := float64(a.rows)
	return a.nll.float64() / n, a.grad.float64() / n, a.curv.float64() / n, a.grad0.float64() / n
}
