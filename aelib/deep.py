"""Deep autoencoders: a stack of encoder layers, a code layer, the mirrored
decoder.

Introduced in chapter 11 after Hinton & Salakhutdinov (2006):
784-1000-500-250-30 for MNIST, with linear code units and a logistic output.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ._checks import as_tensor, model_input, one_of, sizes as check_sizes

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}
OUTPUTS = ("sigmoid", "linear")


def mlp(
    sizes: Sequence[int],
    activation: str = "relu",
    last_activation: str | None = None,
) -> nn.Sequential:
    """Fully connected layers sizes[0] -> sizes[1] -> ... with
    ``activation`` between them.

    Args:
        sizes: layer widths, input first.
        activation: ``"relu"``, ``"sigmoid"`` or ``"tanh"`` after every layer
            but the last.
        last_activation: the same choice for the last layer, or None for a
            linear one.
    """
    check_sizes(sizes, "an input and an output width")
    for name in (activation, last_activation):
        if name is not None and name not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(ACTIVATIONS)}"
                f" or None; got {name!r}"
            )
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        act = last_activation if i == len(sizes) - 2 else activation
        if act is not None:
            layers.append(ACTIVATIONS[act]())
    return nn.Sequential(*layers)


class DeepAutoencoder(nn.Module):
    """Encoder sizes[0] -> ... -> sizes[-1] (linear code units), decoder
    mirrored.

    ``decode_logits`` returns the output pre-activation a_hat; ``decode``
    applies the output non-linearity, so ``model(x)`` is x_hat like every
    autoencoder in the book. Train on the logits with
    ``fit(Logits(model), x, cross_entropy_logits, ...)`` for numerical
    safety.

    Args:
        sizes: widths from the input to the code, e.g.
            ``(784, 1000, 500, 250, 30)``.
        activation: hidden non-linearity, ``"relu"``, ``"sigmoid"`` or
            ``"tanh"``.
        output: ``"sigmoid"`` (inputs in [0, 1]) or ``"linear"``.
        x_bar: a mean input, or None. The encoder sees x - x_bar, and a
            linear output adds x_bar back: the network learns the
            deviations from the mean, as PCA does. Inputs far from zero
            on average (faces are mid-grey) train several times faster so.
            Stored with the weights (a buffer).

    Shape:
        x: ``(batch, sizes[0])``; z = encode(x): ``(batch, sizes[-1])``;
        x_bar: ``(sizes[0],)``.
    """

    def __init__(
        self,
        sizes: Sequence[int] = (784, 1000, 500, 250, 30),
        activation: str = "relu",
        output: str = "sigmoid",
        x_bar: torch.Tensor | None = None,
    ):
        super().__init__()
        self.output = one_of("output", output, OUTPUTS)
        self.sizes = tuple(sizes)
        self.encoder = mlp(self.sizes, activation, last_activation=None)
        self.decoder = mlp(self.sizes[::-1], activation, last_activation=None)
        if x_bar is not None:
            x_bar = as_tensor("x_bar", x_bar, 1, f"({self.sizes[0]},)")
            if tuple(x_bar.shape) != (self.sizes[0],):
                raise ValueError(
                    f"x_bar must have shape ({self.sizes[0]},), one mean per "
                    f"input; got {tuple(x_bar.shape)}"
                )
            self.register_buffer("x_bar", x_bar.detach().float().clone())
        else:
            self.x_bar = None

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code z, linear units."""
        x = model_input("x", x, self.sizes[0], self.encoder[0].weight)
        if self.x_bar is not None:
            x = x - self.x_bar.to(x.dtype)
        return self.encoder(x)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """The output pre-activation a_hat of the code z."""
        z = model_input("z", z, self.sizes[-1], self.decoder[0].weight)
        a_hat = self.decoder(z)
        if self.x_bar is not None and self.output == "linear":
            a_hat = a_hat + self.x_bar.to(a_hat.dtype)
        return a_hat

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """x_hat = sigm(a_hat), or a_hat for a linear output."""
        a_hat = self.decode_logits(z)
        return torch.sigmoid(a_hat) if self.output == "sigmoid" else a_hat

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = decode(encode(x))."""
        return self.decode(self.encode(x))


class Logits(nn.Module):
    """Wrap an autoencoder so that calling it returns the output
    pre-activation a_hat = decode_logits(encode(x)).

    ``fit(Logits(model), x, cross_entropy_logits, ...)`` trains ``model``
    with the numerically safe loss; the wrapped model is trained in place.
    The wrapper is no autoencoder of its own: it exists for the loss.
    """

    def __init__(self, autoencoder: nn.Module):
        super().__init__()
        self.autoencoder = autoencoder

    @property
    def W(self) -> torch.Tensor:
        """The wrapped encoder's weights, for penalties that read
        ``model.W`` (``contractive.penalty``)."""
        return self.autoencoder.W

    def encode(self, x):
        return self.autoencoder.encode(x)

    def decode(self, h):
        """a_hat, so that ``fit``'s penalty path sees the logits too."""
        return self.autoencoder.decode_logits(h)

    def forward(self, x):
        return self.decode(self.encode(x))
