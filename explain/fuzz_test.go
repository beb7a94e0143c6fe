package explain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/lsce/lsce"
)

// FuzzNew feeds arbitrary logits, targets, names and ε to New and the text
// renderers: no panic, only *lsce.Error for bad input, and every accepted
// input matches the library.
func FuzzNew(f *testing.F) {
	seed := func(k int, eps float64, names string, vals ...float64) {
		var b []byte
		for _, v := range vals {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		f.Add(b, k, eps, names, []byte{0, 1, 0, 0, 0})
	}
	seed(2, 0.1, "cat,dog", 4.2, -2.4, 1.6, -0.6, 3.6, 1.2, -0.5, 0.5, -0.25, 1.7)
	seed(3, 0.2, "=1,+a,@b", 750, 749, -750, -900, -905.5, -899.25)
	seed(1, 1, "", 1e308, -1e308)
	seed(2, math.NaN(), "a,a", math.Inf(1), 0)
	f.Fuzz(func(t *testing.T, raw []byte, k int, eps float64, names string, targets []byte) {
		if k <= 0 || k > 64 || len(raw) > 8*512 {
			return
		}
		var logits []float64
		for i := 0; i+8 <= len(raw); i += 8 {
			logits = append(logits, math.Float64frombits(binary.LittleEndian.Uint64(raw[i:])))
		}
		n := len(logits) / k
		logits = logits[:n*k]
		in := Input{Logits: logits, N: n, K: k, Epsilon: eps}
		for i := range n {
			y := 0
			if i < len(targets) {
				y = int(int8(targets[i]))
			}
			in.Targets = append(in.Targets, y)
		}
		if names != "" {
			in.Classes = strings.Split(names, ",")
		}
		w, err := New(in)
		if err != nil {
			var le *lsce.Error
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not an *lsce.Error", err)
			}
			return
		}
		if !w.Match() {
			t.Fatalf("no match with the library: %v in row %d", w.MaxDiff, w.MaxDiffRow)
		}
		var b bytes.Buffer
		if err := w.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteMarkdown(&b); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteCSV(&b); err != nil {
			t.Fatal(err)
		}
	})
}
