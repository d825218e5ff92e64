"""Corruption processes of the denoising autoencoder (aelib.noise, chapter 06)."""

import math

import pytest
import torch

from aelib import noise


@pytest.mark.parametrize("nu", [0.1, 0.25, 0.5, 0.75])
def test_masking_removes_a_fraction_nu(nu):
    x = torch.rand(200, 500) + 0.5  # no zeros before masking
    x_tilde = noise.masking(x, nu, generator=torch.Generator().manual_seed(0))
    n = x.numel()
    removed = (x_tilde == 0).float().mean().item()
    # Binomial(n, nu) / n has standard deviation sqrt(nu (1 - nu) / n); 5 of them is a 1-in-3.5-million miss.
    assert abs(removed - nu) < 5 * math.sqrt(nu * (1 - nu) / n)


def test_masking_keeps_the_other_inputs_unchanged():
    x = torch.rand(50, 784) + 0.1
    x_tilde = noise.masking(x, 0.3, generator=torch.Generator().manual_seed(1))
    kept = x_tilde != 0
    assert x_tilde.shape == x.shape and x_tilde.dtype == x.dtype
    assert torch.equal(x_tilde[kept], x[kept])


def test_masking_limits_and_reproducibility():
    x = torch.rand(20, 30) + 0.1
    assert torch.equal(noise.masking(x, 0.0), x)
    assert torch.count_nonzero(noise.masking(x, 1.0)) == 0
    a = noise.masking(x, 0.5, generator=torch.Generator().manual_seed(3))
    b = noise.masking(x, 0.5, generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


@pytest.mark.parametrize("nu", [-0.1, 1.5, float("nan")])
def test_masking_rejects_nu_outside_unit_interval(nu):
    with pytest.raises(ValueError, match="nu"):
        noise.masking(torch.rand(4, 5), nu)


def test_masking_rejects_a_non_matrix():
    with pytest.raises(ValueError, match="x"):
        noise.masking(torch.rand(28, 28, 3), 0.25)
    with pytest.raises(TypeError, match="x must be a tensor or an array"):
        noise.masking({"x": 1.0}, 0.25)


def test_gaussian_noise_has_the_asked_standard_deviation():
    x = torch.rand(300, 300)
    sigma = 0.3
    e = noise.gaussian(x, sigma, generator=torch.Generator().manual_seed(0)) - x
    n = e.numel()
    assert abs(e.mean().item()) < 5 * sigma / math.sqrt(n)
    # the sample variance of n normals has relative standard deviation sqrt(2 / n)
    assert abs(e.var().item() / sigma**2 - 1) < 5 * math.sqrt(2 / n)
    assert torch.equal(noise.gaussian(x, 0.0), x)


def test_gaussian_rejects_negative_sigma():
    with pytest.raises(ValueError, match="sigma"):
        noise.gaussian(torch.rand(3, 4), -0.1)
