"""Property tests of ``aelib.stacked``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    BAD_INTS,
    BAD_REALS,
    FAST,
    SLOW,
    clear_or_ok,
    elsewhere,
    ints,
    matching,
    matrices,
    meta,
    model_data,
    mostly,
    positive,
    tensors,
    width,
)

from aelib import (
    stacked,
)
from aelib.models import Autoencoder


@FAST
@given(
    n_visible=st.integers(1, 5),
    n_hidden=st.integers(1, 4),
    x=model_data,
    batch_size=mostly(st.integers(1, 3), st.one_of(BAD_INTS, st.just(4096))),
    match=matching,
    other=elsewhere,
)
def test_encode_all(n_visible, n_hidden, x, batch_size, match, other):
    n_visible = width(x, n_visible, match)
    ae = Autoencoder(n_visible, n_hidden)
    ae = meta(ae) if other else ae
    h = clear_or_ok(
        lambda: stacked.encode_all(ae, x, batch_size),
        "x",
        "batch_size",
        "autoencoder",
    )
    if (
        h is not None and other
    ):  # encode_all moves x to the model's device on purpose
        assert h.device.type == "meta"
    elif h is not None:
        torch.testing.assert_close(h, ae.encode(x), equal_nan=True)


@FAST
@given(
    widths=mostly(
        st.lists(
            st.tuples(st.integers(1, 4), st.integers(1, 4)),
            min_size=1,
            max_size=3,
        ),
        st.just([]),
    ),
    n_classes=mostly(st.integers(2, 4), BAD_INTS),
    chain=mostly(st.just(True), st.just(False)),
    y=mostly(st.none(), tensors(max_dims=2)),
    batch_size=ints,
)
def test_stack_classifier(widths, n_classes, chain, y, batch_size):
    if chain and widths:
        widths = [widths[0]] + [
            (widths[i - 1][1], w[1]) for i, w in enumerate(widths[1:], 1)
        ]
    aes = [Autoencoder(a, b) for a, b in widths]
    net = clear_or_ok(
        lambda: stacked.stack_classifier(aes, n_classes),
        "autoencoders",
        "n_classes",
    )
    if net is None:
        return
    torch.testing.assert_close(net[0].weight, aes[0].W)
    x = torch.rand(5, widths[0][0], generator=torch.Generator().manual_seed(0))
    logits = net(x)
    assert logits.shape == (5, n_classes) and bool(
        (logits == 0).all()
    )  # every class equally likely
    y = torch.arange(5) % n_classes if y is None else y
    err = clear_or_ok(
        lambda: stacked.error_rate(net, x, y, batch_size),
        "x",
        "y",
        "batch_size",
    )
    if err is not None:
        assert 0 <= err <= 1


@SLOW
@given(
    x=matrices(cols=3, dtype=torch.float32),
    sizes=mostly(
        st.lists(st.integers(1, 3), min_size=1, max_size=2),
        st.lists(ints, max_size=3),
    ),
    epochs=mostly(st.just(1), BAD_INTS),
    nu=mostly(st.floats(0, 1), BAD_REALS),
    batch_size=ints,
    lr=positive,
)
def test_pretrain_greedy(x, sizes, epochs, nu, batch_size, lr):
    sizes = (
        [3] + sizes
        if sizes
        and isinstance(sizes[0], int)
        and not isinstance(sizes[0], bool)
        else sizes
    )
    out = clear_or_ok(
        lambda: stacked.pretrain_greedy(
            x, sizes, epochs, nu, batch_size, lr, device="cpu"
        ),
        "x",
        "sizes",
        "epochs",
        "nu",
        "batch_size",
        "lr",
    )
    if out is not None:
        autoencoders, histories = out
        assert [(ae.n_visible, ae.n_hidden) for ae in autoencoders] == list(
            zip(sizes[:-1], sizes[1:])
        )
        assert len(histories) == len(sizes) - 1
