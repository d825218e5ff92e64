"""Binary codes for fast image search (introduced in chapter 14).

Four ways to turn an image x into a short binary code, so that similar
images get codes a few bits apart and a search becomes a count of differing
bits:

- ``RandomProjectionLSH``: the sign of random projections of the centred data
  (locality-sensitive hashing; two codes differ in a bit with probability
  angle / pi). Needs no learning at all.
- ``PCAITQ``: project on the leading principal directions, then rotate them so
  that taking the sign loses as little as possible (iterative quantisation,
  Gong et al. 2013).
- ``SpectralHashing``: project on the leading principal directions, then
  threshold the smoothest eigenfunctions of the Laplacian of a uniform
  distribution on the box the data spans; a long direction earns several bits
  (cosines of higher frequency), a short one none (Weiss et al. 2008).
- ``HashingAutoencoder``: a deep autoencoder whose code layer is pushed to
  binary during training (``BinaryCode``): noise before a sigmoid, as in
  semantic hashing (Salakhutdinov & Hinton 2009), or a hard threshold whose
  gradient passes straight through.

Every encoder returns codes as a ``torch.bool`` tensor of shape (n, n_bits),
like ``retrieval.binary_codes``; the Hamming distance and the ranking
measures are in ``aelib.retrieval``.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from ._checks import (
    as_matrix,
    count,
    model_input,
    non_negative,
    number,
    one_of,
    sizes as check_sizes,
)
from .deep import mlp
from .documents import check_counts, encoder_input


def _generator(seed: int) -> torch.Generator:
    # torch seeds are unsigned 64-bit integers
    number("seed", seed, low=0, high=2**64 - 1, integer=True)
    return torch.Generator().manual_seed(seed)


def _fitted(value, what: str = "encode(x)"):
    if value is None:
        raise RuntimeError(f"call fit(x) before {what}")
    return value


class RandomProjectionLSH:
    """Locality-sensitive hashing with random hyperplanes:
    h_k(x) = [w_k . (x - mean) > 0].

    Each w_k is drawn from a standard Gaussian, so two vectors at angle theta
    get a different bit k with probability theta / pi: the Hamming distance
    estimates the angle.

    Args:
        n_bits: code length.
        seed: seed of the random hyperplanes (the same seed gives the same
            code).

    Shape:
        fit(x): ``(n, features)``; encode(x): ``(n, features)`` ->
        ``(n, n_bits)`` bool.
    """

    def __init__(self, n_bits: int, seed: int = 0):
        self.n_bits = count(n_bits=n_bits)
        self.seed = seed
        _generator(seed)
        self.mean = None
        self.W = None

    def fit(self, x: torch.Tensor) -> "RandomProjectionLSH":
        x = as_matrix("x", x)
        self.mean = x.mean(dim=0)
        g = _generator(self.seed)
        W = torch.randn(x.shape[1], self.n_bits, generator=g, dtype=x.dtype)
        self.W = W.to(x.device)
        return self

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        x = as_matrix("x", x, _fitted(self.W).shape[0])
        # Only the signs are kept: data in another float dtype than fit's is
        # simply converted.
        x = x.to(self.W.dtype)
        return (x - self.mean.to(x.device)) @ self.W.to(x.device) > 0


class PCAITQ:
    """PCA followed by iterative quantisation (ITQ): b = sign((x - mean) P R).

    P holds the ``n_bits`` leading principal directions; the orthogonal
    rotation R minimises the quantisation loss ||B - V R||_F^2 over B in
    {-1, 1} and R, where V = (x - mean) P, by alternating two exact steps:
    B = sign(V R) for fixed R, and for fixed B the orthogonal Procrustes
    solution R = U W^T from the SVD V^T B = U S W^T. Each step can only lower
    the loss, so ``loss_history`` never increases.

    Args:
        n_bits: code length (at most the number of features).
        n_iter: alternating steps (Gong et al. use 50).
        seed: seed of the random initial rotation.

    Shape:
        fit(x): ``(n, features)``; encode(x): ``(n, features)`` ->
        ``(n, n_bits)`` bool.
    """

    def __init__(self, n_bits: int, n_iter: int = 50, seed: int = 0):
        self.n_bits = count(n_bits=n_bits)
        self.n_iter = number("n_iter", n_iter, low=0, integer=True)
        self.seed = seed
        _generator(seed)
        self.mean = self.P = self.R = None
        self.loss_history: list[float] = []

    def fit(self, x: torch.Tensor) -> "PCAITQ":
        self.mean, xc, P = _centred_pca(x, self.n_bits)
        V = xc @ P
        g = _generator(self.seed)
        start = torch.randn(
            self.n_bits, self.n_bits, generator=g, dtype=xc.dtype
        )
        R, _ = torch.linalg.qr(start.to(xc.device))
        self.loss_history = []
        for _ in range(self.n_iter):
            B = torch.where(V @ R >= 0, 1.0, -1.0).to(V.dtype)
            self.loss_history.append(float(((B - V @ R) ** 2).sum()))
            U, _, Wt = torch.linalg.svd(V.T @ B)
            R = U @ Wt
        self.P, self.R = P, R
        return self

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        x = as_matrix("x", x, _fitted(self.P).shape[0])
        x = x.to(self.P.device, self.P.dtype)
        return ((x - self.mean) @ self.P @ self.R >= 0).to(x.device)


class SpectralHashing:
    """Spectral hashing (Weiss, Torralba & Fergus 2008): the bit of mode
    (d, k) is [sin(pi/2 + k pi (v_d - a_d) / (b_d - a_d)) > 0] on the
    projection v = (x - mean) P.

    Bits that are balanced, uncorrelated and keep neighbours close are the
    thresholded eigenfunctions of the graph Laplacian of the data. Weiss et al.
    approximate the data by a uniform distribution on a box: P holds the
    ``n_bits`` leading principal directions, and along direction d the box is
    [a_d, b_d], the range of the projected training data. On an interval the
    eigenfunctions of the Laplacian (with zero slope at the ends) are the
    cosines sin(pi/2 + k pi (v - a) / (b - a)), mode k = 1, 2, ..., with
    eigenvalue (k pi / (b - a))^2; the constant k = 0 carries no bit. Of the
    candidates (d, k), fit keeps the ``n_bits`` of smallest eigenvalue, the
    smoothest: a direction more than twice as long as another gets its
    second bit (k = 2) before the other gets its first. The bits are
    balanced only as far as the data is uniform: on a Gaussian, k = 1 splits
    near the mean but k = 2 sets the bit only in the two tails.

    Attributes set by fit: ``mean``; ``P``; ``mins`` and ``maxs`` (a_d and
    b_d); ``modes``, the chosen (direction, k) pairs in order of increasing
    ``eigenvalues``, one row per bit.

    Args:
        n_bits: code length (at most the number of features).

    Shape:
        fit(x): ``(n, features)``; encode(x): ``(n, features)`` ->
        ``(n, n_bits)`` bool.
    """

    def __init__(self, n_bits: int):
        self.n_bits = count(n_bits=n_bits)
        self.mean = self.P = self.mins = self.maxs = None
        self.modes = self.eigenvalues = None

    def fit(self, x: torch.Tensor) -> "SpectralHashing":
        self.mean, xc, P = _centred_pca(x, self.n_bits)
        # Flipping a direction turns v - a into (b - a) - (v - a), which
        # flips the bits of odd k; fixing the sign (largest entry positive)
        # makes the code independent of the eigensolver.
        big = P.abs().argmax(dim=0, keepdim=True)
        self.P = P * torch.sign(P.gather(0, big))
        v = xc @ self.P
        self.mins, self.maxs = v.min(dim=0).values, v.max(dim=0).values
        k = torch.arange(1, self.n_bits + 1, device=xc.device, dtype=xc.dtype)
        # Candidates (d, k) with d along rows; a direction of zero range has
        # infinite eigenvalues and is never chosen.
        lam = (k * math.pi / (self.maxs - self.mins)[:, None]) ** 2
        order = torch.argsort(lam.flatten(), stable=True)[: self.n_bits]
        if not bool(torch.isfinite(lam.flatten()[order]).all()):
            raise ValueError(
                "x must have rows that differ: all are equal, "
                "so there is no range to split (pass more than "
                "one distinct row)"
            )
        d = order // self.n_bits
        self.modes = torch.stack([d, order % self.n_bits + 1], dim=1)
        self.eigenvalues = lam.flatten()[order]
        return self

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        x = as_matrix("x", x, _fitted(self.P).shape[0])
        device = x.device
        x = x.to(self.P.device, self.P.dtype)
        d, k = self.modes[:, 0], self.modes[:, 1].to(x.dtype)
        a, b = self.mins[d], self.maxs[d]
        v = ((x - self.mean) @ self.P)[:, d]
        return (
            torch.sin(math.pi / 2 + k * math.pi * (v - a) / (b - a)) > 0
        ).to(device)


def _centred_pca(x, n_bits: int):
    """The mean of x, the centred data and its n_bits leading principal
    directions (columns)."""
    x = _pca_data(x, n_bits)
    # In x's dtype: float32 is plenty for the leading directions (and 4x
    # faster than float64).
    mean = x.mean(dim=0)
    xc = x - mean
    # Leading eigenvectors of the covariance = leading right singular
    # vectors of xc.
    evals, evecs = torch.linalg.eigh(xc.T @ xc)
    return mean, xc, evecs[:, torch.argsort(evals, descending=True)[:n_bits]]


def _pca_data(x, n_bits: int) -> torch.Tensor:
    x = as_matrix("x", x)
    if n_bits > min(x.shape):
        raise ValueError(
            f"n_bits must be at most min(n, features) = "
            f"{min(x.shape)} for PCA; got {n_bits} (use fewer "
            "bits or more data)"
        )
    return x


class BinaryCode(nn.Module):
    """A code layer pushed to binary: h = sigm(z) in training, made nearly
    0/1.

    ``mode="noise"``: h = sigm(z + sigma * eps), eps ~ N(0, 1), during
    training. To get its message through the noise the encoder learns large
    |z|, so sigm(z) saturates at 0 or 1 and thresholding at test time loses
    little (semantic hashing). ``mode="straight_through"``: h = [z > 0] in
    the forward pass, while the backward pass uses the gradient of sigm(z)
    as if there were no threshold. In eval mode both give the hard code
    h = [z > 0] as floats.

    Args:
        mode: ``"noise"`` or ``"straight_through"``.
        sigma: standard deviation of the noise (``"noise"`` only).

    Shape:
        z: ``(batch, n_bits)``; output: the same.
    """

    MODES = ("noise", "straight_through")

    def __init__(self, mode: str = "noise", sigma: float = 4.0):
        super().__init__()
        self.mode = one_of("mode", mode, self.MODES)
        self.sigma = non_negative(sigma=sigma)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        z = as_matrix("z", z, finite=False)
        if not self.training:
            return (z > 0).to(z.dtype)
        if self.mode == "noise":
            return torch.sigmoid(z + self.sigma * torch.randn_like(z))
        soft = torch.sigmoid(z)
        return soft + ((z > 0).to(z.dtype) - soft).detach()


class HashingAutoencoder(nn.Module):
    """A deep autoencoder with a binary code layer:
    x -> z -> h (binary) -> a_hat -> x_hat.

    The encoder is ``sizes[0] -> ... -> sizes[-1]`` with the last layer
    linear (z, one unit per bit), then ``BinaryCode``; the decoder mirrors
    the encoder. One class for both of the book's inputs:

    - ``input="binary"`` (images in [0, 1], chapter 14): x_hat = sigm(a_hat);
      train with ``fit(deep.Logits(model), x, cross_entropy_logits, ...)``.
    - ``input="counts"`` (word counts, semantic hashing, chapter 13): the
      encoder reads ``documents.encoder_input(x)`` and checks that x holds
      counts; x_hat = softmax(a_hat), the distribution over words; train
      with ``fit(deep.Logits(model), x, multinomial_nll, y=x, ...)``.

    Like every autoencoder of the book, ``decode_logits(h)`` is a_hat and
    ``decode(h)``, ``model(x)`` are x_hat.

    Args:
        sizes: widths from the input to the code, e.g.
            ``(784, 512, 256, 32)`` for 32 bits.
        mode, sigma: see ``BinaryCode``.
        activation: hidden non-linearity of encoder and decoder.
        input: ``"binary"`` or ``"counts"``.

    Shape:
        x: ``(batch, sizes[0])``; codes(x): ``(batch, sizes[-1])`` bool.
    """

    INPUTS = ("binary", "counts")

    def __init__(
        self,
        sizes: Sequence[int] = (784, 512, 256, 32),
        mode: str = "noise",
        sigma: float = 4.0,
        activation: str = "relu",
        input: str = "binary",
    ):
        super().__init__()
        self.sizes = check_sizes(sizes, "an input width and a code width")
        self.input = one_of("input", input, self.INPUTS)
        self.encoder = mlp(self.sizes, activation, last_activation=None)
        self.code = BinaryCode(mode, sigma)
        self.decoder = mlp(self.sizes[::-1], activation, last_activation=None)

    def code_logits(self, x) -> torch.Tensor:
        """z, the code units' input (logits) for x: h = [z > 0] in eval mode."""
        w = self.encoder[0].weight
        if self.input == "counts":
            x = check_counts(x, self.sizes[0])
            return self.encoder(encoder_input(x.to(w.device, w.dtype)))
        return self.encoder(model_input("x", x, self.sizes[0], w))

    def encode(self, x) -> torch.Tensor:
        """The code-layer activity h: noisy or straight-through in training,
        0/1 in eval mode."""
        return self.code(self.code_logits(x))

    def decode_logits(self, h: torch.Tensor) -> torch.Tensor:
        """The output pre-activation a_hat of the code h."""
        h = model_input("h", h, self.sizes[-1], self.decoder[0].weight)
        return self.decoder(h)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """x_hat = sigm(a_hat), or softmax(a_hat) for counts."""
        a_hat = self.decode_logits(h)
        if self.input == "counts":
            return torch.softmax(a_hat, dim=1)
        return torch.sigmoid(a_hat)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = decode(encode(x))."""
        return self.decode(self.encode(x))

    @torch.no_grad()
    def codes(self, x, batch_size: int = 8192) -> torch.Tensor:
        """The binary codes [z > 0] of x, computed on the model's device
        batch by batch, returned on x's device (the CPU for an array)."""
        x = as_matrix("x", x, self.sizes[0])
        step = count(batch_size=batch_size)
        w = self.encoder[0].weight
        out = [
            self.code_logits(x[i : i + step].to(w.device, w.dtype)) > 0
            for i in range(0, len(x), step)
        ]
        return torch.cat(out).to(x.device)
