"""Train a score network in PyTorch and hand it to fplab (the recipe of the README).

    python3 docs/score_from_pytorch.py score_py.pt [ITERATIONS]
    build/fplab run cases/moons_reverse_learned.yaml --set equation.score.path=$PWD/score_py.pt

The forward equation is fplab's OU case (C = D = I, constant schedule): x_t = e^{-t} x_0 + σ_t z
with σ_t² = 1 − e^{-2t}, so denoising score matching minimises E‖σ_t s(x_t, t) + z‖² (Vincent
2011; Song et al. 2021). fplab loads any TorchScript module whose forward(x [N, 2], t [N]) returns
[N, 2]; a float attribute `t_min` tells it where to stop (it evaluates at max(t, t_min)).
"""
import math
import sys

import torch


def sample_moons(n: int, generator: torch.Generator) -> torch.Tensor:
    """fplab's `moons`: 2 · scikit-learn's make_moons(noise = 0.1) − (1, 0.2)."""
    theta = math.pi * torch.rand(n, generator=generator)
    upper = torch.rand(n, generator=generator) < 0.5
    x = torch.where(upper, torch.cos(theta), 1.0 - torch.cos(theta))
    y = torch.where(upper, torch.sin(theta), 0.5 - torch.sin(theta))
    pts = torch.stack([x, y], dim=1) + 0.1 * torch.randn(n, 2, generator=generator)
    return 2.0 * pts - torch.tensor([1.0, 0.2])


class Score(torch.nn.Module):
    t_min: float

    def __init__(self, hidden: int = 128, t_min: float = 1e-3):
        super().__init__()
        self.t_min = t_min
        self.freqs = torch.nn.Parameter(torch.logspace(math.log10(0.5), math.log10(200.0), 8),
                                        requires_grad=False)
        self.net = torch.nn.Sequential(
            torch.nn.Linear(2 + 16, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, hidden), torch.nn.SiLU(),
            torch.nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        t = t.to(x.dtype)
        ft = t[:, None] * self.freqs[None, :]
        h = torch.cat([x, torch.sin(ft), torch.cos(ft)], dim=1)
        sigma = torch.sqrt(-torch.expm1(-2.0 * t))  # σ_t of OU
        return self.net(h) / sigma[:, None]


def main(path: str, iterations: int) -> None:
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    T, t_min, batch = 2.0, 1e-3, 512
    model = Score(t_min=t_min)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, iterations, eta_min=5e-4)
    for it in range(1, iterations + 1):
        x0 = sample_moons(batch, gen)
        t = t_min + (T - t_min) * torch.rand(batch, generator=gen) ** 2  # more samples near 0
        z = torch.randn(batch, 2, generator=gen)
        sigma = torch.sqrt(-torch.expm1(-2.0 * t))[:, None]
        xt = torch.exp(-t)[:, None] * x0 + sigma * z
        loss = ((sigma * model(xt, t) + z) ** 2).sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if it % max(1, iterations // 10) == 0:
            print(f"iteration {it}/{iterations}  loss {loss.item():.4f}", flush=True)
    torch.jit.script(model.eval()).save(path)
    print(f"saved {path}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3000)
