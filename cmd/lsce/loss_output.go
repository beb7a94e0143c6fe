package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lsce/lsce"
)

// writeLoss prints r in the chosen format.
func writeLoss(w io.Writer, j *lossJob, r *lsce.Result) error {
	bw := bufio.NewWriter(w)
	var err error
	switch j.flags.format {
	case "json":
		err = writeLossJSON(bw, j, r)
	case "csv":
		writeLossCSV(bw, j, r)
	default:
		writeLossText(bw, j, r)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// lossJSON is the --format json object, in the order of its fields.
type lossJSON struct {
	Reduction   string   `json:"reduction"`
	Epsilon     float64  `json:"epsilon"`
	Variant     string   `json:"variant"`
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	Loss        any      `json:"loss"`
	NLL         any      `json:"nll"`
	Smooth      any      `json:"smooth"`
	ZLoss       *float64 `json:"z_loss,omitempty"`
	Floor       *float64 `json:"floor,omitempty"`
	Sum         *float64 `json:"sum,omitempty"`
	ZLosses     any      `json:"z_losses,omitempty"`
	Floors      any      `json:"floors,omitempty"`
	Denominator float64  `json:"denominator"`
	Counted     int      `json:"counted"`
	Elements    int      `json:"elements"`
}

func writeLossJSON(w io.Writer, j *lossJob, r *lsce.Result) error {
	o := lossJSON{
		Reduction: j.opt.Reduction.String(), Epsilon: j.opt.Epsilon, Variant: j.opt.Variant.String(),
		DType: dtypeName(j), Shape: j.shape, Loss: r.Loss, NLL: r.NLL, Smooth: r.Smooth,
		Denominator: r.Denominator, Counted: r.Counted, Elements: j.elements(),
	}
	if j.opt.ZLoss > 0 {
		o.ZLoss = new(r.ZLoss)
	}
	if j.opt.ZeroFloor {
		o.Floor = new(r.Floor)
	}
	if j.opt.Reduction == lsce.None {
		o.Loss = nest(r.Losses, r.LossShape)
		o.NLL = nest(r.NLLs, r.LossShape)
		o.Smooth = nest(r.Smooths, r.LossShape)
		o.Sum = new(r.Loss)
		if j.zLosses != nil {
			o.ZLosses = nest(j.zLosses, r.LossShape)
		}
		if j.floors != nil {
			o.Floors = nest(j.floors, r.LossShape)
		}
	}
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// dtypeName is the dtype the loss was computed in.
func dtypeName(j *lossJob) string {
	return j.logits.DType.String()
}

// nest shapes flat values as nested arrays (a number for shape ()).
func nest(v []float64, shape []int) any {
	if len(shape) == 0 {
		if len(v) == 0 {
			return 0.0
		}
		return v[0]
	}
	if len(shape) == 1 {
		return v[:shape[0]:shape[0]]
	}
	stride := len(v) / max(shape[0], 1)
	out := make([]any, shape[0])
	for i := range out {
		out[i] = nest(v[i*stride:(i+1)*stride], shape[1:])
	}
	return out
}

func writeLossText(w io.Writer, j *lossJob, r *lsce.Result) {
	if j.opt.Reduction == lsce.None {
		fmt.Fprintf(w, "%-12s %12s %12s %12s", "element", "loss", "nll", "smooth")
		if j.zLosses != nil {
			fmt.Fprintf(w, " %12s", "z_loss")
		}
		if j.floors != nil {
			fmt.Fprintf(w, " %12s", "floor")
		}
		fmt.Fprintln(w)
		extra := func(e int, z, f float64) {
			if j.zLosses != nil {
				if e >= 0 {
					z = j.zLosses[e]
				}
				fmt.Fprintf(w, " %12.6f", z)
			}
			if j.floors != nil {
				if e >= 0 {
					f = j.floors[e]
				}
				fmt.Fprintf(w, " %12.6f", f)
			}
			fmt.Fprintln(w)
		}
		for e := range r.Losses {
			fmt.Fprintf(w, "%-12s %12.6f %12.6f %12.6f", elementLabel(r.LossShape, e), r.Losses[e], r.NLLs[e], r.Smooths[e])
			extra(e, 0, 0)
		}
		fmt.Fprintf(w, "%-12s %12.6f %12.6f %12.6f", "sum", r.Loss, r.NLL, r.Smooth)
		extra(-1, r.ZLoss, r.Floor)
	} else {
		fmt.Fprintf(w, "loss         %.6f\n", r.Loss)
		fmt.Fprintf(w, "nll          %.6f   H(q, p): the plain cross-entropy\n", r.NLL)
		fmt.Fprintf(w, "smooth       %.6f   H(u, p): the cross-entropy against the uniform distribution\n", r.Smooth)
	}
	if j.opt.ZLoss > 0 {
		fmt.Fprintf(w, "z_loss       %.6f   λ·LSE² with λ = %g\n", r.ZLoss, j.opt.ZLoss)
	}
	if j.opt.ZeroFloor {
		fmt.Fprintf(w, "floor        %.6f   H(q'), subtracted\n", r.Floor)
	}
	switch j.opt.Reduction {
	case lsce.Mean:
		fmt.Fprintf(w, "reduction    mean: divided by %g\n", r.Denominator)
	default:
		fmt.Fprintf(w, "reduction    %s\n", j.opt.Reduction)
	}
	fmt.Fprintf(w, "epsilon      %g (%s)\n", j.opt.Epsilon, j.opt.Variant)
	fmt.Fprintf(w, "elements     %d counted of %d, %d classes, %s\n", r.Counted, j.elements(), j.classes(), dtypeName(j))
}

// elementLabel names element e of a loss shape: "3" for rank 1, "[1, 0, 2]"
// for higher ranks.
func elementLabel(shape []int, e int) string {
	if len(shape) <= 1 {
		return strconv.Itoa(e)
	}
	idx := make([]string, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		idx[k] = strconv.Itoa(e % shape[k])
		e /= shape[k]
	}
	return "[" + strings.Join(idx, ", ") + "]"
}

// axisNames are the CSV column names of a loss shape's axes: n, d1, d2, …
func axisNames(rank int) []string {
	names := make([]string, rank)
	for k := range names {
		if k == 0 {
			names[k] = "n"
		} else {
			names[k] = "d" + strconv.Itoa(k)
		}
	}
	return names
}

func g(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func writeLossCSV(w io.Writer, j *lossJob, r *lsce.Result) {
	if j.opt.Reduction == lsce.None {
		rank := len(r.LossShape)
		head := append(axisNames(rank), "loss", "nll", "smooth")
		if j.zLosses != nil {
			head = append(head, "z_loss")
		}
		if j.floors != nil {
			head = append(head, "floor")
		}
		fmt.Fprintln(w, strings.Join(head, ","))
		idx := make([]int, rank)
		for e := range r.Losses {
			for k, rest := rank-1, e; k >= 0; k-- {
				idx[k] = rest % r.LossShape[k]
				rest /= r.LossShape[k]
			}
			for _, i := range idx {
				fmt.Fprintf(w, "%d,", i)
			}
			fmt.Fprintf(w, "%s,%s,%s", g(r.Losses[e]), g(r.NLLs[e]), g(r.Smooths[e]))
			if j.zLosses != nil {
				fmt.Fprintf(w, ",%s", g(j.zLosses[e]))
			}
			if j.floors != nil {
				fmt.Fprintf(w, ",%s", g(j.floors[e]))
			}
			fmt.Fprintln(w)
		}
		return
	}
	head := []string{"reduction", "loss", "nll", "smooth"}
	row := []string{j.opt.Reduction.String(), g(r.Loss), g(r.NLL), g(r.Smooth)}
	if j.opt.ZLoss > 0 {
		head, row = append(head, "z_loss"), append(row, g(r.ZLoss))
	}
	if j.opt.ZeroFloor {
		head, row = append(head, "floor"), append(row, g(r.Floor))
	}
	head, row = append(head, "denominator", "counted"), append(row, g(r.Denominator), strconv.Itoa(r.Counted))
	fmt.Fprintln(w, strings.Join(head, ","))
	fmt.Fprintln(w, strings.Join(row, ","))
}
