package trainplot

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// decode checks that path is a PNG of the given size in pixels.
func decode(t *testing.T, path string, w, h int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s is %d×%d pixels, want %d×%d", path, b.Dx(), b.Dy(), w, h)
	}
}

func TestCurvesAndProjection(t *testing.T) {
	dir := t.TempDir()
	curves := []Curve{
		{Label: "ε = 0", TrainLoss: []float64{0.3, 0.1}, TestNLL: []float64{0.2, 0.1}, TestAccuracy: []float64{0.95, 0.97}},
		{Label: "ε = 0.1", TrainLoss: []float64{0.7, 0.6}, TestNLL: []float64{0.3, 0.2}, TestAccuracy: []float64{0.96, 0.975}},
	}
	// vgimg draws at 96 dots per inch: 10×4 inches.
	p := filepath.Join(dir, "curves.png")
	if err := Curves(p, "test", curves); err != nil {
		t.Fatal(err)
	}
	decode(t, p, 960, 384)

	panels := []Panel{
		{Title: "a", Points: [][2]float64{{0, 0}, {1, 1}, {2, 0}}, Labels: []int{0, 1, 2}},
		{Title: "b", Points: [][2]float64{{0, 1}, {1, 0}}, Labels: []int{0, 7}}, // label 7 is not drawn
	}
	p = filepath.Join(dir, "projection.png")
	if err := Projection(p, panels, [3]int{0, 1, 2}, func(k int) string { return fmt.Sprint(k) }); err != nil {
		t.Fatal(err)
	}
	decode(t, p, 768, 384)

	if err := Curves(filepath.Join(dir, "no", "such", "dir.png"), "x", curves); err == nil {
		t.Error("writing into a missing directory: no error")
	}
}
