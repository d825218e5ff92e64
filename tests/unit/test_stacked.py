"""aelib.stacked: greedy pretraining, the classifier stack, the error rate."""

import pytest
import torch
import torch.nn.functional as F

import aelib
from aelib.stacked import (
    encode_all,
    error_rate,
    pretrain_greedy,
    stack_classifier,
)


def blobs(n=400, d=20, seed=0):
    g = torch.Generator().manual_seed(seed)
    centers = torch.rand(3, d, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    x = (centers[y] + 0.1 * torch.randn(n, d, generator=g)).clamp(0, 1)
    return x, y


def test_each_layer_is_trained_on_the_codes_below():
    aelib.set_seed(0)
    x, _ = blobs()
    aes, histories = pretrain_greedy(
        x, (20, 8, 4), epochs=10, nu=0.1, batch_size=50, lr=2e-2, device="cpu"
    )
    assert [(a.n_visible, a.n_hidden) for a in aes] == [(20, 8), (8, 4)]
    for h in histories:
        assert h.loss[-1] < h.loss[0]
    h1 = encode_all(aes[0], x)
    assert h1.shape == (400, 8)
    # The second layer reconstructs h1 (its training data) better than an untrained one does.
    untrained = aelib.Autoencoder(8, 4)
    loss = lambda m: aelib.losses.cross_entropy(m(h1), h1).item()  # noqa: E731
    with torch.no_grad():
        assert loss(aes[1]) < loss(untrained) - 0.1


def test_classifier_copies_the_encoders():
    aes = [aelib.Autoencoder(20, 8), aelib.Autoencoder(8, 4)]
    net = stack_classifier(aes, n_classes=3)
    x = torch.rand(5, 20)
    with torch.no_grad():
        top = aes[1].encode(aes[0].encode(x))
        assert torch.allclose(net[:-1](x), top, atol=1e-6)
        assert net(x).shape == (5, 3)
        net[0].weight.add_(1.0)
    assert not torch.allclose(
        net[0].weight, aes[0].W
    )  # a copy: fine-tuning leaves the autoencoder alone


def test_fine_tuning_learns_the_blobs():
    aelib.set_seed(0)
    x, y = blobs()
    net = stack_classifier([aelib.Autoencoder(20, 8)], n_classes=3)
    assert (
        error_rate(net, x, y) > 0.5
    )  # zero softmax layer: every class tied, argmax picks class 0
    aelib.fit(
        net,
        x,
        F.cross_entropy,
        epochs=40,
        batch_size=50,
        lr=1e-2,
        y=y,
        device="cpu",
    )
    assert error_rate(net, x, y) < 0.05


def test_error_rate_counts_mistakes():
    net = torch.nn.Linear(2, 2, bias=False)
    with torch.no_grad():
        net.weight.copy_(torch.eye(2))
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    assert error_rate(net, x, torch.tensor([0, 1, 1, 1])) == 0.25


def test_clear_errors():
    x = torch.rand(10, 20)
    with pytest.raises(ValueError, match="sizes"):
        pretrain_greedy(x, (20,), epochs=1)
    with pytest.raises(ValueError, match="sizes\\[0\\]"):
        pretrain_greedy(x, (19, 5), epochs=1)
    with pytest.raises(ValueError, match="nu"):
        pretrain_greedy(x, (20, 5), epochs=1, nu=1.5)
    with pytest.raises(ValueError, match="autoencoders\\[1\\]"):
        stack_classifier([aelib.Autoencoder(20, 8), aelib.Autoencoder(7, 4)], 3)
    with pytest.raises(ValueError, match="n_classes"):
        stack_classifier([aelib.Autoencoder(20, 8)], 1)
    with pytest.raises(ValueError, match="y must"):
        error_rate(torch.nn.Linear(20, 3), x, torch.zeros(9, dtype=torch.long))
