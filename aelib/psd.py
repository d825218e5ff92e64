"""Predictive sparse decomposition (Kavukcuoglu, Ranzato & LeCun, 2008), chapter 09.

Sparse coding explains x by a few atoms of a dictionary D, but finding the code z
needs an iterative solver (``aelib.sparse``) for every input. PSD trains, beside D,
an encoder F(x) = g * tanh(W x + b) that predicts the optimal code in one pass. The
energy of an input x and a code z is

    E(x, z) = 1/2 ||x - D z||^2 + lam |z|_1 + alpha/2 ||z - F(x)||^2

(the paper's energy is twice this, with its lambda equal to 2 lam). Training
alternates three steps on each minibatch:

1. inference: z* = argmin_z E(x, z), by FISTA started at F(x);
2. dictionary step: a gradient step on 1/2 ||x - D z*||^2, then every atom
   (column of D) is rescaled to unit norm, so that the L1 term cannot be
   dodged by shrinking z and growing D;
3. encoder step: a gradient step on alpha/2 ||z* - F(x)||^2.

After training, F(x) alone gives the code: one matrix product instead of hundreds.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from . import sparse
from ._checks import as_matrix, matches, number, same_shape, schedule
from .device import get_device

ENCODERS = ("tanh", "sigmoid")


class PSD(nn.Module):
    """A dictionary D with unit-norm atoms and an encoder that predicts sparse codes.

    Args:
        n_visible: size of x.
        n_code: number of atoms, the size of z.
        lam: weight of the L1 penalty, >= 0.
        alpha: weight of the prediction term ||z - F(x)||^2, >= 0.
        encoder: ``"tanh"``, the paper's F(x) = g * tanh(W x + b) with one gain g_j per code
            unit (codes of either sign), or ``"sigmoid"``, F(x) = sigm(W x + b) (non-negative
            codes; pair it with non-negative data and expect fewer exact zeros).

    Shape:
        x: ``(batch, n_visible)``; z: ``(batch, n_code)``.
        D: ``(n_visible, n_code)``, one atom per column; W: ``(n_code, n_visible)``.
    """

    def __init__(self, n_visible: int, n_code: int, lam: float = 0.5, alpha: float = 1.0,
                 encoder: str = "tanh"):
        super().__init__()
        number("n_visible", n_visible, low=1, integer=True)
        number("n_code", n_code, low=1, integer=True)
        number("lam", lam, low=0.0)
        number("alpha", alpha, low=0.0)
        if encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}; got {encoder!r}")
        self.n_visible, self.n_code, self.lam, self.alpha, self.encoder = n_visible, n_code, lam, alpha, encoder
        self.D = nn.Parameter(torch.randn(n_visible, n_code))
        self.normalize_atoms()
        bound = 1.0 / math.sqrt(n_visible)
        self.W = nn.Parameter(torch.empty(n_code, n_visible).uniform_(-bound, bound))
        self.b = nn.Parameter(torch.zeros(n_code))
        self.g = nn.Parameter(torch.ones(n_code))

    @torch.no_grad()
    def normalize_atoms(self) -> None:
        """Rescale every column of D to unit Euclidean norm."""
        self.D.div_(self.D.norm(dim=0, keepdim=True).clamp_min(1e-12))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The predicted code F(x) = g * tanh(W x + b) (or sigm(W x + b))."""
        matches("x", as_matrix("x", x, self.n_visible), self.W)
        a = torch.addmm(self.b, x, self.W.t())
        return self.g * torch.tanh(a) if self.encoder == "tanh" else torch.sigmoid(a)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """x_hat = D z."""
        matches("z", as_matrix("z", z, self.n_code, finite=False), self.D)
        return z @ self.D.t()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = D F(x): the reconstruction from the predicted code, no optimisation."""
        return self.decode(self.encode(x))

    def energy(self, x: torch.Tensor, z: torch.Tensor, z_pred: torch.Tensor | None = None) -> torch.Tensor:
        """E(x, z) for each row; the prediction term is left out when z_pred is None.

        Shape:
            x: ``(batch, n_visible)``; z, z_pred: ``(batch, n_code)``; output: ``(batch,)``.
        """
        e = sparse.lasso_objective(x, self.D, z, self.lam)
        if z_pred is not None:
            same_shape("z_pred", as_matrix("z_pred", z_pred), "z", z)
            e = e + 0.5 * self.alpha * ((z - z_pred) ** 2).sum(1)
        return e

    @torch.no_grad()
    def infer(self, x: torch.Tensor, n_iter: int = 100, predict: bool = True) -> torch.Tensor:
        """z* = argmin_z E(x, z) by FISTA.

        With ``predict=True`` the prediction term is included and FISTA starts at F(x), as in
        training. It is a lasso in disguise: 1/2 ||x - D z||^2 + alpha/2 ||z - F(x)||^2 is
        1/2 ||[x; sqrt(alpha) F(x)] - [D; sqrt(alpha) I] z||^2. With ``predict=False`` it is
        plain sparse coding, started at zero.

        Shape:
            x: ``(batch, n_visible)``; output: ``(batch, n_code)``.
        """
        matches("x", as_matrix("x", x, self.n_visible), self.D)
        D = self.D.detach()
        if not predict or self.alpha == 0:
            z0 = self.encode(x) if predict else None
            return sparse.fista(x, D, self.lam, n_iter=n_iter, z0=z0)
        z_pred = self.encode(x)
        root = math.sqrt(self.alpha)
        x_aug = torch.cat([x, root * z_pred], dim=1)
        D_aug = torch.cat([D, root * torch.eye(self.n_code, dtype=D.dtype, device=D.device)], dim=0)
        return sparse.fista(x_aug, D_aug, self.lam, n_iter=n_iter, z0=z_pred)

    def extra_repr(self) -> str:
        return (f"n_visible={self.n_visible}, n_code={self.n_code}, lam={self.lam}, "
                f"alpha={self.alpha}, encoder={self.encoder!r}")


@dataclass
class PSDHistory:
    """Per epoch: mean energy at the inferred codes, mean reconstruction term, mean prediction error."""

    energy: list[float] = field(default_factory=list)
    reconstruction: list[float] = field(default_factory=list)
    prediction: list[float] = field(default_factory=list)
    seconds: float = 0.0


def train_psd(model: PSD, x: torch.Tensor, epochs: int, batch_size: int = 256, lr: float = 1e-3,
              n_iter: int = 50, device: torch.device | str | None = None) -> PSDHistory:
    """Train a PSD model by alternating inference, a dictionary step and an encoder step.

    Args:
        model: a ``PSD``; moved to ``device``.
        x: training inputs.
        epochs: passes over the data.
        batch_size: examples per alternation.
        lr: Adam learning rate of both the dictionary and the encoder.
        n_iter: FISTA steps of each inference (started at F(x), so few are needed once the
            encoder is good).
        device: where to train; default ``aelib.get_device()``.

    Shape:
        x: ``(n, n_visible)``.

    Returns:
        A ``PSDHistory``.
    """
    if not isinstance(model, PSD):
        raise TypeError(f"model must be an aelib.psd.PSD; got {type(model).__name__}")
    as_matrix("x", x, model.n_visible)
    schedule(epochs, batch_size, lr)
    number("n_iter", n_iter, low=1, integer=True)
    device = get_device() if device is None else torch.device(device)
    model.to(device)
    x = x.to(device)
    opt_D = torch.optim.Adam([model.D], lr=lr)
    opt_F = torch.optim.Adam([model.W, model.b, model.g], lr=lr)
    history = PSDHistory()
    n = len(x)
    start = time.perf_counter()
    for _ in range(epochs):
        sums = torch.zeros(3, device=device)
        for idx in torch.randperm(n, device=device).split(batch_size):
            xb = x[idx]
            z = model.infer(xb, n_iter=n_iter)
            # Dictionary step at fixed codes, then back onto the unit sphere.
            opt_D.zero_grad(set_to_none=True)
            rec = 0.5 * ((z @ model.D.t() - xb) ** 2).sum(1).mean()
            rec.backward()
            opt_D.step()
            model.normalize_atoms()
            # Encoder step: regress F(x) onto the inferred codes.
            opt_F.zero_grad(set_to_none=True)
            pred = 0.5 * model.alpha * ((model.encode(xb) - z) ** 2).sum(1).mean()
            pred.backward()
            opt_F.step()
            l1 = model.lam * z.abs().sum(1).mean()
            sums += torch.stack([rec.detach() + l1 + pred.detach(), rec.detach(), pred.detach()]) * len(xb)
        e, r, p = (sums / n).tolist()
        if not math.isfinite(e):
            raise FloatingPointError(f"PSD training diverged (energy {e}); lower lr={lr}")
        history.energy.append(e)
        history.reconstruction.append(r)
        history.prediction.append(p)
    if device.type == "cuda":
        torch.cuda.synchronize()
    history.seconds = time.perf_counter() - start
    model.eval()
    return history
