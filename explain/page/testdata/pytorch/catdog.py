import torch
import torch.nn.functional as F

print(F.cross_entropy(
    torch.tensor([[4.2, -2.4],
                  [1.6, -0.6],
                  [3.6, 1.2],
                  [-0.5, 0.5],
                  [-0.25, 1.7]], dtype=torch.float64),
    torch.tensor([0, 1, 1, 0, 0]),
    label_smoothing=0.1, reduction='none'))
# lsce: [0.3314, 2.1951, 2.3668, 1.2633, 1.9855]
