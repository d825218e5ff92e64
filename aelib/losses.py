"""Reconstruction losses, each the negative log-likelihood -log p(x | mu) of
an input model.

Chapter 02 derives them: a Bernoulli p(x | mu) gives the cross-entropy, a
unit-variance Gaussian gives half the squared error, a multinomial over words
gives the loss for bag-of-words counts. Every loss sums over features and,
with ``reduction="mean"``, averages over the batch.

Chapter 08 adds the contractive penalty ||J_h(x)||_F^2 in closed form.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._checks import codes_and_weights, loss_args, reduce


def cross_entropy(
    x_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    """Bernoulli negative log-likelihood,
    l = -sum_k [x_k log x_hat_k + (1 - x_k) log(1 - x_hat_k)] (chapter 02).

    Args:
        x_hat: reconstruction, probabilities in [0, 1] (sigmoid output).
        x: target in [0, 1].
        reduction: ``"mean"`` (sum over features, mean over the batch),
            ``"sum"`` or ``"none"`` (one value per example).

    Shape:
        x_hat, x: ``(batch, features)``; output: scalar, or ``(batch,)``
        for ``"none"``.
    """
    x_hat, x = loss_args("x_hat", x_hat, x, reduction, "probabilities")
    # torch clamps the log at -100: a saturated x_hat costs a lot, not inf.
    per_example = F.binary_cross_entropy(x_hat, x, reduction="none").sum(1)
    return reduce(per_example, reduction)


def cross_entropy_logits(
    a_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    """The same Bernoulli loss from the output pre-activation a_hat,
    x_hat = sigm(a_hat) (chapter 02).

    Numerically safer than ``cross_entropy`` for deep models whose outputs
    saturate. torch would accept any target here, and an x outside [0, 1]
    would give a "loss" that can be negative: the check refuses it.

    Args:
        a_hat: output pre-activation (logits), any real values.
        x: target in [0, 1].
        reduction: ``"mean"`` (sum over features, mean over the batch),
            ``"sum"`` or ``"none"``.

    Shape:
        a_hat, x: ``(batch, features)``.
    """
    a_hat, x = loss_args("a_hat", a_hat, x, reduction, "probabilities")
    per_example = F.binary_cross_entropy_with_logits(
        a_hat, x, reduction="none"
    ).sum(1)
    return reduce(per_example, reduction)


def squared_error(
    x_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    """Gaussian negative log-likelihood with unit variance, up to a constant:
    l = 1/2 sum_k (x_hat_k - x_k)^2 (chapter 02).

    Note the 1/2 of the lecture (its gradient is x_hat - x); the papers'
    "squared error per image" is twice this value, see ``sum_of_squares``.

    Shape:
        x_hat, x: ``(batch, features)``.
    """
    return 0.5 * sum_of_squares(x_hat, x, reduction)


def sum_of_squares(
    x_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    """sum_k (x_hat_k - x_k)^2, the error per image reported by Hinton &
    Salakhutdinov (2006) (chapter 11).

    Shape:
        x_hat, x: ``(batch, features)``.
    """
    x_hat, x = loss_args("x_hat", x_hat, x, reduction)
    if reduction == "none":
        return ((x_hat - x) ** 2).sum(1)
    # One fused pass forward and back, twice as fast as the formula above on
    # a large batch (chapter 04 trains full-batch on 47 million values).
    total = F.mse_loss(x_hat, x, reduction="sum")
    return total / len(x) if reduction == "mean" else total


def multinomial_nll(
    a_hat: torch.Tensor, x: torch.Tensor, reduction: str = "mean"
) -> torch.Tensor:
    """Negative log-likelihood of word counts under a multinomial with
    p = softmax(a_hat), the input model for bag-of-words documents
    (chapter 12).

    l = -sum_k x_k log softmax(a_hat)_k; the multinomial coefficient does not
    depend on the model and is dropped.

    Args:
        a_hat: output pre-activation, one score per word.
        x: non-negative word counts.

    Shape:
        a_hat, x: ``(batch, vocabulary)``.
    """
    a_hat, x = loss_args("a_hat", a_hat, x, reduction, "counts")
    return reduce(-(x * torch.log_softmax(a_hat, 1)).sum(1), reduction)


def contractive_penalty(h: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """||J_h(x)||_F^2 for the sigmoid encoder h = sigm(b + W x), in closed
    form (chapter 08).

    Since dh_j/dx_k = h_j (1 - h_j) W_jk, the squared Frobenius norm of the
    Jacobian is sum_j (h_j (1 - h_j))^2 sum_k W_jk^2: one matrix-vector
    product, no Jacobian built.

    Args:
        h: hidden codes of a batch (sigmoid outputs).
        W: encoder weights.

    Shape:
        h: ``(batch, n_hidden)``; W: ``(n_hidden, n_visible)``;
        output: ``(batch,)``.
    """
    h, W = codes_and_weights(h, W)
    return ((h * (1 - h)) ** 2) @ (W**2).sum(1)
