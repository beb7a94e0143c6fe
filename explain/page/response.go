package page

import (
	"math"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/explain"
)

// MaxShownRows is how many rows the page's N×K tables show; the per-row
// losses, the mean and the workbook cover every row.
const MaxShownRows = 50

// Response is the walk-through of a request, as the page renders it: every
// N×K table row-major for the first Shown rows, every per-row column for all
// N rows.
type Response struct {
	N       int      `json:"n"`
	K       int      `json:"k"`
	Shown   int      `json:"shown"`
	Classes []string `json:"classes"`
	Images  []string `json:"images"`
	Targets []int    `json:"targets"`
	// Epsilon is the user's ε, Variant "uniform" or "others", and
	// UniformEpsilon the ε of the uniform form (PyTorch's label_smoothing).
	Epsilon        float64 `json:"epsilon"`
	Variant        string  `json:"variant"`
	UniformEpsilon float64 `json:"uniformEpsilon"`

	// The steps of package explain's walk-through, in its order.
	OneHot   []float64 `json:"onehot"`
	Smoothed []float64 `json:"smoothed"`
	Logits   []float64 `json:"logits"`
	Exp      []float64 `json:"exp"`
	// Shift is each row's m (see explain.Shift): 0 unless Shifted.
	Shift      []float64 `json:"shift"`
	Shifted    bool      `json:"shifted"`
	SumExp     []float64 `json:"sumexp"`
	Prob       []float64 `json:"prob"`
	Terms      []float64 `json:"terms"`
	Loss       []float64 `json:"loss"`
	NLL        []float64 `json:"nll"`
	Uniform    []float64 `json:"uniform"`
	Decomposed []float64 `json:"decomposed"`
	// Library is lsce.CrossEntropy's per-row loss for the user's ε and
	// variant, Mean its mean, and Match whether Loss agrees with it within
	// explain.Tolerance (MaxDiff the largest relative difference).
	Library []float64 `json:"library"`
	Mean    float64   `json:"mean"`
	Match   bool      `json:"match"`
	MaxDiff float64   `json:"maxDiff"`

	// Log10 is the write-up's pitfall: the same steps 7 and 8 with LOG
	// (base 10) in place of LN, as Excel's LOG computes them.
	Log10 struct {
		Terms []float64 `json:"terms"`
		Loss  []float64 `json:"loss"`
	} `json:"log10"`

	// Row is the selected row and Grad its gradient.
	Row  int      `json:"row"`
	Grad Gradient `json:"grad"`
	// Curve is the loss-against-gap chart for K classes at ε; nil for K = 1.
	Curve *Curve `json:"curve"`
	// PyTorch holds Python lines that compute the same losses.
	PyTorch string `json:"pytorch"`
}

// Gradient is the gradient of one row's loss with respect to its logits,
// p − q', from lsce.CrossEntropyGrad, beside p and q'.
type Gradient struct {
	P    []float64 `json:"p"`
	Q    []float64 `json:"q"`
	Grad []float64 `json:"grad"`
}

// Walkthrough builds package explain's walk-through of a parsed request.
// For the Others variant it is built at the uniform ε that gives the same
// smoothed labels.
func (p *Parsed) Walkthrough() (*explain.Walkthrough, error) {
	in := p.Input
	in.Epsilon = p.UniformEpsilon()
	return explain.New(in)
}

// Compute builds the page's response to a parsed request.
func Compute(p *Parsed) (*Response, error) {
	w, err := p.Walkthrough()
	if err != nil {
		return nil, err
	}
	in := w.Input
	n, k := in.N, in.K
	shown := min(n, MaxShownRows)
	cut := func(v []float64) []float64 { return v[:shown*k] }
	r := &Response{
		N: n, K: k, Shown: shown,
		Classes: in.Classes, Images: in.Images, Targets: in.Targets,
		Epsilon: p.Input.Epsilon, Variant: p.Variant.String(), UniformEpsilon: in.Epsilon,
		OneHot: cut(w.OneHot), Smoothed: cut(w.Smoothed), Logits: cut(in.Logits), Exp: cut(w.Exp),
		Shift: w.Shift, Shifted: w.Shifted(), SumExp: w.SumExp, Prob: cut(w.Prob), Terms: cut(w.Terms),
		Loss: w.Loss, NLL: w.NLL, Uniform: w.Uniform, Decomposed: w.Decomposed,
		Row: p.Row,
	}
	// The library, with the variant as the user chose it: for Others this
	// also checks that the uniform form at ε·K/(K−1) is the same loss.
	opt := lsce.Options{Epsilon: p.Input.Epsilon, Variant: p.Variant, Reduction: lsce.None}
	res, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: in.Logits, Shape: []int{n, k}, Targets: in.Targets}, opt)
	if err != nil {
		return nil, err
	}
	r.Library = res.Losses
	r.Match = true
	for i, b := range r.Library {
		r.Mean += b / float64(n)
		d := math.Abs(w.Loss[i]-b) / math.Max(1, math.Abs(b))
		r.MaxDiff = max(r.MaxDiff, d)
		r.Match = r.Match && d <= explain.Tolerance
	}
	for j := range r.Terms {
		r.Log10.Terms = append(r.Log10.Terms, w.Terms[j]/math.Ln10)
	}
	for i := range n {
		var s float64
		for j := i * k; j < (i+1)*k; j++ {
			s += w.Terms[j] / math.Ln10
		}
		r.Log10.Loss = append(r.Log10.Loss, s)
	}
	// The selected row's gradient, from the library.
	row := p.Row
	z := in.Logits[row*k : (row+1)*k]
	g := make([]float64, k)
	if _, err := lsce.CrossEntropyGrad(g, lsce.Input[float64]{Logits: z, Shape: []int{1, k}, Targets: in.Targets[row : row+1]}, opt); err != nil {
		return nil, err
	}
	r.Grad = Gradient{P: w.Prob[row*k : (row+1)*k], Q: w.Smoothed[row*k : (row+1)*k], Grad: g}
	if k >= 2 {
		if r.Curve, err = NewCurve(k, in.Epsilon); err != nil {
			return nil, err
		}
	}
	r.PyTorch = PyTorch(in, p.Input.Epsilon, p.Variant, r.Library)
	return r, nil
}
