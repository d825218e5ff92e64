"""Property tests of ``aelib.linear``: random shapes and values thrown at its
public API (the contract and the strategies: ``strategies.py``)."""

from __future__ import annotations

import math

import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    FAST,
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
    width,
)

from aelib import (
    linear,
)


@FAST
@given(x=matrices(), k=ints)
def test_optimal_linear_autoencoder(x, k):
    out = clear_or_ok(lambda: linear.optimal_linear_autoencoder(x, k), "x", "k")
    if out is None:
        return
    W, W_star = out
    n, d = x.shape
    assert W.shape == (k, d) and W_star.shape == (d, k) and W.dtype == x.dtype
    # Eckart-Young: the error is the sum of the trailing squared singular values.
    x64 = x.double()
    err = float(((x64 - x64 @ W.double().T @ W_star.double().T) ** 2).sum())
    tail = float((torch.linalg.svdvals(x64)[k:] ** 2).sum())
    scale = float((x64**2).sum()) + 1e-12
    tol = 1e-10 if x.dtype == torch.float64 else 1e-4
    assert abs(err - tail) <= tol * scale
    assert abs(linear.rank_k_error(x, k) - tail) <= 1e-10 * scale


@FAST
@given(x=matrices(), k=ints)
def test_pca(x, k):
    out = clear_or_ok(lambda: linear.pca(x, k), "x", "k")
    if out is None:
        return
    mean, components, variances = out
    assert (
        mean.shape == (x.shape[1],)
        and components.shape == (k, x.shape[1])
        and variances.shape == (k,)
    )
    eye = components.double() @ components.double().T
    assert torch.allclose(eye, torch.eye(k, dtype=torch.float64), atol=1e-4)
    assert bool((variances >= 0).all()) and bool(
        (variances[:-1] >= variances[1:] * (1 - 1e-5)).all()
    )


@FAST
@given(
    A=mostly(matrices(rows=6), matrices()), data=st.data(), same=st.booleans()
)
def test_principal_angles(A, data, same):
    rows = A.shape[0] if is_matrix(A) else 6
    B = data.draw(mostly(matrices(rows=rows), matrices()))
    if same and is_matrix(A) and A.dtype == torch.float64:
        # Another basis of the same subspace: A times a well-conditioned mixing matrix.
        mix = torch.eye(A.shape[1], dtype=A.dtype) + 0.1 * torch.rand(
            A.shape[1],
            A.shape[1],
            dtype=A.dtype,
            generator=torch.Generator().manual_seed(0),
        )
        B = A @ mix
    out = clear_or_ok(lambda: linear.principal_angles(A, B), "A", "B")
    if out is None:
        return
    assert out.shape == (min(A.shape[1], B.shape[1]),)
    assert (
        finite(out)
        and bool((out >= 0).all())
        and bool((out <= math.pi / 2 + 1e-12).all())
    )
    if (
        same and A.dtype == torch.float64
    ):  # a subspace with itself: every angle is zero
        assert float(out.max()) < 1e-5


@FAST
@given(
    n_visible=ints, n_hidden=ints, x=model_data, match=matching, other=elsewhere
)
def test_linear_autoencoder(n_visible, n_hidden, x, match, other):
    n_visible = width(x, n_visible, match)
    model = clear_or_ok(
        lambda: linear.LinearAutoencoder(n_visible, n_hidden),
        "n_visible",
        "n_hidden",
    )
    if model is None:
        return
    model = meta(model) if other else model
    out = clear_or_ok(lambda: model(x), "x")
    if out is not None:
        assert not other and out.shape == x.shape and out.dtype == x.dtype
