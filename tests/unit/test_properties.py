"""Property-based tests: random shapes and values thrown at aelib's public functions.

Every call either succeeds with a finite result of the documented shape, or fails with a
ValueError or TypeError whose message names the offending argument; never an obscure
error from deep inside torch, never a silent wrong result.
"""

from __future__ import annotations

import math
import re

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aelib import losses, noise
from aelib.models import Autoencoder

# derandomize: CI must not depend on luck; the examples are still varied and shrunk.
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

special = st.sampled_from(
    [0.0, 1.0, 0.5, -1.0, 2.0, math.nan, math.inf, -math.inf]
)


@st.composite
def tensors(draw, max_dims=3):
    ndim = draw(st.integers(0, max_dims))
    shape = tuple(draw(st.integers(0, 6)) for _ in range(ndim))
    dtype = draw(
        st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool])
    )
    # Values from a seed that hypothesis draws: a failing example replays (and shrinks) exactly.
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**32 - 1)))
    t = torch.rand(shape, dtype=torch.float64, generator=g)
    if t.numel() and draw(st.booleans()):
        t.view(-1)[draw(st.integers(0, t.numel() - 1))] = draw(special)
    if dtype == torch.bool:
        return t > 0.5
    return (
        t.to(dtype)
        if dtype.is_floating_point
        else (t * 3).nan_to_num(0, 0, 0).to(dtype)
    )


def clear_or_ok(fn, *names):
    """Run fn; accept success, or a ValueError/TypeError that names one of ``names``.

    A name counts as a whole word ("x" is not found in "x_hat" nor in "expected"), so that a
    raw torch message cannot pass by chance.
    """
    try:
        return fn()
    except (ValueError, TypeError) as err:
        msg = str(err)
        assert any(
            re.search(rf"(?<![\w]){re.escape(n)}(?!\w)", msg) for n in names
        ), f"error does not name {names}: {msg}"
        return None


@SETTINGS
@given(
    x=tensors(),
    n_visible=st.integers(1, 6),
    n_hidden=st.integers(1, 4),
    tied=st.booleans(),
)
def test_autoencoder_forward(x, n_visible, n_hidden, tied):
    model = Autoencoder(n_visible, n_hidden, tied=tied)
    out = clear_or_ok(lambda: model(x), "x")
    if out is not None:
        assert out.shape == x.shape
        if bool(torch.isfinite(x).all()):
            assert bool(torch.isfinite(out).all())


@SETTINGS
@given(
    a=tensors(),
    b=tensors(),
    reduction=st.sampled_from(["mean", "sum", "none", "avg"]),
    fn=st.sampled_from(
        [
            losses.cross_entropy,
            losses.cross_entropy_logits,
            losses.squared_error,
            losses.sum_of_squares,
            losses.multinomial_nll,
        ]
    ),
)
def test_losses(a, b, reduction, fn):
    out = clear_or_ok(
        lambda: fn(a, b, reduction=reduction),
        "x",
        "a_hat",
        "x_hat",
        "reduction",
    )
    if out is not None:
        assert out.shape == ((a.shape[0],) if reduction == "none" else ())
        assert not bool(torch.isnan(out).any()) or bool(torch.isnan(a).any())
        # Every loss is a negative log-likelihood (or a sum of squares): never below zero.
        assert bool((out[~torch.isnan(out)] >= -1e-6).all())


@SETTINGS
@given(
    x=tensors(),
    nu=st.one_of(
        st.floats(-1, 2), st.sampled_from([0, 1, "0.5", None, math.nan])
    ),
)
def test_masking(x, nu):
    out = clear_or_ok(lambda: noise.masking(x, nu), "x", "nu")
    if out is not None:
        assert 0 <= nu <= 1 and out.shape == x.shape
        assert bool(((out == 0) | (out == x) | torch.isnan(x)).all())


@SETTINGS
@given(
    x=tensors(),
    sigma=st.one_of(
        st.floats(-1, 2), st.sampled_from([0, "1", None, math.nan])
    ),
)
def test_gaussian(x, sigma):
    out = clear_or_ok(lambda: noise.gaussian(x, sigma), "x", "sigma")
    if out is not None:
        assert sigma >= 0 and out.shape == x.shape


@SETTINGS
@given(h=tensors(), W=tensors())
def test_contractive_penalty(h, W):
    out = clear_or_ok(lambda: losses.contractive_penalty(h, W), "h", "W")
    if out is not None:
        assert out.shape == (h.shape[0],)
        assert bool((out[torch.isfinite(out)] >= 0).all())


def test_clear_or_ok_can_fail():
    """The helper above must reject an error that names nothing useful."""

    def obscure():
        raise ValueError("mat1 and mat2 shapes cannot be multiplied")

    def by_chance():
        raise TypeError(
            "expected scalar type Float but found Double"
        )  # holds an "x", names no x

    with pytest.raises(AssertionError):
        clear_or_ok(obscure, "x")
    with pytest.raises(AssertionError):
        clear_or_ok(by_chance, "x")
