"""Property tests of ``aelib.models``: random shapes and values thrown at its
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

from aelib.models import Autoencoder


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
