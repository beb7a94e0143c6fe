// Package lsce computes label-smoothing cross-entropy and its gradient,
// equal to PyTorch's F.cross_entropy(input, target, weight=, ignore_index=,
// reduction=, label_smoothing=) number for number, with the standard library
// only.
//
// # Label smoothing
//
// Label smoothing (Szegedy et al. 2016, §7) trains a classifier against the
// smoothed distribution q' instead of the one-hot label q. For logits z of one
// row of K classes, p = softmax(z), target class y and smoothing ε ∈ [0, 1]:
//
//	q'_k    = (1 − ε)·[k = y] + ε/K
//	H(q',p) = (1 − ε)·H(q, p) + ε·H(u, p)
//	        = (1 − ε)·(LSE − z_y) + ε·(LSE − (1/K)·Σ_k z_k)
//	LSE     = m + ln Σ_k exp(z_k − m),   m = max_k z_k
//
// H(q, p) is the plain negative log-likelihood and H(u, p) the cross-entropy
// against the uniform distribution; Result reports both (NLL and Smooth), so a
// caller sees the decomposition. The gradient of one unweighted row is
// p_j − q'_j, and its entries sum to zero.
//
// Variant Others (fairseq, Megatron-LM) puts 1 − ε on the target and ε/(K − 1)
// on every other class; it equals the uniform form with ε' = ε·K/(K − 1).
//
// # PyTorch semantics
//
// With class weights w, ignored elements I (target == IgnoreIndex, default
// −100) and index targets:
//
//	l_n  = 0                                                        n ∈ I
//	l_n  = (1 − ε)·w_{y_n}·(LSE_n − z_{n,y_n}) + (ε/K)·Σ_c w_c·(LSE_n − z_{n,c})
//	sum  = Σ_n l_n
//	mean = Σ_n l_n / Σ_{n∉I} w_{y_n}
//
// The smoothing term weights each class by its own weight; the mean divides by
// the target weights. Probability targets (Input.Probs, the logits' shape)
// use q̃ = (1 − ε)·q + ε/K and l_n = Σ_c w_c·q̃_c·(LSE_n − z_{n,c}); their mean
// divides by the number of elements, even with weights, and no element is
// ignored. K-dimensional input (N, C, d1, …, dk) has its class axis 1 and one
// loss per (n, d1, …, dk); Options.ClassLast reads (N, …, C) instead.
//
// Special cases:
//
//	mean over zero counted elements = 0     (PyTorch: NaN; Liger-Kernel and Keras: 0)
//	mean with Σ w_y = 0             = 0, gradient 0 (PyTorch: NaN or Inf)
//	ε = 0                           = plain cross-entropy
//	ε = 1                           = H(u, p) alone
//	K = 1                           = loss 0 (the one class is certain)
//	ignored element                 = loss 0, gradient 0; its logits are not
//	                                  read, so padding may hold anything
//	IgnoreIndex ≥ 0 with Probs      = an error, as in PyTorch
//	z = ±1e4, ±3e4                  = finite loss and gradient (max-shifted)
//
// # Options for large vocabularies
//
// ZLoss adds λ·LSE² per counted element (PaLM); under Mean it divides by the
// count of counted elements, not by the weights (Liger-Kernel's rule). SoftCap
// c replaces z by c·tanh(z/c) before the softmax (Gemma 2), with the chain rule
// in the gradient. ClassMask removes classes from a row: they take no
// probability and no smoothing mass, K becomes the allowed count, and their
// logits may be −Inf (optax's where=). ZeroFloor subtracts H(q̃) so that a
// perfect prediction scores 0 (the KL form); the gradient is unchanged.
//
// # Numerical stability
//
// Every row goes through the max-shifted log-sum-exp above; the package never
// takes the logarithm of a softmax, which underflows. float32 input is summed
// in float64 (or in float32 over short blocks that are then added in float64),
// so that a 256,000-class float32 row stays within 1e-6 relative of a float64
// computation.
//
// # Errors
//
// The caller's data usually comes from files, so everything data can get
// wrong returns an *Error naming the row and class: NaN or ±Inf logits, a
// target outside [0, C) that is not the ignore index, negative or non-finite
// weights or probability targets, lengths that do not fit the shape, ε
// outside [0, 1]. errors.Is(err, ErrTarget) and the other kinds let callers
// react. No input makes the package panic or return NaN without an error.
//
// # Performance
//
// Contiguous rows go through fused row kernels (internal/kernel): one sweep for
// the row's statistics (max, Σexp, Σz, and Σw·z with weights) and one more for
// the gradient, written into the caller's buffer or over the logits in place.
// Vectorised AVX2+FMA kernels are chosen at run time on amd64; other CPUs, the
// purego build tag and LSCE_PUREGO=1 use the generic Go loops. Rows are split
// across Options.Workers goroutines (default GOMAXPROCS) in fixed blocks, so
// results do not depend on the worker count; a few very long rows are split by
// class and their partial statistics merged exactly. The default Options
// (Workers 0) start one worker per 2^16 logits at most, so an ordinary
// minibatch runs on the caller's goroutine. CrossEntropyInto reuses its
// Result and allocates nothing in steady state, with the default Options or
// one worker.
//
// # Concurrency
//
// The functions are safe for concurrent use on different Results; inputs
// are only read and may be shared. A Result serves one call at a time: a
// call on a Result another goroutine's call is writing returns an ErrOption
// error at once, without touching it. Give each goroutine its own Result (a
// Result may serve float32 and float64 calls in turn; a copy of a Result
// gets buffers of its own). With the gradient written over the logits in
// place, an error found while the rows are computed (a NaN logit, an
// overflowing loss) leaves the rows before it overwritten: see
// CrossEntropyInto.
package lsce
