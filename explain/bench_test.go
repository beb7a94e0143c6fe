package explain

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// BenchmarkWriteXLSX measures the workbook of a 1,000 × 1,000 input, the
// size the issue asks to be written in seconds: about five million formula
// cells, 83 MB. The reference, in the same run, writes the same number of
// cells as plain numbers with the same stream writer and compression, so
// the ratio is the price of the formulas (longer cells to escape, format and
// compress).
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
	b.Run("impl=walkthrough/N=1000/K=1000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cw := &countWriter{}
			if err := w.WriteXLSX(cw); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(cw.n)/1e6, "MB")
		}
	})
	b.Run("impl=plain-values/N=1000/K=1000", func(b *testing.B) {
		b.ReportAllocs()
		l, _ := newLayout(in.N, in.K)
		for b.Loop() {
			cw := &countWriter{}
			if err := writePlain(cw, w, l); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(cw.n)/1e6, "MB")
		}
	})
}

// writePlain writes as many numeric cells as the walk-through sheet holds,
// without formulas.
func writePlain(out *countWriter, w *Walkthrough, l *layout) error {
	f := excelize.NewFile()
	defer f.Close()
	f.SetZipWriter(fastZip)
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	k := w.Input.K
	row := make([]any, l.last)
	for i := range w.Input.N {
		for c := range k {
			j := i*k + c
			row[l.oneHot+c-1] = w.OneHot[j]
			row[l.smooth+c-1] = w.Smoothed[j]
			row[l.logit+c-1] = w.Input.Logits[j]
			row[l.exp+c-1] = w.Exp[j]
			row[l.prob+c-1] = w.Prob[j]
			row[l.term+c-1] = w.Terms[j]
		}
		if err := sw.SetRow("A"+strconv.Itoa(firstData+i), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(out)
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
