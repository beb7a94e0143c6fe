#!/usr/bin/python3
"""Writes the inputs and PyTorch-computed expectations that the `lsce loss`
testscripts (cmd/lsce/testdata/script/loss_*.txtar) check against.

Run from the repository root with Debian's python3-torch (1.13) and numpy:
    /usr/bin/python3 scripts/loss/gen_testdata.py

For every case NAME it writes, under cmd/lsce/testdata/loss/:
    NAME_x.npy, NAME_y.npy (and NAME_w.npy, NAME_mask.npy): the inputs;
    NAME_loss_RED.npy: PyTorch's loss for reduction RED (float64, the shape of
        the per-element losses for "none", a scalar otherwise);
    NAME_grad_RED.npy: the gradient of that loss (of its sum for "none") with
        respect to the logits, by autograd, in the logits' dtype.
Losses are computed in float64 from the (possibly float32) inputs; the
testscripts compare with a tolerance stated there.
"""
import os
import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "cmd", "lsce", "testdata", "loss")


def save(name, arr):
    np.save(os.path.join(OUT, name + ".npy"), arr)


def emit(name, x, loss_fn, reductions=("none", "mean", "sum")):
    """Runs loss_fn(z64, reduction) on a float64 copy of x and saves the loss
    and the autograd gradient, cast to x's dtype."""
    for red in reductions:
        z = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        loss = loss_fn(z, red)
        (loss.sum() if red == "none" else loss).backward()
        save("%s_loss_%s" % (name, red), loss.detach().numpy().astype(np.float64))
        save("%s_grad_%s" % (name, red), z.grad.numpy().astype(x.dtype))


def main():
    os.makedirs(OUT, exist_ok=True)
    # The write-up's cat/dog example ("Label Smoothing Explained using Microsoft Excel", Aman Arora).
    x = np.array([[4.2, -2.4], [1.6, -0.6], [3.6, 1.2], [-0.5, 0.5], [-0.25, 1.7]])
    y = np.array([0, 1, 1, 0, 0], dtype=np.int64)
    save("seed_x", x)
    save("seed_x32", x.astype(np.float32))
    save("seed_y", y)
    save("seed_y32", y.astype(np.int32))
    save("seed_yf", y.astype(np.float64))  # class indices stored as floats
    seed = lambda z, red: F.cross_entropy(z, torch.tensor(y), label_smoothing=0.1, reduction=red)
    emit("seed", x, seed)
    # The parts: nll = H(q, p) is the loss at ε = 0, smooth = H(u, p) at ε = 1.
    emit("seednll", x, lambda z, red: F.cross_entropy(z, torch.tensor(y), label_smoothing=0.0, reduction=red))
    emit("seedsmooth", x, lambda z, red: F.cross_entropy(z, torch.tensor(y), label_smoothing=1.0, reduction=red))
    emit("seed32", x.astype(np.float32), seed, ("mean",))
    # "others": ε/(K−1) off the target is uniform smoothing with ε' = ε·K/(K−1) (= 0.2 for K = 2).
    emit("seedothers", x, lambda z, red: F.cross_entropy(z, torch.tensor(y), label_smoothing=0.2, reduction=red), ("none",))
    # z-loss (λ·LSE² per counted element, mean over them) and zero-floor (minus H(q')).
    lam = 0.01
    emit("seedz", x, lambda z, red: seed(z, red) + lam * _reduce(torch.logsumexp(z, 1) ** 2, red), ("mean", "none"))
    q = np.array([0.95, 0.05])  # q' for K = 2, ε = 0.1
    hq = float(-(q * np.log(q)).sum())
    emit("seedfloor", x, lambda z, red: seed(z, red) - _reduce(torch.full((5,), hq, dtype=torch.float64), red), ("mean", "none"))

    # REFERENCE.md's weighted case with an ignored row.
    x = np.array([[2, 0.5, -1], [0.1, 0.2, 0.3], [1, -1, 0], [0, 3, 1]])
    y = np.array([0, 2, -100, 1], dtype=np.int64)
    w = np.array([1, 2, 0.5])
    save("weighted_x", x)
    save("weighted_y", y)
    save("weighted_w", w)
    emit("weighted", x, lambda z, red: F.cross_entropy(z, torch.tensor(y), weight=torch.tensor(w), label_smoothing=0.2, reduction=red))
    # The same with ignore index 2 instead (row 1 ignored, row 2's −100 now out of range is replaced by 0).
    y2 = np.array([0, 2, 0, 1], dtype=np.int64)
    save("weighted_y2", y2)
    emit("weightedign2", x, lambda z, red: F.cross_entropy(z, torch.tensor(y2), weight=torch.tensor(w), ignore_index=2, label_smoothing=0.2, reduction=red), ("mean",))

    rng = np.random.default_rng(7)
    # K-dimensional float32 input (N, C, d) = (2, 3, 4), one ignored position.
    x = x_kdim = rng.normal(0, 2, (2, 3, 4)).astype(np.float32)
    y = rng.integers(0, 3, (2, 4)).astype(np.int64)
    y[1, 2] = -100
    save("kdim_x", x)
    save("kdim_y", y)
    kd = lambda z, red: F.cross_entropy(z, torch.tensor(y), label_smoothing=0.1, reduction=red)
    emit("kdim", x, kd)
    # The same data class-last: (2, 4, 3).
    save("classlast_x", np.ascontiguousarray(x.transpose(0, 2, 1)))
    emit("classlast", np.ascontiguousarray(x.transpose(0, 2, 1)),
         lambda z, red: kd(z.permute(0, 2, 1), red), ("none", "mean"))

    # Probability targets with weights.
    x = rng.normal(0, 1.5, (3, 4))
    p = rng.random((3, 4))
    p /= p.sum(1, keepdims=True)
    w = np.array([1, 2, 1, 0.5])
    save("prob_x", x)
    save("prob_p", p)
    save("prob_w", w)
    emit("prob", x, lambda z, red: F.cross_entropy(z, torch.tensor(p), weight=torch.tensor(w), label_smoothing=0.1, reduction=red))

    # Soft-capping at c = 2 of large logits.
    x = rng.normal(0, 5, (3, 4))
    y = np.array([0, 3, 1], dtype=np.int64)
    save("softcap_x", x)
    save("softcap_y", y)
    emit("softcap", x, lambda z, red: F.cross_entropy(2 * torch.tanh(z / 2), torch.tensor(y), label_smoothing=0.1, reduction=red), ("mean",))

    # A class mask of length C: class 2 is not allowed (its logit is −Inf in
    # row 0). Masked classes take no probability and no smoothing mass, which
    # is cross-entropy over the allowed classes with targets renumbered.
    x = rng.normal(0, 1, (3, 4))
    x[0, 2] = -np.inf
    y = np.array([0, 3, 1], dtype=np.int64)
    mask = np.array([True, True, False, True])
    save("mask_x", x)
    save("mask_y", y)
    save("mask_m", mask)
    keep = np.flatnonzero(mask)
    ynew = torch.tensor([int(np.flatnonzero(keep == t)[0]) for t in y])

    def masked(z, red):
        return F.cross_entropy(z[:, keep], ynew, label_smoothing=0.1, reduction=red)
    emit("mask", x, masked, ("mean",))
    # PyTorch's gradient of a −Inf logit through indexing is 0; so is lsce's.

    # Inputs the command must reject: Fortran order, an unsupported dtype, a
    # big-endian float32 copy of the cat/dog logits (accepted), a per-element
    # mask that masks every class of row 1.
    save("bad_fortran", np.asfortranarray(np.ones((5, 2))))
    save("bad_int16", np.zeros((5, 2), dtype=np.int16))
    save("seed_x32be", np.array([[4.2, -2.4], [1.6, -0.6], [3.6, 1.2], [-0.5, 0.5], [-0.25, 1.7]], dtype=">f4"))
    xn = x_kdim.copy()
    xn[1, 2, 3] = np.nan
    save("bad_kdim_nan", xn)
    save("bad_classlast_nan", np.ascontiguousarray(xn.transpose(0, 2, 1)))
    # 10¹² rows of zero classes hold no data: a hostile shape.
    save("bad_noclasses", np.zeros((10**12, 0)))
    save("mask_rows", np.array([[1, 1, 0, 1], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=np.uint8))


def _reduce(v, red):
    if red == "mean":
        return v.mean()
    if red == "sum":
        return v.sum()
    return v


if __name__ == "__main__":
    main()
