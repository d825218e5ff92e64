"""Property tests of ``aelib.noise``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import math

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    SETTINGS,
    clear_or_ok,
    tensors,
)

from aelib import (
    noise,
)


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
