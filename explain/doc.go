// Package explain builds the step-by-step walk-through of label-smoothing
// cross-entropy that the project's seed write-up teaches in a spreadsheet,
// for any logits, targets, class names and ε, and renders it as text for a
// terminal, markdown, csv, or a live Excel workbook.
//
// # The steps
//
// In the seed's order, one table per step, rows named by image and columns by
// class:
//
//  1. one-hot labels: 1 in the target's column;
//  2. smoothed labels q' = (1 − ε)·one-hot + ε/K;
//  3. the logits z;
//  4. exp(z) (see the shift below);
//  5. Σexp per row;
//  6. probabilities p = exp/Σexp (the softmax);
//  7. −q'·ln p per class;
//  8. the loss per row, the sum of step 7 over the classes;
//  9. the decomposition loss = (1 − ε)·H(q, p) + ε·H(u, p), where
//     H(q, p) = −ln p_y and H(u, p) = −(1/K)·Σ_k ln p_k;
//  10. the comparison with the library: lsce.CrossEntropy with reduction None,
//     the fastai/PyTorch semantics, "match" or the difference.
//
// # Numerical stability
//
// The seed takes exp of the logits as they are, and so does the walk-through
// as long as a row's largest logit m lies in [−80, 80] (Shift). Beyond that
// exp would overflow (e^710 is +Inf in float64 and #NUM! in Excel) or
// underflow, so that row's exp step shows exp(z − m) instead and says so; the
// probabilities are unchanged because e^m cancels in exp/Σexp.
//
// ln p is taken as z − m − ln Σexp (the log-softmax, as fastai's
// F.log_softmax), the same number as ln(p) but finite even when p rounds to 0,
// which happens once a logit lies about 745 below its row's largest. So the
// losses are right for any finite logits, to about 1e-15 relative.
//
// # Workbook
//
// WriteXLSX writes the walk-through as one sheet of labelled blocks, left to
// right as in the seed, with live formulas (EXP, SUM, LN, never LOG, which is
// base 10 in Excel: the seed's own pitfall) and their cached values, and a
// second sheet comparing the spreadsheet's losses with the library's.
package explain
