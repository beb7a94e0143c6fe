// Package train trains a small multilayer perceptron with the project's
// label-smoothing cross-entropy, to show what smoothing does to accuracy and
// calibration on real data.
//
// The network is fully connected: inputs → hidden layers with ReLU → logits.
// Matrix products go through gonum's BLAS (float64 or float32, chosen by the
// type parameter); the loss and its gradient with respect to the logits come
// from lsce.CrossEntropyInto, with a Result and a gradient buffer reused
// across steps, and drive the backward pass.
//
// # Reproducibility
//
// The initial weights depend only on the seed and the layer sizes, and the
// order of the training examples only on the seed, so runs with the same seed
// and different ε start from the same network and see the same batches: they
// differ only by ε. gonum's matrix product splits its work into fixed blocks
// whatever the number of threads, so a run is bit-for-bit repeatable for a
// given seed, ε and Config.
package train
