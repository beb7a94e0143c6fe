#!/usr/bin/python3
"""Generate calib/testdata/overconfident.*: a large over-confident case and
every calibration metric of it, computed independently with NumPy.

Run from the repository root:  /usr/bin/python3 scripts/calib/gen_golden.py

Data: N = 20000 rows, C = 10 classes. Latent scores s ~ 2·N(0, 1); the true
label is drawn from softmax(s); the model reports logits 3·s, rounded to
float32: three times too confident, so the fitted temperature is near 3.

Outputs:
  overconfident_logits.npy   (N, C) float32
  overconfident_targets.npy  (N,) int64
  overconfident.golden.json  the metrics (T = 1 and at the fitted T), 15 bins
  inf_logits.npy             (3, 3) float64 with +Inf at row 1, column 0
  float_targets.npy          (3,) float64 [0, 1, 2]: integral float targets
  half_targets.npy           (3,) float64 [0, 1.5, 2]: a non-integer target
The calib tests and cmd/lsce/testdata/script/eval_*.txtar read them.
The temperature is found by golden-section search on log T (an algorithm
independent of the Go code's Newton iteration), then refined by bisection on
the sign of the NLL's derivative down to adjacent floats.
"""
import json
import os

import numpy as np

N, C, BINS, EPS = 20000, 10, 15, 0.1
OUT = os.path.join("calib", "testdata")


def softmax(z):
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def metrics(z, y):
    n, c = z.shape
    p = softmax(z)
    logp = log_softmax(z)
    conf = p.max(axis=1)
    pred = np.argmax(z, axis=1)  # first maximum
    correct = pred == y
    order = np.argsort(-z, axis=1, kind="stable")  # ties: lower index first
    top5 = (order[:, :5] == y[:, None]).any(axis=1)
    nll = -logp[np.arange(n), y]
    onehot = np.zeros_like(p)
    onehot[np.arange(n), y] = 1
    brier = ((p - onehot) ** 2).sum(axis=1)
    srt = np.sort(z, axis=1)
    gap = srt[:, -1] - srt[:, -2]
    edges = np.linspace(0, 1, BINS + 1)
    bins, ece, mce = [], 0.0, 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        inb = (conf > lo) & (conf <= hi)
        cnt = int(inb.sum())
        acc = float(correct[inb].mean()) if cnt else 0.0
        cf = float(conf[inb].mean()) if cnt else 0.0
        if cnt:
            ece += cnt / n * abs(acc - cf)
            mce = max(mce, abs(acc - cf))
        bins.append({"lo": float(lo), "hi": float(hi), "count": cnt, "correct": int(correct[inb].sum()),
                     "accuracy": acc, "confidence": cf})
    # PyTorch's label_smoothing: (1 − ε)·nll + (ε/C)·Σ_c −log p_c
    loss = (1 - EPS) * nll + EPS * (-logp).mean(axis=1)
    return {
        "accuracy": float(correct.mean()), "top5_accuracy": float(top5.mean()), "nll": float(nll.mean()),
        "loss": float(loss.mean()), "ece": ece, "mce": mce, "brier": float(brier.mean()),
        "confidence": float(conf.mean()), "logit_gap": float(gap.mean()), "bins": bins,
    }


def fit_temperature(z, y):
    n = len(y)

    def nll(logt):
        return float(-log_softmax(z / np.exp(logt))[np.arange(n), y].mean())

    a, b = np.log(0.05), np.log(50.0)
    r = (np.sqrt(5) - 1) / 2
    c, d = b - r * (b - a), a + r * (b - a)
    fc, fd = nll(c), nll(d)
    while b - a > 1e-13:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - r * (b - a)
            fc = nll(c)
        else:
            a, c, fc = c, d, fd
            d = a + r * (b - a)
            fd = nll(d)
    t = float(np.exp((a + b) / 2))
    # The NLL is flat at its minimum, so golden section pins T only to
    # ~1e-8. Refine by bisection on the sign of dNLL/dβ (β = 1/T),
    # mean_n (Σ_k p_nk z_nk − z_ny) with p = softmax(β z), to the last bit.
    def slope(beta):
        p = softmax(beta * z)
        return float(((p * z).sum(axis=1) - z[np.arange(n), y]).mean())

    lo, hi = 1 / (t * 1.001), 1 / (t / 1.001)
    assert slope(lo) < 0 < slope(hi), "golden section missed the minimum"
    while True:
        mid = (lo + hi) / 2
        if not lo < mid < hi:
            break
        if slope(mid) < 0:
            lo = mid
        else:
            hi = mid
    return float(1 / lo)


def main():
    rng = np.random.default_rng(20260517)
    s = 2 * rng.standard_normal((N, C))
    ps = softmax(s)
    u = rng.random(N)
    y = np.minimum((ps.cumsum(axis=1) < u[:, None]).sum(axis=1), C - 1).astype(np.int32)
    z32 = (3 * s).astype("<f4")
    z = z32.astype(np.float64)
    before = metrics(z, y)
    t = fit_temperature(z, y)
    after = metrics(z / t, y)
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "overconfident_logits.npy"), z32)
    np.save(os.path.join(OUT, "overconfident_targets.npy"), y.astype("<i8"))
    np.save(os.path.join(OUT, "inf_logits.npy"), np.array([[1, 2, 3], [np.inf, 5, 6], [7, 8, 9]], dtype="<f8"))
    np.save(os.path.join(OUT, "float_targets.npy"), np.array([0, 1, 2], dtype="<f8"))
    np.save(os.path.join(OUT, "half_targets.npy"), np.array([0, 1.5, 2], dtype="<f8"))
    golden = {"generator": "scripts/calib/gen_golden.py", "rows": N, "classes": C, "bins": BINS, "epsilon": EPS,
              "before": before, "temperature": t, "after": after}
    with open(os.path.join(OUT, "overconfident.golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"T = {t:.6f}; ECE {before['ece']:.4f} -> {after['ece']:.4f}; NLL {before['nll']:.4f} -> {after['nll']:.4f}")


if __name__ == "__main__":
    main()
