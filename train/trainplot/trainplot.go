// Package trainplot draws the figures of the training experiment with
// gonum/plot: training curves and the penultimate-layer projection of
// Müller, Kornblith & Hinton 2019 (Fig. 1). Reliability diagrams come from
// package calib/reliability.
package trainplot

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// palette holds distinguishable line colours (Okabe–Ito).
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255},
	color.RGBA{213, 94, 0, 255},
	color.RGBA{0, 158, 115, 255},
	color.RGBA{204, 121, 167, 255},
	color.RGBA{230, 159, 0, 255},
	color.RGBA{86, 180, 233, 255},
	color.RGBA{0, 0, 0, 255},
}

// Color returns the i-th colour of the palette, cycling.
func Color(i int) color.Color { return palette[i%len(palette)] }

// Curve is one run's per-epoch history.
type Curve struct {
	Label              string
	TrainLoss, TestNLL []float64
	TestAccuracy       []float64
}

// Curves writes a PNG with two panels side by side: the training loss and
// the test NLL per epoch (left), and the test accuracy per epoch (right), one
// colour per curve.
func Curves(path, title string, curves []Curve) error {
	loss := plot.New()
	loss.Title.Text = title + ": loss"
	loss.X.Label.Text = "epoch"
	loss.Y.Label.Text = "training loss (solid), test NLL (dashed)"
	acc := plot.New()
	acc.Title.Text = title + ": test accuracy"
	acc.X.Label.Text = "epoch"
	acc.Y.Label.Text = "accuracy"
	for i, c := range curves {
		col := Color(i)
		for _, s := range []struct {
			p      *plot.Plot
			v      []float64
			dashed bool
			legend bool
		}{{loss, c.TrainLoss, false, true}, {loss, c.TestNLL, true, false}, {acc, c.TestAccuracy, false, true}} {
			xy := make(plotter.XYs, len(s.v))
			for e, v := range s.v {
				xy[e] = plotter.XY{X: float64(e + 1), Y: v}
			}
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return err
			}
			l.Color, pts.Color = col, col
			pts.Radius = vg.Points(2)
			if s.dashed {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			s.p.Add(l, pts)
			if s.legend {
				s.p.Legend.Add(c.Label, l)
			}
		}
	}
	loss.Legend.Top = true
	acc.Legend.Top = false
	acc.Legend.Left = false
	return saveRow(path, 10*vg.Inch, 4*vg.Inch, []*plot.Plot{loss, acc})
}

// Panel is one scatter of projected features.
type Panel struct {
	Title  string
	Points [][2]float64
	Labels []int
}

// Projection writes a PNG with one scatter panel per entry, points coloured
// by label (up to three labels, named by names[label] in the legend).
func Projection(path string, panels []Panel, classes [3]int, names func(int) string) error {
	var plots []*plot.Plot
	for _, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		for ci, cl := range classes {
			var xy plotter.XYs
			for i, l := range pn.Labels {
				if l == cl {
					xy = append(xy, plotter.XY{X: pn.Points[i][0], Y: pn.Points[i][1]})
				}
			}
			if len(xy) == 0 {
				continue
			}
			s, err := plotter.NewScatter(xy)
			if err != nil {
				return err
			}
			s.GlyphStyle.Color = Color(ci)
			s.GlyphStyle.Radius = vg.Points(1.2)
			s.GlyphStyle.Shape = draw.CircleGlyph{}
			p.Add(s)
			p.Legend.Add(names(cl), s)
		}
		p.Legend.Top = true
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return nil
	}
	return saveRow(path, vg.Length(len(plots))*4*vg.Inch, 4*vg.Inch, plots)
}

// saveRow draws plots side by side into one PNG.
func saveRow(path string, w, h vg.Length, plots []*plot.Plot) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	return savePNG(path, img)
}
