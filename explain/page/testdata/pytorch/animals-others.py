import torch
import torch.nn.functional as F

# Variant others (1 − ε on the label, ε/(K−1) on every other class) with ε = 0.25 and K = 5
# is PyTorch's (uniform) label_smoothing = ε·K/(K−1) = 0.3125.
print(F.cross_entropy(
    torch.tensor([[4.7, -2.5, 0.6, 1.2, 0.4],
                  [-1.2, 2.4, 2.6, -0.6, 2.34],
                  [-2.4, 1.2, 1.1, 0.8, 1.2],
                  [1.2, 0.2, 0.8, 1.9, -0.6],
                  [-0.9, -0.1, -0.2, -0.5, 1.6]], dtype=torch.float64),
    torch.tensor([0, 1, 2, 3, 4]),
    label_smoothing=0.3125, reduction='none'))
# lsce: [1.2530, 1.5794, 1.6066, 1.1142, 0.9461]
