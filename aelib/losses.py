"""Reconstruction losses, each the negative log-likelihood -log p(x | mu) of an input model.

Chapter 02 derives them: a Bernoulli p(x | mu) gives the cross-entropy, a
unit-variance Gaussian gives half the squared error, a multinomial over words
gives the loss for bag-of-words counts. Every loss sums over features and,
with ``reduction="mean"``, averages over the batch.

Chapter 08 adds the contractive penalty ||J_h(x)||_F^2 in closed form.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ._checks import as_matrix, codes_and_weights, reduce, reduction as check_reduction, same_shape


def cross_entropy(x_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Bernoulli negative log-likelihood, l = -sum_k [x_k log x_hat_k + (1 - x_k) log(1 - x_hat_k)].

    Args:
        x_hat: reconstruction, probabilities in [0, 1] (sigmoid output).
        x: target in [0, 1].
        reduction: ``"mean"`` (sum over features, mean over batch), ``"sum"`` or ``"none"``.

    Shape:
        x_hat, x: ``(batch, features)``; output: scalar, or ``(batch,)`` for ``"none"``.
    """
    check_reduction(reduction)
    as_matrix("x_hat", x_hat, finite=False)
    as_matrix("x", x)
    same_shape("x_hat", x_hat, "x", x)
    if bool(((x < 0) | (x > 1)).any()):
        raise ValueError("x must lie in [0, 1] for the Bernoulli cross-entropy; got values in "
                         f"[{x.min().item():.3g}, {x.max().item():.3g}] (use squared_error for real-valued x)")
    # torch clamps log at -100, so a saturated x_hat gives a large finite loss, not inf.
    per_example = F.binary_cross_entropy(x_hat, x, reduction="none").sum(dim=1)
    return reduce(per_example, reduction)


def cross_entropy_logits(a_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """The same Bernoulli loss from the output pre-activation a_hat (x_hat = sigm(a_hat)).

    Numerically safer than ``cross_entropy`` for deep models whose outputs saturate.

    Args:
        a_hat: output pre-activation (logits), any real values.
        x: target in [0, 1].
        reduction: ``"mean"`` (sum over features, mean over batch), ``"sum"`` or ``"none"``.

    Shape:
        a_hat, x: ``(batch, features)``.
    """
    check_reduction(reduction)
    as_matrix("a_hat", a_hat, finite=False)
    as_matrix("x", x)
    same_shape("a_hat", a_hat, "x", x)
    # torch accepts any target here, and x outside [0, 1] gives a "loss" that can be negative.
    if bool(((x < 0) | (x > 1)).any()):
        raise ValueError("x must lie in [0, 1] for the Bernoulli cross-entropy; got values in "
                         f"[{x.min().item():.3g}, {x.max().item():.3g}] (use squared_error for real-valued x)")
    per_example = F.binary_cross_entropy_with_logits(a_hat, x, reduction="none").sum(dim=1)
    return reduce(per_example, reduction)


def squared_error(x_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Gaussian negative log-likelihood with unit variance, up to a constant: l = 1/2 sum_k (x_hat_k - x_k)^2.

    Note the 1/2 of the lecture (its gradient is x_hat - x); the papers' "squared
    error per image" is twice this value, see ``sum_of_squares``.

    Shape:
        x_hat, x: ``(batch, features)``.
    """
    return 0.5 * sum_of_squares(x_hat, x, reduction)


def sum_of_squares(x_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """sum_k (x_hat_k - x_k)^2, the error per image reported by Hinton & Salakhutdinov (2006).

    Shape:
        x_hat, x: ``(batch, features)``.
    """
    check_reduction(reduction)
    as_matrix("x_hat", x_hat, finite=False)
    as_matrix("x", x)
    same_shape("x_hat", x_hat, "x", x)
    return reduce(((x_hat - x) ** 2).sum(dim=1), reduction)


def multinomial_nll(a_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Negative log-likelihood of word counts under a multinomial with p = softmax(a_hat).

    l = -sum_k x_k log softmax(a_hat)_k (the multinomial coefficient does not depend on
    the model and is dropped). The input model for bag-of-words documents.

    Args:
        a_hat: output pre-activation, one score per word.
        x: non-negative word counts.

    Shape:
        a_hat, x: ``(batch, vocabulary)``.
    """
    check_reduction(reduction)
    as_matrix("a_hat", a_hat, finite=False)
    as_matrix("x", x)
    same_shape("a_hat", a_hat, "x", x)
    if bool((x < 0).any()):
        raise ValueError("x must hold non-negative counts for the multinomial loss; "
                         f"got a minimum of {x.min().item():.3g}")
    return reduce(-(x * torch.log_softmax(a_hat, dim=1)).sum(dim=1), reduction)


def contractive_penalty(h: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """||J_h(x)||_F^2 for the sigmoid encoder h = sigm(b + W x), in closed form.

    Since dh_j/dx_k = h_j (1 - h_j) W_jk, the squared Frobenius norm of the Jacobian is
    sum_j (h_j (1 - h_j))^2 sum_k W_jk^2: one matrix-vector product, no Jacobian built.

    Args:
        h: hidden codes of a batch (sigmoid outputs).
        W: encoder weights.

    Shape:
        h: ``(batch, n_hidden)``; W: ``(n_hidden, n_visible)``; output: ``(batch,)``.
    """
    codes_and_weights(h, W)
    return ((h * (1 - h)) ** 2) @ (W ** 2).sum(dim=1)
