"""The boundary rule (aelib/__init__.py): public functions accept numpy arrays
(and other array-likes) as well as tensors, and return torch tensors on the
CPU; an array gives the same result as the float32 tensor it becomes."""

import numpy as np
import pytest
import torch

from aelib import (
    codeunits,
    contractive,
    faces,
    hashing,
    linear,
    losses,
    noise,
    retrieval,
    similarity,
    sparse,
    stacked,
)
from aelib.data import load_lfw_faces, load_natural_images
from aelib.deep import DeepAutoencoder
from aelib.models import Autoencoder
from aelib.rbm import RBM


def arrays(*shape, seed=0):
    """The same data as a float32 tensor and as a numpy array."""
    g = torch.Generator().manual_seed(seed)
    t = torch.rand(*shape, generator=g)
    return t, t.numpy().copy()


def same(from_array, from_tensor):
    """Both results are tensors on the CPU (or tuples of them), and agree."""
    if isinstance(from_tensor, tuple):
        for a, t in zip(from_array, from_tensor, strict=True):
            same(a, t)
        return
    assert isinstance(from_array, torch.Tensor)
    assert from_array.device.type == "cpu"
    torch.testing.assert_close(from_array.detach(), from_tensor.detach())


def test_linear():
    t, a = arrays(40, 5)
    same(linear.pca(a, 2), linear.pca(t, 2))
    same(
        linear.optimal_linear_autoencoder(a, 3),
        linear.optimal_linear_autoencoder(t, 3),
    )
    assert linear.rank_k_error(a, 2) == pytest.approx(linear.rank_k_error(t, 2))
    same(linear.normalize(a), linear.normalize(t))
    same(linear.zca(a), linear.zca(t))
    mean, C, _ = linear.pca(t, 2)
    same(
        linear.pca_reconstruct(a, mean.numpy(), C.numpy()),
        linear.pca_reconstruct(t, mean, C),
    )
    same(
        linear.principal_angles(a[:, :2], a[:, 2:4]),
        linear.principal_angles(t[:, :2], t[:, 2:4]),
    )


@pytest.mark.parametrize(
    "loss",
    [
        losses.cross_entropy,
        losses.cross_entropy_logits,
        losses.squared_error,
        losses.sum_of_squares,
        losses.multinomial_nll,
    ],
)
def test_losses(loss):
    x_hat, x_hat_np = arrays(4, 6, seed=1)
    x, x_np = arrays(4, 6, seed=2)
    out = loss(x_hat_np, x_np, reduction="none")
    same(out, loss(x_hat, x, reduction="none"))
    # A numpy target with a tensor prediction, as in a training loop.
    same(loss(x_hat, x_np), loss(x_hat, x))


def test_contractive():
    h, h_np = arrays(4, 3)
    W, W_np = arrays(3, 6, seed=1)
    same(
        losses.contractive_penalty(h_np, W_np), losses.contractive_penalty(h, W)
    )
    same(contractive.jacobian(h_np, W_np), contractive.jacobian(h, W))


def test_noise():
    x, a = arrays(5, 8)
    for corrupt, level in ((noise.masking, 0.3), (noise.gaussian, 0.1)):
        out = corrupt(a, level, generator=torch.Generator().manual_seed(0))
        same(out, corrupt(x, level, generator=torch.Generator().manual_seed(0)))
    same(noise.masking(a.tolist(), 0.0), x)  # any array-like


def test_sparse():
    x, x_np = arrays(3, 5)
    D, D_np = arrays(5, 4, seed=1)
    same(
        sparse.fista(x_np, D_np, 0.1, n_iter=20),
        sparse.fista(x, D, 0.1, n_iter=20),
    )
    same(
        sparse.ista(x_np, D_np, 0.1, n_iter=20),
        sparse.ista(x, D, 0.1, n_iter=20),
    )
    z = sparse.fista(x, D, 0.1, n_iter=20)
    same(
        sparse.lasso_objective(x_np, D_np, z.numpy(), 0.1),
        sparse.lasso_objective(x, D, z, 0.1),
    )
    assert sparse.lipschitz(D_np) == pytest.approx(sparse.lipschitz(D))
    same(sparse.soft_threshold(x_np, 0.5), sparse.soft_threshold(x, 0.5))


def test_similarity():
    z, z_np = arrays(20, 3)
    y = torch.arange(20) % 3
    same(similarity.nca_loss(z_np, y.numpy()), similarity.nca_loss(z, y))
    assert similarity.knn_error(
        z_np, y.numpy(), z_np, y.numpy(), k=3
    ) == similarity.knn_error(z, y, z, y, k=3)


def test_binary_codes_are_bool_tensors_from_any_input():
    h, h_np = arrays(6, 8)
    bits = retrieval.binary_codes(h_np)
    assert isinstance(bits, torch.Tensor) and bits.dtype == torch.bool
    assert torch.equal(bits, retrieval.binary_codes(h))
    assert torch.equal(bits, retrieval.binary_codes(h_np.tolist()))
    # The Hamming distance packs bits into uint64 words: numpy is the point.
    d = retrieval.hamming_distance(bits, bits.numpy().tolist())
    assert isinstance(d, np.ndarray) and (np.diag(d) == 0).all()


@pytest.mark.parametrize(
    "make",
    [
        lambda: hashing.RandomProjectionLSH(4),
        lambda: hashing.PCAITQ(3, n_iter=5),
    ],
)
def test_hashing_encoders(make):
    x, a = arrays(30, 6)
    codes = make().fit(a).encode(a)
    assert isinstance(codes, torch.Tensor) and codes.dtype == torch.bool
    assert torch.equal(codes, make().fit(x).encode(x))


def test_models_take_arrays():
    torch.manual_seed(0)
    x, a = arrays(4, 6)
    for model in (
        Autoencoder(6, 3),
        DeepAutoencoder((6, 4, 2)),
        RBM(6, 3),
        hashing.HashingAutoencoder((6, 5, 3)).eval(),
        linear.LinearAutoencoder(6, 2),
    ):
        same(model(a), model(x))
        same(model(a.astype(np.float64)), model(x))  # the model's dtype
    model = hashing.HashingAutoencoder((6, 5, 3))
    assert torch.equal(model.codes(a), model.codes(x))
    ae = Autoencoder(6, 3)
    same(stacked.encode_all(ae, a), stacked.encode_all(ae, x))
    net = stacked.stack_classifier([ae], n_classes=2)
    y = np.array([0, 1, 0, 1])
    assert stacked.error_rate(net, a, y) == stacked.error_rate(net, x, y)
    z = DeepAutoencoder((6, 4, 2)).eval()
    codes = torch.rand(3, 2)
    same(
        codeunits.move_unit(z, codes.numpy(), 1, [0.0, 1.0]),
        codeunits.move_unit(z, codes, 1, torch.tensor([0.0, 1.0])),
    )


def test_loaders_return_tensors():
    images, is_face = load_lfw_faces()
    assert isinstance(images, torch.Tensor) and images.shape == (200, 625)
    assert is_face.dtype == torch.bool and int(is_face.sum()) == 100
    natural = load_natural_images()
    assert all(
        isinstance(img, torch.Tensor)
        and img.dim() == 2
        and img.dtype == torch.float32
        for img in natural.values()
    )
    x = images[:3]
    angle, scale, shift = np.zeros(3), np.ones(3), np.zeros((3, 2))
    same(
        faces.transform_faces(x.numpy(), angle, scale, shift),
        faces.transform_faces(
            x, torch.zeros(3), torch.ones(3), torch.zeros(3, 2)
        ),
    )
