package explain

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// table is one step of the walk-through as strings: a numbered title, notes,
// a header and rows. The first lead columns are names (left-aligned), the
// rest numbers (right-aligned).
type table struct {
	title string
	notes []string
	head  []string
	lead  int
	rows  [][]string
}

// num formats a value as the spreadsheet shows it: 4 decimals, or 4
// significant decimals in exponent form when the value is large.
func num(x float64) string {
	x += 0 // −0 prints as 0
	if math.Abs(x) >= 1e7 {
		return strconv.FormatFloat(x, 'e', 4, 64)
	}
	return strconv.FormatFloat(x, 'f', 4, 64)
}

// short formats a parameter such as ε or ε/K compactly (0.1, 0.05).
func short(x float64) string {
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// perClass builds a table with one number per image and class.
func (w *Walkthrough) perClass(title string, vals []float64, format func(float64) string, notes ...string) table {
	in := w.Input
	t := table{title: title, notes: notes, head: append([]string{"image"}, in.Classes...), lead: 1}
	for i := range in.N {
		row := []string{in.Images[i]}
		for _, v := range vals[i*in.K : (i+1)*in.K] {
			row = append(row, format(v))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// perRow builds a table of per-row columns.
func (w *Walkthrough) perRow(title string, head []string, cols [][]float64, notes ...string) table {
	t := table{title: title, notes: notes, head: append([]string{"image"}, head...), lead: 1}
	for i := range w.Input.N {
		row := []string{w.Input.Images[i]}
		for _, c := range cols {
			row = append(row, num(c[i]))
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// steps returns the walk-through's tables in the write-up's order.
func (w *Walkthrough) steps() []table {
	in := w.Input
	eps, k := in.Epsilon, float64(in.K)
	var ts []table

	onehot := table{title: "1. One-hot labels: 1 for the image's class, 0 elsewhere",
		head: append([]string{"image", "label"}, in.Classes...), lead: 2}
	for i := range in.N {
		row := []string{in.Images[i], in.Classes[in.Targets[i]]}
		for _, v := range w.OneHot[i*in.K : (i+1)*in.K] {
			row = append(row, strconv.Itoa(int(v)))
		}
		onehot.rows = append(onehot.rows, row)
	}
	ts = append(ts, onehot)

	ts = append(ts, w.perClass(
		fmt.Sprintf("2. Smoothed labels q' = (1 − ε)·one-hot + ε/K = %s·one-hot + %s", short(1-eps), short(eps/k)),
		w.Smoothed, num,
		fmt.Sprintf("ε = %s, K = %d classes: the label gets %s, every other class %s.", short(eps), in.K, num(1-eps+eps/k), num(eps/k))))

	ts = append(ts, w.perClass("3. Logits: the model's outputs", in.Logits, num))

	if w.Shifted() {
		var shifted []string
		for i, m := range w.Shift {
			if m != 0 {
				shifted = append(shifted, in.Images[i])
			}
		}
		t := w.perClass("4. exp(logit − m)", w.Exp, num,
			fmt.Sprintf("m is 0, except in rows whose largest logit lies outside [−%d, %d] (%s), where it is that logit:", Shift, Shift, list(shifted, 5)),
			"plain exp would overflow or underflow there; the factor e^m cancels in the probabilities.")
		t.head = append(t.head, "m")
		for i := range t.rows {
			t.rows[i] = append(t.rows[i], num(w.Shift[i]))
		}
		ts = append(ts, t)
	} else {
		ts = append(ts, w.perClass("4. exp(logit)", w.Exp, num))
	}

	ts = append(ts, w.perRow("5. Σexp: the sum of each row's exps", []string{"Σexp"}, [][]float64{w.SumExp}))
	ts = append(ts, w.perClass("6. Probabilities p = exp / Σexp (the softmax; each row sums to 1)", w.Prob, num))
	lnp := "logit − ln Σexp"
	if w.Shifted() {
		lnp = "logit − m − ln Σexp"
	}
	ts = append(ts, w.perClass("7. −q'·ln p for each class", w.Terms, num,
		"ln is the natural log (LN in a spreadsheet; Excel's LOG is base 10, the write-up's own pitfall).",
		"ln p is taken as "+lnp+": the same number as ln(p), and finite even where p rounds to 0."))
	ts = append(ts, w.perRow("8. Loss per row: the sum of step 7 over the classes", []string{"loss"}, [][]float64{w.Loss}))
	ts = append(ts, w.perRow(fmt.Sprintf("9. The same loss as (1 − ε)·H(q,p) + ε·H(u,p) = %s·H(q,p) + %s·H(u,p)", short(1-eps), short(eps)),
		[]string{"H(q,p)", "H(u,p)", "loss"}, [][]float64{w.NLL, w.Uniform, w.Decomposed},
		"H(q,p) = −ln p[label] is the plain cross-entropy; H(u,p) = −(1/K)·Σ ln p is the cross-entropy against uniform labels."))
	return ts
}

// list names up to max items and says how many more there are.
func list(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

// headline is the walk-through's first line.
func (w *Walkthrough) headline() string {
	in := w.Input
	return fmt.Sprintf("Label-smoothing cross-entropy, step by step: %s, %s (%s), ε = %s",
		plural(in.N, "image"), plural(in.K, "class"), list(in.Classes, 8), short(in.Epsilon))
}

// verdict is step 10: the library's losses and the comparison.
func (w *Walkthrough) verdict() []string {
	lines := []string{"10. The library: lsce.CrossEntropy, reduction none (the fastai/PyTorch semantics)", "  " + w.libraryLine()}
	if w.Match() {
		return append(lines, "  match: every loss agrees with the walk-through's within 1e-9.")
	}
	i := w.MaxDiffRow
	return append(lines, fmt.Sprintf("  DIFFERENCE of %.3e in row %d (%s): walk-through %s, library %s.",
		w.MaxDiff, i, w.Input.Images[i], strconv.FormatFloat(w.Loss[i], 'g', 17, 64), strconv.FormatFloat(w.Library[i], 'g', 17, 64)))
}

// libraryLine prints the library's losses the way PyTorch prints a tensor.
func (w *Walkthrough) libraryLine() string {
	var b strings.Builder
	b.WriteString("library losses: [")
	for i, v := range w.Library {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == 20 && len(w.Library) > 21 {
			fmt.Fprintf(&b, "… %d more", len(w.Library)-20)
			break
		}
		b.WriteString(num(v))
	}
	b.WriteString("]")
	return b.String()
}

// plural is "1 image", "2 images", "3 classes".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "s") {
		return fmt.Sprintf("%d %ses", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Size describes the input: "5 images × 2 classes, ε = 0.1".
func (w *Walkthrough) Size() string {
	return fmt.Sprintf("%s × %s, ε = %s", plural(w.Input.N, "image"), plural(w.Input.K, "class"), short(w.Input.Epsilon))
}
