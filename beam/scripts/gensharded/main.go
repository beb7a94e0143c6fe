// Command gensharded writes a synthetic sharded data set for lsce-beam:
// shards sNNNN.logits.npy (rows, classes) float32 and sNNNN.targets.npy
// (rows) int64, logits three times too confident (z = 3·u, u ~ N(0, 2²),
// the target drawn from softmax(u)), so that the fitted temperature is near
// 3. It also writes all.logits.npy and all.targets.npy, the same rows in
// one file, with --whole (for lsce eval).
//
//	go run ./scripts/gensharded --dir /tmp/shards --rows 500000 --classes 1000 --shards 16 [--whole]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/lsce/lsce/beam/internal/synth"
	"github.com/lsce/lsce/tensorio"
)

func main() {
	dir := flag.String("dir", "", "output `directory` (created)")
	rows := flag.Int("rows", 100000, "rows in all")
	classes := flag.Int("classes", 1000, "classes")
	shards := flag.Int("shards", 16, "shards (rows split unevenly)")
	whole := flag.Bool("whole", false, "also write all.logits.npy and all.targets.npy")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *dir == "" || *rows < 1 || *classes < 2 || *shards < 1 {
		log.Fatal("want --dir, --rows ≥ 1, --classes ≥ 2, --shards ≥ 1")
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(*seed, 7))
	// Uneven sizes: weights 1 … 2 at random.
	w := make([]float64, *shards)
	total := 0.0
	for i := range w {
		w[i] = 1 + rng.Float64()
		total += w[i]
	}
	sizes := make([]int, *shards)
	left := *rows
	for i := range sizes {
		sizes[i] = min(left, int(float64(*rows)*w[i]/total))
		if i == len(sizes)-1 {
			sizes[i] = left
		}
		left -= sizes[i]
	}
	c := *classes
	var allZ []float32
	var allY []int64
	for s, n := range sizes {
		z, yi := synth.Rows(rng, c, n, make([]float32, 0, n*c), make([]int, 0, n))
		y := make([]int64, n)
		for i, v := range yi {
			y[i] = int64(v)
		}
		base := filepath.Join(*dir, fmt.Sprintf("s%04d", s))
		if err := tensorio.WriteNpyFile(base+".logits.npy", []int{n, c}, z); err != nil {
			log.Fatal(err)
		}
		if err := tensorio.WriteNpyFile(base+".targets.npy", []int{n}, y); err != nil {
			log.Fatal(err)
		}
		if *whole {
			allZ, allY = append(allZ, z...), append(allY, y...)
		}
	}
	if *whole {
		if err := tensorio.WriteNpyFile(filepath.Join(*dir, "all.logits.npy"), []int{*rows, c}, allZ); err != nil {
			log.Fatal(err)
		}
		if err := tensorio.WriteNpyFile(filepath.Join(*dir, "all.targets.npy"), []int{*rows}, allY); err != nil {
			log.Fatal(err)
		}
	}
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "%s: %d rows × %d classes in %d shards %v\n", *dir, *rows, c, *shards, sizes)
	out.Flush()
}
