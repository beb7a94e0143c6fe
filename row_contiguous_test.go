package lsce_test

import (
	"math"
	"testing"

	"github.com/lsce/lsce"
)

// TestStreamedGradient covers the path large gradients take (at least 16 MiB:
// exponentials in a scratch row, the gradient streamed to memory) against
// the float64 formula p − ε/K − (1−ε)·onehot(y), over N, and checks that the
// gradient written over the logits is the same, bit for bit.
func TestStreamedGradient(t *testing.T) {
	const n, c, eps = 65, 65535, 0.1 // 17 MB of float32 gradient
	in := benchInput[float32](n, c)
	grad := make([]float32, n*c)
	res, err := lsce.CrossEntropyGrad(grad, in, lsce.Options{Epsilon: eps, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	for i := range n {
		x := in.Logits[i*c : (i+1)*c]
		m, s, sx := math.Inf(-1), 0.0, 0.0
		for _, v := range x {
			m = math.Max(m, float64(v))
			sx += float64(v)
		}
		for _, v := range x {
			s += math.Exp(float64(v) - m)
		}
		lse := m + math.Log(s)
		y := in.Targets[i]
		want += ((1-eps)*(lse-float64(x[y])) + eps*(lse-sx/c)) / n
		for j, v := range x {
			g := math.Exp(float64(v)-lse) - eps/c
			if j == y {
				g -= 1 - eps
			}
			if d := math.Abs(float64(grad[i*c+j]) - g/n); d > 1e-7 {
				t.Fatalf("grad[%d][%d] = %v, want %v", i, j, grad[i*c+j], g/n)
			}
		}
	}
	if math.Abs(res.Loss-want) > 1e-6*want {
		t.Errorf("loss %v, want %v", res.Loss, want)
	}
	inPlace := append([]float32(nil), in.Logits...)
	in.Logits = inPlace
	if _, err := lsce.CrossEntropyGrad(inPlace, in, lsce.Options{Epsilon: eps, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	for i := range grad {
		if inPlace[i] != grad[i] {
			t.Fatalf("in place: grad[%d] = %v, separate %v", i, inPlace[i], grad[i])
		}
	}
}
