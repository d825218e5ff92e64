"""Stacked autoencoders: greedy layer-wise pretraining, then a classifier
fine-tuned by backprop (chapter 10).

Bengio et al. (2007) and Vincent et al. (2010): train an autoencoder (or a
denoising autoencoder) on x, encode x, train the next autoencoder on those
codes, and so on bottom-up. Then drop the decoders, put a softmax layer on
the top code and train the whole stack top-down on the labels:
x -> encoder -> features -> encoder -> ... -> class.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ._checks import (
    as_matrix,
    count,
    fraction,
    labels,
    number,
    sizes as check_sizes,
    unit_interval,
)
from .deep import Logits
from .losses import cross_entropy_logits
from .models import Autoencoder
from .noise import masking
from .train import History, fit


@torch.no_grad()
def encode_all(
    autoencoder: nn.Module, x: torch.Tensor, batch_size: int = 4096
) -> torch.Tensor:
    """h = autoencoder.encode(x) in batches, without gradients, on the
    model's device.

    Shape:
        x: ``(n, n_visible)``; output: ``(n, n_hidden)``.
    """
    x, device = _encoding_args(autoencoder, x, batch_size)
    return torch.cat(
        [
            autoencoder.encode(x[i : i + batch_size].to(device))
            for i in range(0, len(x), batch_size)
        ]
    )


def _encoding_args(autoencoder, x, batch_size):
    if not (
        isinstance(autoencoder, nn.Module) and hasattr(autoencoder, "encode")
    ):
        raise TypeError(
            "autoencoder must be a torch.nn.Module with an "
            f"encode method; got {type(autoencoder).__name__}"
        )
    count(batch_size=batch_size)
    x = as_matrix("x", x, finite=False)
    return x, next(autoencoder.parameters()).device


def pretrain_greedy(
    x: torch.Tensor,
    sizes: Sequence[int],
    epochs: int,
    nu: float = 0.0,
    batch_size: int = 256,
    lr: float = 1e-3,
    device=None,
) -> tuple[list[Autoencoder], list[History]]:
    """Greedy layer-wise pretraining: one tied sigmoid autoencoder per
    layer, each on the codes below.

    Layer l is trained on h_{l-1} (h_0 = x) with the Bernoulli
    cross-entropy, the input corrupted by masking noise of level ``nu`` (a
    denoising autoencoder; ``nu = 0`` gives a plain autoencoder). Its codes
    h_l = sigm(b + W h_{l-1}) are the data of layer l + 1.

    Args:
        x: unlabelled training inputs in [0, 1].
        sizes: widths from the input up, e.g. ``(784, 500, 500)`` trains two
            layers.
        epochs: passes over the data for each layer.
        nu: masking-noise level in [0, 1].
        batch_size, lr: passed to ``aelib.fit`` (Adam).
        device: where to train; default ``aelib.get_device()``.

    Shape:
        x: ``(n, sizes[0])``.

    Returns:
        ``(autoencoders, histories)``: one trained ``Autoencoder`` and its
        ``History`` per layer.
    """
    x, sizes = _pretraining_args(x, sizes, nu)
    corrupt = (lambda v: masking(v, nu)) if nu > 0 else None
    autoencoders, histories, h = [], [], x
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        ae = Autoencoder(n_in, n_out, tied=True, decoder="sigmoid")
        histories.append(
            fit(
                Logits(ae),
                h,
                cross_entropy_logits,
                epochs,
                batch_size=batch_size,
                lr=lr,
                device=device,
                corrupt=corrupt,
            )
        )
        autoencoders.append(ae)
        h = encode_all(ae, h)
    return autoencoders, histories


def _pretraining_args(x, sizes, nu):
    # Checked before any layer is trained: every layer's loss is the
    # Bernoulli cross-entropy.
    x = unit_interval("x", as_matrix("x", x), "for the Bernoulli cross-entropy")
    sizes = check_sizes(sizes, "an input and one hidden width")
    if x.shape[1] != sizes[0]:
        raise ValueError(
            "sizes[0] must equal the number of features of x "
            f"({x.shape[1]}); got {sizes[0]}"
        )
    fraction(nu=nu)
    return x, sizes


def stack_classifier(
    autoencoders: Sequence[Autoencoder], n_classes: int
) -> nn.Sequential:
    """Drop the decoders, keep each encoder sigm(b + W h), add a softmax
    layer on top.

    The encoders' W and b are copied (the autoencoders are left as they
    are); the output layer returns logits, so train it with
    ``torch.nn.functional.cross_entropy``, whose log-softmax is the softmax
    layer. Pass freshly built (untrained) autoencoders to get the same
    network from random initialisation.

    Args:
        autoencoders: one ``Autoencoder`` per layer, bottom first; widths
            must chain.
        n_classes: number of classes (10 for MNIST).

    Shape:
        input: ``(batch, autoencoders[0].n_visible)``;
        output: ``(batch, n_classes)`` logits.
    """
    _check_stack(autoencoders, n_classes)
    layers: list[nn.Module] = []
    for ae in autoencoders:
        linear = nn.Linear(ae.n_visible, ae.n_hidden)
        with torch.no_grad():
            linear.weight.copy_(ae.W)
            linear.bias.copy_(ae.b)
        layers += [linear.to(ae.W.device), nn.Sigmoid()]
    top = autoencoders[-1]
    output = nn.Linear(top.n_hidden, n_classes).to(top.W.device)
    # A zero softmax layer: every class equally likely before training.
    with torch.no_grad():
        output.weight.zero_()
        output.bias.zero_()
    return nn.Sequential(*layers, output)


def _check_stack(autoencoders, n_classes) -> None:
    if len(autoencoders) == 0:
        raise ValueError(
            "autoencoders must hold at least one Autoencoder; got none"
        )
    number("n_classes", n_classes, low=2, integer=True)
    for i, ae in enumerate(autoencoders):
        if not isinstance(ae, Autoencoder):
            raise TypeError(
                f"autoencoders[{i}] must be an aelib.Autoencoder;"
                f" got {type(ae).__name__}"
            )
        if i > 0 and ae.n_visible != autoencoders[i - 1].n_hidden:
            raise ValueError(
                f"autoencoders[{i}] takes {ae.n_visible} inputs "
                "but the layer below gives "
                f"{autoencoders[i - 1].n_hidden} codes"
            )


@torch.no_grad()
def error_rate(
    classifier: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    batch_size: int = 4096,
) -> float:
    """Fraction of rows of x whose arg-max logit differs from the label y.

    Shape:
        x: ``(n, features)``; y: ``(n,)`` integer labels.
    """
    x, y, step = _classified(x, y, batch_size)
    device = next(classifier.parameters()).device
    was_training = classifier.training
    classifier.eval()
    wrong = 0
    for i in range(0, len(x), step):
        pred = classifier(x[i : i + step].to(device)).argmax(dim=1).cpu()
        wrong += int((pred != y[i : i + step].cpu()).sum())
    classifier.train(was_training)
    return wrong / len(x)


def _classified(x, y, batch_size):
    x = as_matrix("x", x)
    return x, labels("y", y, len(x)), count(batch_size=batch_size)
