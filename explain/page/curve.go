package page

import (
	"math"

	"github.com/lsce/lsce"
)

// OptimalGap is where smoothing stops over-confidence: for a row of k
// classes whose other logits are equal, the gap g = z_label − z_other at
// which the loss with (uniform) smoothing ε is smallest,
//
//	g* = ln((1 − ε + ε/K) / (ε/K)),
//
// the gap at which the softmax gives the label exactly its smoothed target
// 1 − ε + ε/K. With ε = 0 the loss only decreases as the gap grows, and
// OptimalGap returns +Inf. It needs k ≥ 2.
func OptimalGap(eps float64, k int) float64 {
	u := eps / float64(k)
	if u == 0 {
		return math.Inf(1)
	}
	return math.Log((1 - eps + u) / u)
}

// Curve is the loss of one row of K classes against the gap between its
// label's logit and the others (all equal), for ε = 0 and for the chosen ε,
// as the library computes it.
type Curve struct {
	K int `json:"k"`
	// Epsilon is the uniform ε (ε·K/(K−1) for the Others variant).
	Epsilon float64 `json:"epsilon"`
	// Gaps are the gaps g; Plain and Smoothed the losses at ε = 0 and at ε.
	Gaps     []float64 `json:"gaps"`
	Plain    []float64 `json:"plain"`
	Smoothed []float64 `json:"smoothed"`
	// MinGap is OptimalGap and MinLoss the library's loss there; both are
	// nil with ε = 0, where there is no minimum.
	MinGap  *float64 `json:"minGap"`
	MinLoss *float64 `json:"minLoss"`
}

// curvePoints is how many gaps a Curve samples.
const curvePoints = 161

// NewCurve computes the chart for k ≥ 2 classes and the uniform ε.
func NewCurve(k int, eps float64) (*Curve, error) {
	c := &Curve{K: k, Epsilon: eps}
	g := OptimalGap(eps, k)
	lo, hi := -2.0, 8.0
	if !math.IsInf(g, 1) {
		hi = min(max(hi, math.Ceil(g+4)), 60)
	}
	for i := range curvePoints {
		c.Gaps = append(c.Gaps, lo+(hi-lo)*float64(i)/(curvePoints-1))
	}
	var err error
	if c.Plain, err = GapLosses(c.Gaps, k, 0); err != nil {
		return nil, err
	}
	if c.Smoothed, err = GapLosses(c.Gaps, k, eps); err != nil {
		return nil, err
	}
	if !math.IsInf(g, 1) {
		l, err := GapLosses([]float64{g}, k, eps)
		if err != nil {
			return nil, err
		}
		c.MinGap, c.MinLoss = &g, &l[0]
	}
	return c, nil
}

// GapLosses returns the library's loss (uniform ε) of rows of k classes
// whose label's logit is gap and whose other logits are 0, one per gap.
func GapLosses(gaps []float64, k int, eps float64) ([]float64, error) {
	logits := make([]float64, len(gaps)*k)
	for i, g := range gaps {
		logits[i*k] = g
	}
	res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: logits, Shape: []int{len(gaps), k}, Targets: make([]int, len(gaps))},
		lsce.Options{Epsilon: eps, Reduction: lsce.None})
	if err != nil {
		return nil, err
	}
	return res.Losses, nil
}
