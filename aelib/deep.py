"""Deep autoencoders: a stack of encoder layers, a code layer, the mirrored decoder.

Introduced in the deep-autoencoder chapter after Hinton & Salakhutdinov (2006):
784-1000-500-250-30 for MNIST, with linear code units and a logistic output.
"""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ._checks import as_matrix, matches, number

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}


def mlp(sizes: Sequence[int], activation: str = "relu", last_activation: str | None = None) -> nn.Sequential:
    """Fully connected layers sizes[0] -> sizes[1] -> ... with ``activation`` between them.

    Args:
        sizes: layer widths, input first.
        activation: ``"relu"``, ``"sigmoid"`` or ``"tanh"`` after every layer but the last.
        last_activation: the same choice for the last layer, or None for a linear one.
    """
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output width; got {list(sizes)}")
    for i, s in enumerate(sizes):
        number(f"sizes[{i}]", s, low=1, integer=True)
    for name in (activation, last_activation):
        if name is not None and name not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)} or None; got {name!r}")
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        last = i == len(sizes) - 2
        act = last_activation if last else activation
        if act is not None:
            layers.append(ACTIVATIONS[act]())
    return nn.Sequential(*layers)


class DeepAutoencoder(nn.Module):
    """Encoder sizes[0] -> ... -> sizes[-1] (linear code units), decoder mirrored.

    The decoder returns the output pre-activation a_hat (logits); ``forward`` applies the
    output non-linearity, so ``model(x)`` is x_hat like every autoencoder in the book.
    Train on ``decode_preactivation`` with ``cross_entropy_logits`` for numerical safety.

    Args:
        sizes: widths from the input to the code, e.g. ``(784, 1000, 500, 250, 30)``.
        activation: hidden non-linearity, ``"relu"``, ``"sigmoid"`` or ``"tanh"``.
        output: ``"sigmoid"`` (inputs in [0, 1]) or ``"linear"``.

    Shape:
        x: ``(batch, sizes[0])``; z = encode(x): ``(batch, sizes[-1])``.
    """

    def __init__(self, sizes: Sequence[int] = (784, 1000, 500, 250, 30), activation: str = "relu",
                 output: str = "sigmoid"):
        super().__init__()
        if output not in ("sigmoid", "linear"):
            raise ValueError(f"output must be 'sigmoid' or 'linear'; got {output!r}")
        self.sizes, self.output = tuple(sizes), output
        self.encoder = mlp(self.sizes, activation, last_activation=None)
        self.decoder = mlp(self.sizes[::-1], activation, last_activation=None)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code z, linear units."""
        matches("x", as_matrix("x", x, self.sizes[0], finite=False), self.encoder[0].weight)
        return self.encoder(x)

    def decode_preactivation(self, z: torch.Tensor) -> torch.Tensor:
        matches("z", as_matrix("z", z, self.sizes[-1], finite=False), self.decoder[0].weight)
        return self.decoder(z)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        a_hat = self.decode_preactivation(z)
        return torch.sigmoid(a_hat) if self.output == "sigmoid" else a_hat

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class Logits(nn.Module):
    """Wrap an autoencoder so that calling it returns the output pre-activation a_hat.

    ``fit(Logits(model), x, cross_entropy_logits, ...)`` trains ``model`` with the
    numerically safe loss; the wrapped model is trained in place.
    """

    def __init__(self, autoencoder: nn.Module):
        super().__init__()
        self.autoencoder = autoencoder

    def encode(self, x):
        return self.autoencoder.encode(x)

    def decode(self, h):
        return self.autoencoder.decode_preactivation(h)

    def forward(self, x):
        return self.decode(self.encode(x))
