package train

import (
	"math"

	"github.com/lsce/lsce"
)

// Project returns the penultimate-layer activations of the rows of x (n of
// them, labels y) whose label is one of classes, projected onto the plane
// through the three classes' templates, with their labels: the visualisation
// of Müller, Kornblith & Hinton 2019 ("When does label smoothing help?",
// Fig. 1). A class's template is its column of the last weight matrix; the
// plane's orthonormal basis comes from Gram–Schmidt on t1 − t0 and t2 − t0.
// The network needs a hidden layer.
func Project[T lsce.Float](m *MLP[T], x []T, n int, y []int, classes [3]int) (points [][2]float64, labels []int) {
	L := m.Layers()
	if L < 2 {
		return nil, nil
	}
	d, C := m.Sizes[L-1], m.Classes()
	w := m.W[L-1]
	tmpl := func(k int) []float64 {
		t := make([]float64, d)
		for i := range d {
			t[i] = float64(w[i*C+k])
		}
		return t
	}
	t0, t1, t2 := tmpl(classes[0]), tmpl(classes[1]), tmpl(classes[2])
	e1, e2 := make([]float64, d), make([]float64, d)
	for i := range d {
		e1[i] = t1[i] - t0[i]
		e2[i] = t2[i] - t0[i]
	}
	normalize(e1)
	dot := 0.0
	for i := range d {
		dot += e2[i] * e1[i]
	}
	for i := range d {
		e2[i] -= dot * e1[i]
	}
	normalize(e2)
	var rows []T
	keep := func(c int) bool { return c == classes[0] || c == classes[1] || c == classes[2] }
	in := m.Sizes[0]
	for r := range n {
		if keep(y[r]) {
			rows = append(rows, x[r*in:(r+1)*in]...)
			labels = append(labels, y[r])
		}
	}
	h := m.Layer(rows, len(labels), L-1)
	for r := range labels {
		var p [2]float64
		for i, v := range h[r*d : (r+1)*d] {
			p[0] += float64(v) * e1[i]
			p[1] += float64(v) * e2[i]
		}
		points = append(points, p)
	}
	return points, labels
}

func normalize(v []float64) {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	if s = math.Sqrt(s); s > 0 {
		for i := range v {
			v[i] /= s
		}
	}
}
