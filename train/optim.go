package train

import (
	"fmt"
	"math"

	"github.com/lsce/lsce"
)

// Optimizer names the update rule.
type Optimizer int

const (
	// SGD is stochastic gradient descent with momentum, PyTorch's form:
	// v ← μ·v + g, θ ← θ − lr·v.
	SGD Optimizer = iota
	// Adam is Kingma & Ba 2015 with bias correction, β1 = 0.9, β2 = 0.999,
	// eps = 1e-8.
	Adam
)

func (o Optimizer) String() string {
	if o == Adam {
		return "adam"
	}
	return "sgd"
}

// ParseOptimizer reads "sgd" or "adam".
func ParseOptimizer(s string) (Optimizer, error) {
	switch s {
	case "sgd":
		return SGD, nil
	case "adam":
		return Adam, nil
	}
	return 0, fmt.Errorf("unknown optimizer %q (want sgd or adam)", s)
}

// optimizer holds the state of the update rule for every parameter slice.
type optimizer[T lsce.Float] struct {
	kind         Optimizer
	lr, momentum float64
	t            int
	m, v         [][]T
}

func newOptimizer[T lsce.Float](kind Optimizer, lr, momentum float64, params [][]T) *optimizer[T] {
	o := &optimizer[T]{kind: kind, lr: lr, momentum: momentum}
	for _, p := range params {
		o.m = append(o.m, make([]T, len(p)))
		if kind == Adam {
			o.v = append(o.v, make([]T, len(p)))
		}
	}
	return o
}

// update applies one step to params given their gradients, both in the same
// order as at construction.
func (o *optimizer[T]) update(params, grads [][]T) {
	o.t++
	switch o.kind {
	case SGD:
		mu, lr := T(o.momentum), T(o.lr)
		for i, p := range params {
			g, v := grads[i], o.m[i]
			for j := range p {
				v[j] = mu*v[j] + g[j]
				p[j] -= lr * v[j]
			}
		}
	case Adam:
		const b1, b2, eps = 0.9, 0.999, 1e-8
		c1 := 1 - math.Pow(b1, float64(o.t))
		c2 := 1 - math.Pow(b2, float64(o.t))
		// θ ← θ − lr·m̂/(√v̂ + eps) with m̂ = m/c1, v̂ = v/c2.
		step := T(o.lr / c1)
		sc2 := T(1 / math.Sqrt(c2))
		for i, p := range params {
			g, m, v := grads[i], o.m[i], o.v[i]
			for j := range p {
				m[j] = b1*m[j] + (1-b1)*g[j]
				v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
				p[j] -= step * m[j] / (T(math.Sqrt(float64(v[j])))*sc2 + eps)
			}
		}
	}
}
