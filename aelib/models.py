"""The autoencoder of the lecture: h(x) = sigm(b + W x),
x_hat = sigm(c + W* h(x)).

Introduced in chapter 01. Tied weights mean W* = W^T: one parameter serves
the encoder and the decoder, so the decoder holds no matrix of its own.

Every autoencoder of aelib follows one contract, ``AutoencoderProtocol``:
``encode(x) -> h``, ``decode_logits(h) -> a_hat`` (the output pre-activation),
``decode(h) -> x_hat`` and ``forward(x) = decode(encode(x))``. A loss on
logits (``losses.cross_entropy_logits``) takes a_hat; nothing else returns
logits, and ``deep.Logits`` wraps a model for ``fit`` when that loss is
wanted.
"""

from __future__ import annotations

import math
from typing import Protocol, runtime_checkable

import torch
from torch import nn

from ._checks import count, flag, model_input, one_of

DECODERS = ("sigmoid", "linear")


@runtime_checkable
class AutoencoderProtocol(Protocol):
    """What every autoencoder of the book offers (chapter 01).

    ``decode(h)`` applies the output non-linearity to ``decode_logits(h)``
    (the sigmoid for inputs in [0, 1], nothing for a linear output), and
    ``model(x)`` is x_hat = decode(encode(x)).

    Shape:
        x, x_hat, a_hat: ``(batch, n_visible)``; h: ``(batch, n_code)``.
    """

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code h of x."""

    def decode_logits(self, h: torch.Tensor) -> torch.Tensor:
        """The output pre-activation a_hat of the code h."""

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """The reconstruction x_hat of the code h."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = decode(encode(x))."""


class Autoencoder(nn.Module):
    """One hidden layer of sigmoid units, a sigmoid or linear output layer.

    Args:
        n_visible: number of inputs, the size of x (784 for MNIST).
        n_hidden: number of hidden units, the size of h.
        tied: when True the decoder uses W* = W^T (no parameter of its own).
        decoder: ``"sigmoid"`` for inputs in [0, 1] (use the cross-entropy
            loss) or ``"linear"`` for real-valued inputs (use the squared
            error).

    Shape:
        x: ``(batch, n_visible)``; h: ``(batch, n_hidden)``;
        x_hat: ``(batch, n_visible)``.
        W: ``(n_hidden, n_visible)``; W_star: ``(n_visible, n_hidden)``.
    """

    def __init__(
        self,
        n_visible: int,
        n_hidden: int,
        tied: bool = True,
        decoder: str = "sigmoid",
    ):
        super().__init__()
        count(n_visible=n_visible, n_hidden=n_hidden)
        self.decoder = one_of("decoder", decoder, DECODERS)
        self.n_visible, self.n_hidden = n_visible, n_hidden
        self.tied = flag("tied", tied)
        # Glorot-uniform scale, as in Vincent et al. (2010): keeps sigmoid
        # units out of saturation at the start, whatever the layer sizes.
        bound = math.sqrt(6.0 / (n_visible + n_hidden))
        self.W = nn.Parameter(
            torch.empty(n_hidden, n_visible).uniform_(-bound, bound)
        )
        self.b = nn.Parameter(torch.zeros(n_hidden))
        self.c = nn.Parameter(torch.zeros(n_visible))
        if tied:
            self.register_parameter("W_star_untied", None)
        else:
            self.W_star_untied = nn.Parameter(
                torch.empty(n_visible, n_hidden).uniform_(-bound, bound)
            )

    @property
    def W_star(self) -> torch.Tensor:
        """The decoder matrix: W^T when tied (the same storage), else its
        own parameter."""
        return self.W.t() if self.tied else self.W_star_untied

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """h(x) = sigm(b + W x)."""
        x = model_input("x", x, self.n_visible, self.W)
        return torch.sigmoid(torch.addmm(self.b, x, self.W.t()))

    def decode_logits(self, h: torch.Tensor) -> torch.Tensor:
        """a_hat = c + W* h, the output before its non-linearity."""
        h = model_input("h", h, self.n_hidden, self.W)
        return torch.addmm(self.c, h, self.W_star.t())

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """x_hat = sigm(c + W* h), or c + W* h for a linear decoder."""
        a_hat = self.decode_logits(h)
        return torch.sigmoid(a_hat) if self.decoder == "sigmoid" else a_hat

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = decode(encode(x))."""
        return self.decode(self.encode(x))

    def extra_repr(self) -> str:
        return (
            f"n_visible={self.n_visible}, n_hidden={self.n_hidden}, "
            f"tied={self.tied}, decoder={self.decoder!r}"
        )
