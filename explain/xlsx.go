package explain

import (
	"archive/zip"
	"compress/flate"
	"io"
	"math"
	"strconv"

	"github.com/lsce/lsce/internal/outfile"
	"github.com/xuri/excelize/v2"
)

// Sheet limits of the xlsx format.
const (
	SheetMaxRows    = 1048576
	SheetMaxColumns = 16384
)

// The workbook's sheet names, and where the parameters and tables sit on the
// walk-through sheet.
const (
	SheetWalkthrough = "Walkthrough"
	SheetLibrary     = "Library"

	epsCell   = "$B$3" // ε, an input
	kCell     = "$B$4" // K = COUNTA of the class names
	titleRow  = 6      // block titles
	headRow   = 7      // class names
	firstData = 8      // the first image
)

// layout says where each block of the walk-through sheet starts (1-based
// column numbers); blocks of K columns are separated by an empty column.
type layout struct {
	n, k                                      int
	oneHot, smooth, logit, shift, exp, sumExp int
	prob, term, loss, nll, uniform, decomp    int
	last                                      int
	letters                                   []string // column names, 1-based
}

func newLayout(n, k int) (*layout, error) {
	l := &layout{n: n, k: k}
	col := 5 // A image, B target, C label, D empty
	block := func(width int) int {
		c := col
		col += width + 1
		return c
	}
	l.oneHot = block(k)
	l.smooth = block(k)
	l.logit = block(k)
	l.shift = col
	col++
	l.exp = block(k)
	l.sumExp = col - 1 // right after exp: the block above reserved its gap for it
	col++
	l.prob = block(k)
	l.term = block(k)
	l.loss = col
	l.nll, l.uniform, l.decomp = col+1, col+2, col+3
	l.last = col + 3
	if l.last > SheetMaxColumns {
		return nil, tooLarge("%d classes need %d columns on the walk-through sheet, more than a sheet's %d (at most %d classes)",
			k, l.last, SheetMaxColumns, (SheetMaxColumns-16)/6)
	}
	if firstData-1+n > SheetMaxRows {
		return nil, tooLarge("%d rows need %d sheet rows, more than a sheet's %d", n, firstData-1+n, SheetMaxRows)
	}
	if n*k > MaxLogits {
		return nil, tooLarge("%d × %d logits (rows × classes): more than %d for a walk-through workbook", n, k, MaxLogits)
	}
	l.letters = make([]string, l.last+1)
	for c := 1; c <= l.last; c++ {
		l.letters[c], _ = excelize.ColumnNumberToName(c)
	}
	return l, nil
}

// ref is a relative reference such as "E8"; abs a column-absolute one, "$E8".
func (l *layout) ref(col, row int) string { return l.letters[col] + strconv.Itoa(row) }
func (l *layout) abs(col, row int) string { return "$" + l.letters[col] + strconv.Itoa(row) }

// span is a row's range of a K-wide block, "$L8:$M8".
func (l *layout) span(col, row int) string { return l.abs(col, row) + ":" + l.abs(col+l.k-1, row) }

// header is the class names' range of a block, "$L$7:$M$7".
func (l *layout) header(col int) string {
	return "$" + l.letters[col] + "$" + strconv.Itoa(headRow) + ":$" + l.letters[col+l.k-1] + "$" + strconv.Itoa(headRow)
}

// styles of the workbook's cells.
type styles struct {
	title, bold, note, number, integer, input, inputInt, text int
}

func newStyles(f *excelize.File) (*styles, error) {
	four, zero := "0.0000", "0"
	input := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFF2CC"}}
	defs := []*excelize.Style{
		{Font: &excelize.Font{Bold: true, Size: 13}},
		{Font: &excelize.Font{Bold: true}},
		{Font: &excelize.Font{Italic: true, Color: "595959"}},
		{CustomNumFmt: &four},
		{CustomNumFmt: &zero},
		{CustomNumFmt: &four, Fill: input},
		{CustomNumFmt: &zero, Fill: input},
		{NumFmt: 49}, // @: text
	}
	ids := make([]int, len(defs))
	for i, d := range defs {
		id, err := f.NewStyle(d)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return &styles{ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7]}, nil
}

// WriteXLSX writes the walk-through as a workbook: a sheet of labelled
// blocks, left to right as in the write-up, whose cells hold live formulas with
// their cached values, and a sheet comparing the spreadsheet's losses with
// the library's. Editing ε, a target or a logit recomputes every table.
// Inputs beyond a sheet's size or MaxLogits return an ErrTooLarge error
// before anything is written.
func (w *Walkthrough) WriteXLSX(out io.Writer) error {
	l, err := newLayout(w.Input.N, w.Input.K)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(fastZip)
	if err := f.SetSheetName("Sheet1", SheetWalkthrough); err != nil {
		return err
	}
	if _, err := f.NewSheet(SheetLibrary); err != nil {
		return err
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := w.writeWalkthrough(f, l, st); err != nil {
		return err
	}
	if err := w.writeLibrary(f, l, st); err != nil {
		return err
	}
	// Excel recomputes everything on opening; the cached values serve
	// viewers that never compute.
	if err := f.SetCalcProps(&excelize.CalcPropsOptions{FullCalcOnLoad: new(true), CalcMode: new("auto")}); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(out)
}

// fastZip compresses with flate.BestSpeed: for a large walk-through, the
// default level takes most of the writing time for a file about 25% smaller.
func fastZip(w io.Writer) excelize.ZipWriter {
	z := zip.NewWriter(w)
	z.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return z
}

// SaveXLSX writes the workbook to path through a temporary file in the same
// directory, so that a failure never leaves a broken file behind (see
// internal/outfile).
func (w *Walkthrough) SaveXLSX(path string) error {
	return outfile.Write(path, w.WriteXLSX)
}

func (w *Walkthrough) writeWalkthrough(f *excelize.File, l *layout, st *styles) error {
	in := w.Input
	n, k := in.N, in.K
	sw, err := f.NewStreamWriter(SheetWalkthrough)
	if err != nil {
		return err
	}
	nameWidth := 10.0
	for _, s := range in.Images {
		nameWidth = max(nameWidth, float64(len([]rune(s)))+2)
	}
	if err := sw.SetColWidth(1, 1, min(nameWidth, 60)); err != nil {
		return err
	}
	// Only column A gets a width: excelize's stream writer splits column
	// ranges into one entry per column and scans them for every cell written.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 3, YSplit: headRow, TopLeftCell: l.ref(5, firstData), ActivePane: "bottomRight"}); err != nil {
		return err
	}
	text := func(s string, style int) excelize.Cell { return excelize.Cell{StyleID: style, Value: s} }

	// Title, parameters and notes.
	rows := [][]any{
		{text("Label-smoothing cross-entropy, step by step, left to right as in the spreadsheet of Aman Arora's \"Label Smoothing Explained using Microsoft Excel\" (18 July 2020); label smoothing: Szegedy et al. 2016, §7", st.title)},
		{text("Yellow cells are inputs: edit ε, a target or a logit and every table recomputes.", st.note)},
		{text("ε", st.bold), excelize.Cell{StyleID: st.input, Value: in.Epsilon}, text("label smoothing", st.note)},
		{text("K", st.bold), excelize.Cell{StyleID: st.integer, Formula: "COUNTA(" + l.header(l.logit) + ")", Value: k},
			text("classes: COUNTA of the class names", st.note)},
		{text("Logs are natural logs: LN. Never LOG, which is base 10 in Excel (the write-up's own pitfall).", st.note)},
	}
	for i, r := range rows {
		if err := sw.SetRow("A"+strconv.Itoa(i+1), r); err != nil {
			return err
		}
	}

	// Block titles and class-name headers.
	titles := make([]any, l.last)
	put := func(col int, s string) { titles[col-1] = text(s, st.bold) }
	put(1, "image")
	put(2, "target")
	put(3, "label")
	put(l.oneHot, "1. one-hot labels")
	put(l.smooth, "2. smoothed q' = (1−ε)·one-hot + ε/K")
	put(l.logit, "3. logits")
	put(l.shift, "m (shift)")
	put(l.exp, "4. exp(logit − m)")
	put(l.sumExp, "5. Σexp")
	put(l.prob, "6. probabilities p = exp/Σexp")
	put(l.term, "7. −q'·ln p, ln p = logit − m − LN(Σexp) (LN, never LOG)")
	put(l.loss, "8. loss")
	put(l.nll, "9. H(q,p)")
	put(l.uniform, "H(u,p)")
	put(l.decomp, "(1−ε)·H(q,p) + ε·H(u,p)")
	if err := sw.SetRow(l.ref(1, titleRow), titles); err != nil {
		return err
	}
	head := make([]any, l.last)
	for _, b := range []int{l.oneHot, l.smooth, l.logit, l.exp, l.prob, l.term} {
		for c, name := range in.Classes {
			head[b+c-1] = text(name, st.bold)
		}
	}
	head[l.shift-1] = text("m = max if |max| > "+strconv.Itoa(Shift), st.note)
	if err := sw.SetRow(l.ref(1, headRow), head); err != nil {
		return err
	}

	// One row per image: one scalar step per cell.
	row := make([]any, l.last)
	cells := make([]excelize.Cell, l.last)
	set := func(col, style int, formula string, v any) {
		cells[col-1] = excelize.Cell{StyleID: style, Formula: formula, Value: v}
		row[col-1] = &cells[col-1]
	}
	classIndex := make([]string, k)
	for c := range classIndex {
		classIndex[c] = strconv.Itoa(c)
	}
	for i := range n {
		r := firstData + i
		rs := strconv.Itoa(r)
		clear(row)
		y := in.Targets[i]
		logits := l.span(l.logit, r)
		set(1, st.text, "", in.Images[i])
		set(2, st.inputInt, "", y)
		set(3, st.text, "INDEX("+l.header(l.logit)+",1,$B"+rs+"+1)", in.Classes[y])
		// One concatenation per formula: a 1,000 × 1,000 input writes five
		// million of them.
		L, bR := l.letters, "$B"+rs
		shiftR, sumR := "$"+L[l.shift]+rs, "$"+L[l.sumExp]+rs
		for c := range k {
			j := i*k + c
			set(l.oneHot+c, st.integer, "IF("+bR+"="+classIndex[c]+",1,0)", int(w.OneHot[j]))
			set(l.smooth+c, st.number, "(1-"+epsCell+")*"+L[l.oneHot+c]+rs+"+"+epsCell+"/"+kCell, w.Smoothed[j])
			set(l.logit+c, st.input, "", in.Logits[j])
			set(l.exp+c, st.number, "EXP("+L[l.logit+c]+rs+"-"+shiftR+")", w.Exp[j])
			set(l.prob+c, st.number, L[l.exp+c]+rs+"/"+sumR, w.Prob[j])
			set(l.term+c, st.number, "-"+L[l.smooth+c]+rs+"*("+L[l.logit+c]+rs+"-"+shiftR+"-LN("+sumR+"))", w.Terms[j])
		}
		set(l.shift, st.number, "IF(ABS(MAX("+logits+"))>"+strconv.Itoa(Shift)+",MAX("+logits+"),0)", w.Shift[i])
		set(l.sumExp, st.number, "SUM("+l.span(l.exp, r)+")", w.SumExp[i])
		set(l.loss, st.number, "SUM("+l.span(l.term, r)+")", w.Loss[i])
		lse := "LN(" + l.abs(l.sumExp, r) + ")+" + l.abs(l.shift, r)
		set(l.nll, st.number, lse+"-INDEX("+logits+",1,$B"+rs+"+1)", w.NLL[i])
		set(l.uniform, st.number, lse+"-AVERAGE("+logits+")", w.Uniform[i])
		set(l.decomp, st.number, "(1-"+epsCell+")*"+l.abs(l.nll, r)+"+"+epsCell+"*"+l.abs(l.uniform, r), w.Decomposed[i])
		if err := sw.SetRow("A"+rs, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// The Library sheet's layout: a header row, then one row per image.
const (
	libHead  = 5
	libFirst = 6
)

func (w *Walkthrough) writeLibrary(f *excelize.File, l *layout, st *styles) error {
	in := w.Input
	sw, err := f.NewStreamWriter(SheetLibrary)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 6, 16); err != nil {
		return err
	}
	last := strconv.Itoa(libFirst + in.N - 1)
	diffs := "$E$" + strconv.Itoa(libFirst) + ":$E$" + last
	text := func(s string, style int) excelize.Cell { return excelize.Cell{StyleID: style, Value: s} }
	verdict := "differ"
	if w.Match() {
		verdict = "match"
	}
	rows := [][]any{
		{text("10. The spreadsheet's losses next to the library's (lsce.CrossEntropy, reduction none: the fastai/PyTorch semantics)", st.title)},
		{text("The library column was computed for the inputs as written (ε = "+short(in.Epsilon)+"); edit an input and the spreadsheet side moves away from it.", st.note)},
		{text("tolerance", st.bold), excelize.Cell{Value: Tolerance}, text("largest difference", st.bold),
			excelize.Cell{Formula: "MAX(" + diffs + ")", Value: w.MaxDiff}, excelize.Cell{StyleID: st.bold, Formula: "IF(D3<=B3,\"match\",\"differ\")", Value: verdict}},
		nil,
		{text("image", st.bold), text("target", st.bold), text("spreadsheet loss", st.bold), text("library loss", st.bold), text("|difference| / max(1, |library|)", st.bold)},
	}
	for i, r := range rows {
		if r == nil {
			continue
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+1), r); err != nil {
			return err
		}
	}
	for i := range in.N {
		r := libFirst + i
		rs := strconv.Itoa(r)
		b := w.Library[i]
		d := math.Abs(w.Loss[i]-b) / max(1, math.Abs(b))
		err := sw.SetRow("A"+rs, []any{
			text(in.Images[i], st.text),
			excelize.Cell{Formula: SheetWalkthrough + "!$B" + strconv.Itoa(firstData+i), Value: in.Targets[i]},
			excelize.Cell{StyleID: st.number, Formula: SheetWalkthrough + "!" + l.abs(l.loss, firstData+i), Value: w.Loss[i]},
			excelize.Cell{StyleID: st.number, Value: w.Library[i]},
			excelize.Cell{Formula: "ABS(C" + rs + "-D" + rs + ")/MAX(1,ABS(D" + rs + "))", Value: d},
		})
		if err != nil {
			return err
		}
	}
	return sw.Flush()
}
