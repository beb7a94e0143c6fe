package calib

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lsce/lsce"
)

// BenchmarkAdd measures one Accumulator pass over float32 rows, at T = 1
// (with the label-smoothed loss from lsce) and at T ≠ 1 (a fit pass), next
// to two references in the same run: lsce.CrossEntropy alone on the same
// rows, and a bare loop of math.Exp over every logit (the floor of any
// softmax statistic computed in float64 with the standard library).
func BenchmarkAdd(b *testing.B) {
	for _, c := range []int{10, 1000} {
		n := (1 << 20) / c
		rng := rand.New(rand.NewPCG(1, 1))
		z := make([]float32, n*c)
		for i := range z {
			z[i] = float32(3 * rng.NormFloat64())
		}
		y := make([]int, n)
		for i := range y {
			y[i] = rng.IntN(c)
		}
		bytes := int64(4 * len(z))
		for _, temp := range []float64{1, 2} {
			b.Run(fmt.Sprintf("impl=calib/T=%g/C=%d", temp, c), func(b *testing.B) {
				a, _ := NewAccumulator(c, Options{Epsilon: 0.1, Temperature: temp})
				b.SetBytes(bytes)
				b.ReportAllocs()
				for b.Loop() {
					if err := Add(a, 0, z, y); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("impl=lsce/C=%d", c), func(b *testing.B) {
			var r lsce.Result
			b.SetBytes(bytes)
			for b.Loop() {
				if err := lsce.CrossEntropyInto(&r, nil, lsce.Input[float32]{Logits: z, Shape: []int{n, c}, Targets: y}, lsce.Options{Epsilon: 0.1, Reduction: lsce.None, Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("impl=exp/C=%d", c), func(b *testing.B) {
			b.SetBytes(bytes)
			s := 0.0
			for b.Loop() {
				for _, v := range z {
					s += math.Exp(float64(v))
				}
			}
			sink = s
		})
	}
}

var sink float64
