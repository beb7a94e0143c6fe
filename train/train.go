package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/lsce/lsce"
)

// Config is how to train.
type Config struct {
	Epochs    int
	Batch     int
	LR        float64
	Momentum  float64 // for SGD
	Optimizer Optimizer
	// Cosine decays the learning rate from LR to 0 along a half cosine over
	// the training steps (Loshchilov & Hutter 2017, without restarts):
	// lr_t = LR·(1 + cos(π·t/steps))/2 at step t = 0 … steps−1.
	Cosine bool
	// Epsilon is the label smoothing ε of the loss.
	Epsilon float64
	// Seed fixes the order of the examples (the initial weights come from
	// NewMLP's seed).
	Seed uint64
	// Workers is how many goroutines the first layer uses (≤ 0: GOMAXPROCS)
	// and is passed to the loss (lsce.Options.Workers). gonum's products in
	// the other layers use GOMAXPROCS threads.
	Workers int
	// OnEpoch, if set, is called after each epoch with its statistics; an
	// error stops training.
	OnEpoch func(Epoch) error
}

// Epoch is what one pass over the training data measured.
type Epoch struct {
	Epoch int // from 1
	// Loss is the mean training loss over the epoch (as the network was
	// during the epoch), Accuracy the fraction of training examples whose
	// logits were argmax-correct when their batch was seen.
	Loss, Accuracy float64
	Duration       time.Duration
}

// Train trains m on the n rows of x (n×m.Sizes[0] values) with labels y by
// minibatch gradient descent on the label-smoothed cross-entropy, and returns
// the statistics of every epoch. The last batch of an epoch may be smaller.
func Train[T lsce.Float](m *MLP[T], x []T, y []int, n int, cfg Config) ([]Epoch, error) {
	d := m.Sizes[0]
	switch {
	case len(x) != n*d || len(y) != n:
		return nil, fmt.Errorf("train: %d inputs of %d values and %d labels for %d examples", len(x), d, len(y), n)
	case n == 0:
		return nil, fmt.Errorf("train: no training examples")
	case cfg.Batch <= 0 || cfg.Epochs < 0 || !(cfg.LR > 0):
		return nil, fmt.Errorf("train: batch %d, epochs %d and learning rate %g must be positive", cfg.Batch, cfg.Epochs, cfg.LR)
	}
	batch := min(cfg.Batch, n)
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ws := newWorkspace(m, batch, workers)
	params := append(append([][]T{}, m.W...), m.B...)
	grads := append(append([][]T{}, ws.gW...), ws.gB...)
	opt := newOptimizer(cfg.Optimizer, cfg.LR, cfg.Momentum, params)
	lopt := lsce.Options{Epsilon: cfg.Epsilon, Workers: cfg.Workers}

	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	xb := make([]T, batch*d)
	yb := make([]int, batch)
	C := m.Classes()
	var stats []Epoch
	steps := cfg.Epochs * ((n + batch - 1) / batch)
	step := 0
	for e := 1; e <= cfg.Epochs; e++ {
		start := time.Now()
		rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var lossSum float64
		correct := 0
		for b := 0; b < n; b += batch {
			rows := min(batch, n-b)
			for r, i := range perm[b : b+rows] {
				copy(xb[r*d:(r+1)*d], x[i*d:(i+1)*d])
				yb[r] = y[i]
			}
			if err := m.step(ws, xb[:rows*d], yb[:rows], rows, lopt); err != nil {
				return stats, fmt.Errorf("train: epoch %d, batch at example %d: %w", e, b, err)
			}
			lossSum += ws.res.Loss * float64(rows)
			correct += countCorrect(ws.acts[m.Layers()][:rows*C], yb[:rows], C)
			if cfg.Cosine {
				opt.lr = cfg.LR * (1 + math.Cos(math.Pi*float64(step)/float64(steps))) / 2
			}
			step++
			opt.update(params, grads)
		}
		ep := Epoch{Epoch: e, Loss: lossSum / float64(n), Accuracy: float64(correct) / float64(n), Duration: time.Since(start)}
		stats = append(stats, ep)
		if cfg.OnEpoch != nil {
			if err := cfg.OnEpoch(ep); err != nil {
				return stats, err
			}
		}
	}
	return stats, nil
}

// countCorrect counts the rows of logits (C per row) whose first largest
// value is at the label.
func countCorrect[T lsce.Float](logits []T, y []int, C int) int {
	n := 0
	for r, t := range y {
		if argmax(logits[r*C:(r+1)*C]) == t {
			n++
		}
	}
	return n
}

func argmax[T lsce.Float](row []T) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

// Accuracy is the fraction of the n rows of logits (C per row) whose argmax is
// the label.
func Accuracy[T lsce.Float](logits []T, y []int, C int) float64 {
	if len(y) == 0 {
		return 0
	}
	return float64(countCorrect(logits, y, C)) / float64(len(y))
}

// Inputs converts images of dim bytes each into network inputs in [0, 1]
// (pixel/255), keeping background pixels exactly zero.
func Inputs[T lsce.Float](pixels []byte) []T {
	x := make([]T, len(pixels))
	for i, p := range pixels {
		x[i] = T(p) / 255
	}
	return x
}
