"""Binary codes for image search: LSH, PCA-ITQ, the binary code layer."""
import math

import numpy as np
import pytest
import torch

import aelib
from aelib.deep import Logits
from aelib.hashing import BinaryCode, HashingAutoencoder, PCAITQ, RandomProjectionLSH
from aelib.losses import cross_entropy_logits


def _data(n=400, d=20, seed=0):
    g = torch.Generator().manual_seed(seed)
    # Anisotropic data, so that PCA has well separated directions.
    return (torch.randn(n, d, generator=g) * torch.linspace(3.0, 0.2, d) + 1.5).double()


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


def test_binary_code_layer_modes():
    torch.manual_seed(0)
    z = torch.tensor([[-3.0, 0.5, 2.0]], requires_grad=True)
    layer = BinaryCode("straight_through")
    h = layer(z)
    assert h.tolist() == [[0.0, 1.0, 1.0]]
    h.sum().backward()
    s = torch.sigmoid(z.detach())
    assert torch.allclose(z.grad, s * (1 - s))  # the gradient of the sigmoid passes straight through
    noisy = BinaryCode("noise", sigma=4.0)
    out = noisy(torch.zeros(2000, 1))
    assert 0.0 < out.min() and out.max() < 1.0 and out.std() > 0.3  # mostly saturated by the noise
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
    history = aelib.fit(Logits(m), x, cross_entropy_logits, epochs=30,
                        batch_size=64, lr=1e-2, device="cpu", progress=False)
    assert history.loss[-1] < history.loss[0]
