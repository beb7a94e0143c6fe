package explain

import (
	"io"
	"math/rand/v2"
	"testing"
)

// BenchmarkWriteXLSX measures the workbook of a 1,000 × 1,000 input, the
// size the issue asks to be written in seconds (about 5.0M formula cells).
func BenchmarkWriteXLSX(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	in := Input{N: 1000, K: 1000, Epsilon: 0.1}
	for range in.N * in.K {
		in.Logits = append(in.Logits, 3*r.NormFloat64())
	}
	for range in.N {
		in.Targets = append(in.Targets, r.IntN(in.K))
	}
	w, err := New(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cw := &countWriter{}
		if err := w.WriteXLSX(cw); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(cw.n)/1e6, "MB")
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
