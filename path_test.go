package lsce

import (
	"runtime"
	"testing"
)

// TestChoosePath: the path, the streaming choice and the workers follow from
// the kind of input alone (and not from buffers left by earlier calls).
func TestChoosePath(t *testing.T) {
	type c struct {
		name    string
		shape   []int
		f64     bool
		grad    bool
		probs   bool
		opt     Options
		path    path
		stream  bool
		workers int // 0: do not check
	}
	mask := make([]bool, 10)
	mask[1] = true
	p := runtime.GOMAXPROCS(0)
	cases := []c{
		{name: "short float32 rows", shape: []int{64, 10}, path: pathShort, workers: 1},
		{name: "512 classes is short in float32", shape: []int{4, 512}, path: pathShort},
		{name: "513 classes", shape: []int{4, 513}, path: pathContiguous},
		{name: "128 classes is short in float64", shape: []int{4, 128}, f64: true, path: pathShort},
		{name: "129 classes in float64", shape: []int{4, 129}, f64: true, path: pathContiguous},
		{name: "class-last", shape: []int{2, 5, 10}, opt: Options{ClassLast: true}, path: pathShort},
		{name: "one row", shape: []int{10}, path: pathShort},
		{name: "one long row, two workers", shape: []int{1, 1 << 16}, opt: Options{Workers: 2}, path: pathSplit, workers: 2},
		{name: "one long row, one worker", shape: []int{1, 1 << 16}, opt: Options{Workers: 1}, path: pathContiguous},
		{name: "as many long rows as workers", shape: []int{2, 1 << 16}, opt: Options{Workers: 2}, path: pathContiguous},
		{name: "K-dim, short rows", shape: []int{2, 10, 3}, path: pathStridedShort},
		{name: "K-dim, long rows", shape: []int{2, 600, 3}, path: pathStrided},
		{name: "K-dim, soft-cap", shape: []int{2, 10, 3}, opt: Options{SoftCap: 5}, path: pathGeneral},
		{name: "soft-cap", shape: []int{4, 10}, opt: Options{SoftCap: 5}, path: pathGeneral},
		{name: "class mask", shape: []int{4, 10}, opt: Options{ClassMask: mask}, path: pathGeneral},
		{name: "probability targets", shape: []int{4, 10}, probs: true, path: pathGeneral},
		{name: "large gradient streams", shape: []int{65, 65535}, grad: true, path: pathContiguous, stream: true},
		{name: "large loss alone does not", shape: []int{65, 65535}, path: pathContiguous},
		{name: "small gradient stays in cache", shape: []int{4, 65535}, grad: true, path: pathContiguous},
		{name: "default workers, minibatch", shape: []int{1024, 100}, workers: 1},
		{name: "default workers, large", shape: []int{4096, 1000}, path: pathContiguous, workers: min(p, 4096*1000/minWorkPerWorker)},
		{name: "explicit workers kept", shape: []int{8, 10}, opt: Options{Workers: 3}, workers: 3},
	}
	for _, tc := range cases {
		n := 1
		for _, d := range tc.shape {
			n *= d
		}
		var got engineSetup
		if tc.f64 {
			got = setup[float64](t, tc.shape, n, tc.grad, tc.probs, tc.opt)
		} else {
			got = setup[float32](t, tc.shape, n, tc.grad, tc.probs, tc.opt)
		}
		if got.path != tc.path || got.stream != tc.stream || (tc.workers > 0 && got.workers != tc.workers) {
			t.Errorf("%s: path %v, stream %v, workers %d; want %v, %v, %d", tc.name, got.path, got.stream, got.workers, tc.path, tc.stream, tc.workers)
		}
	}
}

type engineSetup struct {
	path    path
	stream  bool
	workers int
}

// setup returns the choices newEngine makes for zero logits of the shape
// (index targets 0, or uniform probabilities).
func setup[T Float](t *testing.T, shape []int, n int, grad, probs bool, opt Options) engineSetup {
	in := Input[T]{Logits: make([]T, n), Shape: shape}
	lay, err := layoutOf(shape, n, opt.ClassLast)
	if err != nil {
		t.Fatal(err)
	}
	if probs {
		in.Probs = make([]T, n)
	} else {
		in.Targets = make([]int, lay.elements())
	}
	var g []T
	if grad {
		g = make([]T, n)
	}
	e, err := newEngine(new(Result), g, in, &opt)
	if err != nil {
		t.Fatal(err)
	}
	return engineSetup{e.path, e.stream, e.workers}
}
