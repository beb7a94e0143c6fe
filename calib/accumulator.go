package calib

import (
	"fmt"
	"math"

	"github.com/lsce/lsce"
)

// Accumulator gathers the statistics of rows of logits at one temperature,
// chunk by chunk, in memory that does not grow with the number of rows
// (about 0.6 KB per bin plus three rows of float64 scratch). Accumulators of disjoint
// chunks merge exactly: counts are integers and every sum is kept exact
// (a fixed-point accumulator covering the float64 range, rounded once when
// read), so the same rows give bit-identical metrics whatever the chunking,
// the order of the chunks and the number of workers.
//
// An Accumulator is not safe for concurrent use; give each worker its own and
// Merge them.
type Accumulator struct {
	classes  int
	bins     int
	beta     float64 // 1/T
	eps      float64
	withLoss bool // the smoothed loss is computed at T = 1 only
	edges    []float64
	ignore   *int // Options.IgnoreIndex

	rows          int64
	correct, top5 int64
	strictlyWrong int64 // rows whose target logit is below the maximum
	nll, brier    exactSum
	conf, gap     exactSum
	loss          exactSum
	grad, curv    exactSum // Σ dNLL/dβ and Σ d²NLL/dβ² (temperature fit)
	grad0         exactSum // Σ dNLL/dβ at β = 0: Σ (mean_k z_k − z_y)

	binCount, binCorrect []int64
	binConf              []exactSum

	scratch scratch
	pending []stats // a chunk's rows, checked before any is added
}

// NewAccumulator returns an empty Accumulator for rows of the given number of
// classes, at opt.Temperature (0 for 1), with opt.Bins bins. The label
// smoothed loss at opt.Epsilon is accumulated only at temperature 1.
func NewAccumulator(classes int, opt Options) (*Accumulator, error) {
	if err := opt.validate(classes); err != nil {
		return nil, err
	}
	b := opt.bins()
	a := &Accumulator{
		classes:    classes,
		bins:       b,
		beta:       opt.invTemperature(),
		eps:        opt.Epsilon,
		edges:      binEdges(b),
		binCount:   make([]int64, b),
		binCorrect: make([]int64, b),
		binConf:    make([]exactSum, b),
	}
	if opt.IgnoreIndex != nil {
		a.ignore = new(*opt.IgnoreIndex)
	}
	a.withLoss = a.beta == 1
	return a, nil
}

// binEdges returns the B+1 edges i·(1/B), the last exactly 1, as NumPy's
// linspace(0, 1, B+1) computes them (Guo et al.'s reference code uses it).
func binEdges(b int) []float64 {
	e := make([]float64, b+1)
	step := 1 / float64(b)
	for i := range e {
		e[i] = float64(i) * step
	}
	e[b] = 1
	return e
}

// bin returns the index of the bin (lo, hi] holding conf ∈ (0, 1].
func (a *Accumulator) bin(conf float64) int {
	b := min(max(int(math.Ceil(conf*float64(a.bins)))-1, 0), a.bins-1)
	for b > 0 && conf <= a.edges[b] {
		b--
	}
	for b < a.bins-1 && conf > a.edges[b+1] {
		b++
	}
	return b
}

// Rows returns the number of rows added.
func (a *Accumulator) Rows() int { return int(a.rows) }

// Temperature returns the temperature the statistics are computed at.
func (a *Accumulator) Temperature() float64 { return 1 / a.beta }

// Add adds a chunk of rows to a: logits holds len(targets) rows of the
// Accumulator's class count, row-major (class-contiguous), and targets their
// class indices in [0, C) — or Options.IgnoreIndex, whose rows are skipped
// (not counted, not checked) as PyTorch's ignore_index. row0 is the index of the chunk's first row in the
// whole data, used only to locate errors. On error (an *lsce.Error naming
// the row and class: a NaN or infinite logit, a target out of range, a
// row whose logits span more than MaxSpan), a is unchanged. Each row is read
// once for its statistics (rowStats), which also check it.
func Add[T lsce.Float](a *Accumulator, row0 int, logits []T, targets []int) error {
	c := a.classes
	if len(logits) != len(targets)*c {
		return shapeError("rows %d…: %d logits for %d targets of %d classes: want %d", row0, len(logits), len(targets), c, len(targets)*c)
	}
	if cap(a.pending) < len(targets) {
		a.pending = make([]stats, len(targets))
	}
	pending := a.pending[:0]
	for i, y := range targets {
		if a.ignore != nil && y == *a.ignore {
			continue
		}
		if y < 0 || y >= c {
			return &lsce.Error{Kind: lsce.ErrTarget, Row: row0 + i, Class: -1, Msg: fmt.Sprintf("target %d is outside [0, %d)", y, c)}
		}
		st, err := rowStats(logits[i*c:(i+1)*c], y, a.beta, a.lossEps(), &a.scratch)
		if err != nil {
			err.Row = row0 + i
			return err
		}
		pending = append(pending, st)
	}
	for _, st := range pending {
		a.rows++
		if st.ahead == 0 {
			a.correct++
		}
		if st.below {
			a.strictlyWrong++
		}
		if st.ahead < 5 {
			a.top5++
		}
		a.nll.add(st.nll)
		a.brier.add(st.brier)
		a.conf.add(st.conf)
		a.gap.add(st.gap)
		a.grad.add(st.grad)
		a.curv.add(st.curv)
		a.grad0.add(st.grad0)
		if a.withLoss {
			a.loss.add(st.loss)
		}
		b := a.bin(st.conf)
		a.binCount[b]++
		if st.ahead == 0 {
			a.binCorrect[b]++
		}
		a.binConf[b].add(st.conf)
	}
	return nil
}

// lossEps is the ε of the label-smoothed loss rowStats computes, or −1 when
// the loss is not accumulated (T ≠ 1).
func (a *Accumulator) lossEps() float64 {
	if a.withLoss {
		return a.eps
	}
	return -1
}

// MaxSpan bounds max z − min z within a row: beyond it the variance used by
// the temperature fit could overflow. Real logits are nowhere near.
const MaxSpan = 1e100

// Merge adds the rows of b (an Accumulator of other rows, with the same
// classes, bins, temperature and ε) to a. b is unchanged.
func (a *Accumulator) Merge(b *Accumulator) error {
	if a.classes != b.classes || a.bins != b.bins || a.beta != b.beta || a.eps != b.eps {
		return shapeError("merging accumulators of %d classes, %d bins, T = %v, ε = %v with %d classes, %d bins, T = %v, ε = %v",
			a.classes, a.bins, 1/a.beta, a.eps, b.classes, b.bins, 1/b.beta, b.eps)
	}
	a.rows += b.rows
	a.correct += b.correct
	a.top5 += b.top5
	a.strictlyWrong += b.strictlyWrong
	for _, p := range [][2]*exactSum{{&a.nll, &b.nll}, {&a.brier, &b.brier}, {&a.conf, &b.conf}, {&a.gap, &b.gap},
		{&a.loss, &b.loss}, {&a.grad, &b.grad}, {&a.curv, &b.curv}, {&a.grad0, &b.grad0}} {
		p[0].merge(p[1])
	}
	for i := range a.binCount {
		a.binCount[i] += b.binCount[i]
		a.binCorrect[i] += b.binCorrect[i]
		a.binConf[i].merge(&b.binConf[i])
	}
	return nil
}
