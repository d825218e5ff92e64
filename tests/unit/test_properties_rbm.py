"""Property tests of ``aelib.rbm``: random shapes and values thrown at its
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
    matching,
    matrices,
    meta,
    model_data,
    mostly,
    positive,
    reals,
    reductions,
    width,
)

from aelib import (
    rbm,
)


@FAST
@given(
    n_visible=st.integers(1, 5),
    n_hidden=st.integers(1, 4),
    x=model_data,
    k=ints,
    reduction=reductions,
    match=matching,
    other=elsewhere,
)
def test_rbm_methods(n_visible, n_hidden, x, k, reduction, match, other):
    n_visible = width(x, n_visible, match)
    model = rbm.RBM(n_visible, n_hidden, init_std=1.0)
    model = meta(model) if other else model
    for call in (model.encode, model, model.free_energy):
        out = clear_or_ok(lambda: call(x), "x")
        if out is not None:
            assert not other and out.shape[0] == x.shape[0]
    h = clear_or_ok(lambda: model.gibbs_chain(x, k), "x", "k")
    if h is not None:
        assert h.shape == x.shape and bool(((h == 0) | (h == 1)).all())
    pl = clear_or_ok(
        lambda: model.pseudo_likelihood(x, reduction), "x", "reduction"
    )
    if pl is not None:  # a sum of log-probabilities
        assert finite(pl) and bool((pl <= 0).all())


@SLOW
@given(
    n_hidden=ints,
    init_std=reals,
    x=matrices(cols=3, dtype=torch.float32),
    epochs=mostly(st.integers(1, 2), BAD_INTS),
    batch_size=ints,
    lr=positive,
    k=ints,
    persistent=st.booleans(),
)
def test_train_rbm(
    n_hidden, init_std, x, epochs, batch_size, lr, k, persistent
):
    model = clear_or_ok(
        lambda: rbm.RBM(3, n_hidden, init_std), "n_hidden", "init_std"
    )
    if model is None:
        return
    h = clear_or_ok(
        lambda: rbm.train_rbm(
            model, x, epochs, batch_size, lr, k, persistent, device="cpu"
        ),
        "x",
        "epochs",
        "batch_size",
        "lr",
        "k",
    )
    if h is not None:
        assert len(h.loss) == epochs and all(math.isfinite(e) for e in h.loss)
