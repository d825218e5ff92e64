"""The contractive autoencoder's Jacobian and penalty term (chapter 08).

For the sigmoid encoder h = sigm(b + W x) the Jacobian is
J_h(x) = diag(h (1 - h)) W, so both the Jacobian and its squared Frobenius
norm (``aelib.losses.contractive_penalty``) come in closed form.
``penalty(lam)`` turns the norm into the term that ``aelib.fit`` adds to the
reconstruction loss: l(f(x)) + lam * ||J_h(x)||_F^2.
"""

from __future__ import annotations

from typing import Callable

import torch

from ._checks import codes_and_weights, non_negative
from .losses import contractive_penalty


def jacobian(h: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """J_h(x) = diag(h (1 - h)) W for each example, in closed form.

    Args:
        h: hidden codes of a batch (sigmoid outputs), h = sigm(b + W x).
        W: encoder weights.

    Shape:
        h: ``(batch, n_hidden)``; W: ``(n_hidden, n_visible)``;
        output: ``(batch, n_hidden, n_visible)``, entry [i, j, k] =
        dh_j / dx_k at example i.
    """
    h, W = codes_and_weights(h, W)
    return (h * (1 - h)).unsqueeze(2) * W.unsqueeze(0)


Term = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


def penalty(lam: float) -> Term:
    """The contractive term for ``aelib.fit``: lam * mean_i ||J_h(x_i)||_F^2.

    Args:
        lam: weight of the penalty, lam >= 0 (lam = 0 gives the plain
            autoencoder).

    Returns:
        ``penalty(model, x_tilde, h) -> scalar``, as ``fit(..., penalty=...)``
        expects; the model must expose the encoder weights as ``model.W``
        (``aelib.Autoencoder`` does).

    Shape:
        h: ``(batch, n_hidden)``; the mean is over the batch, like the
        losses' ``"mean"``.
    """
    lam = non_negative(lam=lam)

    def term(
        model: torch.nn.Module, x_tilde: torch.Tensor, h: torch.Tensor
    ) -> torch.Tensor:
        return lam * contractive_penalty(h, model.W).mean()

    return term
