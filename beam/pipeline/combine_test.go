package pipeline

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lsce/lsce/calib"
)

func newTestAccumulator(t testing.TB, classes int) *calib.Accumulator {
	t.Helper()
	a, err := calib.NewAccumulator(classes, calib.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPartCoder: the three kinds of part survive the coder; a corrupt
// encoding is an error.
func TestPartCoder(t *testing.T) {
	a := newTestAccumulator(t, 3)
	if err := calib.Add(a, 0, []float64{1, 2, 3, 0, 0, 1}, []int{2, 0}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []part{{}, {acc: a}, {bad: &badRow{3, 1 << 40, "s03.logits.npy: row 1099511627776: logit is NaN"}}} {
		data, err := encodePart(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := decodePart(data)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(q.bad, p.bad) || (p.acc == nil) != (q.acc == nil) || (p.acc != nil && !reflect.DeepEqual(q.acc.Metrics(), p.acc.Metrics())) {
			t.Errorf("part %+v came back as %+v", p, q)
		}
	}
	good, _ := encodePart(part{acc: a})
	for _, data := range [][]byte{nil, {9}, {partEmpty, 0}, {partBad}, {partBad, 0x80}, good[:len(good)-1]} {
		if _, err := decodePart(data); err == nil || !strings.Contains(err.Error(), "corrupt") {
			t.Errorf("decodePart(%x): %v, want an error", data, err)
		}
	}
}

// TestMergeKeepsFirstBadRow: merging in any order reports the bad row first
// in shard and row order, and statistics never hide one.
func TestMergeKeepsFirstBadRow(t *testing.T) {
	f := &evalFn{Classes: 3}
	a := part{acc: newTestAccumulator(t, 3)}
	early, late := part{bad: &badRow{1, 9, "early"}}, part{bad: &badRow{2, 0, "late"}}
	earlier := part{bad: &badRow{1, 3, "earlier"}}
	for _, order := range [][]part{{a, late, early, earlier}, {earlier, a, early, late}, {late, earlier, a, early}} {
		acc := f.CreateAccumulator()
		for _, p := range order {
			var err error
			if acc, err = f.MergeAccumulators(acc, p); err != nil {
				t.Fatal(err)
			}
		}
		if acc.bad == nil || acc.bad.Msg != "earlier" || acc.acc != nil {
			t.Errorf("merged %v: %+v, want the earlier bad row alone", order, acc)
		}
	}
}
