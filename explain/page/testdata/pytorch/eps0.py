import torch
import torch.nn.functional as F

print(F.cross_entropy(
    torch.tensor([[0.5, 2.0]], dtype=torch.float64),
    torch.tensor([1]),
    label_smoothing=0.0, reduction='none'))
# lsce: [0.2014]
