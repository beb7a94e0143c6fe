package reliability_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/lsce/lsce/calib"
	"github.com/lsce/lsce/calib/reliability"
)

// One panel per label smoothing ε, side by side (the training experiment's
// use); Before and After give the two panels of a temperature-scaling report.
func ExampleSave() {
	logitsByEps := map[float64][]float32{ // N×C logits of a model trained at each ε
		0:   {4, 0, 0, 0, 4, 0, 3, 1, 0, 0, 0, 5},
		0.1: {2, 0, 0, 0, 2, 0, 1.5, 0.5, 0, 0, 0, 2.5},
	}
	targets := []int{0, 1, 1, 2}
	var panels []reliability.Panel
	for _, eps := range []float64{0, 0.1} {
		r, err := calib.Evaluate(logitsByEps[eps], 4, 3, targets, calib.Options{Epsilon: eps, NoFit: true})
		if err != nil {
			log.Fatal(err)
		}
		panels = append(panels, reliability.Panel{Title: fmt.Sprintf("ε = %g", eps), Metrics: r.Metrics})
	}
	path := filepath.Join(os.TempDir(), "reliability_eps.png")
	if err := reliability.Save(path, panels...); err != nil {
		log.Fatal(err)
	}
}
