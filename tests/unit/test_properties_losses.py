"""Property tests of ``aelib.losses``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    SETTINGS,
    clear_or_ok,
    tensors,
)

from aelib import (
    losses,
)


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
@given(h=tensors(), W=tensors())
def test_contractive_penalty(h, W):
    out = clear_or_ok(lambda: losses.contractive_penalty(h, W), "h", "W")
    if out is not None:
        assert out.shape == (h.shape[0],)
        assert bool((out[torch.isfinite(out)] >= 0).all())
