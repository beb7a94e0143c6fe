package explain

import (
	"math"

	"github.com/lsce/lsce"
)

// Shift is the largest |max logit| of a row whose exp the walk-through takes
// as it is, as the write-up does. A row whose largest logit m lies outside
// [−Shift, Shift] shows exp(z − m) instead: e^710 overflows float64 (and is
// #NUM! in Excel), and e^−746 underflows to 0.
const Shift = 80

// Tolerance is the largest relative difference |a − b|/max(1, |b|) between
// the walk-through's loss and the library's that still counts as a match.
const Tolerance = 1e-9 // the verdict line says "1e-9"

// Walkthrough holds every table of the walk-through. Tables of N×K values
// are row-major; per-row columns hold N values.
type Walkthrough struct {
	// Input is the checked input, with default names filled in.
	Input Input
	// OneHot is 1 in the target's column, 0 elsewhere.
	OneHot []float64
	// Smoothed is q' = (1 − ε)·OneHot + ε/K.
	Smoothed []float64
	// Shift holds each row's shift m: 0, or the row's largest logit when that
	// lies outside [−Shift, Shift].
	Shift []float64
	// Exp is exp(z − m).
	Exp []float64
	// SumExp is Σ_k Exp per row.
	SumExp []float64
	// Prob is Exp/SumExp, the softmax.
	Prob []float64
	// LogProb is ln p = z − m − ln SumExp (the log-softmax).
	LogProb []float64
	// Terms is −q'·ln p.
	Terms []float64
	// Loss is Σ_k Terms per row.
	Loss []float64
	// NLL is H(q, p) = −ln p_y, Uniform is H(u, p) = −(1/K)·Σ_k ln p_k and
	// Decomposed is (1 − ε)·NLL + ε·Uniform, per row.
	NLL, Uniform, Decomposed []float64
	// Library is lsce.CrossEntropy's per-row loss (reduction None), the
	// fastai/PyTorch semantics.
	Library []float64
	// MaxDiff is the largest relative difference between Loss and Library,
	// |a − b|/max(1, |b|), and MaxDiffRow its row.
	MaxDiff    float64
	MaxDiffRow int
}

// New checks in and computes every step of its walk-through, and the
// library's losses to compare with. Bad input returns an *lsce.Error naming
// the row and class; an input of more than MaxLogits logits, an ErrTooLarge
// error before anything is allocated.
func New(in Input) (*Walkthrough, error) {
	if in.N > 0 && in.K > 0 && in.N > MaxLogits/in.K {
		return nil, tooLarge("%d × %d logits (rows × classes): more than %d for a walk-through", in.N, in.K, MaxLogits)
	}
	in, err := in.check()
	if err != nil {
		return nil, err
	}
	n, k := in.N, in.K
	eps := in.Epsilon
	w := &Walkthrough{
		Input:      in,
		OneHot:     make([]float64, n*k),
		Smoothed:   make([]float64, n*k),
		Shift:      make([]float64, n),
		Exp:        make([]float64, n*k),
		SumExp:     make([]float64, n),
		Prob:       make([]float64, n*k),
		LogProb:    make([]float64, n*k),
		Terms:      make([]float64, n*k),
		Loss:       make([]float64, n),
		NLL:        make([]float64, n),
		Uniform:    make([]float64, n),
		Decomposed: make([]float64, n),
	}
	for i := range n {
		z := in.Logits[i*k : (i+1)*k]
		m := rowShift(z)
		w.Shift[i] = m
		var s float64
		for c, v := range z {
			e := math.Exp(v - m)
			w.Exp[i*k+c] = e
			s += e
		}
		w.SumExp[i] = s
		lse := math.Log(s)
		var loss, sumLog float64
		for c, v := range z {
			j := i*k + c
			if c == in.Targets[i] {
				w.OneHot[j] = 1
			}
			q := (1-eps)*w.OneHot[j] + eps/float64(k)
			w.Smoothed[j] = q
			w.Prob[j] = w.Exp[j] / s
			lp := v - m - lse
			w.LogProb[j] = lp
			w.Terms[j] = -q*lp + 0 // + 0 turns −0 into 0
			loss += w.Terms[j]
			sumLog += lp
		}
		w.Loss[i] = loss
		w.NLL[i] = -w.LogProb[i*k+in.Targets[i]]
		w.Uniform[i] = -sumLog / float64(k)
		w.Decomposed[i] = (1-eps)*w.NLL[i] + eps*w.Uniform[i]
	}
	res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: in.Logits, Shape: []int{n, k}, Targets: in.Targets},
		lsce.Options{Epsilon: eps, Reduction: lsce.None})
	if err != nil {
		return nil, err
	}
	w.Library = res.Losses
	for i, b := range w.Library {
		if d := math.Abs(w.Loss[i]-b) / math.Max(1, math.Abs(b)); d > w.MaxDiff || math.IsNaN(d) {
			w.MaxDiff, w.MaxDiffRow = d, i
		}
	}
	return w, nil
}

// rowShift is the shift m of a row: its largest logit when that lies outside
// [−Shift, Shift], else 0.
func rowShift(z []float64) float64 {
	m := z[0]
	for _, v := range z[1:] {
		m = max(m, v)
	}
	if m > Shift || m < -Shift {
		return m
	}
	return 0
}

// Match reports whether every row's loss matches the library's within
// Tolerance.
func (w *Walkthrough) Match() bool { return w.MaxDiff <= Tolerance }

// Shifted reports whether any row's exp is shifted by its largest logit.
func (w *Walkthrough) Shifted() bool {
	for _, m := range w.Shift {
		if m != 0 {
			return true
		}
	}
	return false
}
