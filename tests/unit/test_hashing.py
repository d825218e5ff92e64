"""Binary codes for image search: LSH, PCA-ITQ, spectral hashing, the binary
code layer."""

import math

import numpy as np
import pytest
import torch

import aelib
from aelib.deep import Logits
from aelib.hashing import (
    BinaryCode,
    HashingAutoencoder,
    PCAITQ,
    RandomProjectionLSH,
    SpectralHashing,
)
from aelib.losses import cross_entropy_logits
from aelib.retrieval import hamming_distance


def _data(n=400, d=20, seed=0):
    g = torch.Generator().manual_seed(seed)
    # Anisotropic data, so that PCA has well separated directions.
    return (
        torch.randn(n, d, generator=g) * torch.linspace(3.0, 0.2, d) + 1.5
    ).double()


def test_lsh_shapes_repeatable_and_seed_dependent():
    x = _data()
    a = RandomProjectionLSH(16, seed=3).fit(x).encode(x)
    b = RandomProjectionLSH(16, seed=3).fit(x).encode(x)
    c = RandomProjectionLSH(16, seed=4).fit(x).encode(x)
    assert a.shape == (400, 16) and a.dtype == torch.bool
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_lsh_bit_disagreement_estimates_the_angle():
    # Two fixed vectors at a known angle: over many random hyperplanes the fraction of
    # differing bits is theta / pi (Charikar's SimHash identity).
    theta = 1.0
    u = torch.tensor([[1.0, 0.0, 0.0], [math.cos(theta), math.sin(theta), 0.0]])
    lsh = RandomProjectionLSH(20000, seed=0).fit(torch.zeros(1, 3))
    codes = lsh.encode(u)
    frac = (codes[0] != codes[1]).float().mean().item()
    assert abs(frac - theta / math.pi) < 0.015  # sd of the estimate is 0.0033


def test_lsh_errors():
    with pytest.raises(ValueError, match="n_bits"):
        RandomProjectionLSH(0)
    with pytest.raises(RuntimeError, match="fit"):
        RandomProjectionLSH(4).encode(torch.zeros(2, 3))
    lsh = RandomProjectionLSH(4).fit(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="x"):
        lsh.encode(torch.zeros(2, 5))


def test_itq_rotation_is_orthogonal_and_loss_never_increases():
    x = _data()
    itq = PCAITQ(8, n_iter=30).fit(x)
    R = itq.R
    assert torch.allclose(R.T @ R, torch.eye(8, dtype=R.dtype), atol=1e-10)
    h = np.array(itq.loss_history)
    assert len(h) == 30 and np.all(np.diff(h) <= 1e-9 * h[0])
    assert h[-1] < h[0]


def test_itq_projection_matches_numpy_pca():
    x = _data()
    itq = PCAITQ(5, n_iter=0).fit(x)
    xc = (x - x.mean(0)).double().numpy()
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    # The same subspace: the projector onto the 5 leading directions agrees.
    P = itq.P.numpy()
    assert np.allclose(P @ P.T, vt[:5].T @ vt[:5], atol=1e-8)


def test_itq_codes_are_sign_of_rotated_projection():
    x = _data()
    itq = PCAITQ(6, n_iter=10).fit(x)
    v = (x.double() - itq.mean) @ itq.P @ itq.R
    assert torch.equal(itq.encode(x), v >= 0)
    assert itq.encode(x).shape == (400, 6)


def test_itq_errors():
    with pytest.raises(ValueError, match="n_bits"):
        PCAITQ(30).fit(_data(d=20))
    with pytest.raises(RuntimeError, match="fit"):
        PCAITQ(3).encode(_data())
    with pytest.raises(ValueError, match="n_iter"):
        PCAITQ(3, n_iter=-1)


def test_sh_shapes_dtype_and_determinism():
    x = _data()
    a = SpectralHashing(8).fit(x).encode(x)
    assert a.shape == (400, 8) and a.dtype == torch.bool
    assert torch.equal(a, SpectralHashing(8).fit(x).encode(x))
    # A float32 copy may differ only at points on a zero of their cosine
    # (measured: none here).
    b = SpectralHashing(8).fit(x.float()).encode(x.float())
    assert (a != b).float().mean() < 0.01


def test_sh_bits_are_roughly_balanced_on_gaussian_data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2000, 20, generator=g, dtype=torch.float64)
    sh = SpectralHashing(16).fit(x)
    # Directions of nearly equal range: each earns one bit, k = 1, which
    # splits the range at its midpoint. (A mode k >= 2 on a Gaussian is not
    # balanced: k = 2 sets the bit only in the two tails.)
    assert (sh.modes[:, 1] == 1).all()
    means = sh.encode(x).double().mean(dim=0)
    # The midpoint rests on the two extreme points, so a bit's mean strays:
    # measured 0.30 to 0.69 here (0.22 to 0.75 over 20 fits of n = 400 and
    # n = 2000), averaging 0.503.
    assert bool(((means > 0.2) & (means < 0.8)).all())
    assert abs(means.mean().item() - 0.5) < 0.05


def test_sh_nearest_neighbours_stay_in_their_cluster():
    # Two clusters in 20-D, centres 8 apart, unit noise, labels shuffled so
    # that ties in the Hamming ranking are broken at random.
    g = torch.Generator().manual_seed(0)
    y = torch.randperm(400, generator=g) % 2
    x = torch.randn(400, 20, generator=g, dtype=torch.float64)
    x = x + y[:, None] * 8 / math.sqrt(20)
    codes = SpectralHashing(8).fit(x).encode(x)
    # The smoothest eigenfunction, along the leading direction, splits the
    # two clusters.
    assert (codes[:, 0] == y.bool()).all() or (codes[:, 0] != y.bool()).all()

    def same_cluster(c):
        d = hamming_distance(c, c).astype(float)
        np.fill_diagonal(d, np.inf)
        nearest = np.argsort(d, axis=1, kind="stable")[:, :10]
        return (y.numpy()[nearest] == y.numpy()[:, None]).mean()

    # Measured 0.905 (0.89 to 0.91 over 5 seeds); random bits give 0.49 to
    # 0.52.
    assert same_cluster(codes) > 0.8
    assert same_cluster(torch.rand(400, 8, generator=g) > 0.5) < 0.6


def test_sh_chooses_modes_of_smallest_eigenvalue():
    # Uniform data on a box with axes of lengths 5, 1.5, 1.2, ...: the
    # frequencies k / length are 0.2, 0.4, 0.6, 0.8 along the long axis,
    # 0.67 along the next one and 0.83 along the third, so four bits are
    # three of the long axis and one of the next.
    g = torch.Generator().manual_seed(0)
    sides = torch.tensor([5.0, 1.5, 1.2, 1.0, 0.8, 0.6], dtype=torch.float64)
    x = torch.rand(2000, 6, generator=g, dtype=torch.float64) * sides
    sh = SpectralHashing(4).fit(x)
    assert sh.modes.tolist() == [[0, 1], [0, 2], [0, 3], [1, 1]]
    # The rule itself: the chosen are the n_bits smallest of all candidates.
    k = torch.arange(1, 5, dtype=torch.float64)
    lam = (k * math.pi / (sh.maxs - sh.mins)[:, None]) ** 2
    d, kk = sh.modes[:, 0], sh.modes[:, 1] - 1
    assert torch.allclose(sh.eigenvalues, lam[d, kk])
    assert torch.allclose(sh.eigenvalues, lam.flatten().sort().values[:4])


def _numpy_spectral_hashing(x_train, x, n_bits):
    # Written from the paper, apart from the library: the PCA by an SVD,
    # the cosine for sin(pi/2 + t), the choice by a sort of Python tuples.
    # Fitted on x_train; returns the codes of x.
    mean = x_train.mean(axis=0)
    _, _, vt = np.linalg.svd(x_train - mean, full_matrices=False)
    P = vt[:n_bits].T
    P = P * np.sign(P[np.abs(P).argmax(axis=0), range(n_bits)])
    v_train, v = (x_train - mean) @ P, (x - mean) @ P
    lo, hi = v_train.min(axis=0), v_train.max(axis=0)
    candidates = sorted(
        ((k * np.pi / (hi[d] - lo[d])) ** 2, d, k)
        for d in range(n_bits)
        for k in range(1, n_bits + 1)
    )
    return np.stack(
        [
            np.cos(k * np.pi * (v[:, d] - lo[d]) / (hi[d] - lo[d])) > 0
            for _, d, k in candidates[:n_bits]
        ],
        axis=1,
    )


def test_sh_matches_a_numpy_implementation():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 7)) * np.linspace(2.0, 0.5, 7)
    x_new = rng.normal(size=(40, 7)) * 3.0  # partly outside the box of x
    sh = SpectralHashing(5).fit(torch.from_numpy(x))
    for points in (x, x_new):
        expected = _numpy_spectral_hashing(x, points, 5)
        got = sh.encode(torch.from_numpy(points)).numpy()
        assert np.array_equal(got, expected)


def test_sh_errors():
    with pytest.raises(ValueError, match="n_bits"):
        SpectralHashing(0)
    with pytest.raises(ValueError, match="n_bits"):
        SpectralHashing(30).fit(_data(d=20))
    with pytest.raises(RuntimeError, match="fit"):
        SpectralHashing(3).encode(_data())
    sh = SpectralHashing(3).fit(_data())
    with pytest.raises(ValueError, match="x must have 20 features"):
        sh.encode(_data(d=19))
    with pytest.raises(ValueError, match="rows that differ"):
        SpectralHashing(2).fit(torch.ones(5, 3))


def test_binary_code_layer_modes():
    torch.manual_seed(0)
    z = torch.tensor([[-3.0, 0.5, 2.0]], requires_grad=True)
    layer = BinaryCode("straight_through")
    h = layer(z)
    assert h.tolist() == [[0.0, 1.0, 1.0]]
    h.sum().backward()
    s = torch.sigmoid(z.detach())
    assert torch.allclose(
        z.grad, s * (1 - s)
    )  # the gradient of the sigmoid passes straight through
    noisy = BinaryCode("noise", sigma=4.0)
    out = noisy(torch.zeros(2000, 1))
    assert (
        0.0 < out.min() and out.max() < 1.0 and out.std() > 0.3
    )  # mostly saturated by the noise
    noisy.eval()
    assert noisy(torch.tensor([[-0.1, 0.1]])).tolist() == [[0.0, 1.0]]
    with pytest.raises(ValueError, match="mode"):
        BinaryCode("gumbel")
    with pytest.raises(ValueError, match="sigma"):
        BinaryCode("noise", sigma=-1.0)


def test_hashing_autoencoder_shapes_and_codes():
    torch.manual_seed(0)
    m = HashingAutoencoder((12, 8, 5))
    x = torch.rand(7, 12)
    assert m(x).shape == (7, 12)
    codes = m.codes(x)
    assert codes.shape == (7, 5) and codes.dtype == torch.bool
    m.eval()
    assert torch.equal(m.encode(x), codes.float())
    with pytest.raises(ValueError, match="x"):
        m.codes(torch.rand(7, 11))


def test_hashing_autoencoder_reconstructs_and_trains_on_logits():
    torch.manual_seed(0)
    m = HashingAutoencoder((12, 8, 5))
    x = (torch.rand(64, 12) > 0.5).float()
    x_hat = m(x)
    assert bool(((x_hat >= 0) & (x_hat <= 1)).all())  # x_hat, not logits
    history = aelib.fit(
        Logits(m),
        x,
        cross_entropy_logits,
        epochs=30,
        batch_size=64,
        lr=1e-2,
        device="cpu",
        progress=False,
    )
    assert history.loss[-1] < history.loss[0]
