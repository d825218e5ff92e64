"""The optimal linear autoencoder is given by the SVD, and on normalized inputs
it is PCA.

Introduced in chapter 04. The lecture writes the data as a matrix X whose
columns are the examples, X = U Sigma V^T, and shows that the best linear
encoder with k hidden units is h(X) = Sigma_k^{-1} U_k^T X = V_k^T with the
decoder W* = U_k Sigma_k (Eckart & Young, 1936; Baldi & Hornik, 1989).

Here, as everywhere in aelib, the examples are the rows of x, so x = X^T:
the lecture's U holds the *right* singular vectors of x. Chapter 05 uses the
PCA of this module as the baseline for undercomplete autoencoders.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._checks import as_matrix, as_tensor, count, matches, model_input, number


def _spectrum(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Singular values (descending) and right singular vectors of x, in float64,
    and the rank of x.

    Shape:
        x: ``(n_samples, n_features)``; returns s ``(r,)``, U
        ``(n_features, r)`` with r = min(n_samples, n_features), and an int.
    """
    x64 = x.detach().to(torch.float64)
    n, d = x64.shape
    eps = torch.finfo(torch.float64).eps
    if n > d:
        # Many more examples than features (MNIST: 60,000 x 784): the d x d Gram
        # matrix x^T x = U Sigma^2 U^T has the same right vectors, and its
        # eigendecomposition costs a fraction of a full SVD. Eigenvalues carry
        # an absolute error of about d eps ||x||^2, hence the rank tolerance on
        # Sigma^2 below.
        e, U = torch.linalg.eigh(x64.T @ x64)
        e, U = e.flip(0), U.flip(1)
        e = e.clamp(min=0.0)
        s = e.sqrt()
        rank = int((e > e[0] * d * eps * 10).sum()) if e[0] > 0 else 0
    else:
        _, s, Uh = torch.linalg.svd(x64, full_matrices=False)
        U = Uh.T
        rank = int((s > s[0] * max(n, d) * eps).sum()) if s[0] > 0 else 0
    # One sign per vector, so that results repeat across machines and drivers:
    # the entry of largest magnitude is positive.
    idx = U.abs().argmax(dim=0)
    signs = torch.sign(U[idx, torch.arange(U.shape[1], device=U.device)])
    signs[signs == 0] = 1.0
    return s, U * signs, rank


def _data_and_k(x, k) -> tuple[torch.Tensor, int]:
    """x as a matrix and k, a number of hidden units in [1, min(n, d)]."""
    x = as_matrix("x", x)
    return x, number("k", k, low=1, high=min(x.shape), integer=True)


def _within_rank(k: int, rank: int) -> None:
    if k > rank:
        raise ValueError(
            f"k must not exceed the rank of x, {rank}: "
            "Sigma_k^(-1) needs k non-zero singular values; "
            f"got k={k}"
        )


def optimal_linear_autoencoder(
    x: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The linear autoencoder with k hidden units of least squared
    reconstruction error on x.

    With x^T = U Sigma V^T (the lecture's X, one example per column), the
    encoder is W = Sigma_k^{-1} U_k^T and the decoder W* = U_k Sigma_k, so the
    codes of all examples are h(X) = W X = V_k^T and x_hat = x W^T W*^T = x U_k
    U_k^T is the best rank-k approximation of x in Frobenius norm
    (Eckart-Young). Introduced in chapter 04.

    Args:
        x: the data, one example per row (centre it first for PCA, see
            ``normalize``).
        k: the number of hidden units, an int in [1, min(n_samples,
            n_features)], at most the rank of x (Sigma_k^{-1} needs k non-zero
            singular values).

    Shape:
        x: ``(n_samples, n_features)``; W: ``(k, n_features)``; W_star:
            ``(n_features, k)``.

    Returns:
        ``(W, W_star)`` in the dtype and on the device of x (computed in
        float64).

    Raises:
        TypeError: x is not a floating torch tensor, or k is not an int.
        ValueError: x is not 2-D, is empty or holds NaN/inf; k is out of range
            or above the rank of x.
    """
    x, k = _data_and_k(x, k)
    s, U, rank = _spectrum(x)
    _within_rank(k, rank)
    U_k, s_k = U[:, :k], s[:k]
    W = U_k.T / s_k[:, None]
    W_star = U_k * s_k[None, :]
    return W.to(x.dtype), W_star.to(x.dtype)


def rank_k_error(x: torch.Tensor, k: int) -> float:
    """The least squared error of any rank-k approximation of x: sum_{i>k}
    sigma_i^2 (chapter 04).

    By Eckart-Young this is min over B of rank <= k of ||x - B||_F^2, the total
    squared reconstruction error (summed over examples and features) of the
    optimal linear autoencoder.

    Shape:
        x: ``(n_samples, n_features)``.
    """
    x, k = _data_and_k(x, k)
    s, _, _ = _spectrum(x)
    return float((s[k:] ** 2).sum())


def normalize(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The lecture's normalization x <- (x - mean) / sqrt(T), with T the number
    of examples.

    After it, x^T x is the covariance matrix of the data (with 1/T), so the
    singular values and vectors of the optimal linear autoencoder are the PCA of
    x (chapter 04).

    Shape:
        x: ``(T, n_features)``; returns the normalized x ``(T, n_features)`` and
            the mean ``(n_features,)``.
    """
    x = as_matrix("x", x)
    mean = x.mean(dim=0)
    return (x - mean) / math.sqrt(len(x)), mean


def pca(
    x: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Principal component analysis read off the optimal linear autoencoder of
    the normalized data.

    The columns of W* = U_k Sigma_k are the principal directions scaled by the
    singular values; the squared singular values are the variances along them
    (covariance with 1/T; scikit-learn divides by T - 1). Introduced in chapter
    04.

    Args:
        x: the data, one example per row (not centred: the mean is removed
            here).
        k: number of components, an int in [1, min(T, n_features)], at most the
            rank of the centred x.

    Shape:
        x: ``(T, n_features)``; returns mean ``(n_features,)``, components
        ``(k, n_features)`` (orthonormal rows, like scikit-learn's
        ``components_``) and variances ``(k,)``, descending.
    """
    x_n, mean = normalize(x)
    _, W_star = optimal_linear_autoencoder(x_n, k)
    sigma = W_star.norm(dim=0)
    return mean, (W_star / sigma).T.contiguous(), sigma**2


def pca_reconstruct(
    x: torch.Tensor, mean: torch.Tensor, components: torch.Tensor
) -> torch.Tensor:
    """x_hat = mean + (x - mean) C^T C: the projection on the principal
    subspace, the optimal linear code.

    The baseline of chapters 05 and 11; ``mean`` and ``components`` are what
    :func:`pca` returns (take the first k rows of ``components`` for k
    directions).

    Args:
        x: the examples to reconstruct.
        mean: the training mean.
        components: orthonormal principal directions, one per row.

    Shape:
        x: ``(n, n_features)``; mean: ``(n_features,)``; components:
        ``(k, n_features)``; returns ``(n, n_features)``.
    """
    x, mean, C = _projection(x, mean, components)
    return mean + (x - mean) @ C.T @ C


def _projection(x, mean, components):
    C = as_matrix("components", components, layout="(k, n_features)")
    d = C.shape[1]
    mean = as_tensor("mean", mean, 1, f"({d},), one value per feature", like=C)
    if tuple(mean.shape) != (d,):
        raise ValueError(
            f"mean must have shape ({d},), one value per "
            f"feature; got {tuple(mean.shape)} (pass the mean "
            "that pca returned)"
        )
    x = matches("x", as_matrix("x", x, d, like=C), C, "components")
    return x, mean, C


def zca(
    x: torch.Tensor, eps: float | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """ZCA whitening fitted on x: (x - mean) @ Z has (nearly) identity
    covariance, and looks like x.

    With the covariance C = U diag(lam) U^T of the training rows, Z = U
    diag((lam + eps)^(-1/2)) U^T: PCA's rotation, a rescaling of every direction
    to unit variance, and the rotation back, so that whitened patches stay
    images (chapter 07). ``eps`` keeps the directions of tiny variance (pixel
    noise) from being blown up; it is added to every eigenvalue.

    Args:
        x: the training data, one example per row.
        eps: the regulariser, a number >= 0; default the mean eigenvalue, as in
            chapters 07 and 09.

    Shape:
        x: ``(T, n_features)``; returns mean ``(n_features,)`` and Z
        ``(n_features, n_features)``, symmetric, in x's dtype.
    """
    x = _covariance_data(x)
    mean = x.mean(dim=0)
    C = torch.cov((x - mean).T.to(torch.float64)).reshape(x.shape[1], -1)
    lam, U = torch.linalg.eigh(C)
    # Round-off can make the smallest eigenvalue slightly negative.
    lam = lam.clamp(min=0.0)
    eps = _regulariser(eps, lam)
    Z = U @ torch.diag((lam + eps).rsqrt()) @ U.T
    return mean, Z.to(x.dtype)


def _covariance_data(x) -> torch.Tensor:
    x = as_matrix("x", x)
    if len(x) < 2:
        raise ValueError(
            "x needs at least two rows to estimate a "
            f"covariance; got shape {tuple(x.shape)}"
        )
    return x


def _regulariser(eps, lam: torch.Tensor) -> float:
    """ZCA's eps: the mean eigenvalue by default, else a number >= 0."""
    eps = lam.mean().item() if eps is None else number("eps", eps, low=0.0)
    # A direction of round-off variance (a constant pixel) would be scaled
    # by ~1e8.
    if eps == 0 and bool((lam <= 1e-12 * lam.max()).any()):
        raise ValueError(
            "x has a direction of zero variance, which eps=0 "
            "cannot whiten; use eps > 0"
        )
    return eps


def principal_angles(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """Principal angles between the subspaces spanned by the columns of A and of
    B (chapter 04).

    Zero angles mean the subspaces coincide in those directions, whatever the
    bases.

    Args:
        A, B: bases, one vector per column; the columns of each must be linearly
            independent (a subspace of dimension p needs p independent vectors,
            so p <= n_features).

    Shape:
        A: ``(n_features, p)``; B: ``(n_features, q)``; returns ``(min(p, q),)``
        angles in radians, ascending.
    """
    A, B = _bases(A, B)
    Qa = torch.linalg.qr(A.detach().to(torch.float64)).Q
    Qb = torch.linalg.qr(B.detach().to(torch.float64)).Q
    cos = torch.linalg.svdvals(Qa.T @ Qb.to(Qa.device)).clamp(-1.0, 1.0)
    return torch.arccos(cos)


def _bases(A, B) -> tuple[torch.Tensor, torch.Tensor]:
    A, B = _basis("A", A), _basis("B", B)
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            "A and B must have the same number of rows "
            f"(n_features); got {tuple(A.shape)} and "
            f"{tuple(B.shape)}"
        )
    return A, B


def _basis(name: str, M) -> torch.Tensor:
    M = as_matrix(name, M, layout="(n_features, n_vectors)")
    # QR of dependent columns returns a Q whose extra columns are arbitrary,
    # so the angles would be silently wrong (and more than n vectors leave
    # only n columns in Q).
    p = M.shape[1]
    rank = int(torch.linalg.matrix_rank(M.detach().to(torch.float64)))
    if rank < p:
        raise ValueError(
            f"{name} must have linearly independent columns: "
            f"its {p} columns span a subspace of dimension "
            f"{rank} (shape {tuple(M.shape)}); drop the "
            "dependent columns"
        )
    return M


class LinearAutoencoder(nn.Module):
    """h = W x, x_hat = W* h: the autoencoder of chapter 04, with no
    non-linearity and no bias.

    Train it on centred data with the squared error; by Baldi & Hornik
    (1989) gradient descent reaches the error of
    ``optimal_linear_autoencoder``, with W* spanning the principal subspace,
    but its columns are in general neither orthogonal nor the principal
    directions themselves. Its output is linear, so ``decode_logits`` and
    ``decode`` agree.

    Args:
        n_visible: the size of x.
        n_hidden: the number of hidden (code) units k.

    Shape:
        x: ``(batch, n_visible)``; h: ``(batch, n_hidden)``;
        W: ``(n_hidden, n_visible)``; W_star: ``(n_visible, n_hidden)``.
    """

    def __init__(self, n_visible: int, n_hidden: int):
        super().__init__()
        count(n_visible=n_visible, n_hidden=n_hidden)
        self.n_visible, self.n_hidden = n_visible, n_hidden
        bound = math.sqrt(6.0 / (n_visible + n_hidden))
        self.W = nn.Parameter(
            torch.empty(n_hidden, n_visible).uniform_(-bound, bound)
        )
        self.W_star = nn.Parameter(
            torch.empty(n_visible, n_hidden).uniform_(-bound, bound)
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """h = W x."""
        x = model_input("x", x, self.n_visible, self.W)
        return x @ self.W.T

    def decode_logits(self, h: torch.Tensor) -> torch.Tensor:
        """a_hat = W* h, the output pre-activation (the output is linear)."""
        h = model_input("h", h, self.n_hidden, self.W_star)
        return h @ self.W_star.T

    def decode(self, h: torch.Tensor) -> torch.Tensor:
        """x_hat = W* h."""
        return self.decode_logits(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x_hat = decode(encode(x))."""
        return self.decode(self.encode(x))

    def extra_repr(self) -> str:
        return f"n_visible={self.n_visible}, n_hidden={self.n_hidden}"
