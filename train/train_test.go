package train

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lsce/lsce"
)

// lossOf is the mean loss of the network on x, y computed by forward pass and
// lsce.CrossEntropy alone (no backward pass): the function the finite
// differences differentiate.
func lossOf(t *testing.T, m *MLP[float64], x []float64, y []int, n int, opt lsce.Options) float64 {
	t.Helper()
	z := m.Logits(x, n)
	r, err := lsce.CrossEntropy(lsce.Input[float64]{Logits: z, Shape: []int{n, m.Classes()}, Targets: y}, opt)
	if err != nil {
		t.Fatal(err)
	}
	return r.Loss
}

// TestGradientCheck compares the backward pass with central finite
// differences, (L(θ+h) − L(θ−h))/2h, on tiny networks with two hidden
// layers: one narrow (every layer after the first uses narrow.go), one with a
// layer wider than narrowMax (gonum's products).
func TestGradientCheck(t *testing.T) {
	t.Run("narrow", func(t *testing.T) { gradientCheck(t, []int{5, 4, 3, 3}) })
	t.Run("wide", func(t *testing.T) { gradientCheck(t, []int{5, narrowMax + 3, narrowMax + 1, 3}) })
}

func gradientCheck(t *testing.T, sizes []int) {
	const n = 6
	m, err := NewMLP[float64](sizes, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for l := range m.B { // non-zero biases, so their gradients are exercised
		for j := range m.B[l] {
			m.B[l][j] = rng.NormFloat64() * 0.1
		}
	}
	x := make([]float64, n*sizes[0])
	for i := range x {
		if i%4 != 0 { // some exact zeros, as in images
			x[i] = rng.NormFloat64()
		}
	}
	y := []int{0, 2, 1, 1, 0, 2}
	for _, opt := range []lsce.Options{{Epsilon: 0}, {Epsilon: 0.1}, {Epsilon: 0.3, Weight: []float64{1, 2, 0.5}}} {
		ws := newWorkspace(m, n, 2)
		if err := m.step(ws, x, y, n, opt); err != nil {
			t.Fatal(err)
		}
		if want := lossOf(t, m, x, y, n, opt); math.Abs(ws.res.Loss-want) > 1e-12 {
			t.Errorf("ε=%g: step loss %g, forward loss %g", opt.Epsilon, ws.res.Loss, want)
		}
		const h = 1e-6
		check := func(name string, p, g []float64) {
			for i := range p {
				old := p[i]
				p[i] = old + h
				up := lossOf(t, m, x, y, n, opt)
				p[i] = old - h
				down := lossOf(t, m, x, y, n, opt)
				p[i] = old
				fd := (up - down) / (2 * h)
				// Central differences are accurate to O(h²) ≈ 1e-12 plus
				// rounding of order 1e-16/h ≈ 1e-10.
				if math.Abs(fd-g[i]) > 1e-7*(1+math.Abs(fd)) {
					t.Errorf("ε=%g %s[%d]: backprop %.10g, finite difference %.10g", opt.Epsilon, name, i, g[i], fd)
				}
			}
		}
		for l := range m.Layers() {
			check("W"+string(rune('0'+l)), m.W[l], ws.gW[l])
			check("B"+string(rune('0'+l)), m.B[l], ws.gB[l])
		}
	}
}

// synthetic makes n examples of dim inputs in 10 linearly separable classes:
// class k lights up its own block of inputs (plus noise), like MNIST-sized
// images with a clear signal.
func synthetic(n, dim int, seed uint64) ([]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, n*dim)
	y := make([]int, n)
	block := dim / 10
	for i := range n {
		k := rng.IntN(10)
		y[i] = k
		row := x[i*dim : (i+1)*dim]
		for j := range row {
			if rng.IntN(5) == 0 { // 20% noise pixels, like MNIST's sparsity
				row[j] = rng.Float64()
			}
		}
		for j := k * block; j < (k+1)*block; j += 2 {
			row[j] = 0.5 + 0.5*rng.Float64()
		}
	}
	return x, y
}

func TestLearnsSeparableData(t *testing.T) {
	const dim, n, ntest = 784, 2000, 1000
	x, y := synthetic(n, dim, 1)
	xt, yt := synthetic(ntest, dim, 2)
	for _, eps := range []float64{0, 0.1} {
		m, err := NewMLP[float64]([]int{dim, 64, 10}, 1)
		if err != nil {
			t.Fatal(err)
		}
		stats, err := Train(m, x, y, n, Config{Epochs: 2, Batch: 64, LR: 0.05, Momentum: 0.9, Epsilon: eps, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		acc := Accuracy(m.Logits(xt, ntest), yt, 10)
		// Chance is 10%; the classes are separable, so a working network is
		// near 100% on fresh examples.
		if acc < 0.9 {
			t.Errorf("ε=%g: test accuracy %.3f after %d epochs (train loss %v)", eps, acc, len(stats), stats)
		}
		if stats[1].Loss >= stats[0].Loss {
			t.Errorf("ε=%g: training loss did not fall: %v", eps, stats)
		}
	}
}

func TestAdamLearns(t *testing.T) {
	const dim, n = 784, 1000
	x, y := synthetic(n, dim, 1)
	m, _ := NewMLP[float32]([]int{dim, 32, 10}, 2)
	_, err := Train(m, toF32(x), y, n, Config{Epochs: 2, Batch: 50, LR: 1e-3, Optimizer: Adam, Epsilon: 0.1, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	xt, yt := synthetic(500, dim, 3)
	if acc := Accuracy(m.Logits(toF32(xt), 500), yt, 10); acc < 0.9 {
		t.Errorf("float32 Adam: test accuracy %.3f", acc)
	}
}

func toF32(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// TestDeterministic: the same seed gives the same network bit for bit, and
// runs with different ε start from the same weights.
func TestDeterministic(t *testing.T) {
	const dim, n = 50, 300
	x, y := synthetic(n, dim, 4)
	run := func(eps float64) *MLP[float64] {
		m, _ := NewMLP[float64]([]int{dim, 16, 10}, 9)
		if _, err := Train(m, x, y, n, Config{Epochs: 2, Batch: 32, LR: 0.05, Momentum: 0.9, Epsilon: eps, Seed: 9}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := run(0.1), run(0.1)
	for l := range a.W {
		if !slices.Equal(a.W[l], b.W[l]) || !slices.Equal(a.B[l], b.B[l]) {
			t.Fatalf("layer %d differs between two identical runs", l)
		}
	}
	m1, _ := NewMLP[float64]([]int{dim, 16, 10}, 9)
	m2, _ := NewMLP[float64]([]int{dim, 16, 10}, 9)
	m3, _ := NewMLP[float64]([]int{dim, 16, 10}, 10)
	if !slices.Equal(m1.W[0], m2.W[0]) || slices.Equal(m1.W[0], m3.W[0]) {
		t.Error("initial weights do not depend on the seed alone")
	}
	if c := run(0); slices.Equal(c.W[0], a.W[0]) {
		t.Error("ε had no effect on training")
	}
}

func TestTrainErrors(t *testing.T) {
	m, _ := NewMLP[float64]([]int{4, 3, 2}, 1)
	if _, err := Train(m, make([]float64, 8), []int{0, 5}, 2, Config{Epochs: 1, Batch: 2, LR: 0.1}); err == nil {
		t.Error("label 5 of 2 classes: no error")
	}
	if _, err := Train(m, make([]float64, 7), []int{0, 1}, 2, Config{Epochs: 1, Batch: 2, LR: 0.1}); err == nil {
		t.Error("wrong input length: no error")
	}
	if _, err := NewMLP[float64]([]int{4}, 1); err == nil {
		t.Error("one layer size: no error")
	}
}
