"""Predictive sparse decomposition (Kavukcuoglu, Ranzato & LeCun, 2008),
chapter 09.

Sparse coding explains x by a few atoms of a dictionary D, but finding the
code z needs an iterative solver (``aelib.sparse``) for every input. PSD
trains, beside D, an encoder F(x) = g * tanh(W x + b) that predicts the
optimal code in one pass. The energy of an input x and a code z is

    E(x, z) = 1/2 ||x - D z||^2 + lam |z|_1 + alpha/2 ||z - F(x)||^2

(the paper's energy is twice this, with its lambda equal to 2 lam). Training
alternates three steps on each minibatch:

1. inference: z* = argmin_z E(x, z), by FISTA started at F(x);
2. dictionary step: a gradient step on 1/2 ||x - D z*||^2, then every atom
   (column of D) is rescaled to unit norm, so that the L1 term cannot be
   dodged by shrinking z and growing D;
3. encoder step: a gradient step on alpha/2 ||z* - F(x)||^2.

After training, F(x) alone gives the code: one matrix product instead of
hundreds.
"""

from __future__ import annotations

import math
import time

import torch
from torch import nn

from . import sparse
from ._checks import (
    as_matrix,
    count,
    model_input,
    non_negative,
    one_of,
    same_shape,
    schedule,
)
from .device import get_device
from .timing import synchronize
from .train import History

ENCODERS = ("tanh", "sigmoid")


class PSD(nn.Module):
    """A dictionary D with unit-norm atoms and an encoder that predicts
    sparse codes.

    It follows the book's model contract with x_hat = D z: ``encode`` is the
    predictor F, ``decode_logits`` and ``decode`` are D z (a linear output).

    Args:
        n_visible: size of x.
        n_code: number of atoms, the size of z.
        lam: weight of the L1 penalty, >= 0.
        alpha: weight of the prediction term ||z - F(x)||^2, >= 0.
        encoder: ``"tanh"``, the paper's F(x) = g * tanh(W x + b) with one
            gain g_j per code unit (codes of either sign), or ``"sigmoid"``,
            F(x) = sigm(W x + b) (non-negative codes; pair it with
            non-negative data and expect fewer exact zeros).

    Shape:
        x: ``(batch, n_visible)``; z: ``(batch, n_code)``.
        D: ``(n_visible, n_code)``, one atom per column;
        W: ``(n_code, n_visible)``.
    """

    def __init__(
        self,
        n_visible: int,
        n_code: int,
        lam: float = 0.5,
        alpha: float = 1.0,
        encoder: str = "tanh",
    ):
        super().__init__()
        count(n_visible=n_visible, n_code=n_code)
        non_negative(lam=lam, alpha=alpha)
        self.encoder = one_of("encoder", encoder, ENCODERS)
        self.n_visible, self.n_code = n_visible, n_code
        self.lam, self.alpha = lam, alpha
        self.D = nn.Parameter(torch.randn(n_visible, n_code))
        self.normalize_atoms()
        bound = 1.0 / math.sqrt(n_visible)
        self.W = nn.Parameter(
            torch.empty(n_code, n_visible).uniform_(-bound, bound)
        )
        self.b = nn.Parameter(torch.zeros(n_code))
        self.g = nn.Parameter(torch.ones(n_code))

    @torch.no_grad()
    def normalize_atoms(self) -> None:
        """Rescale every column of D to unit Euclidean norm."""
        self.D.div_(self.D.norm(dim=0, keepdim=True).clamp_min(1e-12))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The predicted code F(x) = g * tanh(W x + b) (or sigm(W x + b))."""
        x = model_input("x", x, self.n_visible, self.W, finite=True)
        a = torch.addmm(self.b, x, self.W.t())
        if self.encoder == "sigmoid":
            return torch.sigmoid(a)
        return self.g * torch.tanh(a)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """D z, the output pre-activation (the output is linear)."""
        z = model_input("z", z, self.n_code, self.D)
        return z @ self.D.t()

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """x_hat = D z."""
        return self.decode_logits(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = D F(x): the reconstruction from the predicted code, no
        optimisation."""
        return self.decode(self.encode(x))

    def energy(
        self,
        x: torch.Tensor,
        z: torch.Tensor,
        z_pred: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """E(x, z) for each row; the prediction term is left out when
        z_pred is None.

        Shape:
            x: ``(batch, n_visible)``; z, z_pred: ``(batch, n_code)``;
            output: ``(batch,)``.
        """
        x, z, z_pred = _energy_args(self.D, x, z, z_pred)
        e = sparse.lasso_objective(x, self.D, z, self.lam)
        if z_pred is not None:
            e = e + 0.5 * self.alpha * ((z - z_pred) ** 2).sum(1)
        return e

    @torch.no_grad()
    def infer(
        self, x: torch.Tensor, n_iter: int = 100, predict: bool = True
    ) -> torch.Tensor:
        """z* = argmin_z E(x, z) by FISTA.

        With ``predict=True`` the prediction term is included and FISTA
        starts at F(x), as in training. It is a lasso in disguise:
        1/2 ||x - D z||^2 + alpha/2 ||z - F(x)||^2 is
        1/2 ||[x; sqrt(alpha) F(x)] - [D; sqrt(alpha) I] z||^2. With
        ``predict=False`` it is plain sparse coding, started at zero.

        Shape:
            x: ``(batch, n_visible)``; output: ``(batch, n_code)``.
        """
        x = model_input("x", x, self.n_visible, self.D, finite=True)
        D = self.D.detach()
        if not predict or self.alpha == 0:
            z0 = self.encode(x) if predict else None
            return sparse.fista(x, D, self.lam, n_iter=n_iter, z0=z0)
        z_pred = self.encode(x)
        root = math.sqrt(self.alpha)
        x_aug = torch.cat([x, root * z_pred], dim=1)
        eye = torch.eye(self.n_code, dtype=D.dtype, device=D.device)
        D_aug = torch.cat([D, root * eye], dim=0)
        return sparse.fista(x_aug, D_aug, self.lam, n_iter=n_iter, z0=z_pred)

    def extra_repr(self) -> str:
        return (
            f"n_visible={self.n_visible}, n_code={self.n_code}, "
            f"lam={self.lam}, alpha={self.alpha}, "
            f"encoder={self.encoder!r}"
        )


def _energy_args(D, x, z, z_pred):
    x = as_matrix("x", x, like=D)
    z = as_matrix("z", z, like=x)
    if z_pred is not None:
        z_pred = as_matrix("z_pred", z_pred, like=z)
        same_shape("z_pred", z_pred, "z", z)
    return x, z, z_pred


def _training_args(model, x, epochs, batch_size, lr, n_iter):
    if not isinstance(model, PSD):
        raise TypeError(
            f"model must be an aelib.psd.PSD; got {type(model).__name__}"
        )
    schedule(epochs, batch_size, lr)
    count(n_iter=n_iter)
    return as_matrix("x", x, model.n_visible)


def train_psd(
    model: PSD,
    x: torch.Tensor,
    epochs: int,
    batch_size: int = 256,
    lr: float = 1e-3,
    n_iter: int = 50,
    device: torch.device | str | None = None,
) -> History:
    """Train a PSD model by alternating inference, a dictionary step and an
    encoder step.

    Args:
        model: a ``PSD``; moved to ``device``.
        x: training inputs.
        epochs: passes over the data.
        batch_size: examples per alternation.
        lr: Adam learning rate of both the dictionary and the encoder.
        n_iter: FISTA steps of each inference (started at F(x), so few are
            needed once the encoder is good).
        device: where to train; default ``aelib.get_device()``.

    Shape:
        x: ``(n, n_visible)``.

    Returns:
        A ``History`` (``aelib.train``): ``loss`` is the mean energy at the
        inferred codes after each epoch, ``curves["reconstruction"]`` and
        ``curves["prediction"]`` its first and last terms.
    """
    x = _training_args(model, x, epochs, batch_size, lr, n_iter)
    device = get_device() if device is None else torch.device(device)
    model.to(device)
    x = x.to(device)
    opt_D = torch.optim.Adam([model.D], lr=lr)
    opt_F = torch.optim.Adam([model.W, model.b, model.g], lr=lr)
    history = History()
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
            z_pred = model.encode(xb)
            pred = 0.5 * model.alpha * ((z_pred - z) ** 2).sum(1).mean()
            pred.backward()
            opt_F.step()
            l1 = model.lam * z.abs().sum(1).mean()
            rec, pred = rec.detach(), pred.detach()
            sums += torch.stack([rec + l1 + pred, rec, pred]) * len(xb)
        e, r, p = (sums / n).tolist()
        if not math.isfinite(e):
            raise FloatingPointError(
                f"PSD training diverged (energy {e}); lower lr={lr}"
            )
        history.loss.append(e)
        history.log(reconstruction=r, prediction=p)
    synchronize(device)
    history.seconds = time.perf_counter() - start
    history.samples_per_s = epochs * n / max(history.seconds, 1e-9)
    model.eval()
    return history
