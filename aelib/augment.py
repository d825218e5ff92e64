"""Random shifts of images: more training images from the same digits.

A deep autoencoder with millions of weights memorises 55,000 digits: its
error on new digits stops falling long before its training error does.
Moving an image by a pixel makes a digit it has not seen, of the kind the
test set holds, so the gap closes (chapter 11 measures it).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._checks import as_matrix, number


def random_shift(
    x, max_shift: int = 1, p: float = 0.5, side: int = 28
) -> torch.Tensor:
    """Move each image by up to ``max_shift`` pixels in each direction.

    Each image is shifted with probability ``p`` by integers drawn
    uniformly from [-max_shift, max_shift] (rows and columns apart); pixels
    shifted in from outside are 0, the background.

    Args:
        x: flattened square images, row-major.
        max_shift: the largest shift, in pixels.
        p: the probability that an image is shifted at all.
        side: the images' width and height.

    Shape:
        x: ``(n, side * side)``; output: the same.
    """
    x = as_matrix("x", x, side * side)
    number("max_shift", max_shift, low=0, high=side - 1, integer=True)
    number("p", p, low=0.0, high=1.0)
    n, s = len(x), max_shift
    padded = F.pad(x.view(n, side, side), (s, s, s, s))
    moved = torch.rand(n, device=x.device) < p
    # Draw a shift per image (s, s means none), then take each of the
    # (2s + 1)^2 windows once: cheaper than gathering pixel by pixel.
    dy = torch.where(
        moved, torch.randint_like(moved, 0, 2 * s + 1, dtype=torch.long), s
    )
    dx = torch.where(
        moved, torch.randint_like(moved, 0, 2 * s + 1, dtype=torch.long), s
    )
    out = torch.empty(n, side, side, dtype=x.dtype, device=x.device)
    for i in range(2 * s + 1):
        for j in range(2 * s + 1):
            pick = (dy == i) & (dx == j)
            out[pick] = padded[pick, i : i + side, j : j + side]
    return out.reshape(n, side * side)
