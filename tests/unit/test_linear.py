"""aelib.linear: the SVD-optimal linear autoencoder, checked against numpy, scikit-learn and Eckart-Young."""

import math

import numpy as np
import pytest
import torch

from aelib import linear


def random_matrix(n, d, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=dtype)


@pytest.mark.parametrize(
    "n,d,k", [(200, 20, 5), (15, 40, 7), (30, 30, 30), (50, 8, 1)]
)
def test_shapes_dtype_and_best_rank_k(n, d, k):
    x = random_matrix(n, d)
    W, W_star = linear.optimal_linear_autoencoder(x, k)
    assert W.shape == (k, d) and W_star.shape == (d, k)
    assert W.dtype == x.dtype and W_star.dtype == x.dtype
    # The reference: numpy's SVD truncated to k terms (Eckart-Young).
    A, s, Bh = np.linalg.svd(x.numpy(), full_matrices=False)
    best = (A[:, :k] * s[:k]) @ Bh[:k]
    x_hat = (x @ W.T @ W_star.T).numpy()
    np.testing.assert_allclose(x_hat, best, atol=1e-9 * s[0])
    # The error identity: ||x - x_hat||_F^2 = sum_{i>k} sigma_i^2.
    err = float(((x.numpy() - x_hat) ** 2).sum())
    assert math.isclose(
        err, float((s[k:] ** 2).sum()), rel_tol=1e-9, abs_tol=1e-9 * s[0] ** 2
    )
    assert math.isclose(
        linear.rank_k_error(x, k),
        float((s[k:] ** 2).sum()),
        rel_tol=1e-9,
        abs_tol=1e-9 * s[0] ** 2,
    )


def test_codes_are_the_right_singular_vectors_of_the_lecture():
    # The lecture's X has the examples as columns: X = x^T = U Sigma V^T and h(X) = V_k^T.
    x = random_matrix(300, 12, seed=1)
    k = 4
    W, W_star = linear.optimal_linear_autoencoder(x, k)
    U, s, Vh = np.linalg.svd(x.numpy().T, full_matrices=False)
    H = W.numpy() @ x.numpy().T
    signs = np.sign((H * Vh[:k]).sum(axis=1))
    np.testing.assert_allclose(H, signs[:, None] * Vh[:k], atol=1e-10)
    np.testing.assert_allclose(
        W_star.numpy(), (U[:, :k] * s[:k]) * signs, atol=1e-9
    )
    # W W* = I_k: decoding then encoding a code gives it back.
    np.testing.assert_allclose((W @ W_star).numpy(), np.eye(k), atol=1e-10)


def test_float32_input_stays_float32_and_matches():
    x = random_matrix(500, 30, seed=2, dtype=torch.float32)
    W, W_star = linear.optimal_linear_autoencoder(x, 10)
    assert W.dtype == torch.float32
    s = np.linalg.svd(x.double().numpy(), compute_uv=False)
    err = float(
        (
            (x.double() - x.double() @ W.double().T @ W_star.double().T) ** 2
        ).sum()
    )
    assert math.isclose(err, float((s[10:] ** 2).sum()), rel_tol=1e-5)


def test_pca_matches_eigh_and_sklearn():
    from sklearn.decomposition import PCA

    g = torch.Generator().manual_seed(3)
    x = (
        torch.randn(400, 10, generator=g, dtype=torch.float64)
        @ torch.randn(10, 10, generator=g, dtype=torch.float64)
        + 5.0
    )
    mean, components, variances = linear.pca(x, 6)
    xn = x.numpy()
    np.testing.assert_allclose(mean.numpy(), xn.mean(axis=0), atol=1e-12)
    cov = np.cov(
        xn, rowvar=False, bias=True
    )  # 1/T, the lecture's normalization
    e, V = np.linalg.eigh(cov)
    e, V = e[::-1][:6], V[:, ::-1][:, :6]
    np.testing.assert_allclose(variances.numpy(), e, rtol=1e-10)
    np.testing.assert_allclose(
        np.abs(components.numpy() @ V), np.eye(6), atol=1e-8
    )
    sk = PCA(n_components=6, svd_solver="full").fit(xn)
    T = len(xn)
    np.testing.assert_allclose(
        variances.numpy() * T / (T - 1), sk.explained_variance_, rtol=1e-10
    )
    np.testing.assert_allclose(
        np.abs((components.numpy() * sk.components_).sum(axis=1)),
        1.0,
        atol=1e-8,
    )
    # Components are orthonormal rows.
    np.testing.assert_allclose(
        components.numpy() @ components.numpy().T, np.eye(6), atol=1e-10
    )


def test_normalize_gives_the_covariance():
    x = random_matrix(100, 5, seed=4) * 3 + 1
    x_n, mean = linear.normalize(x)
    np.testing.assert_allclose(
        (x_n.T @ x_n).numpy(),
        np.cov(x.numpy(), rowvar=False, bias=True),
        atol=1e-12,
    )


def test_principal_angles():
    g = torch.Generator().manual_seed(5)
    A = torch.randn(20, 3, generator=g, dtype=torch.float64)
    mix = torch.randn(3, 3, generator=g, dtype=torch.float64)
    assert torch.allclose(
        linear.principal_angles(A, A @ mix),
        torch.zeros(3, dtype=torch.float64),
        atol=1e-6,
    )
    e = torch.eye(4, dtype=torch.float64)
    angles = linear.principal_angles(e[:, :2], e[:, 1:3])
    assert torch.allclose(
        angles, torch.tensor([0.0, math.pi / 2], dtype=torch.float64), atol=1e-7
    )
    with pytest.raises(ValueError, match="A and B"):
        linear.principal_angles(A, torch.randn(5, 2))


def test_linear_autoencoder_module():
    m = linear.LinearAutoencoder(6, 2)
    x = torch.randn(3, 6)
    assert m.encode(x).shape == (3, 2) and m(x).shape == (3, 6)
    W, W_star = linear.optimal_linear_autoencoder(torch.randn(50, 6), 2)
    with torch.no_grad():
        m.W.copy_(W)
        m.W_star.copy_(W_star)
    torch.testing.assert_close(m(x), x @ W.T @ W_star.T)
    with pytest.raises(ValueError, match="x"):
        m(torch.randn(3, 5))


@pytest.mark.parametrize("k", [0, -1, 11, 100])
def test_k_out_of_range(k):
    with pytest.raises(ValueError, match="k"):
        linear.optimal_linear_autoencoder(random_matrix(30, 10), k)


@pytest.mark.parametrize("k", [2.0, "3", None, True])
def test_k_not_an_int(k):
    with pytest.raises(TypeError, match="k"):
        linear.optimal_linear_autoencoder(random_matrix(30, 10), k)


def test_k_above_rank():
    x = random_matrix(40, 3) @ random_matrix(3, 10, seed=9)  # rank 3
    linear.optimal_linear_autoencoder(x, 3)
    with pytest.raises(ValueError, match="k must not exceed the rank of x, 3"):
        linear.optimal_linear_autoencoder(x, 4)
    with pytest.raises(ValueError, match="rank"):
        linear.optimal_linear_autoencoder(x.T.contiguous(), 5)


def test_bad_x():
    with pytest.raises(ValueError, match="x must be 2-D"):
        linear.optimal_linear_autoencoder(torch.randn(10), 1)
    with pytest.raises(ValueError, match="x must be 2-D"):
        linear.optimal_linear_autoencoder(torch.randn(2, 3, 4), 1)
    bad = random_matrix(10, 4)
    bad[3, 2] = float("nan")
    with pytest.raises(ValueError, match="x contains NaN"):
        linear.optimal_linear_autoencoder(bad, 2)
    bad[3, 2] = float("inf")
    with pytest.raises(ValueError, match="x contains NaN"):
        linear.pca(bad, 2)
    with pytest.raises(TypeError, match="x must be a tensor or an array"):
        linear.optimal_linear_autoencoder(object(), 1)
    with pytest.raises(TypeError, match="x must have a floating dtype"):
        linear.optimal_linear_autoencoder(
            torch.ones(4, 3, dtype=torch.int64), 1
        )
    with pytest.raises(ValueError, match="x is empty"):
        linear.optimal_linear_autoencoder(torch.ones(0, 3), 1)


def test_pca_reconstruct_is_the_optimal_rank_k_reconstruction():
    g = torch.Generator().manual_seed(3)
    x = torch.randn(200, 12, generator=g, dtype=torch.float64) @ torch.randn(
        12, 12, generator=g, dtype=torch.float64
    )
    mean, components, _ = linear.pca(x, 4)
    x_hat = linear.pca_reconstruct(x, mean, components)
    # Eckart-Young: the error of the centred data is the sum of its trailing squared singular values.
    assert ((x - x_hat) ** 2).sum().item() == pytest.approx(
        linear.rank_k_error(x - x.mean(0), 4), rel=1e-9
    )


def test_pca_reconstruct_names_a_wrong_mean():
    mean, components, _ = linear.pca(torch.rand(50, 6), 2)
    with pytest.raises(ValueError, match=r"mean must have shape \(6,\)"):
        linear.pca_reconstruct(torch.rand(3, 6), mean[:5], components)
    with pytest.raises(ValueError, match="x must have 6 features"):
        linear.pca_reconstruct(torch.rand(3, 5), mean, components)


def test_zca_whitens_and_stays_symmetric():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(4000, 6, generator=g, dtype=torch.float64) @ torch.randn(
        6, 6, generator=g, dtype=torch.float64
    )
    mean, Z = linear.zca(x, eps=0.0)
    white = (x - mean) @ Z
    assert torch.allclose(
        torch.cov(white.T), torch.eye(6, dtype=torch.float64), atol=1e-9
    )
    assert torch.allclose(Z, Z.T)
    # With the default eps (the mean eigenvalue) every direction's variance is lam / (lam + eps) < 1.
    _, Z_reg = linear.zca(x)
    assert bool(
        (torch.linalg.eigvalsh(torch.cov(((x - mean) @ Z_reg).T)) < 1).all()
    )


def test_zca_refuses_what_it_cannot_whiten():
    x = torch.rand(100, 4)
    x[:, 3] = 0.5  # a pixel that never changes: zero variance
    with pytest.raises(ValueError, match="eps=0"):
        linear.zca(x, eps=0.0)
    with pytest.raises(ValueError, match="eps must lie"):
        linear.zca(x, eps=-1.0)
    with pytest.raises(ValueError, match="at least two rows"):
        linear.zca(x[:1])
