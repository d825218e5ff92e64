"""The restricted Boltzmann machine (RBM), trained by contrastive divergence
(chapter 03).

An RBM gives binary visible units x and binary hidden units h the energy
E(x, h) = -h^T W x - c^T x - b^T h and p(x, h) = exp(-E) / Z. Summing h out
gives the free energy F(x) = -c^T x - sum_j softplus(b_j + W_j x), so
p(x) = exp(-F(x)) / Z. Its conditionals are the autoencoder's two halves:
p(h_j = 1 | x) = sigm(b_j + W_j x) (the encoder) and
p(x_k = 1 | h) = sigm(c_k + W_{:,k}^T h) (a tied decoder). The gradient of
-log p(x) is dF(x)/dtheta - E_model[dF/dtheta]; CD-k replaces the model
expectation by x_k, the end of a k-step Gibbs chain started at the data, so
one step of CD is gradient descent on F(x) - F(x_k) with x_k held fixed.
"""

from __future__ import annotations

import time

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import (
    as_matrix,
    check_reduction,
    count,
    model_input,
    non_negative,
    reduce,
    schedule,
    unit_interval,
)
from .device import get_device
from .timing import synchronize
from .train import History


class RBM(nn.Module):
    """Bernoulli-Bernoulli restricted Boltzmann machine.

    Its two conditionals follow the book's model contract: ``encode`` is
    p(h = 1 | x), ``decode_logits`` is c + W^T h and ``decode`` is
    p(x = 1 | h), so ``model(x)`` is the mean-field reconstruction.

    Args:
        n_visible: number of visible units, the size of x (784 for MNIST).
        n_hidden: number of hidden units, the size of h.
        init_std: standard deviation of the initial weights (0.01, as in
            Hinton's guide and scikit-learn's BernoulliRBM); the biases
            start at zero.

    Shape:
        x: ``(batch, n_visible)``; h: ``(batch, n_hidden)``.
        W: ``(n_hidden, n_visible)`` (row j is the filter of hidden unit j);
        b: ``(n_hidden,)`` hidden biases; c: ``(n_visible,)`` visible biases.
    """

    def __init__(self, n_visible: int, n_hidden: int, init_std: float = 0.01):
        super().__init__()
        count(n_visible=n_visible, n_hidden=n_hidden)
        non_negative(init_std=init_std)
        self.n_visible, self.n_hidden = n_visible, n_hidden
        self.W = nn.Parameter(torch.randn(n_hidden, n_visible) * init_std)
        self.b = nn.Parameter(torch.zeros(n_hidden))
        self.c = nn.Parameter(torch.zeros(n_visible))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """p(h = 1 | x) = sigm(b + W x), the same map as an autoencoder's
        encoder."""
        x = model_input("x", x, self.n_visible, self.W)
        return torch.sigmoid(torch.addmm(self.b, x, self.W.t()))

    def decode_logits(self, h: torch.Tensor) -> torch.Tensor:
        """c + W^T h, the visible units' input."""
        h = model_input("h", h, self.n_hidden, self.W)
        return torch.addmm(self.c, h, self.W)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """p(x = 1 | h) = sigm(c + W^T h), a decoder with tied weights."""
        return torch.sigmoid(self.decode_logits(h))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Mean-field reconstruction x_hat = p(x = 1 | h = p(h = 1 | x)): one
        up-down pass."""
        return self.decode(self.encode(x))

    def free_energy(self, x: torch.Tensor) -> torch.Tensor:
        """F(x) = -c^T x - sum_j softplus(b_j + W_j x), so that
        p(x) = exp(-F(x)) / Z.

        Shape:
            x: ``(batch, n_visible)``; output: ``(batch,)``.
        """
        x = model_input("x", x, self.n_visible, self.W)
        a = torch.addmm(self.b, x, self.W.t())
        return -(x @ self.c) - F.softplus(a).sum(dim=1)

    @torch.no_grad()
    def gibbs_chain(
        self,
        x: torch.Tensor,
        k: int = 1,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Run k steps of block Gibbs sampling x -> h ~ p(h|x) -> x ~ p(x|h)
        and return x_k.

        Args:
            x: where the chain starts (the data, for CD-k); values in [0, 1]
                are read as probabilities of the first hidden sample.
            k: number of Gibbs steps, >= 1.
            generator: optional torch.Generator for reproducible samples.

        Shape:
            x, output: ``(batch, n_visible)``; the output is binary.
        """
        # torch.bernoulli would reject a NaN probability with a message
        # about p_in: finite=True says it about x.
        x = model_input("x", x, self.n_visible, self.W, finite=True)
        k = count(k=k)
        v = x
        for _ in range(k):
            h = torch.bernoulli(self.encode(v), generator=generator)
            v = torch.bernoulli(self.decode(h), generator=generator)
        return v

    def pseudo_likelihood(
        self, x: torch.Tensor, reduction: str = "mean"
    ) -> torch.Tensor:
        """log PL(x) = sum_k log p(x_k | x_{-k})
        = sum_k log sigm(F(x with bit k flipped) - F(x)).

        Exact (every bit flipped in turn), unlike scikit-learn's
        ``score_samples``, which flips one random bit and multiplies by
        n_visible: the same quantity in expectation. Meant for binary x
        (binarize grey images first, e.g. ``(x > 0.5).float()``).

        Args:
            x: binary inputs (values in [0, 1]).
            reduction: ``"mean"`` over the batch, ``"sum"`` or ``"none"``
                (one value per example).

        Shape:
            x: ``(batch, n_visible)``; output: scalar, or ``(batch,)`` for
            ``"none"``.
        """
        x = _binary_input(x, self.n_visible, self.W, reduction)
        with torch.no_grad():
            a = torch.addmm(self.b, x, self.W.t())  # (batch, H)
            base = F.softplus(a).sum(dim=1)  # (batch,)
            delta = 1.0 - 2.0 * x  # +1 for 0 -> 1, -1 for 1 -> 0
            # Flipping bit k moves the hidden pre-activations by
            # delta_k W[:, k]; chunks keep the (chunk, n_visible, n_hidden)
            # tensor near 64 MB.
            step = max(1, 2**24 // (self.n_visible * self.n_hidden))
            out = []
            for i in range(0, len(x), step):
                rows = slice(i, i + step)
                a_flip = a[rows, None, :] + delta[rows, :, None] * self.W.t()
                # F(x') - F(x) = -c_k delta_k
                #                - sum_j [softplus(a'_j) - softplus(a_j)]
                dF = (
                    -(delta[rows] * self.c)
                    - F.softplus(a_flip).sum(dim=2)
                    + base[rows, None]
                )
                out.append(F.logsigmoid(dF).sum(dim=1))
            return reduce(torch.cat(out), reduction)


def _binary_input(
    x, n_visible: int, W: torch.Tensor, reduction: str
) -> torch.Tensor:
    check_reduction(reduction)
    x = model_input("x", x, n_visible, W, finite=True)
    # Flipping bit k means x_k -> 1 - x_k: outside [0, 1] that is no flip
    # and the sum is no likelihood.
    return unit_interval(
        "x",
        x,
        "(binary, for the pseudo-likelihood)",
        "binarize it first, e.g. (x > 0.5).float()",
    )


def _training_args(rbm, x, epochs, batch_size, lr, k) -> torch.Tensor:
    if not isinstance(rbm, RBM):
        raise TypeError(
            f"rbm must be an aelib.rbm.RBM; got {type(rbm).__name__}"
        )
    schedule(epochs, batch_size, lr)
    count(k=k)
    x = as_matrix("x", x, rbm.n_visible)
    return unit_interval("x", x, "for a Bernoulli RBM")


def train_rbm(
    rbm: RBM,
    x: torch.Tensor,
    epochs: int,
    batch_size: int = 10,
    lr: float = 0.1,
    k: int = 1,
    persistent: bool = False,
    shuffle: bool = True,
    device=None,
    generator: torch.Generator | None = None,
) -> History:
    """Train an RBM by CD-k (or persistent CD) with plain SGD on the mean
    gradient of a batch.

    The update is W += lr * (<h x^T>_data - <h x^T>_chain) (mean over the
    batch), with the hidden probabilities p(h | x) in both terms, written as
    one SGD step on mean(F(x)) - mean(F(x_k)) with x_k fixed: autograd gives
    exactly that difference.

    Args:
        rbm: the model, trained in place and moved to ``device``.
        x: training data in [0, 1] (grey values act as probabilities for the
            first sample).
        epochs: passes over the data.
        batch_size: examples per update.
        lr: learning rate (scikit-learn's ``learning_rate`` has the same
            meaning).
        k: Gibbs steps in the negative phase (CD-1 when k = 1).
        persistent: keep the chain between updates (PCD, also called SML;
            what scikit-learn's BernoulliRBM does) instead of restarting it
            at the data.
        shuffle: draw batches in a new random order each epoch (scikit-learn
            does not).
        device: where to train; default ``aelib.get_device()``.
        generator: optional torch.Generator for the Gibbs samples (on
            ``device``).

    Shape:
        x: ``(n, n_visible)``.

    Returns:
        A ``History`` (``aelib.train``) whose ``loss`` is the squared
        reconstruction error per image after each epoch (sum over pixels of
        (x - x_hat)^2, one mean-field up-down pass): CD minimises no loss of
        its own that could be measured, so the error stands in for it.
    """
    x = _training_args(rbm, x, epochs, batch_size, lr, k)
    device = get_device() if device is None else torch.device(device)
    rbm.to(device)
    x = x.to(device)
    n = len(x)
    chain = (
        torch.zeros(
            min(batch_size, n), rbm.n_visible, dtype=x.dtype, device=device
        )
        if persistent
        else None
    )
    history = History()
    start = time.perf_counter()
    for _ in range(epochs):
        order = (
            torch.randperm(n, device=device)
            if shuffle
            else torch.arange(n, device=device)
        )
        for i in range(0, n, batch_size):
            x0 = x[order[i : i + batch_size]]
            if persistent:
                x_k = rbm.gibbs_chain(chain[: len(x0)], k, generator)
                chain[: len(x0)] = x_k
            else:
                x_k = rbm.gibbs_chain(x0, k, generator)
            with torch.no_grad():
                # The gradient of mean(F(x0)) - mean(F(x_k)), written out
                # (autograd gives the same numbers; the unit tests check it)
                # because it is a third of the cost.
                h0, h_k = rbm.encode(x0), rbm.encode(x_k)
                scale = lr / len(x0)
                rbm.W.addmm_(h0.t(), x0, alpha=scale)
                rbm.W.addmm_(h_k.t(), x_k, alpha=-scale)
                rbm.b.add_(h0.sum(0) - h_k.sum(0), alpha=scale)
                rbm.c.add_(x0.sum(0) - x_k.sum(0), alpha=scale)
        with torch.no_grad():
            err = sum(
                ((rbm(x[i : i + 4096]) - x[i : i + 4096]) ** 2).sum().item()
                for i in range(0, n, 4096)
            )
        history.loss.append(err / n)
    synchronize(device)
    history.seconds = time.perf_counter() - start
    history.samples_per_s = epochs * n / max(history.seconds, 1e-9)
    return history
