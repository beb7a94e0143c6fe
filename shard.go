package lsce

import (
	"fmt"
	"math"

	"github.com/lsce/lsce/internal/rowmath"
)

// Shard is one rank's slice [Start, Stop) of the classes of Rows rows of
// Classes classes each, for vocabulary-parallel training: each rank holds the
// logits of its own classes only, and the ranks exchange a few scalars per
// row instead of the logits. The protocol is
//
//  1. every rank calls Stats on its shard, filling one RowStats per row;
//  2. the ranks combine their RowStats with MergeStats (an all-reduce; the
//     merge is associative and commutative, so any order or tree will do);
//  3. any rank calls ShardLoss on the merged statistics for the losses, and
//     every rank calls Grad for its slice of the gradient.
//
// The results equal CrossEntropy and CrossEntropyGrad on the whole rows to
// float rounding, for every option: weights, ignore index, both variants,
// every reduction, z-loss, soft-capping, class masks and the zero-floor form.
// In particular the smoothing term uses the whole row's K (the allowed count
// over every shard) and Σ_c w_c·z_c over every shard, not the local shard's
// (the local-K bug of Megatron-LM's vocab-parallel smoothing, issues #737 and
// #7464).
//
// Only (N, C) rows are sharded (the language-model layout); Options.ClassMask
// must be nil: a shard's slice of the mask is given in Mask instead.
// Options.Weight, when set, holds all Classes weights on every rank.
type Shard[T Float] struct {
	// Logits holds Rows × (Stop − Start) values, row-major: the shard's columns.
	Logits []T
	// Rows is the number of rows (elements); Classes the number of classes of
	// a whole row, over all shards.
	Rows, Classes int
	// Start and Stop delimit the shard's classes: [Start, Stop).
	Start, Stop int
	// Targets holds one global class index per row (or the ignore index), the
	// same on every rank; nil for probability targets.
	Targets []int
	// Probs holds the probability targets of the shard's columns, in the
	// shape of Logits; nil for index targets.
	Probs []T
	// Mask, when non-nil, is the shard's slice of the class mask: Stop − Start
	// values (one mask for every row) or Rows × (Stop − Start) (one per row).
	Mask []bool
	// Allowed is needed only for probability targets with ZeroFloor and a
	// mask: the allowed count K of each row over all shards (the sum of the
	// shards' RowStats.K, one more all-reduce before Stats), since the floor
	// H(q̃) needs K before it can be summed. Ignored otherwise.
	Allowed []int
}

// RowStats is the payload one row contributes per rank: eight float64
// scalars, all summed across ranks except Max and SumExp, which combine as a
// log-sum-exp. For a shard S of a row with allowed classes A, soft-capped
// logits z, weights w (1 without Weight) and target y (or probabilities q):
//
//	Max    = max_{c∈S∩A} z_c                   (0 when S∩A is empty)
//	SumExp = Σ_{c∈S∩A} exp(z_c − Max)
//	SumWZ  = Σ_{c∈S∩A} w_c·z_c                 the smoothing term's Σz
//	SumW   = Σ_{c∈S∩A} w_c
//	K      = |S∩A|                             the allowed count
//	ZY     = z_y if y ∈ S, else 0              (probabilities: Σ w_c·q_c·z_c)
//	WQ     = w_y if y ∈ S, else 0              (probabilities: Σ w_c·q_c)
//	Floor  = 0                                 (probabilities with ZeroFloor:
//	                                            −Σ w_c·q̃_c·ln q̃_c)
//
// With index targets, no weights and no mask, SumW and K are the shard's
// width and WQ is [y ∈ S], so a system that merges by hand needs only four
// per row: Megatron-LM's max, Σexp and target logit plus the one scalar exact
// smoothing needs, Σ_c z_c (then set SumW = K = C and WQ = 1 in the merged
// RowStats). Ignored rows carry the zero RowStats, which is also the identity
// of Merge; a shard with no allowed class of a row contributes SumExp = 0.
type RowStats struct {
	Max, SumExp, SumWZ, SumW, K, ZY, WQ, Floor float64
}

// Merge returns the statistics of the union of two disjoint class sets:
//
//	Max    = max(a.Max, b.Max)
//	SumExp = a.SumExp·exp(a.Max − Max) + b.SumExp·exp(b.Max − Max)
//	others = a + b
//
// It is associative and commutative up to float rounding, and the zero
// RowStats is its identity.
func (a RowStats) Merge(b RowStats) RowStats {
	r := RowStats{SumWZ: a.SumWZ + b.SumWZ, SumW: a.SumW + b.SumW, K: a.K + b.K,
		ZY: a.ZY + b.ZY, WQ: a.WQ + b.WQ, Floor: a.Floor + b.Floor}
	r.Max, r.SumExp = rowmath.Merge(a.Max, a.SumExp, b.Max, b.SumExp)
	return r
}

// LSE returns the row's log-sum-exp, Max + ln SumExp.
func (a RowStats) LSE() float64 { return a.Max + math.Log(a.SumExp) }

// MergeStats merges each of parts into dst, row by row: dst[i] =
// dst[i].Merge(p[i]). Every part must have len(dst) rows.
func MergeStats(dst []RowStats, parts ...[]RowStats) error {
	for _, p := range parts {
		if len(p) != len(dst) {
			return shapeError("merging statistics of %d rows into %d rows", len(p), len(dst))
		}
		for i := range dst {
			dst[i] = dst[i].Merge(p[i])
		}
	}
	return nil
}

// check validates the shard against opt.
func (s *Shard[T]) check(opt *Options) error {
	if s.Rows < 0 || s.Classes < 1 || s.Start < 0 || s.Start > s.Stop || s.Stop > s.Classes {
		return shapeError("shard [%d, %d) of %d classes and %d rows: want 0 ≤ start ≤ stop ≤ classes", s.Start, s.Stop, s.Classes, s.Rows)
	}
	width := s.Stop - s.Start
	if len(s.Logits) != s.Rows*width {
		return shapeError("shard holds %d logits, want %d rows × %d classes", len(s.Logits), s.Rows, width)
	}
	if err := opt.Validate(s.Classes); err != nil {
		return err
	}
	if opt.ClassMask != nil {
		return &Error{Kind: ErrOption, Row: -1, Class: -1, Msg: "Options.ClassMask with a shard: give the shard's slice in Shard.Mask"}
	}
	switch {
	case s.Targets != nil && s.Probs != nil:
		return shapeError("both class-index targets and probability targets given")
	case s.Probs != nil && len(s.Probs) != len(s.Logits):
		return shapeError("%d probability targets for %d logits", len(s.Probs), len(s.Logits))
	case s.Probs == nil && len(s.Targets) != s.Rows:
		return shapeError("%d targets for %d rows", len(s.Targets), s.Rows)
	}
	if m := s.Mask; m != nil && len(m) != width && len(m) != s.Rows*width {
		return shapeError("shard mask of %d values: want %d (one per class) or %d (per row)", len(m), width, s.Rows*width)
	}
	if s.Probs != nil && opt.ZeroFloor && s.Mask != nil && len(s.Allowed) != s.Rows {
		return shapeError("probability targets with ZeroFloor and a mask need Shard.Allowed, one count per row (got %d for %d rows)", len(s.Allowed), s.Rows)
	}
	return nil
}

// rowMask returns row i's slice of the shard's mask, or nil.
func (s *Shard[T]) rowMask(i int) []bool {
	width := s.Stop - s.Start
	if s.Mask == nil || len(s.Mask) == width {
		return s.Mask
	}
	return s.Mask[i*width : (i+1)*width]
}

// ignored reports whether row i is skipped.
func (s *Shard[T]) ignored(i, ign int) bool { return s.Targets != nil && s.Targets[i] == ign }

// Stats fills dst (one RowStats per row) with the shard's partial statistics.
// Errors name the row and the global class.
func (s Shard[T]) Stats(dst []RowStats, opt Options) error {
	if err := s.check(&opt); err != nil {
		return err
	}
	if len(dst) != s.Rows {
		return shapeError("%d statistics for %d rows", len(dst), s.Rows)
	}
	width, ign, capc, w := s.Stop-s.Start, opt.ignoreIndex(), opt.SoftCap, opt.Weight
	for i := range s.Rows {
		dst[i] = RowStats{}
		if s.ignored(i, ign) {
			continue
		}
		x := s.Logits[i*width : (i+1)*width]
		mask := s.rowMask(i)
		var q []T
		if s.Probs != nil {
			q = s.Probs[i*width : (i+1)*width]
		} else if y := s.Targets[i]; y < 0 || y >= s.Classes {
			return &Error{Kind: ErrTarget, Row: i, Class: -1, Msg: rowmath.TargetMsg(y, s.Classes, ign)}
		}
		v := classSweep[T]{x: x, q: q, n: width, first: s.Start, mask: mask, w: w, softCap: capc, stride: 1}
		st, err := v.stats(i)
		if err != nil {
			return err
		}
		if q != nil && opt.ZeroFloor {
			kr := s.Classes
			if s.Mask != nil {
				kr = s.Allowed[i]
			}
			if kr > 0 {
				st.Floor = v.floor(rowmath.Epsilon(opt.Epsilon, opt.Variant == Others, kr), kr)
			}
		}
		if q == nil {
			if y := s.Targets[i]; y >= s.Start && y < s.Stop {
				if mask != nil && !mask[y-s.Start] {
					return &Error{Kind: ErrTarget, Row: i, Class: y, Msg: fmt.Sprintf("target %d is a masked class", y)}
				}
				st.ZY = softCap(float64(x[y-s.Start]), capc)
				st.WQ = weightOf(w, y)
			}
		}
		if st.K == 0 {
			st.Max = 0 // the identity of Merge: no class of this row here
		}
		dst[i] = st
	}
	return nil
}

// softCap is c·tanh(z/c), or z for c = 0.
func softCap(z, c float64) float64 {
	if c > 0 {
		return c * math.Tanh(z/c)
	}
	return z
}

// shardScale returns the reduction's denominators for rows of targets (nil:
// probability targets), as CrossEntropy computes them.
func shardScale(rows int, targets []int, opt *Options) (denom float64, counted int, scale, zs float64) {
	if targets == nil {
		denom, counted = float64(rows), rows
	} else {
		ign := opt.ignoreIndex()
		for _, y := range targets {
			if y == ign {
				continue
			}
			counted++
			denom += weightOf(opt.Weight, y)
		}
	}
	scale, zs = rowmath.Scale(opt.Reduction == Mean, denom, counted)
	if opt.Reduction != Mean {
		denom = 1
	}
	return denom, counted, scale, zs
}

// ShardLoss returns the loss from the merged statistics of every shard, as
// CrossEntropy returns it for the whole rows. targets are the rows' global
// class indices (the same as every Shard's Targets), or nil for probability
// targets; merged holds one RowStats per row.
func ShardLoss(merged []RowStats, targets []int, opt Options) (*Result, error) {
	if opt.ClassMask != nil {
		return nil, &Error{Kind: ErrOption, Row: -1, Class: -1, Msg: "Options.ClassMask with sharded statistics: masks go in Shard.Mask"}
	}
	if targets != nil && len(targets) != len(merged) {
		return nil, shapeError("%d targets for %d rows of statistics", len(targets), len(merged))
	}
	if opt.Weight != nil {
		if err := opt.Validate(len(opt.Weight)); err != nil {
			return nil, err
		}
	} else if err := opt.Validate(0); err != nil {
		return nil, err
	}
	ign := opt.ignoreIndex()
	for i, y := range targets {
		if y != ign && (y < 0 || (opt.Weight != nil && y >= len(opt.Weight))) {
			return nil, &Error{Kind: ErrTarget, Row: i, Class: -1, Msg: fmt.Sprintf("target %d is out of range and is not the ignore index %d", y, ign)}
		}
	}
	r := &Result{LossShape: []int{len(merged)}}
	var scale, zs float64
	r.Denominator, r.Counted, scale, zs = shardScale(len(merged), targets, &opt)
	if opt.Reduction == None {
		r.Losses = make([]float64, len(merged))
		r.NLLs = make([]float64, len(merged))
		r.Smooths = make([]float64, len(merged))
	}
	var t sums
	for i, st := range merged {
		if targets != nil && targets[i] == ign {
			t.add(r, i, parts{})
			continue
		}
		lse := st.LSE()
		switch {
		case st.K < 1 || st.SumExp == 0:
			return nil, maskedError(i)
		case !finite(lse) || !finite(st.SumWZ) || !finite(st.ZY):
			return nil, &Error{Kind: ErrNonFinite, Row: i, Class: -1, Msg: fmt.Sprintf("the logits of this row overflow (log-sum-exp %v, Σ w·z %v)", lse, st.SumWZ)}
		}
		k := int(st.K)
		eps := rowmath.Epsilon(opt.Epsilon, opt.Variant == Others, k)
		if targets != nil {
			t.add(r, i, rowmath.Index(k, eps, lse, st.ZY, st.WQ, st.SumWZ, st.SumW, opt.ZLoss, opt.ZeroFloor))
		} else {
			t.add(r, i, rowmath.Soft(k, eps, lse, st.WQ, st.ZY, st.SumWZ, st.SumW, opt.ZLoss, st.Floor))
		}
	}
	if err := t.reduce(r, scale, zs); err != nil {
		return nil, err
	}
	return r, nil
}

// Grad writes the shard's slice of the gradient of the loss ShardLoss
// returns (of the reduced loss, or of the sum of the losses with None) into
// grad, which has the shape of Logits and may be Logits itself. merged holds
// the merged statistics of every shard, one per row.
func (s Shard[T]) Grad(grad []T, merged []RowStats, opt Options) error {
	if err := s.check(&opt); err != nil {
		return err
	}
	if len(grad) != len(s.Logits) {
		return shapeError("gradient buffer holds %d values, want %d", len(grad), len(s.Logits))
	}
	if len(merged) != s.Rows {
		return shapeError("%d merged statistics for %d rows", len(merged), s.Rows)
	}
	denom, _, scale, zs := shardScale(s.Rows, s.Targets, &opt)
	// As CrossEntropyGrad: an index target's gradient is at most scale·max w
	// and must fit T; probability targets are checked per value below.
	if s.Targets != nil {
		if err := gradBound[T](opt.Weight, scale, denom); err != nil {
			return err
		}
	}
	width, ign, capc, w := s.Stop-s.Start, opt.ignoreIndex(), opt.SoftCap, opt.Weight
	for i := range s.Rows {
		g := grad[i*width : (i+1)*width]
		if s.ignored(i, ign) {
			clear(g)
			continue
		}
		st := merged[i]
		if st.K < 1 || st.SumExp == 0 {
			return maskedError(i)
		}
		x := s.Logits[i*width : (i+1)*width]
		mask := s.rowMask(i)
		k := int(st.K)
		eps := rowmath.Epsilon(opt.Epsilon, opt.Variant == Others, k)
		u := eps / st.K
		y := -1
		wq := st.WQ
		if s.Probs == nil {
			y = s.Targets[i]
			wq = weightOf(w, y)
		}
		// g_c = (Σ w q̃·scale + 2λ·LSE·zs)·p_c − w_c·q̃_c·scale, times the
		// soft-cap's derivative 1 − (z_c/c)².
		lse := st.LSE()
		a, _ := rowmath.Coef(k, eps, wq, st.SumW, st.SumExp, lse, scale, zs, opt.ZLoss)
		for c, v := range x {
			if mask != nil && !mask[c] {
				g[c] = 0
				continue
			}
			z, wc := softCap(float64(v), capc), weightOf(w, s.Start+c)
			qc := u
			switch {
			case s.Probs != nil:
				qc += (1 - eps) * float64(s.Probs[i*width+c])
			case s.Start+c == y:
				qc += 1 - eps
			}
			d := rowmath.ClassGrad(a, z, st.Max, wc, qc, scale, capc)
			if !(math.Abs(d) <= maxFinite[T]()) {
				return &Error{Kind: ErrProbability, Row: i, Class: s.Start + c, Msg: fmt.Sprintf("the gradient %g overflows %T: probability targets or weights too large", d, T(0))}
			}
			g[c] = T(d)
		}
	}
	return nil
}
