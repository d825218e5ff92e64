import pytest
import torch
import torch.nn.functional as F

from aelib import losses


@pytest.fixture
def pair():
    torch.manual_seed(0)
    x = torch.rand(8, 12)
    x_hat = torch.rand(8, 12).clamp(0.01, 0.99)
    return x_hat, x


def test_cross_entropy_matches_torch(pair):
    x_hat, x = pair
    ref = F.binary_cross_entropy(x_hat, x, reduction="none").sum(1)
    assert torch.allclose(losses.cross_entropy(x_hat, x, reduction="none"), ref)
    assert torch.allclose(losses.cross_entropy(x_hat, x), ref.mean())
    assert torch.allclose(
        losses.cross_entropy(x_hat, x, reduction="sum"), ref.sum()
    )


def test_cross_entropy_logits_agrees(pair):
    _, x = pair
    a = torch.randn(8, 12)
    assert torch.allclose(
        losses.cross_entropy_logits(a, x),
        losses.cross_entropy(torch.sigmoid(a), x),
        atol=1e-5,
    )


def test_squared_error_is_half_sum_of_squares(pair):
    x_hat, x = pair
    ref = F.mse_loss(x_hat, x, reduction="none").sum(1)
    assert torch.allclose(
        losses.sum_of_squares(x_hat, x, reduction="none"), ref
    )
    assert torch.allclose(losses.squared_error(x_hat, x), 0.5 * ref.mean())


def test_multinomial_matches_torch():
    torch.manual_seed(0)
    a = torch.randn(4, 9)
    counts = torch.poisson(torch.full((4, 9), 2.0))
    ref = -(counts * F.log_softmax(a, 1)).sum(1)
    assert torch.allclose(
        losses.multinomial_nll(a, counts, reduction="none"), ref
    )


def test_gradient_is_x_hat_minus_x():
    a = torch.randn(5, 7, requires_grad=True)
    x = torch.rand(5, 7)
    (g,) = torch.autograd.grad(
        losses.cross_entropy_logits(a, x, reduction="sum"), a
    )
    assert torch.allclose(g, torch.sigmoid(a) - x, atol=1e-6)


@pytest.mark.parametrize(
    "fn", [losses.cross_entropy, losses.squared_error, losses.sum_of_squares]
)
def test_shape_mismatch(fn):
    with pytest.raises(ValueError, match="same shape"):
        fn(torch.rand(3, 4), torch.rand(3, 5))


def test_bernoulli_rejects_targets_outside_unit_interval():
    with pytest.raises(ValueError, match=r"x must lie in \[0, 1\]"):
        losses.cross_entropy(torch.full((2, 3), 0.5), torch.full((2, 3), 2.0))


def test_multinomial_rejects_negative_counts():
    with pytest.raises(ValueError, match="non-negative"):
        losses.multinomial_nll(torch.randn(2, 3), -torch.ones(2, 3))


def test_bad_reduction():
    with pytest.raises(ValueError, match="reduction"):
        losses.squared_error(
            torch.rand(2, 3), torch.rand(2, 3), reduction="avg"
        )


def test_nan_target_rejected():
    x = torch.rand(2, 3)
    x[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        losses.squared_error(torch.rand(2, 3), x)
