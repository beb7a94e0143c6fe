package calib

import (
	"bytes"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// chunkAccumulators accumulates z, y (c classes) at temperature T in chunks
// of the given sizes, one Accumulator each, and all of it in one more.
func chunkAccumulators(t testing.TB, z []float32, y []int, c int, opt Options, sizes []int) (parts []*Accumulator, whole *Accumulator) {
	t.Helper()
	whole, err := NewAccumulator(c, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := Add(whole, 0, z, y); err != nil {
		t.Fatal(err)
	}
	row := 0
	for _, n := range sizes {
		n = min(n, len(y)-row)
		a, err := NewAccumulator(c, opt)
		if err != nil {
			t.Fatal(err)
		}
		if err := Add(a, row, z[row*c:(row+n)*c], y[row:row+n]); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, a)
		row += n
	}
	if row != len(y) {
		t.Fatalf("chunk sizes cover %d of %d rows", row, len(y))
	}
	return parts, whole
}

// TestEncodingRoundTrip: accumulators of chunks, encoded, decoded and merged
// in reverse order, equal the accumulator of all the rows added at once:
// the same metrics bit for bit and the same encoding. At T = 1 (with the
// loss) and T = 2.5 (without), with a sum of each sign.
func TestEncodingRoundTrip(t *testing.T) {
	g, z, y := loadOverconfident(t)
	for _, opt := range []Options{{Epsilon: 0.1, Bins: g.Bins}, {Epsilon: 0.1, Bins: 7, Temperature: 2.5}} {
		parts, whole := chunkAccumulators(t, z, y, g.Classes, opt, []int{0, 1, 4999, 3, 7000, 20000})
		merged, err := NewAccumulator(g.Classes, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i := len(parts) - 1; i >= 0; i-- {
			data, err := parts[i].MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var d Accumulator
			if err := d.UnmarshalBinary(data); err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			if !reflect.DeepEqual(d.Metrics(), parts[i].Metrics()) {
				t.Errorf("part %d: metrics changed by the round trip", i)
			}
			if err := merged.Merge(&d); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := merged.Metrics(), whole.Metrics(); !reflect.DeepEqual(got, want) {
			t.Errorf("T = %v: merged decoded parts\n%+v\nwant\n%+v", opt.Temperature, got, want)
		}
		gl, gok := merged.Loss()
		wl, wok := whole.Loss()
		if gl != wl || gok != wok {
			t.Errorf("loss %v %v, want %v %v", gl, gok, wl, wok)
		}
		if got, want := fitDerivatives(merged), fitDerivatives(whole); got != want {
			t.Errorf("derivatives %v, want %v", got, want)
		}
		a, _ := merged.MarshalBinary()
		b, _ := whole.MarshalBinary()
		if !bytes.Equal(a, b) {
			t.Errorf("T = %v: equal statistics, different encodings", opt.Temperature)
		}
		if len(b) > 200+100*whole.bins {
			t.Errorf("encoding of %d bins takes %d bytes", whole.bins, len(b))
		}
		if whole.grad.negative() == whole.curv.negative() && whole.grad0.negative() == whole.curv.negative() {
			t.Errorf("want a negative sum among dNLL/dβ (%v) and its value at 0 (%v) to test the sign", whole.grad.float64(), whole.grad0.float64())
		}
	}
}

func fitDerivatives(a *Accumulator) [4]float64 {
	f, g, h, g0 := a.derivatives()
	return [4]float64{f, g, h, g0}
}

// TestEncodingEmpty: an empty Accumulator survives the round trip and still
// takes rows.
func TestEncodingEmpty(t *testing.T) {
	a, _ := NewAccumulator(3, Options{})
	data, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var d Accumulator
	if err := d.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if err := Add(&d, 0, []float64{1, 2, 3}, []int{2}); err != nil {
		t.Fatal(err)
	}
	if d.Rows() != 1 || d.Metrics().Accuracy != 1 {
		t.Errorf("decoded empty Accumulator: %d rows, accuracy %v after one correct row", d.Rows(), d.Metrics().Accuracy)
	}
}

// TestEncodingErrors: every truncation, trailing bytes, another version and
// encodings of impossible statistics are ErrEncoding errors that leave the
// Accumulator unchanged.
func TestEncodingErrors(t *testing.T) {
	g, z, y := loadOverconfident(t)
	_, whole := chunkAccumulators(t, z[:100*g.Classes], y[:100], g.Classes, Options{Bins: 4}, []int{100})
	good, _ := whole.MarshalBinary()
	var target Accumulator
	for n := range len(good) {
		if err := target.UnmarshalBinary(good[:n]); !errors.Is(err, ErrEncoding) {
			t.Fatalf("truncated to %d of %d bytes: %v", n, len(good), err)
		}
	}
	if !reflect.DeepEqual(target, Accumulator{}) {
		t.Error("a failed decode changed the Accumulator")
	}
	mutate := func(f func(a *Accumulator)) []byte {
		c, _ := NewAccumulator(g.Classes, Options{Bins: 4})
		if err := c.Merge(whole); err != nil {
			t.Fatal(err)
		}
		f(c)
		b, _ := c.MarshalBinary()
		return b
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"trailing byte", append(append([]byte{}, good...), 0), "bytes after the last bin"},
		{"version 2", append([]byte("lsceAcc\x02"), good[8:]...), "version 2"},
		{"no magic", []byte("PK\x03\x04 not an accumulator"), "magic"},
		{"one class", mutate(func(a *Accumulator) { a.classes = 1 }), "1 classes"},
		{"zero bins", mutate(func(a *Accumulator) { a.bins = 0 }), "0 bins"},
		{"temperature NaN", mutate(func(a *Accumulator) { a.beta = math.NaN() }), "1/T = NaN"},
		{"epsilon 2", mutate(func(a *Accumulator) { a.eps = 2 }), "epsilon 2"},
		{"more correct than rows", mutate(func(a *Accumulator) { a.correct = a.rows + 1 }), "correct"},
		{"bins miss a row", mutate(func(a *Accumulator) { a.rows++; a.top5++ }), "the bins hold"},
		{"bin overfull", mutate(func(a *Accumulator) { a.binCorrect[3] = a.binCount[3] + 1 }), "bin 3"},
		{"negative nll", mutate(func(a *Accumulator) { a.nll = exactSum{}; a.nll.add(-1) }), "nll sum is negative"},
		{"confidence above 1", mutate(func(a *Accumulator) { a.binConf[3].add(float64(a.binCount[3]) + 1) }), "confidence sum"},
		{"loss away from T = 1", mutate(func(a *Accumulator) { a.beta = 0.5; a.withLoss = false; a.loss.add(1) }), "loss sum"},
		{"sum beyond float64", mutate(func(a *Accumulator) {
			for range 4 {
				a.gap.add(math.MaxFloat64)
			}
		}), "beyond the float64 range"},
	}
	for _, c := range cases {
		err := target.UnmarshalBinary(c.data)
		if !errors.Is(err, ErrEncoding) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrEncoding with %q", c.name, err, c.want)
		}
	}
	// Sums not in the canonical form.
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"signed zero", []byte{1, 0, 0}, "a zero written with sign 1"},
		{"zero end limb", []byte{0, 3, 2, 1, 0}, "limb 4 = 0"},
		{"limb of 2^32", []byte{0, 3, 1, 0x80, 0x80, 0x80, 0x80, 0x10}, "limb 3 = 4294967296"},
		{"past the top limb", []byte{0, 67, 2, 1, 1}, "limbs 67"},
		{"truncated limb", []byte{0, 3, 2, 1}, "truncated"},
	} {
		d := decoder{b: c.data}
		var s exactSum
		d.sum(&s, "sum")
		if !errors.Is(d.err, ErrEncoding) || !strings.Contains(d.err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrEncoding with %q", c.name, d.err, c.want)
		}
	}
}

// FuzzUnmarshalBinary: any bytes decode to an error or to an Accumulator
// whose encoding is the same bytes (the form is canonical), whose metrics are
// finite, and which merges with its own kind.
func FuzzUnmarshalBinary(f *testing.F) {
	a, _ := NewAccumulator(3, Options{Bins: 3, Epsilon: 0.1})
	_ = Add(a, 0, []float64{2, 0, -1, 0, 1, 5, 3, 3, 3}, []int{0, 0, 2})
	seed, _ := a.MarshalBinary()
	f.Add(seed)
	b, _ := NewAccumulator(2, Options{Bins: 1, Temperature: 3})
	_ = Add(b, 0, []float32{-1e30, 1e30}, []int{0})
	seed, _ = b.MarshalBinary()
	f.Add(seed)
	f.Add([]byte("lsceAcc\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d Accumulator
		if err := d.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrEncoding) {
				t.Fatalf("error %v is not ErrEncoding", err)
			}
			return
		}
		again, err := d.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("decoded and encoded again: %x, %v; want %x", again, err, data)
		}
		m := d.Metrics()
		for _, v := range []float64{m.Accuracy, m.Top5Accuracy, m.NLL, m.ECE, m.MCE, m.Brier, m.Confidence, m.LogitGap} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite metric in %+v", m)
			}
		}
		if err := d.Merge(&d); err != nil {
			t.Fatal(err)
		}
	})
}
