// Package reliability draws reliability diagrams (Guo et al. 2017, figure 1)
// from calib metrics with gonum.org/v1/plot: for each panel, the accuracy of
// every confidence bin as a bar against the diagonal of perfect calibration,
// the gap to the bin's mean confidence shaded, the ECE in the title, and
// below it a histogram of how many samples fall in each bin with the mean
// confidence and the accuracy marked. Panels sit side by side: before and
// after temperature scaling, or one per label smoothing ε.
package reliability

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/internal/outfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Panel is one reliability diagram.
type Panel struct {
	// Title is the first line of the panel's title; the second gives the
	// ECE (and the temperature when it is not 1).
	Title string
	// Metrics are the binned statistics to draw.
	Metrics calib.Metrics
}

// Before is the panel of a report's logits as given.
func Before(r *calib.Report) Panel {
	return Panel{Title: "Before temperature scaling", Metrics: r.Metrics}
}

// After is the panel of a report's logits divided by the fitted temperature.
func After(r *calib.Report) Panel {
	return Panel{Title: "After temperature scaling", Metrics: r.Calibrated}
}

// Format is an output format.
type Format string

const (
	PNG Format = "png"
	SVG Format = "svg"
)

// FormatOf returns the format named by path's extension (.png or .svg).
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		return PNG, nil
	case ".svg":
		return SVG, nil
	}
	return "", fmt.Errorf("%s: want a .png or .svg file name", path)
}

// Colours (Okabe–Ito, readable by colour-blind readers and in grey).
var (
	barFill   = color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xff} // blue
	barEdge   = color.NRGBA{R: 0x00, G: 0x3f, B: 0x66, A: 0xff}
	gapFill   = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0x59} // vermillion, 35%
	gapEdge   = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xff}
	histFill  = color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
	confColor = color.NRGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xff}
	accColor  = color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xff}
	diagColor = color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff}
	gridColor = color.NRGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
)

// Sizes of one panel.
const (
	panelWidth  = 3.4 * vg.Inch
	panelHeight = 4.9 * vg.Inch
	histShare   = 0.31 // fraction of the panel's height for the histogram
	dpi         = 200
)

// Save writes the panels side by side to path, as PNG or SVG by its
// extension. The file is replaced atomically: a failed write leaves the
// previous file as it was (see internal/outfile).
func Save(path string, panels ...Panel) error {
	fm, err := FormatOf(path)
	if err != nil {
		return err
	}
	if len(panels) == 0 {
		return fmt.Errorf("%s: no panels to draw", path)
	}
	w, h := vg.Length(len(panels))*panelWidth, panelHeight
	var c vg.CanvasWriterTo
	switch fm {
	case PNG:
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi))}
	case SVG:
		c = vgsvg.New(w, h)
	}
	if err := Draw(draw.New(c), panels...); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return outfile.Write(path, func(w io.Writer) error {
		_, err := c.WriteTo(w)
		return err
	})
}

// Draw draws the panels side by side on dc.
func Draw(dc draw.Canvas, panels ...Panel) error {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	width := (dc.Max.X - dc.Min.X) / vg.Length(len(panels))
	for i, p := range panels {
		col := dc
		col.Min.X = dc.Min.X + vg.Length(i)*width
		col.Max.X = col.Min.X + width
		if err := drawPanel(col, p, i == 0); err != nil {
			return err
		}
	}
	return nil
}

// drawPanel draws one column: the diagram on top, the histogram below, with
// their data areas aligned.
func drawPanel(c draw.Canvas, p Panel, yLabels bool) error {
	m := p.Metrics
	if len(m.Bins) == 0 {
		return fmt.Errorf("panel %q has no bins", p.Title)
	}
	top, err := diagram(p, yLabels)
	if err != nil {
		return err
	}
	hist, err := histogram(m, yLabels)
	if err != nil {
		return err
	}
	pad := 0.06 * vg.Inch
	c = draw.Crop(c, pad, -pad-0.12*vg.Inch, pad, -pad) // room for the last tick label
	split := c.Min.Y + vg.Length(histShare)*(c.Max.Y-c.Min.Y)
	tc, hc := c, c
	tc.Min.Y = split
	hc.Max.Y = split - 0.05*vg.Inch
	// Align the histogram's data area under the diagram's.
	td, hd := top.DataCanvas(tc), hist.DataCanvas(hc)
	hc.Min.X += td.Min.X - hd.Min.X
	hc.Max.X += td.Max.X - hd.Max.X
	top.Draw(tc)
	hist.Draw(hc)
	return nil
}

func styleAxes(p *plot.Plot) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = 10
		a.Tick.Label.Font.Size = 8.5
		a.Padding = 0
	}
	p.Title.TextStyle.Font.Size = 10.5
	p.Title.Padding = 0.08 * vg.Inch
	p.Legend.TextStyle.Font.Size = 8.5
	p.Legend.Padding = vg.Points(2)
}

// unitTicks marks 0, 0.2, …, 1 with minor ticks at the tenths.
type unitTicks struct{ bare bool }

func (u unitTicks) Ticks(min, max float64) []plot.Tick {
	var t []plot.Tick
	for i := 0; i <= 10; i++ {
		v := float64(i) / 10
		if v < min-1e-9 || v > max+1e-9 {
			continue
		}
		label := ""
		if i%2 == 0 && !u.bare {
			label = fmt.Sprintf("%.1f", v)
		}
		t = append(t, plot.Tick{Value: v, Label: label})
	}
	return t
}

func rect(x0, y0, x1, y1 float64) plotter.XYs {
	return plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
}

// diagram is the reliability diagram proper.
func diagram(pn Panel, yLabels bool) (*plot.Plot, error) {
	m := pn.Metrics
	p := plot.New()
	styleAxes(p)
	p.Title.Text = pn.Title + "\n" + subtitle(m)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	p.X.Tick.Marker, p.Y.Tick.Marker = unitTicks{}, unitTicks{}
	p.Y.Label.Text = "Accuracy"
	if !yLabels {
		p.Y.Label.Text = " "
	}
	p.X.Tick.Marker = unitTicks{bare: true} // the histogram below labels x
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = gridColor, gridColor
	p.Add(g)
	var bars, gaps *plotter.Polygon
	for _, b := range m.Bins {
		if b.Count == 0 {
			continue
		}
		bar, err := plotter.NewPolygon(rect(b.Lo, 0, b.Hi, b.Accuracy))
		if err != nil {
			return nil, err
		}
		bar.Color = barFill
		bar.LineStyle.Color = barEdge
		bar.LineStyle.Width = vg.Points(0.6)
		p.Add(bar)
		bars = bar
	}
	for _, b := range m.Bins {
		if b.Count == 0 || b.Accuracy == b.Confidence {
			continue
		}
		gap, err := plotter.NewPolygon(rect(b.Lo, b.Accuracy, b.Hi, b.Confidence))
		if err != nil {
			return nil, err
		}
		gap.Color = gapFill
		gap.LineStyle.Color = gapEdge
		gap.LineStyle.Width = vg.Points(0.6)
		gap.LineStyle.Dashes = []vg.Length{vg.Points(2), vg.Points(1.5)}
		p.Add(gap)
		gaps = gap
	}
	diag, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	diag.LineStyle.Color = diagColor
	diag.LineStyle.Width = vg.Points(1)
	diag.LineStyle.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(diag)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = 0.06*vg.Inch, -0.06*vg.Inch
	p.Legend.ThumbnailWidth = 0.3 * vg.Inch
	if bars != nil {
		p.Legend.Add("Accuracy (outputs)", bars)
	}
	if gaps != nil {
		p.Legend.Add("Gap to mean confidence", gaps)
	}
	p.Legend.Add("Perfect calibration", diag)
	return p, nil
}

// subtitle gives ECE, MCE and the temperature.
func subtitle(m calib.Metrics) string {
	s := fmt.Sprintf("ECE = %.2f%%   MCE = %.2f%%", 100*m.ECE, 100*m.MCE)
	if m.Temperature != 1 {
		s += fmt.Sprintf("   T = %.4g", m.Temperature)
	}
	return s
}

// histogram shows the share of samples per bin, with the mean confidence
// and the accuracy as vertical lines (Guo et al.'s top row).
func histogram(m calib.Metrics, yLabels bool) (*plot.Plot, error) {
	p := plot.New()
	styleAxes(p)
	p.X.Min, p.X.Max, p.Y.Min = 0, 1, 0
	p.X.Tick.Marker = unitTicks{}
	p.X.Label.Text = "Confidence (max softmax probability)"
	p.Y.Label.Text = "% of samples"
	if !yLabels {
		p.Y.Label.Text = " "
	}
	top := 0.0
	for _, b := range m.Bins {
		if b.Count == 0 || m.Rows == 0 {
			continue
		}
		share := float64(b.Count) / float64(m.Rows)
		top = max(top, share)
		bar, err := plotter.NewPolygon(rect(b.Lo, 0, b.Hi, 100*share))
		if err != nil {
			return nil, err
		}
		bar.Color = histFill
		bar.LineStyle.Color = color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
		bar.LineStyle.Width = vg.Points(0.5)
		p.Add(bar)
	}
	// The data use the lower 60% of the height; the legend sits above them,
	// clear of the bars and the lines wherever they are.
	dataMax := min(niceMax(100*top*1.08), 100)
	p.Y.Max = dataMax / 0.6
	p.Y.Tick.Marker = percentTicks{upTo: dataMax}
	for _, v := range []struct {
		x     float64
		c     color.Color
		dash  []vg.Length
		label string
	}{
		{m.Accuracy, accColor, nil, fmt.Sprintf("Accuracy %.3f", m.Accuracy)},
		{m.Confidence, confColor, []vg.Length{vg.Points(3), vg.Points(2)}, fmt.Sprintf("Avg. confidence %.3f", m.Confidence)},
	} {
		l, err := plotter.NewLine(plotter.XYs{{X: v.x, Y: 0}, {X: v.x, Y: dataMax}})
		if err != nil {
			return nil, err
		}
		l.LineStyle.Color = v.c
		l.LineStyle.Width = vg.Points(1.4)
		l.LineStyle.Dashes = v.dash
		p.Add(l)
		p.Legend.Add(v.label, l)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = 0.06*vg.Inch, 0
	p.Legend.ThumbnailWidth = 0.3 * vg.Inch
	p.Legend.TextStyle.Font.Size = 8
	return p, nil
}

// niceMax rounds a percentage up to 1, 2, 2.5 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if f*e >= v {
			return f * e
		}
	}
	return 10 * e
}

// percentTicks puts about four labelled ticks on [0, upTo].
type percentTicks struct{ upTo float64 }

func (pt percentTicks) Ticks(min, max float64) []plot.Tick {
	step := niceMax(pt.upTo / 4)
	var t []plot.Tick
	for v := 0.0; v <= pt.upTo+1e-9; v += step {
		t = append(t, plot.Tick{Value: v, Label: fmt.Sprintf("%g", v)})
	}
	return t
}
