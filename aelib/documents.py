"""The deep autoencoder for documents (chapters 12 and 13).

A story is a row x of word counts over a fixed vocabulary. The encoder reads
log(1 + x) scaled to a fixed length, so that a short and a long story on the
same subject look alike; the decoder gives one score a_hat_k per word, and
p = softmax(a_hat) is a multinomial over the vocabulary: the loss is the
story's negative log-likelihood -sum_k x_k log p_k
(``losses.multinomial_nll``), the recipe loss = -log p(x | mu) of chapter 02.

During training, Gaussian noise of standard deviation ``code_noise`` is
added to the code units. A code that must survive noise cannot hide a
story's identity in tiny differences between code values; it has to spread
stories of different kinds far apart, which is what retrieval by angle
needs (measured in chapter 12). At evaluation (``model.eval()``) the code is
noise-free.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from ._checks import as_matrix, model_input, non_negative, sizes as check_sizes
from .deep import mlp

# The length of the encoder's input vector: log-counts scaled to unit length
# are small numbers (about 0.1 each); 10 puts them near the unit range the
# default initialisation of the first layer expects.
INPUT_LENGTH = 10.0


def check_counts(
    x, n_words: int | None = None, name: str = "x"
) -> torch.Tensor:
    """Check that ``x`` is a matrix of word counts; return it as a tensor.

    Counts are finite, non-negative whole numbers, one column per word of
    the vocabulary. TF-IDF weights, proportions or log-counts are refused:
    the model applies its own transform (``encoder_input``).

    Args:
        x: the count matrix (tensor or array-like).
        n_words: the vocabulary width it must have, or None.
        name: the argument's name in the error message.

    Shape:
        x: ``(n, n_words)``.
    """
    x = as_matrix(name, x, layout="(n, n_words)")
    if n_words is not None and x.shape[1] != n_words:
        raise ValueError(
            f"{name} must have one column per word of the model's "
            f"{n_words}-word vocabulary; got shape {tuple(x.shape)} (build "
            "the counts with the vocabulary of data.load_reuters)"
        )
    if x.numel() and bool((x < 0).any()):
        raise ValueError(
            f"{name} must hold word counts (>= 0); got a minimum of "
            f"{x.min().item():.3g} (pass the raw counts, not centred or "
            "weighted values)"
        )
    if x.numel() and bool((x != x.round()).any()):
        bad = x[x != x.round()][0].item()
        raise ValueError(
            f"{name} must hold whole word counts; got {bad:.3g} (pass the "
            "raw counts, not TF-IDF weights, proportions or log-counts)"
        )
    return x


def encoder_input(x: torch.Tensor) -> torch.Tensor:
    """log(1 + x), each row scaled to length ``INPUT_LENGTH``.

    The logarithm keeps the frequent words from swamping the rest; the
    scaling removes the story's length, which says little about its topic.

    Shape:
        x: ``(n, n_words)``; output: the same.
    """
    v = torch.log1p(x)
    return INPUT_LENGTH * v / v.norm(dim=1, keepdim=True).clamp_min(1e-12)


class DocumentAutoencoder(nn.Module):
    """counts x -> code h (linear units) -> word scores a_hat ->
    p = softmax(a_hat).

    Hinton & Salakhutdinov's 2000-500-250-125-10 document model, trained
    with ``fit(deep.Logits(model), x, losses.multinomial_nll, y=x, ...)``.
    ``encode`` takes the raw count matrix and checks it.

    Args:
        sizes: widths from the vocabulary to the code, e.g.
            ``(2000, 500, 250, 125, 10)``.
        activation: hidden non-linearity (``"relu"``, ``"sigmoid"``,
            ``"tanh"``).
        code_noise: standard deviation of the Gaussian noise added to the
            code in training mode (0: none).

    Shape:
        x: ``(n, sizes[0])`` counts; h = encode(x): ``(n, sizes[-1])``;
        decode(h): ``(n, sizes[0])`` word probabilities, rows summing to 1.
    """

    def __init__(
        self,
        sizes: Sequence[int] = (2000, 500, 250, 125, 10),
        activation: str = "relu",
        code_noise: float = 1.0,
    ):
        super().__init__()
        self.sizes = check_sizes(sizes, "a vocabulary width and a code width")
        self.code_noise = non_negative(code_noise=code_noise)
        self.encoder = mlp(self.sizes, activation, last_activation=None)
        self.decoder = mlp(self.sizes[::-1], activation, last_activation=None)

    def encode(self, x) -> torch.Tensor:
        """The code h of the counts x (noisy in training mode)."""
        x = check_counts(x, self.sizes[0])
        w = self.encoder[0].weight
        h = self.encoder(encoder_input(x.to(w.device, w.dtype)))
        if self.training and self.code_noise > 0:
            h = h + self.code_noise * torch.randn_like(h)
        return h

    def decode_logits(self, h: torch.Tensor) -> torch.Tensor:
        """The word scores a_hat of the code h."""
        h = model_input("h", h, self.sizes[-1], self.decoder[0].weight)
        return self.decoder(h)

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """p = softmax(a_hat): the model's distribution over words."""
        return torch.softmax(self.decode_logits(h), dim=1)

    def forward(self, x) -> torch.Tensor:
        """p = decode(encode(x)); multiply by a story's length for its
        expected counts."""
        return self.decode(self.encode(x))

    @torch.no_grad()
    def codes(self, x, batch_size: int = 4096) -> torch.Tensor:
        """Noise-free codes of x in eval mode, batch by batch, on the CPU."""
        was_training = self.training
        self.eval()
        x = check_counts(x, self.sizes[0])
        out = torch.cat(
            [
                self.encode(x[i : i + batch_size]).cpu()
                for i in range(0, len(x), batch_size)
            ]
        )
        self.train(was_training)
        return out
