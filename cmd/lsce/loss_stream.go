package main

import (
	"io"

	"github.com/lsce/lsce"
	"github.com/lsce/lsce/internal/outfile"
	"github.com/lsce/lsce/tensorio"
)

// streamLoss computes the loss of .npy logits larger than memory in one
// pass, chunks of whole samples (rows along axis 0) at a time, with
// class-index targets (held in memory, C times smaller) and a per-class mask
// at most. Sum adds the chunks' sums; Mean recovers each chunk's sums from
// its mean and denominators (Result.Denominator, Result.Counted) and divides
// their totals by the whole denominators; None keeps the per-element
// values (C times fewer than the logits). --grad (Sum and None: a chunk's
// gradient is its own) is written chunk by chunk into the output file.
func streamLoss[T lsce.Float](env *env, j *lossJob, read func([]T) (int, error)) error {
	samples, sample := j.shape[0], j.stream.RowLen()
	inner := sample / j.classes() // loss elements per sample
	chunkBytes := uint64(64 << 20)
	if avail, ok := availableMemory(); ok {
		chunkBytes = min(chunkBytes, avail/8)
	}
	per := max(1, int(chunkBytes/uint64(sample*sizeOf[T]())))
	per = min(per, samples)
	buf := make([]T, per*sample)
	var grad []T
	if j.flags.grad != "" {
		grad = make([]T, per*sample)
	}
	tot := &lsce.Result{LossShape: lsce.TargetShape(j.shape, j.flags.classLast)}
	var main, nll, smooth, zl, floor, denom float64 // Mean: the sums
	var zAll, floorAll []float64
	r := new(lsce.Result)
	var computeErr error
	pass := func(w io.Writer) error {
		for s0 := 0; s0 < samples; s0 += per {
			k := min(per, samples-s0)
			n := k * sample
			if _, err := readFull(read, buf[:n]); err != nil {
				computeErr = inputError{err}
				return computeErr
			}
			in := lsce.Input[T]{Logits: buf[:n], Shape: append([]int{k}, j.shape[1:]...), Targets: j.index[s0*inner : (s0+k)*inner]}
			var g []T
			if grad != nil {
				g = grad[:n]
			}
			if err := lsce.CrossEntropyInto(r, g, in, j.opt); err != nil {
				if le, ok := err.(*lsce.Error); ok && le.Row >= 0 {
					e := *le
					e.Row += s0 * inner
					err = &e
				}
				computeErr = j.placeError(err)
				return computeErr
			}
			switch j.opt.Reduction {
			case lsce.Mean:
				if r.Counted > 0 {
					main += (r.Loss - r.ZLoss) * r.Denominator
					nll += r.NLL * r.Denominator
					smooth += r.Smooth * r.Denominator
					floor += r.Floor * r.Denominator
					zl += r.ZLoss * float64(r.Counted)
					denom += r.Denominator
				}
			default:
				tot.Loss += r.Loss
				tot.NLL += r.NLL
				tot.Smooth += r.Smooth
				tot.ZLoss += r.ZLoss
				tot.Floor += r.Floor
				tot.Denominator = 1
			}
			tot.Counted += r.Counted
			if j.opt.Reduction == lsce.None {
				tot.Losses = append(tot.Losses, r.Losses...)
				tot.NLLs = append(tot.NLLs, r.NLLs...)
				tot.Smooths = append(tot.Smooths, r.Smooths...)
				if j.opt.ZLoss > 0 || j.opt.ZeroFloor {
					if err := j.elementParts(in); err != nil {
						computeErr = j.placeError(err)
						return computeErr
					}
					zAll, floorAll = append(zAll, j.zLosses...), append(floorAll, j.floors...)
				}
			}
			if w != nil {
				if err := tensorio.WriteNpyData(w, g); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if grad != nil {
		err := outfile.Write(j.flags.grad, func(w io.Writer) error {
			if err := tensorio.WriteNpyHeader[T](w, j.shape); err != nil {
				return err
			}
			return pass(w)
		})
		if computeErr != nil {
			return computeErr
		}
		if err != nil {
			return outputError("--grad", j.flags.grad, err)
		}
	} else if err := pass(nil); err != nil {
		return err
	}
	if j.opt.Reduction == lsce.Mean {
		cnt := float64(tot.Counted)
		tot.Denominator = denom
		tot.NLL, tot.Smooth, tot.Floor = nll/denom, smooth/denom, floor/denom
		tot.ZLoss = 0
		if cnt > 0 {
			tot.ZLoss = zl / cnt
		}
		tot.Loss = main/denom + tot.ZLoss
	}
	if zAll != nil || floorAll != nil {
		j.zLosses, j.floors = nil, nil
		if j.opt.ZLoss > 0 {
			j.zLosses = zAll
		}
		if j.opt.ZeroFloor {
			j.floors = floorAll
		}
	}
	return writeLoss(env.stdout, j, tot)
}
