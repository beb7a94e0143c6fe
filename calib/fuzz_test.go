package calib

import (
	"encoding/binary"
	"math"
	"testing"
)

// FuzzEvaluate: any logits and targets give either an error or finite
// metrics (no panic, no NaN), and bins stay consistent with the row count.
func FuzzEvaluate(f *testing.F) {
	f.Add(uint8(3), uint8(4), []byte{0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 1, 2, 0, 1})
	f.Add(uint8(2), uint8(1), []byte{0, 0, 192, 127, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, c, bins uint8, data []byte) {
		classes := int(c%8) + 1
		n := len(data) / (4*classes + 1)
		z := make([]float32, n*classes)
		for i := range z {
			z[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		y := make([]int, n)
		for i := range y {
			y[i] = int(int8(data[4*len(z)+i])) % 9
		}
		r, err := Evaluate(z, n, classes, y, Options{Bins: int(bins % 20)})
		if err != nil {
			return
		}
		for _, m := range []Metrics{r.Metrics, r.Calibrated} {
			total := 0
			for _, b := range m.Bins {
				total += b.Count
			}
			if total != n {
				t.Fatalf("bins hold %d rows of %d", total, n)
			}
			for _, v := range []float64{m.Accuracy, m.NLL, m.ECE, m.MCE, m.Brier, m.Confidence, m.LogitGap, r.Loss, r.Temperature} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite metric in %+v", m)
				}
			}
		}
	})
}
