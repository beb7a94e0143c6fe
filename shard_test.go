package lsce_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/resultcheck"
	"pgregory.net/rapid"
)

// shardProblem is a random whole-row problem and a random split of its
// classes into shards.
type shardProblem struct {
	rows, classes int
	logits        []float64
	targets       []int
	probs         []float64
	mask          []bool // nil, C or rows×C
	cuts          []int  // shard boundaries: 0 = cuts[0] < … < cuts[len-1] = classes
	opt           lsce.Options
}

func drawShardProblem(t *rapid.T) shardProblem {
	p := shardProblem{
		rows:    rapid.IntRange(1, 6).Draw(t, "rows"),
		classes: rapid.IntRange(1, 24).Draw(t, "classes"),
	}
	n, c := p.rows, p.classes
	p.logits = make([]float64, n*c)
	for i := range p.logits {
		p.logits[i] = rapid.Float64Range(-8, 8).Draw(t, "z")
	}
	switch rapid.IntRange(0, 2).Draw(t, "maskKind") {
	case 1:
		p.mask = make([]bool, c)
	case 2:
		p.mask = make([]bool, n*c)
	}
	for i := range p.mask {
		p.mask[i] = rapid.Float64Range(0, 1).Draw(t, "allow") < 0.7
	}
	allowed := func(i, k int) bool {
		switch len(p.mask) {
		case 0:
			return true
		case c:
			return p.mask[k]
		}
		return p.mask[i*c+k]
	}
	// Every row keeps at least one allowed class.
	for i := range n {
		ok := false
		for k := range c {
			ok = ok || allowed(i, k)
		}
		if !ok {
			k := rapid.IntRange(0, c-1).Draw(t, "force")
			if len(p.mask) == c {
				p.mask[k] = true
			} else {
				p.mask[i*c+k] = true
			}
		}
	}
	for i := range n {
		for k := range c {
			if !allowed(i, k) && rapid.Bool().Draw(t, "neginf") {
				p.logits[i*c+k] = math.Inf(-1)
			}
		}
	}
	opt := lsce.Options{
		Epsilon:   rapid.Float64Range(0, 1).Draw(t, "eps"),
		Reduction: lsce.Reduction(rapid.IntRange(0, 2).Draw(t, "reduction")),
		Variant:   lsce.Variant(rapid.IntRange(0, 1).Draw(t, "variant")),
		ZeroFloor: rapid.Bool().Draw(t, "floor"),
	}
	if rapid.Bool().Draw(t, "zloss") {
		opt.ZLoss = rapid.Float64Range(0, 0.1).Draw(t, "lambda")
	}
	if rapid.Bool().Draw(t, "softcap") {
		opt.SoftCap = rapid.Float64Range(0.5, 10).Draw(t, "cap")
	}
	if rapid.Bool().Draw(t, "weighted") {
		opt.Weight = make([]float64, c)
		for k := range opt.Weight {
			// float32-exact, as the core's float32 kernels round weights to T.
			opt.Weight[k] = float64(float32(rapid.Float64Range(0, 3).Draw(t, "w")))
		}
	}
	if rapid.Bool().Draw(t, "probs") {
		p.probs = make([]float64, n*c)
		for i := range n {
			var s float64
			for k := range c {
				if allowed(i, k) {
					p.probs[i*c+k] = rapid.Float64Range(0, 1).Draw(t, "q")
					s += p.probs[i*c+k]
				}
			}
			for k := range c {
				if s > 0 {
					p.probs[i*c+k] /= s
				}
			}
		}
	} else {
		if rapid.Bool().Draw(t, "customIgnore") {
			opt.IgnoreIndex = new(-1)
		}
		ign := opt.IgnoreIndex
		p.targets = make([]int, n)
		for i := range n {
			var ok []int
			for k := range c {
				if allowed(i, k) {
					ok = append(ok, k)
				}
			}
			p.targets[i] = rapid.SampledFrom(ok).Draw(t, "y")
			if rapid.Float64Range(0, 1).Draw(t, "ignore") < 0.2 {
				p.targets[i] = lsce.DefaultIgnoreIndex
				if ign != nil {
					p.targets[i] = *ign
				}
			}
		}
	}
	p.opt = opt
	// Shard boundaries: a random set of cut points, empty shards allowed.
	cuts := []int{0, c}
	for range rapid.IntRange(0, 5).Draw(t, "shards") {
		cuts = append(cuts, rapid.IntRange(0, c).Draw(t, "cut"))
	}
	slices.Sort(cuts)
	p.cuts = cuts
	return p
}

// shardOf returns shard j of the problem: its columns of every per-class
// slice, converted to T.
func shardOf[T lsce.Float](p *shardProblem, j int) lsce.Shard[T] {
	lo, hi := p.cuts[j], p.cuts[j+1]
	cols := func(src []float64) []T {
		if src == nil {
			return nil
		}
		out := make([]T, 0, p.rows*(hi-lo))
		for i := range p.rows {
			for _, v := range src[i*p.classes+lo : i*p.classes+hi] {
				out = append(out, T(v))
			}
		}
		return out
	}
	s := lsce.Shard[T]{Logits: cols(p.logits), Rows: p.rows, Classes: p.classes, Start: lo, Stop: hi,
		Targets: p.targets, Probs: cols(p.probs)}
	switch len(p.mask) {
	case 0:
	case p.classes:
		s.Mask = p.mask[lo:hi]
	default:
		for i := range p.rows {
			s.Mask = append(s.Mask, p.mask[i*p.classes+lo:i*p.classes+hi]...)
		}
		if s.Mask == nil {
			s.Mask = []bool{}
		}
	}
	return s
}

// allowedCounts is the first all-reduce for probability targets with
// ZeroFloor and a mask: each row's K, summed over the shards' statistics.
func allowedCounts(stats [][]lsce.RowStats, rows int) []int {
	k := make([]int, rows)
	for _, st := range stats {
		for i := range rows {
			k[i] += int(st[i].K)
		}
	}
	return k
}

// TestShardedEqualsWhole: over random problems, random shard splits and a
// random merge tree, the sharded loss, its parts and the concatenated
// gradient equal CrossEntropyGrad on the whole rows (itself checked against
// PyTorch in options_golden_test.go) to float rounding.
func TestShardedEqualsWhole(t *testing.T) {
	// float64: sums of at most 24 terms of size ≲ 10 in another order, and
	// exp rescaling in the merge: 1e-10 relative is generous.
	rapid.Check(t, func(t *rapid.T) { checkSharded[float64](t, drawShardProblem(t), 1e-10) })
}

// TestShardedEqualsWhole32: the same on float32 logits (statistics are
// float64 in both paths; the gradient is rounded to float32, 6e-8).
func TestShardedEqualsWhole32(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkSharded[float32](t, drawShardProblem(t), 1e-6) })
}

func checkSharded[T lsce.Float](t *rapid.T, p shardProblem, tol float64) {
	whole := lsce.Input[T]{Logits: conv[T](p.logits), Shape: []int{p.rows, p.classes}, Targets: p.targets, Probs: conv[T](p.probs)}
	wopt := p.opt
	wopt.ClassMask = p.mask
	wantGrad := make([]T, len(p.logits))
	want, wantErr := lsce.CrossEntropyGrad(wantGrad, whole, wopt)
	got, grads, err := runSharded[T](t, &p)
	// Bad input (a float32 gradient that would overflow, …) must be an error
	// of the same kind both ways.
	if wantErr != nil || err != nil {
		var we, ge *lsce.Error
		if !errors.As(wantErr, &we) || !errors.As(err, &ge) || we.Kind != ge.Kind {
			t.Fatalf("whole: %v; sharded: %v", wantErr, err)
		}
		return
	}
	if err := resultcheck.Diff(got, want, tol, true); err != nil {
		t.Fatal(err)
	}
	// Tiny weights under Mean make the gradient large: compare relative to it.
	gmax := 1.0
	for _, g := range wantGrad {
		gmax = math.Max(gmax, math.Abs(float64(g)))
	}
	for j, g := range grads {
		lo, width := p.cuts[j], p.cuts[j+1]-p.cuts[j]
		for i := range p.rows {
			for c := range width {
				g, w := g[i*width+c], wantGrad[i*p.classes+lo+c]
				if d := math.Abs(float64(g - w)); d > tol*gmax || math.IsNaN(d) {
					t.Fatalf("grad row %d class %d = %.15g, want %.15g", i, lo+c, g, w)
				}
			}
		}
	}
}

// runSharded runs the protocol over the problem's shards: statistics (after
// the K all-reduce when needed), a merge in a random order as a random tree,
// the loss, and each shard's gradient slice written in place.
func runSharded[T lsce.Float](t *rapid.T, p *shardProblem) (*lsce.Result, [][]T, error) {
	shards := len(p.cuts) - 1
	stats := make([][]lsce.RowStats, shards)
	needK := p.probs != nil && p.opt.ZeroFloor && p.mask != nil
	for j := range shards {
		stats[j] = make([]lsce.RowStats, p.rows)
		if needK { // K from a statistics pass without the floor
			o := p.opt
			o.ZeroFloor = false
			if err := shardOf[T](p, j).Stats(stats[j], o); err != nil {
				return nil, nil, err
			}
		}
	}
	var allowed []int
	if needK {
		allowed = allowedCounts(stats, p.rows)
	}
	for j := range shards {
		s := shardOf[T](p, j)
		s.Allowed = allowed
		if err := s.Stats(stats[j], p.opt); err != nil {
			return nil, nil, err
		}
	}
	order := rapid.Permutation(stats).Draw(t, "order")
	for len(order) > 1 {
		k := rapid.IntRange(0, len(order)-2).Draw(t, "pair")
		m := make([]lsce.RowStats, p.rows)
		if err := lsce.MergeStats(m, order[k], order[k+1]); err != nil {
			t.Fatal(err)
		}
		order = append(order[:k], append([][]lsce.RowStats{m}, order[k+2:]...)...)
	}
	merged := order[0]
	res, err := lsce.ShardLoss(merged, p.targets, p.opt)
	if err != nil {
		return nil, nil, err
	}
	grads := make([][]T, shards)
	for j := range shards {
		s := shardOf[T](p, j)
		s.Allowed = allowed
		if err := s.Grad(s.Logits, merged, p.opt); err != nil {
			return nil, nil, err
		}
		grads[j] = s.Logits
	}
	return res, grads, nil
}

// conv converts to T (nil stays nil).
func conv[T lsce.Float](x []float64) []T {
	if x == nil {
		return nil
	}
	out := make([]T, len(x))
	for i, v := range x {
		out[i] = T(v)
	}
	return out
}

// TestMergeAssociative: Merge is associative and commutative to rounding and
// the zero RowStats is its identity, also for shards far below the max.
func TestMergeAssociative(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		draw := func(name string) lsce.RowStats {
			if rapid.Bool().Draw(t, name+"empty") {
				return lsce.RowStats{}
			}
			return lsce.RowStats{
				Max:    rapid.Float64Range(-1e4, 1e4).Draw(t, name+"max"),
				SumExp: rapid.Float64Range(1, 100).Draw(t, name+"s"),
				SumWZ:  rapid.Float64Range(-100, 100).Draw(t, name+"swz"),
				K:      float64(rapid.IntRange(1, 100).Draw(t, name+"k")),
			}
		}
		a, b, c := draw("a"), draw("b"), draw("c")
		x, y := a.Merge(b).Merge(c), c.Merge(a.Merge(b.Merge(lsce.RowStats{})))
		if x.K > 0 && math.Abs(x.LSE()-y.LSE()) > 1e-12*math.Max(1, math.Abs(x.LSE())) {
			t.Fatalf("LSE %v vs %v", x.LSE(), y.LSE())
		}
		if math.Abs(x.SumWZ-y.SumWZ) > 1e-12 || x.K != y.K {
			t.Fatalf("sums differ: %+v vs %+v", x, y)
		}
	})
}

// TestShardErrors: bad shards are errors naming the row and global class.
func TestShardErrors(t *testing.T) {
	s := lsce.Shard[float32]{Logits: []float32{1, 2, float32(math.NaN()), 0}, Rows: 2, Classes: 5, Start: 2, Stop: 4, Targets: []int{0, 1}}
	st := make([]lsce.RowStats, 2)
	var le *lsce.Error
	if err := s.Stats(st, lsce.Options{}); !errors.As(err, &le) || le.Row != 1 || le.Class != 2 {
		t.Errorf("NaN: %v, want row 1, class 2", err)
	}
	s.Logits[2] = 0
	s.Targets = []int{0, 7}
	if err := s.Stats(st, lsce.Options{}); !errors.Is(err, lsce.ErrTarget) {
		t.Errorf("target 7 of 5 classes: %v", err)
	}
	s.Targets = []int{3, 0}
	s.Mask = []bool{true, false}
	if err := s.Stats(st, lsce.Options{}); !errors.As(err, &le) || le.Row != 0 || le.Class != 3 {
		t.Errorf("target in a masked class: %v, want row 0, class 3", err)
	}
	s.Mask = nil
	s.Stop = 6
	if err := s.Stats(st, lsce.Options{}); !errors.Is(err, lsce.ErrShape) {
		t.Errorf("stop beyond classes: %v", err)
	}
	if _, err := lsce.ShardLoss([]lsce.RowStats{{}}, []int{0}, lsce.Options{}); !errors.Is(err, lsce.ErrTarget) {
		t.Errorf("a row no shard contributed to: %v", err)
	}
}
