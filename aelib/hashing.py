"""Binary codes for fast image search (introduced in chapter 14).

Three ways to turn an image x into a short binary code, so that similar
images get codes a few bits apart and a search becomes a count of differing
bits:

- ``RandomProjectionLSH``: the sign of random projections of the centred data
  (locality-sensitive hashing; two codes differ in a bit with probability
  angle / pi). Needs no learning at all.
- ``PCAITQ``: project on the leading principal directions, then rotate them so
  that taking the sign loses as little as possible (iterative quantisation,
  Gong et al. 2013).
- ``HashingAutoencoder``: a deep autoencoder whose code layer is pushed to
  binary during training (``BinaryCode``): noise before a sigmoid, as in
  semantic hashing (Salakhutdinov & Hinton 2009), or a hard threshold whose
  gradient passes straight through.

Every encoder returns codes as a ``torch.bool`` tensor of shape (n, n_bits),
like ``retrieval.binary_codes``; the Hamming distance and the ranking
measures are in ``aelib.retrieval``.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ._checks import (as_matrix, count, model_input, non_negative, number,
                      one_of, sizes as check_sizes)
from .deep import mlp


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
        x = _pca_data(x, self.n_bits)
        # In x's dtype: float32 is plenty for the leading directions (and 4x
        # faster than float64).
        self.mean = x.mean(dim=0)
        xc = x - self.mean
        # Leading eigenvectors of the covariance = leading right singular
        # vectors of xc.
        evals, evecs = torch.linalg.eigh(xc.T @ xc)
        P = evecs[:, torch.argsort(evals, descending=True)[:self.n_bits]]
        V = xc @ P
        g = _generator(self.seed)
        start = torch.randn(self.n_bits, self.n_bits, generator=g,
                            dtype=x.dtype)
        R, _ = torch.linalg.qr(start.to(x.device))
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


def _pca_data(x, n_bits: int) -> torch.Tensor:
    x = as_matrix("x", x)
    if n_bits > min(x.shape):
        raise ValueError(f"n_bits must be at most min(n, features) = "
                         f"{min(x.shape)} for PCA; got {n_bits} (use fewer "
                         "bits or more data)")
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
    x -> z -> h (binary) -> a_hat -> x_hat = sigm(a_hat).

    The encoder is ``sizes[0] -> ... -> sizes[-1]`` with the last layer
    linear (z, one unit per bit), then ``BinaryCode``; the decoder mirrors
    the encoder. Like every autoencoder of the book, ``decode_logits(h)`` is
    a_hat, ``decode(h)`` and ``model(x)`` are x_hat; train on the logits
    with ``fit(deep.Logits(model), x, cross_entropy_logits, ...)``.

    Args:
        sizes: widths from the input to the code, e.g.
            ``(784, 512, 256, 32)`` for 32 bits.
        mode, sigma: see ``BinaryCode``.
        activation: hidden non-linearity of encoder and decoder.

    Shape:
        x: ``(batch, sizes[0])``; codes(x): ``(batch, sizes[-1])`` bool.
    """

    def __init__(self, sizes: Sequence[int] = (784, 512, 256, 32),
                 mode: str = "noise", sigma: float = 4.0,
                 activation: str = "relu"):
        super().__init__()
        self.sizes = check_sizes(sizes, "an input width and a code width")
        self.encoder = mlp(self.sizes, activation, last_activation=None)
        self.code = BinaryCode(mode, sigma)
        self.decoder = mlp(self.sizes[::-1], activation, last_activation=None)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code-layer activity h: noisy or straight-through in training,
        0/1 in eval mode."""
        x = model_input("x", x, self.sizes[0], self.encoder[0].weight)
        return self.code(self.encoder(x))

    def decode_logits(self, h: torch.Tensor) -> torch.Tensor:
        """The output pre-activation a_hat of the code h."""
        h = model_input("h", h, self.sizes[-1], self.decoder[0].weight)
        return self.decoder(h)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """x_hat = sigm(a_hat)."""
        return torch.sigmoid(self.decode_logits(h))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = decode(encode(x))."""
        return self.decode(self.encode(x))

    @torch.no_grad()
    def codes(self, x: torch.Tensor, batch_size: int = 8192) -> torch.Tensor:
        """The binary codes [z > 0] of x, computed on the model's device
        batch by batch, returned on x's device (the CPU for an array)."""
        x = as_matrix("x", x, self.sizes[0])
        step = count(batch_size=batch_size)
        w = self.encoder[0].weight
        out = [self.encoder(x[i:i + step].to(w.device, w.dtype)) > 0
               for i in range(0, len(x), step)]
        return torch.cat(out).to(x.device)
