"""Loads a model that `fplab train-score` saved and prints its outputs at fixed points, for the
interoperability test: Python's torch.jit.load must read fplab's TorchScript and agree with it.

Usage: python3 check_trained_model.py MODEL.pt
Prints one line per point: x y t s_x s_y (float64 inputs converted to the model's float32).
"""
import sys

import torch

model = torch.jit.load(sys.argv[1])
x = torch.tensor([[0.0, 0.0], [1.0, -1.0], [-2.0, 1.5], [3.0, 0.5]], dtype=torch.float32)
t = torch.tensor([0.05, 0.5, 1.0, 2.0], dtype=torch.float32)
with torch.inference_mode():
    s = model(x, t).to(torch.float64)
for k in range(x.shape[0]):
    print(f"{x[k, 0].item():.17g} {x[k, 1].item():.17g} {t[k].item():.17g} "
          f"{s[k, 0].item():.17g} {s[k, 1].item():.17g}")
print(f"t_min {model.t_min}")
