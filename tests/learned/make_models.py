"""TorchScript models scripted in PyTorch, for fplab's learned-score tests (docs/reference.md §4 `learned`).

Usage: python3 make_models.py OUT_DIR

gauss64.pt / gauss32.pt: the exact score of the data N(m0, s0² I) under the OU forward equation
(C = D = I, constant schedule): m_t = m0 e^{-t}, v_t = 1 - (1 - s0²) e^{-2t}, s = -(x - m_t)/v_t,
in float64 (no parameters) and float32 (one float32 parameter). gauss_tmin.pt stores t_min = 0.05.
The others are broken on purpose: forward(x) only, an [N, 1] output, NaN output.
"""
import sys

import torch



class Gauss(torch.nn.Module):
    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        m = torch.stack([1.0 * torch.exp(-t), -0.5 * torch.exp(-t)], dim=1)
        v = 1.0 - (1.0 - 0.25) * torch.exp(-2.0 * t)
        return -(x - m) / v[:, None]


class Gauss32(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(1, dtype=torch.float32))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        m = torch.stack([1.0 * torch.exp(-t), -0.5 * torch.exp(-t)], dim=1)
        v = 1.0 - (1.0 - 0.25) * torch.exp(-2.0 * t)
        return -self.scale * (x - m) / v[:, None]


class GaussTMin(Gauss):
    t_min: float

    def __init__(self):
        super().__init__()
        self.t_min = 0.05


class OneArgument(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -x


class WrongShape(torch.nn.Module):
    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return x[:, :1]


class NotFinite(torch.nn.Module):
    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return x * float("nan")


def main(out):
    for name, model in [("gauss64", Gauss()), ("gauss32", Gauss32()), ("gauss_tmin", GaussTMin()),
                        ("one_argument", OneArgument()), ("wrong_shape", WrongShape()),
                        ("not_finite", NotFinite())]:
        torch.jit.script(model).save(f"{out}/{name}.pt")
    print(f"models written to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
