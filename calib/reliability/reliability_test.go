package reliability

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsce/lsce/calib"
)

// report is a small over-confident case: logits 3·s with targets drawn from
// softmax(s), generated deterministically.
func report(t *testing.T) *calib.Report {
	t.Helper()
	const n, c = 3000, 5
	z := make([]float64, n*c)
	y := make([]int, n)
	state := uint64(1)
	next := func() float64 { // xorshift, uniform in [0, 1)
		state ^= state << 13
		state ^= state >> 7
		state ^= state << 17
		return float64(state>>11) / (1 << 53)
	}
	for i := range n {
		for k := range c {
			z[i*c+k] = 3 * (4*next() - 2)
		}
		y[i] = int(next() * c)
		if next() < 0.5 { // half the rows: the target is the top logit
			best := 0
			for k := range c {
				if z[i*c+k] > z[i*c+best] {
					best = k
				}
			}
			y[i] = best
		}
	}
	r, err := calib.Evaluate(z, n, c, y, calib.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSavePNG(t *testing.T) {
	r := report(t)
	path := filepath.Join(t.TempDir(), "rel.png")
	if err := Save(path, Before(r), After(r)); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Two panels of 3.4 × 4.9 inches at 200 dpi.
	if b := img.Bounds(); b.Dx() != 1360 || b.Dy() != 980 {
		t.Errorf("image is %d×%d, want 1360×980", b.Dx(), b.Dy())
	}
	// The accuracy bars cover a good part of the picture: count their blue.
	blue := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 0x10 && g>>8 > 0x60 && g>>8 < 0x80 && bl>>8 > 0xa8 && bl>>8 < 0xbc {
				blue++
			}
		}
	}
	if frac := float64(blue) / float64(b.Dx()*b.Dy()); frac < 0.05 {
		t.Errorf("only %.1f%% of the pixels are bar blue", 100*frac)
	}
}

func TestSaveSVG(t *testing.T) {
	r := report(t)
	path := filepath.Join(t.TempDir(), "rel.svg")
	if err := Save(path, Before(r), After(r)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(bytes.TrimSpace(data), []byte("<?xml")) || !bytes.Contains(data, []byte("<svg")) {
		t.Fatalf("%s is not SVG: %.80q", path, data)
	}
	// The titles are text, with the ECE of each panel.
	for _, m := range []calib.Metrics{r.Metrics, r.Calibrated} {
		if sub := subtitle(m); !strings.Contains(string(data), sub) {
			t.Errorf("the SVG has no title %q", sub)
		}
	}
}

func TestErrors(t *testing.T) {
	r := report(t)
	dir := t.TempDir()
	if err := Save(filepath.Join(dir, "rel.pdf"), Before(r)); err == nil {
		t.Error("a .pdf name: no error")
	}
	if err := Save(filepath.Join(dir, "rel.png")); err == nil {
		t.Error("no panels: no error")
	}
	if err := Save(filepath.Join(dir, "rel.png"), Panel{Title: "empty"}); err == nil {
		t.Error("a panel without bins: no error")
	}
	if err := Save(filepath.Join(dir, "no", "such", "dir.png"), Before(r)); err == nil {
		t.Error("an impossible path: no error")
	}
	for _, name := range []string{"a.PNG", "b.svg"} {
		if _, err := FormatOf(name); err != nil {
			t.Errorf("FormatOf(%q): %v", name, err)
		}
	}
}

func TestSubtitle(t *testing.T) {
	m := calib.Metrics{ECE: 0.123456, MCE: 0.5, Temperature: 1}
	if s, want := subtitle(m), "ECE = 12.35%   MCE = 50.00%"; s != want {
		t.Errorf("subtitle %q, want %q", s, want)
	}
	m.Temperature = 2.71828
	if s, want := subtitle(m), "ECE = 12.35%   MCE = 50.00%   T = 2.718"; s != want {
		t.Errorf("subtitle %q, want %q", s, want)
	}
}

func TestNiceMax(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{{0, 1}, {0.7, 1}, {1.3, 2}, {2.2, 2.5}, {3, 5}, {47, 50}, {108, 200}, {9.9, 10}} {
		if got := niceMax(tc.in); got != tc.want {
			t.Errorf("niceMax(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
