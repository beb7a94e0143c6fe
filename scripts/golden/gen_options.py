#!/usr/bin/python3
"""Golden files for lsce's per-loss options: z-loss, soft-capping, class masks
and the zero-floor (KL) form, alone and composed with class weights, ignore
index, both smoothing variants, every reduction, float32 and float64, index
and probability targets.

Run from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 scripts/golden/gen_options.py

It writes testdata/golden/options/<set>.json, read by options_golden_test.go.

The reference is built here from torch primitives and autograd, one element
at a time, independently of lsce's formulas:

  * soft-cap:   z <- c*tanh(z/c) on the raw logits, before anything else;
  * class mask: the element's classes are restricted to the allowed set A
                (K = |A|); masked logits take no probability and no smoothing
                mass (some are -inf in the input);
  * smoothing:  q~_c = (1-e')*[c=y] + e'/K on A (index targets), or
                q~_c = (1-e')*q_c + e'/K (probability targets), e' = e for the
                uniform variant and e*K/(K-1) for "others" (0 when K = 1);
  * main term:  -sum_{c in A} w_c q~_c log p_c, log p = z_A - logsumexp(z_A);
  * z-loss:     lambda * logsumexp(z_A)^2 per counted element;
  * zero-floor: subtract H(q~) = -sum_c w_c q~_c ln q~_c (so the loss is the
                weighted KL(q~ || p));
  * mean:       main and floor divide by sum of w_y over counted elements (index
                targets) or the element count (probability targets); the
                z-loss divides by the count of counted elements.

Gradients are autograd's, of each reduced loss (of the sum for 'none').
As a sanity check, the plain (option-free, uniform, unmasked) cases are
compared with F.cross_entropy(label_smoothing=) before anything is written.
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

OUT = os.path.join("testdata", "golden", "options")
C = 7
SHAPES = {"2d": (6, C), "kdim": (2, C, 3)}

# Option sets: name -> (z_loss, softcap, mask kind, zero_floor)
SETS = {
    "plain": (0.0, 0.0, None, False),
    "zloss": (0.05, 0.0, None, False),
    "softcap": (0.0, 2.5, None, False),
    "mask": (0.0, 0.0, "class", False),
    "rowmask": (0.0, 0.0, "element", False),
    "zerofloor": (0.0, 0.0, None, True),
    "all": (0.05, 2.5, "element", True),
    "all_classmask": (0.02, 4.0, "class", True),
}


def rows_of(x, layout):
    """(elements, C) view of x, element e = n*d + j for (N, C, d)."""
    if layout == "2d":
        return x
    n, c, d = x.shape
    return x.permute(0, 2, 1).reshape(n * d, c)


def reference(x, targets, probs, weight, ign, eps, variant, lam, cap, mask, floor, layout):
    """Returns per-element (main, nll, smooth, z, floor) tensors, a counted
    list and the target-weight denominator, all differentiable in x."""
    z = x
    if cap > 0:
        z = cap * torch.tanh(z / cap)
    rows = rows_of(z, layout)
    ne = rows.shape[0]
    qrows = rows_of(probs, layout) if probs is not None else None
    w = weight if weight is not None else torch.ones(C)
    main, nll, smooth, zl, fl = [], [], [], [], []
    counted, denom = 0, 0.0
    zero = torch.zeros(())
    for e in range(ne):
        if targets is not None and targets[e] == ign:
            for lst in (main, nll, smooth, zl, fl):
                lst.append(zero)
            continue
        allowed = [c for c in range(C) if mask is None or mask[e][c]]
        k = len(allowed)
        idx = torch.tensor(allowed)
        za = rows[e].index_select(0, idx)
        wa = w.index_select(0, idx)
        if variant == "others":
            ee = eps * k / (k - 1) if k > 1 else 0.0
        else:
            ee = eps
        lse = torch.logsumexp(za, 0)
        logp = za - lse
        if targets is not None:
            y = targets[e]
            q = torch.tensor([1.0 if c == y else 0.0 for c in allowed])
            counted += 1
            denom += float(w[y])
        else:
            q = qrows[e].index_select(0, idx)
            counted += 1
            denom += 1.0
        qt = (1 - ee) * q + ee / k
        main.append(-(wa * qt * logp).sum())
        nll.append(-(wa * q * logp).sum())
        smooth.append(-(wa * logp).sum() / k)
        zl.append(lam * lse * lse)
        if floor:
            qn = qt.detach()
            xl = torch.where(qn > 0, qn * torch.log(torch.where(qn > 0, qn, torch.ones_like(qn))), torch.zeros_like(qn))
            fl.append(-(wa * xl).sum())
        else:
            fl.append(zero)
    st = lambda l: torch.stack(l)
    return st(main), st(nll), st(smooth), st(zl), st(fl), counted, denom


def make_case(rng, setname, dtype, tkind, weighted, variant, layout):
    lam, cap, mkind, floor = SETS[setname]
    shape = SHAPES[layout]
    ne = shape[0] * (shape[2] if layout == "kdim" else 1)
    raw = rng.normal(0, 2.5, size=shape)
    if dtype == "float32":
        raw = raw.astype(np.float32).astype(np.float64)
    # masks: per class, or per element (class-contiguous), at least 2 allowed
    mask = None
    if mkind == "class":
        m = np.ones(C, dtype=bool)
        m[[1, 4]] = False
        mask = [list(m) for _ in range(ne)]
        mask_out = [bool(v) for v in m]
    elif mkind == "element":
        mask = []
        for e in range(ne):
            m = rng.random(C) > 0.35
            while m.sum() < 2:
                m[rng.integers(C)] = True
            if e == 0:  # one element with a single allowed class: K = 1
                m[:] = False
                m[3] = True
            mask.append(list(m))
        mask_out = [bool(v) for row in mask for v in row]
    # targets in the allowed set; some ignored
    ign = -1 if tkind == "ignore" else -100
    targets = probs = None
    if tkind in ("index", "ignore"):
        targets = []
        for e in range(ne):
            allowed = [c for c in range(C) if mask is None or mask[e][c]]
            targets.append(int(rng.choice(allowed)))
        if tkind == "ignore":
            targets[1] = ign
            targets[ne - 2] = ign
    else:
        pr = np.zeros((ne, C))
        for e in range(ne):
            allowed = [c for c in range(C) if mask is None or mask[e][c]]
            v = rng.random(len(allowed)) ** 2
            if e == 2:  # a one-hot soft target: exercises 0*ln 0 in the floor
                v = np.zeros(len(allowed))
                v[-1] = 1
            pr[e, allowed] = v / v.sum()
        if dtype == "float32":
            pr = pr.astype(np.float32).astype(np.float64)
        if layout == "kdim":
            n, c, d = shape
            pr_full = pr.reshape(n, d, c).transpose(0, 2, 1).copy()
        else:
            pr_full = pr
        probs = torch.tensor(pr_full)
    # masked logits: some -inf, the rest left finite (they must not matter)
    neginf = []
    if mask is not None:
        flat = raw.reshape(-1)
        for e in range(ne):
            for c in range(C):
                if not mask[e][c] and (e + c) % 2 == 0:
                    if layout == "kdim":
                        n, d = divmod(e, shape[2])
                        at = (n * C + c) * shape[2] + d
                    else:
                        at = e * C + c
                    neginf.append(at)
        for at in neginf:
            flat[at] = -np.inf
    weight = None
    if weighted:
        weight = rng.uniform(0.2, 2.0, size=C)
        if dtype == "float32":
            weight = weight.astype(np.float32).astype(np.float64)
    eps = 0.15

    case = {
        "name": f"{setname}/{dtype}/{tkind}/w={int(weighted)}/{variant}/{layout}",
        "dtype": dtype,
        "shape": list(shape),
        "logits": [0.0 if np.isinf(v) else float(v) for v in raw.reshape(-1)],
        "neginf": neginf,
        "targets": targets,
        "probs": None if probs is None else [float(v) for v in probs.reshape(-1)],
        "weight": None if weight is None else [float(v) for v in weight],
        "ignore_index": ign if tkind == "ignore" else None,
        "epsilon": eps,
        "variant": variant,
        "z_loss": lam,
        "softcap": cap,
        "mask": mask_out if mask is not None else None,
        "zero_floor": floor,
        "results": {},
    }
    wt = torch.tensor(weight) if weight is not None else None
    for red in ("mean", "sum", "none"):
        x = torch.tensor(raw, requires_grad=True)
        main, nll, smooth, zl, fl, counted, denom = reference(
            x, targets, probs, wt, ign, eps, variant, lam, cap, mask, floor, layout)
        losses = main + zl - fl
        if red == "mean":
            d = denom if counted else 0
            inv = 1 / d if d else 0.0
            zinv = 1 / counted if counted else 0.0
            total = (main.sum() - fl.sum()) * inv + zl.sum() * zinv
            parts = {"nll": float(nll.sum()) * inv, "smooth": float(smooth.sum()) * inv,
                     "zloss": float(zl.sum()) * zinv, "floor": float(fl.sum()) * inv,
                     "denominator": d}
        else:
            total = losses.sum()
            parts = {"nll": float(nll.sum()), "smooth": float(smooth.sum()),
                     "zloss": float(zl.sum()), "floor": float(fl.sum()), "denominator": 1.0}
        total.backward()
        g = x.grad.detach().numpy().reshape(-1)
        assert np.all(np.isfinite(g)) and np.isfinite(float(total)), case["name"]
        res = {"loss": float(total), "counted": counted, "grad": [float(v) for v in g]}
        res.update(parts)
        if red == "none":
            res["losses"] = [float(v) for v in losses.detach()]
            res["nlls"] = [float(v) for v in nll.detach()]
            res["smooths"] = [float(v) for v in smooth.detach()]
        case["results"][red] = res
    check_plain(case, raw, targets, probs, wt, ign, eps)
    return case


def check_plain(case, raw, targets, probs, wt, ign, eps):
    """Option-free uniform cases must equal PyTorch's own cross_entropy."""
    if not case["name"].startswith("plain/") or case["variant"] != "uniform":
        return
    for red in ("mean", "sum", "none"):
        x = torch.tensor(raw, requires_grad=True)
        t = torch.tensor(targets).reshape((x.shape[0],) + tuple(x.shape[2:])) if targets is not None else probs
        out = F.cross_entropy(x, t, weight=wt, ignore_index=ign, reduction=red, label_smoothing=eps)
        out.sum().backward()
        ours = case["results"][red]
        assert abs(float(out.sum()) - ours["loss"]) < 1e-12 * max(1, abs(ours["loss"])), (case["name"], red)
        assert np.allclose(x.grad.numpy().reshape(-1), ours["grad"], rtol=1e-12, atol=1e-14), (case["name"], red)


def main():
    os.makedirs(OUT, exist_ok=True)
    total = 0
    for si, setname in enumerate(SETS):
        rng = np.random.default_rng(7000 + si)
        cases = []
        i = 0
        for dtype in ("float64", "float32"):
            for tkind in ("index", "ignore", "probs"):
                for weighted in (False, True):
                    for variant in ("uniform", "others"):
                        layout = "kdim" if ((i >> 1) ^ i) & 1 else "2d"  # both layouts for each variant
                        i += 1
                        cases.append(make_case(rng, setname, dtype, tkind, weighted, variant, layout))
        path = os.path.join(OUT, setname + ".json")
        with open(path, "w") as f:
            json.dump({"generator": "scripts/golden/gen_options.py (torch %s); do not edit" % torch.__version__,
                       "cases": cases}, f, separators=(",", ":"))
            f.write("\n")
        total += len(cases)
    print(f"wrote {total} cases to {OUT}")


if __name__ == "__main__":
    main()
