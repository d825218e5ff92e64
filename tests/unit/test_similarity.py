"""The NCA loss against a direct transcription of Goldberger et al.'s formulas."""

import math

import numpy as np
import pytest
import torch

from aelib.similarity import nca_loss


def _reference(z, y):
    """p_i by loops over pairs, as written in the paper."""
    n = len(z)
    p = np.zeros(n)
    for i in range(n):
        w = np.array(
            [
                0.0 if k == i else math.exp(-np.sum((z[i] - z[k]) ** 2))
                for k in range(n)
            ]
        )
        p[i] = sum(w[j] for j in range(n) if j != i and y[j] == y[i]) / w.sum()
    return p


def test_nca_loss_matches_reference():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(9, 3, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 1])
    p = _reference(z.numpy(), y.numpy())
    assert np.allclose(
        nca_loss(z, y, reduction="none").numpy(), 1 - p, atol=1e-12
    )
    assert np.allclose(
        nca_loss(z, y, "log", reduction="none").numpy(), -np.log(p), atol=1e-10
    )
    assert math.isclose(
        nca_loss(z, y).item(), float(np.mean(1 - p)), abs_tol=1e-12
    )
    assert math.isclose(
        nca_loss(z, y, reduction="sum").item(),
        float(np.sum(1 - p)),
        abs_tol=1e-12,
    )


def test_nca_loss_is_zero_for_far_apart_classes_and_has_gradients():
    z = torch.tensor(
        [[0.0, 0.0], [0.1, 0.0], [50.0, 0.0], [50.1, 0.0]], requires_grad=True
    )
    y = torch.tensor([0, 0, 1, 1])
    loss = nca_loss(z, y)
    assert loss.item() < 1e-12
    z2 = torch.randn(8, 2, requires_grad=True)
    nca_loss(z2, torch.arange(8) % 2, "log").backward()
    assert torch.isfinite(z2.grad).all() and z2.grad.abs().sum() > 0


def test_nca_log_ignores_a_point_without_classmates():
    z = torch.randn(5, 2)
    y = torch.tensor([0, 0, 1, 1, 2])  # class 2 has one point: nobody to pick
    per = nca_loss(z, y, "log", reduction="none")
    assert torch.isfinite(per).all() and per[4] == 0


def test_nca_loss_errors():
    z = torch.randn(4, 2)
    with pytest.raises(ValueError, match="objective"):
        nca_loss(z, torch.arange(4), objective="hinge")
    with pytest.raises(ValueError, match="y"):
        nca_loss(z, torch.arange(3))
    with pytest.raises(ValueError, match="z"):
        nca_loss(torch.randn(1, 2), torch.arange(1))
    with pytest.raises(ValueError, match="reduction"):
        nca_loss(z, torch.arange(4), reduction="avg")


def test_knn_error_matches_sklearn():
    from sklearn.neighbors import KNeighborsClassifier

    from aelib.similarity import knn_error

    g = torch.Generator().manual_seed(1)
    z_train, z_test = (
        torch.randn(300, 3, generator=g),
        torch.randn(100, 3, generator=g),
    )
    y_train = (z_train[:, 0] > 0).long() + (z_train[:, 1] > 0).long()
    y_test = (z_test[:, 0] > 0).long() + (z_test[:, 1] > 0).long()
    for k in (1, 5):
        ref = 1 - KNeighborsClassifier(k).fit(
            z_train.numpy(), y_train.numpy()
        ).score(z_test.numpy(), y_test.numpy())
        assert math.isclose(
            knn_error(z_train, y_train, z_test, y_test, k=k, chunk=37),
            ref,
            abs_tol=1e-12,
        )
    with pytest.raises(ValueError, match="k"):
        knn_error(z_train, y_train, z_test, y_test, k=0)
    with pytest.raises(ValueError, match="z_test"):
        knn_error(z_train, y_train, torch.randn(5, 2), y_test[:5])
