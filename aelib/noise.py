"""Corruption processes for denoising autoencoders (chapter 06).

The denoising loss compares the reconstruction of the corrupted input x_tilde
with the clean input x.
"""

from __future__ import annotations

import torch

from ._checks import as_matrix, fraction, non_negative


def masking(
    x: torch.Tensor, nu: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Set each input to 0 independently with probability nu.

    Args:
        x: clean inputs.
        nu: fraction of inputs destroyed, in [0, 1].
        generator: optional torch.Generator for reproducible noise.

    Shape:
        x, output: ``(batch, features)``.
    """
    x, nu = as_matrix("x", x, finite=False), fraction(nu=nu)
    keep = torch.rand(x.shape, device=x.device, generator=generator) >= nu
    return x * keep


def gaussian(
    x: torch.Tensor, sigma: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Add isotropic Gaussian noise N(0, sigma^2 I).

    Args:
        x: clean inputs.
        sigma: standard deviation of the noise, >= 0.
        generator: optional torch.Generator for reproducible noise.

    Shape:
        x, output: ``(batch, features)``.
    """
    x, sigma = as_matrix("x", x, finite=False), non_negative(sigma=sigma)
    eps = torch.randn(
        x.shape, device=x.device, dtype=x.dtype, generator=generator
    )
    return x + sigma * eps
