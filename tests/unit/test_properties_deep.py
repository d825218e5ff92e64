"""Property tests of ``aelib.deep``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    FAST,
    clear_or_ok,
    elsewhere,
    finite,
    matching,
    meta,
    model_data,
    mostly,
    sizes_lists,
    width,
)

from aelib.deep import DeepAutoencoder, mlp


@FAST
@given(
    sizes=sizes_lists,
    activation=mostly(
        st.sampled_from(["relu", "tanh", "sigmoid"]), st.just("elu")
    ),
    output=mostly(st.sampled_from(["sigmoid", "linear"]), st.just("softmax")),
    x=model_data,
    match=matching,
    other=elsewhere,
)
def test_deep_autoencoder(sizes, activation, output, x, match, other):
    sizes = [width(x, sizes[0], match)] + sizes[1:] if sizes else sizes
    net = clear_or_ok(
        lambda: mlp(sizes, activation, activation), "sizes", "activation"
    )
    if net is not None:
        assert (
            sum(isinstance(m, torch.nn.Linear) for m in net) == len(sizes) - 1
        )
    model = clear_or_ok(
        lambda: DeepAutoencoder(sizes, activation, output),
        "sizes",
        "activation",
        "output",
    )
    if model is None:
        return
    model = meta(model) if other else model
    out = clear_or_ok(lambda: model(x), "x")
    if out is not None:
        assert not other and out.shape == x.shape
        if output == "sigmoid" and finite(x):
            assert bool(((out >= 0) & (out <= 1)).all())
