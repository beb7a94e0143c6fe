package explain

import (
	"encoding/csv"
	"io"
	"strconv"
)

// MaxLogits is the largest input (rows × classes) WriteCSV and WriteXLSX
// take; larger inputs return an ErrTooLarge error. 1,000 × 1,000 fits.
const MaxLogits = 1 << 20

// WriteCSV writes every value of the walk-through in long form, one value a
// line, with full precision (shortest round-trip form):
//
//	step,image,class,value
//
// Steps are onehot, smoothed, logit, shift, exp, sumexp, prob, logprob, term,
// loss, nll (H(q,p)), uniform (H(u,p)), decomposed and library; class is
// empty for per-row steps. The first lines give epsilon and k. Names are
// written exactly as given (encoding/csv quoting only): the file is data
// for programs. A spreadsheet opening it may read a name starting with
// = + - @ as a formula; for a spreadsheet, use WriteXLSX, which stores every
// name as text.
func (w *Walkthrough) WriteCSV(out io.Writer) error {
	in := w.Input
	if in.N*in.K > MaxLogits {
		return tooLarge("%d × %d logits (rows × classes): more than %d for a csv walk-through", in.N, in.K, MaxLogits)
	}
	c := csv.NewWriter(out)
	f := func(x float64) string { return strconv.FormatFloat(x+0, 'g', -1, 64) }
	rec := func(step, image, class, value string) {
		c.Write([]string{step, image, class, value})
	}
	rec("step", "image", "class", "value")
	rec("epsilon", "", "", f(in.Epsilon))
	rec("k", "", "", strconv.Itoa(in.K))
	perClass := func(step string, v []float64) {
		for i := range in.N {
			for k := range in.K {
				rec(step, in.Images[i], in.Classes[k], f(v[i*in.K+k]))
			}
		}
	}
	perRow := func(step string, v []float64) {
		for i := range in.N {
			rec(step, in.Images[i], "", f(v[i]))
		}
	}
	for i := range in.N {
		rec("target", in.Images[i], in.Classes[in.Targets[i]], strconv.Itoa(in.Targets[i]))
	}
	perClass("onehot", w.OneHot)
	perClass("smoothed", w.Smoothed)
	perClass("logit", in.Logits)
	perRow("shift", w.Shift)
	perClass("exp", w.Exp)
	perRow("sumexp", w.SumExp)
	perClass("prob", w.Prob)
	perClass("logprob", w.LogProb)
	perClass("term", w.Terms)
	perRow("loss", w.Loss)
	perRow("nll", w.NLL)
	perRow("uniform", w.Uniform)
	perRow("decomposed", w.Decomposed)
	perRow("library", w.Library)
	c.Flush()
	return c.Error()
}
