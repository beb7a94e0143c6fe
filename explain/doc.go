// Package explain builds the step-by-step walk-through of label-smoothing
// cross-entropy (Szegedy et al. 2016, §7) that Aman Arora's write-up "Label
// Smoothing Explained using Microsoft Excel" (18 July 2020) teaches in a
// spreadsheet, for any logits, targets, class names and ε, and renders it as text for a
// terminal, markdown, csv, or a live Excel workbook. "lsce explain" and
// "lsce demo" print it.
//
// # The steps
//
// In the write-up's order, one table per step, rows named by image and columns by
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
//     the fastai/PyTorch semantics, "match" (within Tolerance) or the difference.
//
// [New] computes every table; [Walkthrough.WriteText], [Walkthrough.WriteMarkdown],
// [Walkthrough.WriteCSV] and [Walkthrough.WriteXLSX] render them. [Examples]
// holds the write-up's two examples: catdog (5 images, cat and dog, whose losses
// the write-up printed from PyTorch as tensor([0.3314, 2.1951, 2.3668, 1.2633,
// 1.9855])) and animals (5 images of 5 animals, smoothed labels 0.92/0.02).
//
// # Numerical stability
//
// The write-up takes exp of the logits as they are, and so does the walk-through
// as long as a row's largest logit m lies in [−Shift, Shift] = [−80, 80]: the
// tables then show the write-up's numbers (exp(4.2) = 66.6863). Beyond that, exp
// would overflow (e^710 is +Inf in float64 and #NUM! in Excel) or underflow,
// so that row's exp step shows exp(z − m) instead, and the text says so; the
// probabilities are unchanged because e^m cancels in exp/Σexp.
//
// ln p is taken as z − m − ln Σexp (the log-softmax, as fastai's
// F.log_softmax), the same number as ln(p) but finite even when p rounds to
// 0, which happens once a logit lies about 745 below its row's largest. So
// the losses are right for any finite logits, to about 1e-15 relative.
//
// # Workbook
//
// WriteXLSX writes one sheet ("Walkthrough") of labelled blocks, left to right
// as in the write-up: image, target and label, then one block per step. The
// inputs (ε, the targets, the logits) are yellow cells; K is COUNTA of the
// class names; every other cell is a live formula, one scalar step per cell
// (EXP, SUM, LN, never LOG, which is base 10 in Excel: the write-up's own pitfall,
// noted on the sheet), written with its cached value for viewers that do not
// recompute, in a 4-decimal format. Editing ε, a target or a logit in Excel or
// LibreOffice recomputes every table. A second sheet ("Library") sets the
// spreadsheet's losses next to the library's, with their relative difference
// and a match/differ verdict.
//
// Class and image names are always written as text in the workbook: a name
// starting with = + − @ never becomes a formula. The csv output is data for
// programs and holds the names exactly as given.
//
// # Limits
//
// Text and markdown take at most MaxTextRows rows and MaxTextClasses classes;
// csv and the workbook at most MaxLogits logits (1,000 × 1,000 fits), and the
// workbook at most a sheet's 16,384 columns (about 2,700 classes) and
// 1,048,576 rows. Larger inputs get an ErrTooLarge error before anything is
// written. A 1,000 × 1,000 workbook (five million formulas, 83 MB) takes
// about 10 s of CPU time; see BenchmarkWriteXLSX.
package explain
