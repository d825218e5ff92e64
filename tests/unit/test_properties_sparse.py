"""Property tests of ``aelib.sparse``: random shapes and values thrown at its
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
    floats,
    ints,
    is_matrix,
    matrices,
    meta,
    mostly,
    other_dtype,
    positive,
    reals,
    reductions,
    tensors,
)

from aelib import (
    sparse,
)


@FAST
@given(v=tensors(), t=mostly(reals, tensors(max_dims=2)))
def test_soft_threshold(v, t):
    out = clear_or_ok(lambda: sparse.soft_threshold(v, t), "v", "t")
    if out is None:
        return
    assert out.shape == v.shape
    ok = torch.isfinite(v)
    assert bool((out[ok].abs() <= v[ok].abs()).all())
    assert bool(
        (out[ok] * v[ok] >= 0).all()
    )  # shrinks towards zero, never past it


@st.composite
def lasso_problem(draw):
    """x, D, z (or None) of matching shapes and dtype, each sometimes broken, and lam."""
    n, d, k = (
        draw(st.integers(1, 5)),
        draw(st.integers(1, 5)),
        draw(st.integers(1, 4)),
    )
    dtype = draw(floats)
    x, D = draw(matrices(n, d, dtype)), draw(matrices(d, k, dtype))
    z = draw(mostly(st.none(), matrices(n, k, dtype)))
    if (
        isinstance(D, torch.Tensor)
        and D.is_floating_point()
        and draw(elsewhere)
    ):
        D = draw(st.sampled_from([meta, other_dtype]))(D)
    return x, D, z, draw(mostly(reals, tensors(max_dims=1)))


@FAST
@given(problem=lasso_problem(), reduction=reductions)
def test_lasso_objective(problem, reduction):
    x, D, z, lam = problem
    if z is None:
        z = (
            torch.zeros(x.shape[0], D.shape[1], dtype=x.dtype)
            if is_matrix(x) and is_matrix(D)
            else x
        )
    out = clear_or_ok(
        lambda: sparse.lasso_objective(x, D, z, lam, reduction),
        "x",
        "D",
        "z",
        "lam",
        "reduction",
    )
    if out is not None:
        assert out.shape == ((x.shape[0],) if reduction == "none" else ())
        assert finite(out) and bool((out >= 0).all())


@FAST
@given(
    problem=lasso_problem(),
    n_iter=ints,
    L=mostly(st.none(), positive),
    tol=mostly(st.just(0.0), reals),
    solver=st.sampled_from([sparse.ista, sparse.fista]),
)
def test_ista_fista(problem, n_iter, L, tol, solver):
    x, D, z0, lam = problem
    z = clear_or_ok(
        lambda: solver(x, D, lam, n_iter=n_iter, z0=z0, L=L, tol=tol),
        "x",
        "D",
        "lam",
        "z0",
        "n_iter",
        "L",
        "tol",
    )
    if z is None:
        return
    assert z.shape == (x.shape[0], D.shape[1]) and finite(z)
    if (
        solver is sparse.ista and L is None
    ):  # with the step 1/lipschitz(D), ISTA never goes uphill
        start = torch.zeros_like(z) if z0 is None else z0
        before, after = (
            sparse.lasso_objective(x, D, start, lam),
            sparse.lasso_objective(x, D, z, lam),
        )
        assert bool((after <= before + 1e-4 * (1 + before.abs())).all())


@FAST
@given(D=matrices())
def test_lipschitz(D):
    L = clear_or_ok(lambda: sparse.lipschitz(D), "D")
    if L is not None:  # the largest squared singular value
        assert math.isclose(
            L,
            float(torch.linalg.svdvals(D.double())[0]) ** 2,
            rel_tol=1e-5,
            abs_tol=1e-12,
        )
