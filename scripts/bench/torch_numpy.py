#!/usr/bin/env python3
"""Times label-smoothing cross-entropy (eps = 0.1, mean) in numpy and PyTorch,
forward and forward + gradient, on N(0, 3^2) logits with uniform targets, and
prints a markdown table of medians. Each library is skipped, with a message,
when it is not installed. Reference points for `lsce bench` (see compare.sh).

    /usr/bin/python3 scripts/bench/torch_numpy.py --rows 4096 --classes 32000 --reps 3
"""
import argparse
import time


def median_ms(f, reps):
    f()  # warm up
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append((time.perf_counter() - s) * 1e3)
    t.sort()
    return t[len(t) // 2]


def numpy_rows(x, y, eps, reps, threads):
    import numpy as np
    n, c = x.shape
    idx = np.arange(n)

    def fwd():
        m = x.max(axis=1)
        lse = np.log(np.exp(x - m[:, None]).sum(axis=1)) + m
        nll = lse - x[idx, y]
        smooth = lse - x.mean(axis=1)
        return float(((1 - eps) * nll + eps * smooth).mean())

    def fwd_bwd():
        m = x.max(axis=1)
        e = np.exp(x - m[:, None])
        s = e.sum(axis=1)
        lse = np.log(s) + m
        loss = float(((1 - eps) * (lse - x[idx, y]) + eps * (lse - x.mean(axis=1))).mean())
        g = e / s[:, None] - eps / c
        g[idx, y] -= 1 - eps
        g /= n
        return loss, g

    return [("numpy %s, vectorised expression" % np.__version__, median_ms(fwd, reps), median_ms(fwd_bwd, reps))]


def torch_rows(x, y, eps, reps, threads):
    import torch
    import torch.nn.functional as F
    rows = []
    xt = torch.from_numpy(x)
    yt = torch.from_numpy(y.astype("int64"))
    for th in threads:
        torch.set_num_threads(th)

        def fwd():
            with torch.no_grad():
                return F.cross_entropy(xt, yt, label_smoothing=eps).item()

        def fwd_bwd():
            xr = xt.detach().requires_grad_(True)
            loss = F.cross_entropy(xr, yt, label_smoothing=eps)
            loss.backward()
            return loss.item()

        rows.append(("PyTorch %s, F.cross_entropy, %d thread(s)" % (torch.__version__, th),
                     median_ms(fwd, reps), median_ms(fwd_bwd, reps)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=4096)
    ap.add_argument("--classes", type=int, default=32000)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--threads", default="1,2", help="PyTorch thread counts, comma-separated")
    a = ap.parse_args()
    try:
        import numpy as np
    except ImportError:
        print("numpy is not installed: nothing to time")
        return
    rng = np.random.default_rng(2024)
    x = (3 * rng.standard_normal((a.rows, a.classes))).astype(a.dtype)
    y = rng.integers(0, a.classes, a.rows)
    threads = [int(t) for t in a.threads.split(",")]
    print("| %d×%d %s, ε = 0.1, mean | forward ms | forward + gradient ms |" % (a.rows, a.classes, a.dtype))
    print("|---|---:|---:|")
    for name, f, b in numpy_rows(x, y, 0.1, a.reps, threads):
        print("| %s | %.1f | %.1f |" % (name, f, b))
    try:
        import torch  # noqa: F401
    except ImportError:
        print("| PyTorch: not installed, skipped | | |")
        return
    for name, f, b in torch_rows(x, y, 0.1, a.reps, threads):
        print("| %s | %.1f | %.1f |" % (name, f, b))


if __name__ == "__main__":
    main()
