"""Property tests of ``aelib.hashing``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    FAST,
    clear_or_ok,
    elsewhere,
    ints,
    matching,
    matrices,
    meta,
    model_data,
    mostly,
    other_dtype,
    reals,
    sizes_lists,
    width,
)

from aelib import (
    hashing,
)


def query_data(x, x2, kind):
    """What to encode after fitting x: x itself, x in the other float dtype, or unrelated x2."""
    if kind == "random" or not (
        isinstance(x, torch.Tensor) and x.is_floating_point()
    ):
        return x2
    return x if kind == "same" else other_dtype(x)


queries = st.sampled_from(["same", "dtype", "random"])


@FAST
@given(
    n_bits=ints,
    seed=mostly(ints, st.just(2**70)),
    x=matrices(),
    x2=matrices(),
    kind=queries,
)
def test_random_projection_lsh(n_bits, seed, x, x2, kind):
    x2 = query_data(x, x2, kind)
    lsh = clear_or_ok(
        lambda: hashing.RandomProjectionLSH(n_bits, seed), "n_bits", "seed"
    )
    if lsh is None or clear_or_ok(lambda: lsh.fit(x), "x") is None:
        return
    codes = clear_or_ok(lambda: lsh.encode(x2), "x")
    if codes is not None:
        assert codes.dtype == torch.bool and codes.shape == (
            x2.shape[0],
            n_bits,
        )
        if (
            kind != "random"
        ):  # the dtype of the data does not change the codes (but for projections near 0)
            proj = (x.double() - lsh.mean.double()) @ lsh.W.double()
            clear = proj.abs() > 1e-4 * (1 + proj.abs().max())
            assert torch.equal(codes[clear], lsh.encode(x)[clear])


@FAST
@given(
    n_bits=ints,
    n_iter=ints,
    seed=ints,
    x=matrices(),
    x2=matrices(),
    kind=queries,
)
def test_pca_itq(n_bits, n_iter, seed, x, x2, kind):
    x2 = query_data(x, x2, kind)
    itq = clear_or_ok(
        lambda: hashing.PCAITQ(n_bits, n_iter, seed), "n_bits", "n_iter", "seed"
    )
    if itq is None or clear_or_ok(lambda: itq.fit(x), "x", "n_bits") is None:
        return
    loss = itq.loss_history
    assert all(
        b <= a * (1 + 1e-4) + 1e-6 for a, b in zip(loss, loss[1:])
    )  # each ITQ step lowers the loss
    codes = clear_or_ok(lambda: itq.encode(x2), "x")
    if codes is not None:
        assert codes.dtype == torch.bool and codes.shape == (
            x2.shape[0],
            n_bits,
        )


@FAST
@given(
    z=matrices(),
    mode=mostly(
        st.sampled_from(["noise", "straight_through"]), st.just("sign")
    ),
    sigma=reals,
    training=st.booleans(),
)
def test_binary_code(z, mode, sigma, training):
    layer = clear_or_ok(
        lambda: hashing.BinaryCode(mode, sigma), "mode", "sigma"
    )
    if layer is None:
        return
    layer.train(training)
    out = clear_or_ok(lambda: layer(z), "z")
    if out is not None:
        assert out.shape == z.shape
        if not training:
            assert bool(((out == 0) | (out == 1)).all())


@FAST
@given(sizes=sizes_lists, x=model_data, match=matching, other=elsewhere)
def test_hashing_autoencoder(sizes, x, match, other):
    sizes = [width(x, sizes[0], match)] + sizes[1:] if sizes else sizes
    model = clear_or_ok(lambda: hashing.HashingAutoencoder(sizes), "sizes")
    if model is None:
        return
    model = meta(model) if other else model
    # codes() moves x to the model's device on purpose, so only the forward pass meets a device mismatch.
    for call in (model,) if other else (model, model.codes):
        out = clear_or_ok(lambda: call(x), "x")
        if out is not None:
            assert not other and out.shape[0] == x.shape[0]
