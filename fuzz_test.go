package lsce_test

// Fuzz target for the library's input path: bytes decode into a shape,
// logits (with NaN, ±Inf and huge values), targets (in and out of range),
// probability targets, weights and options (some out of their domain). For
// every input: no panic, every error is an *lsce.Error of a known kind, and
// without an error every number returned is finite.
//
//	go test -run '^$' -fuzz FuzzCrossEntropy -fuzztime 60s .

import (
	"errors"
	"math"
	"testing"

	"github.com/lsce/lsce"
)

// fuzzBytes hands out the fuzzer's bytes, then zeros.
type fuzzBytes struct{ b []byte }

func (f *fuzzBytes) next() byte {
	if len(f.b) == 0 {
		return 0
	}
	v := f.b[0]
	f.b = f.b[1:]
	return v
}

// logit decodes two bytes: mostly a value in [−128, 128), sometimes a special.
func (f *fuzzBytes) logit() float64 {
	hi, lo := f.next(), f.next()
	if hi == 0x80 { // specials
		return []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e308, -1e308, 3e38, -3e38, 3e4, -3e4, 1e-310, 0, -0.0}[int(lo)%12]
	}
	return float64(int16(uint16(hi)<<8|uint16(lo))) / 256
}

// special maps the top byte values to awkward numbers, the rest to b/scale.
func (f *fuzzBytes) special(scale float64, specials ...float64) float64 {
	b := f.next()
	if i := int(b) - (256 - len(specials)); i >= 0 {
		return specials[i]
	}
	return float64(b) / scale
}

var knownKinds = []error{lsce.ErrShape, lsce.ErrNonFinite, lsce.ErrTarget, lsce.ErrProbability, lsce.ErrWeight, lsce.ErrOption}

func FuzzCrossEntropy(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x00, 2, 5, 1, 0, 20, 0, 0, 1, 0})
	f.Add([]byte{0x1f, 3, 2, 2, 1, 200, 1, 1, 3, 1, 0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{0x2a, 4, 3, 2, 2, 255, 2, 2, 0, 2, 5, 1, 0x80, 1, 0x80, 2, 9, 9, 9, 9})
	f.Add([]byte{0x9d, 8, 5, 2, 2, 10, 0, 0, 2, 0, 250, 251, 252, 253, 254})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &fuzzBytes{data}
		flags := r.next()
		if flags&1 != 0 {
			fuzzOne[float32](t, flags, r)
		} else {
			fuzzOne[float64](t, flags, r)
		}
	})
}

func fuzzOne[T lsce.Float](t *testing.T, flags byte, r *fuzzBytes) {
	classLast := flags&2 != 0
	soft := flags&4 != 0
	weighted := flags&8 != 0
	gradMode := (flags >> 4) % 3 // 0: loss only, 1: separate buffer, 2: in place
	bad := flags&0x80 != 0       // perturb a length
	k := int(r.next() % 9)
	n := int(r.next() % 6)
	var shape []int
	switch r.next() % 4 {
	case 0:
		shape = []int{k}
	case 1:
		shape = []int{n, k}
	case 2:
		shape = []int{n, k, 1 + int(r.next()%3)}
	case 3:
		shape = []int{n, 1 + int(r.next()%2), k, 1 + int(r.next()%2)}
	}
	if classLast && len(shape) > 1 {
		// class-last reads the last axis as the classes: move k there.
		shape = append(append([]int{shape[0]}, shape[2:]...), k)
		if len(shape) == 4 {
			shape[1], shape[2] = shape[2], shape[1]
		}
	}
	opt := lsce.Options{ClassLast: classLast}
	opt.Epsilon = r.special(200, -0.1, 1.0000001, math.NaN(), math.Inf(1), 1, 0, 0.5)
	opt.Reduction = lsce.Reduction(r.next() % 4) // 3 is not a reduction
	opt.Variant = lsce.Variant(r.next() % 3)     // 2 is not a variant
	opt.Workers = int(r.next()%5) - 1            // −1 is bad
	switch r.next() % 3 {
	case 1:
		opt.IgnoreIndex = new(-1)
	case 2:
		opt.IgnoreIndex = new(int(r.next() % 9))
	}
	total := 1
	for _, d := range shape {
		total *= d
	}
	elements := 1
	for _, d := range lsce.TargetShape(shape, classLast) {
		elements *= d
	}
	in := lsce.Input[T]{Shape: shape, Logits: make([]T, total)}
	for i := range in.Logits {
		in.Logits[i] = T(r.logit())
	}
	if weighted {
		opt.Weight = make([]float64, k)
		for c := range opt.Weight {
			opt.Weight[c] = r.special(50, -1, math.NaN(), math.Inf(1), 1e308, 1e-300, 0)
		}
	}
	if soft {
		in.Probs = make([]T, total)
		for i := range in.Probs {
			in.Probs[i] = T(r.special(255, -0.5, math.NaN(), math.Inf(1), 3e38, 0))
		}
	} else {
		in.Targets = make([]int, elements)
		for i := range in.Targets {
			b := r.next()
			switch b {
			case 255:
				in.Targets[i] = lsce.DefaultIgnoreIndex
			case 254:
				in.Targets[i] = math.MaxInt
			default:
				in.Targets[i] = int(b)%(k+4) - 2 // [−2, k+1]
			}
		}
	}
	if bad {
		switch r.next() % 4 {
		case 0:
			if len(in.Logits) > 0 {
				in.Logits = in.Logits[1:]
			}
		case 1:
			in.Targets = append(in.Targets, 0)
		case 2:
			in.Shape = append(in.Shape, 2)
		case 3:
			opt.Weight = append(opt.Weight, 1)
		}
	}
	var grad []T
	switch gradMode {
	case 1:
		grad = make([]T, len(in.Logits))
	case 2:
		grad = in.Logits
	}
	res, err := lsce.CrossEntropyGrad(grad, in, opt)
	if err != nil {
		var le *lsce.Error
		if !errors.As(err, &le) {
			t.Fatalf("error %v (%T) is not an *lsce.Error", err, err)
		}
		known := false
		for _, k := range knownKinds {
			known = known || le.Kind == k
		}
		if !known || le.Msg == "" {
			t.Fatalf("error %q: unknown kind %v or empty message", err, le.Kind)
		}
		return
	}
	for name, v := range map[string]float64{"Loss": res.Loss, "NLL": res.NLL, "Smooth": res.Smooth, "Denominator": res.Denominator} {
		if !isFinite(v) {
			t.Fatalf("%s = %v without an error (shape %v, opt %+v)", name, v, in.Shape, opt)
		}
	}
	for i := range res.Losses {
		if !isFinite(res.Losses[i]) || !isFinite(res.NLLs[i]) || !isFinite(res.Smooths[i]) {
			t.Fatalf("element %d: loss %v, nll %v, smooth %v without an error", i, res.Losses[i], res.NLLs[i], res.Smooths[i])
		}
	}
	for i, g := range grad {
		if v := float64(g); !isFinite(v) {
			t.Fatalf("grad[%d] = %v without an error (shape %v, opt %+v)", i, v, in.Shape, opt)
		}
	}
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
