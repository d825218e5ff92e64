"""aelib.sparse: soft-threshold, ISTA, FISTA against scikit-learn's Lasso, clear errors."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import Lasso

from aelib import sparse


def problem(batch=5, n_visible=20, n_code=30, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    D = torch.randn(n_visible, n_code, generator=g, dtype=dtype)
    D = D / D.norm(dim=0)
    x = torch.randn(batch, n_visible, generator=g, dtype=dtype)
    return x, D


def test_soft_threshold_values():
    v = torch.tensor([-3.0, -0.5, 0.0, 0.2, 2.0])
    assert torch.equal(
        sparse.soft_threshold(v, 1.0), torch.tensor([-2.0, 0.0, 0.0, 0.0, 1.0])
    )
    assert torch.equal(sparse.soft_threshold(v, 0.0), v)


def test_soft_threshold_is_the_prox_of_l1():
    # prox_t(v) = argmin_u 1/2 (u - v)^2 + t |u|: compare with a fine grid search.
    u = torch.linspace(-4, 4, 80001, dtype=torch.float64)
    for v in (-2.3, -0.4, 0.0, 0.7, 3.1):
        best = u[torch.argmin(0.5 * (u - v) ** 2 + 0.8 * u.abs())]
        assert (
            abs(
                sparse.soft_threshold(
                    torch.tensor(v, dtype=torch.float64), 0.8
                ).item()
                - best.item()
            )
            < 1e-4
        )


@pytest.mark.parametrize("lam", [0.1, 0.5])
def test_fista_matches_sklearn_lasso(lam):
    # More rows than atoms: the objective is strongly convex, so the minimiser is unique.
    x, D = problem(n_visible=30, n_code=20)
    z = sparse.fista(x, D, lam, n_iter=3000)
    # sklearn minimises 1/(2 n_samples) ||y - X w||^2 + alpha |w|_1, with n_samples = n_visible
    # rows of D; dividing our objective by n_visible gives alpha = lam / n_visible.
    for i in range(len(x)):
        ref = Lasso(
            alpha=lam / D.shape[0],
            fit_intercept=False,
            tol=1e-12,
            max_iter=100000,
        )
        ref.fit(D.numpy(), x[i].numpy())
        np.testing.assert_allclose(z[i].numpy(), ref.coef_, atol=1e-6)
        assert np.array_equal(
            z[i].numpy() == 0, ref.coef_ == 0
        )  # the same atoms switched off
    assert (z == 0).any()  # the L1 term makes the codes sparse


def test_ista_reaches_the_same_minimum_and_is_monotone():
    x, D = problem(n_visible=30, n_code=20)
    z_f = sparse.fista(x, D, 0.1, n_iter=3000)
    z_i = sparse.ista(x, D, 0.1, n_iter=3000)
    _, trace = sparse.ista(x, D, 0.1, n_iter=300, history=True)
    trace = np.array(trace)
    assert np.all(np.diff(trace) <= 1e-12), "ISTA's objective must never rise"
    assert trace[-1] < trace[0]
    torch.testing.assert_close(z_i, z_f, atol=1e-5, rtol=0)


def test_overcomplete_objective_matches_sklearn():
    # 30 atoms in 20 dimensions: compare objective values, the minimiser may be flat.
    x, D = problem()
    z = sparse.fista(x, D, 0.1, n_iter=5000)
    ref = np.stack(
        [
            Lasso(
                alpha=0.1 / 20, fit_intercept=False, tol=1e-12, max_iter=100000
            )
            .fit(D.numpy(), xi.numpy())
            .coef_
            for xi in x
        ]
    )
    ours = sparse.lasso_objective(x, D, z, 0.1)
    theirs = sparse.lasso_objective(x, D, torch.from_numpy(ref), 0.1)
    assert torch.all(ours <= theirs + 1e-8), ours - theirs


def test_fista_is_faster_than_ista():
    x, D = problem()
    best = sparse.lasso_objective(
        x, D, sparse.fista(x, D, 0.1, n_iter=5000), 0.1, "mean"
    ).item()
    _, tf = sparse.fista(x, D, 0.1, n_iter=100, history=True)
    _, ti = sparse.ista(x, D, 0.1, n_iter=100, history=True)
    assert tf[-1] - best < 0.1 * (ti[-1] - best)


def test_lam_zero_is_least_squares_and_z0_is_used():
    x, D = problem(n_code=10)  # overdetermined: 20 equations, 10 unknowns
    z = sparse.fista(x, D, 0.0, n_iter=5000)
    ref = torch.linalg.lstsq(D, x.t()).solution.t()
    torch.testing.assert_close(z, ref, atol=1e-6, rtol=0)
    z1 = sparse.ista(x, D, 0.0, n_iter=1, z0=ref)
    torch.testing.assert_close(z1, ref, atol=1e-10, rtol=0)


def test_tol_stops_early_and_shapes():
    x, D = problem(batch=3)
    z, trace = sparse.fista(x, D, 0.1, n_iter=10000, tol=1e-6, history=True)
    assert z.shape == (3, 30) and 1 < len(trace) < 10001
    assert sparse.lasso_objective(x, D, z, 0.1).shape == (3,)
    assert sparse.lasso_objective(x, D, z, 0.1, "sum").dim() == 0


def test_bad_input_is_named():
    x, D = problem()
    with pytest.raises(ValueError, match="lam"):
        sparse.fista(x, D, -0.1)
    with pytest.raises(ValueError, match="lam"):
        sparse.ista(x, D, torch.tensor(-1.0))
    with pytest.raises(ValueError, match="D must have one row per feature"):
        sparse.fista(x, D[:-1], 0.1)
    with pytest.raises(ValueError, match="D must be 2-D"):
        sparse.fista(x, D[0], 0.1)
    with pytest.raises(ValueError, match="x must be 2-D"):
        sparse.fista(x[0], D, 0.1)
    with pytest.raises(ValueError, match="z0"):
        sparse.fista(x, D, 0.1, z0=torch.zeros(5, 29, dtype=x.dtype))
    with pytest.raises(ValueError, match="n_iter"):
        sparse.ista(x, D, 0.1, n_iter=0)
    with pytest.raises(ValueError, match="t must be >= 0"):
        sparse.soft_threshold(x, torch.tensor(-1.0))
    with pytest.raises(ValueError, match="t must lie"):
        sparse.soft_threshold(x, -1.0)
    with pytest.raises(ValueError, match="dtype"):
        sparse.fista(x.float(), D, 0.1)
