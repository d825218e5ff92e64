"""Property tests of ``aelib.similarity``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    BAD_INTS,
    FAST,
    clear_or_ok,
    elsewhere,
    finite,
    ints,
    is_matrix,
    matrices,
    meta,
    mostly,
    reductions,
    tensors,
)

from aelib import (
    similarity,
)


def labels(n_rows):
    """Mostly one integer label per row, else anything."""
    return mostly(
        st.integers(1, 3).map(lambda c: torch.arange(n_rows) % c),
        tensors(max_dims=2),
    )


@FAST
@given(
    z=matrices(),
    data=st.data(),
    objective=mostly(st.sampled_from(["error", "log"]), st.just("hinge")),
    reduction=reductions,
    other=elsewhere,
)
def test_nca_loss(z, data, objective, reduction, other):
    y = data.draw(labels(len(z) if is_matrix(z) else 2))
    y = meta(y) if other else y
    out = clear_or_ok(
        lambda: similarity.nca_loss(z, y, objective, reduction),
        "z",
        "y",
        "objective",
        "reduction",
    )
    if out is None:
        return
    assert not other and out.shape == ((len(z),) if reduction == "none" else ())
    if finite(z):
        assert finite(out) and bool((out >= -1e-6).all())
        if objective == "error" and reduction == "none":
            assert bool((out <= 1 + 1e-6).all())


@FAST
@given(
    z_train=matrices(),
    data=st.data(),
    k=ints,
    chunk=mostly(st.integers(1, 3), BAD_INTS),
)
def test_knn_error(z_train, data, k, chunk):
    n, dim, dtype = (
        (*z_train.shape, z_train.dtype)
        if is_matrix(z_train)
        else (3, 2, torch.float32)
    )
    z_test = data.draw(mostly(matrices(cols=dim, dtype=dtype), matrices()))
    y_train = data.draw(labels(n))
    y_test = data.draw(labels(len(z_test) if is_matrix(z_test) else 2))
    names = ("z_train", "y_train", "z_test", "y_test", "k", "chunk")
    err = clear_or_ok(
        lambda: similarity.knn_error(
            z_train, y_train, z_test, y_test, k, chunk
        ),
        *names,
    )
    if err is not None:
        assert 0 <= err <= 1
        # Each training point is its own nearest neighbour (when the points are distinct).
        if len(torch.unique(z_train, dim=0)) == len(z_train):
            assert (
                similarity.knn_error(z_train, y_train, z_train, y_train, 1) == 0
            )
