// Package synth makes synthetic logits for the tests and the measurements:
// three times too confident, so that the fitted temperature is near 3.
package synth

import (
	"math"
	"math/rand/v2"
)

// Rows appends n rows of c logits and their targets to z and y: z = 3·u
// with u ~ N(0, 2²), the target drawn from softmax(u).
func Rows(rng *rand.Rand, c, n int, z []float32, y []int) ([]float32, []int) {
	u := make([]float64, c)
	for range n {
		m := math.Inf(-1)
		for k := range u {
			u[k] = 2 * rng.NormFloat64()
			m = max(m, u[k])
		}
		sum := 0.0
		for k := range u {
			sum += math.Exp(u[k] - m)
		}
		r, t := rng.Float64()*sum, c-1
		for k := range u {
			if r -= math.Exp(u[k] - m); r < 0 {
				t = k
				break
			}
		}
		for _, v := range u {
			z = append(z, float32(3*v))
		}
		y = append(y, t)
	}
	return z, y
}
