"""Property tests of ``aelib.psd``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import math

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    BAD_INTS,
    FAST,
    SLOW,
    clear_or_ok,
    elsewhere,
    finite,
    ints,
    is_matrix,
    matching,
    matrices,
    meta,
    model_data,
    mostly,
    positive,
    reals,
    width,
)

from aelib import (
    psd,
)


@FAST
@given(
    n_visible=ints,
    n_code=ints,
    lam=reals,
    alpha=reals,
    encoder=mostly(st.sampled_from(["tanh", "sigmoid"]), st.just("relu")),
    x=model_data,
    data=st.data(),
    n_iter=ints,
    match=matching,
    other=elsewhere,
)
def test_psd(
    n_visible, n_code, lam, alpha, encoder, x, data, n_iter, match, other
):
    n_visible = width(x, n_visible, match)
    model = clear_or_ok(
        lambda: psd.PSD(n_visible, n_code, lam, alpha, encoder),
        "n_visible",
        "n_code",
        "lam",
        "alpha",
        "encoder",
    )
    if model is None:
        return
    model = meta(model) if other else model
    n_iter = (
        min(n_iter, 20) if isinstance(n_iter, int) else n_iter
    )  # a few FISTA steps suffice here
    for call in (model.encode, model, lambda x: model.infer(x, n_iter=n_iter)):
        out = clear_or_ok(lambda: call(x), "x", "n_iter")
        if out is not None:
            assert not other and out.shape[0] == x.shape[0] and finite(out)
    rows = x.shape[0] if is_matrix(x) else 3
    z = data.draw(matrices(rows, n_code, torch.float32))
    z_pred = data.draw(mostly(st.just(z), matrices()))
    e = clear_or_ok(lambda: model.energy(x, z, z_pred), "x", "z", "z_pred", "D")
    if e is not None:
        assert e.shape == (x.shape[0],) and bool((e >= 0).all())


@SLOW
@given(
    x=matrices(cols=3, dtype=torch.float32),
    epochs=mostly(st.integers(1, 2), BAD_INTS),
    batch_size=ints,
    lr=positive,
    n_iter=ints,
)
def test_train_psd(x, epochs, batch_size, lr, n_iter):
    model = psd.PSD(3, 2)
    h = clear_or_ok(
        lambda: psd.train_psd(
            model, x, epochs, batch_size, lr, n_iter, device="cpu"
        ),
        "x",
        "epochs",
        "batch_size",
        "lr",
        "n_iter",
    )
    if h is not None:
        assert len(h.loss) == epochs and all(math.isfinite(e) for e in h.loss)
