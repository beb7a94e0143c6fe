#!/usr/bin/python3
"""Writes torch.json: per-row label-smoothing losses from real PyTorch for the
explain package's tests. Run from explain/testdata with /usr/bin/python3
(Debian's python3-torch): /usr/bin/python3 gen_torch.py

Each case holds the input and two oracles computed in float64:
  torch  F.cross_entropy(x, y, label_smoothing=eps, reduction='none')
  fastai the write-up's LabelSmoothingCrossEntropy(eps, reduction='none'), as
         printed in the write-up (fastai2 layers.py).
"""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F


def reduce_loss(loss, reduction='mean'):
    return loss.mean() if reduction == 'mean' else loss.sum() if reduction == 'sum' else loss


class LabelSmoothingCrossEntropy(nn.Module):  # the write-up's code, verbatim in substance
    def __init__(self, eps=0.1, reduction='mean'):
        super().__init__()
        self.eps, self.reduction = eps, reduction

    def forward(self, output, target):
        c = output.size()[-1]
        log_preds = F.log_softmax(output, dim=-1)
        loss = reduce_loss(-log_preds.sum(dim=-1), self.reduction)
        nll = F.nll_loss(log_preds, target, reduction=self.reduction)
        return (1 - self.eps) * nll + self.eps * (loss / c)


cases = {
    "catdog": ([[4.2, -2.4], [1.6, -0.6], [3.6, 1.2], [-0.5, 0.5], [-0.25, 1.7]], [0, 1, 1, 0, 0], 0.1),
    "animals": ([[4.7, -2.5, 0.6, 1.2, 0.4],
                 [-1.2, 2.4, 2.6, -0.6, 2.34],
                 [-2.4, 1.2, 1.1, 0.8, 1.2],
                 [1.2, 0.2, 0.8, 1.9, -0.6],
                 [-0.9, -0.1, -0.2, -0.5, 1.6]], [0, 1, 2, 3, 4], 0.1),
    # Beyond plain exp: e^750 overflows, e^-900 underflows, and a spread of
    # 1500 makes p round to 0.
    "extreme": ([[750.0, 749.0, -750.0], [-900.0, -905.5, -899.25], [0.0, 1.0, 2.0], [81.0, -81.0, 0.0]],
                [2, 1, 0, 1], 0.2),
    "catdog-eps0": ([[4.2, -2.4], [1.6, -0.6], [3.6, 1.2], [-0.5, 0.5], [-0.25, 1.7]], [0, 1, 1, 0, 0], 0.0),
    "catdog-eps1": ([[4.2, -2.4], [1.6, -0.6], [3.6, 1.2], [-0.5, 0.5], [-0.25, 1.7]], [0, 1, 1, 0, 0], 1.0),
}

out = {"generator": "explain/testdata/gen_torch.py", "torch": torch.__version__, "cases": {}}
for name, (x, y, eps) in cases.items():
    X = torch.tensor(x, dtype=torch.float64)
    Y = torch.tensor(y)
    out["cases"][name] = {
        "logits": x, "targets": y, "epsilon": eps,
        "torch": F.cross_entropy(X, Y, label_smoothing=eps, reduction='none').tolist(),
        "fastai": LabelSmoothingCrossEntropy(eps, reduction='none')(X, Y).tolist(),
    }

with open("torch.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
