"""The contractive penalty in closed form against the Jacobian from autograd (chapter 08)."""

import pytest
import torch
from torch.func import jacrev, vmap

import aelib
from aelib import contractive
from aelib.losses import contractive_penalty


def _model_and_batch(dtype, seed=0, n_visible=30, n_hidden=12, batch=16):
    torch.manual_seed(seed)
    model = aelib.Autoencoder(n_visible, n_hidden).to(dtype)
    with torch.no_grad():
        model.W.mul_(3.0)  # away from the linear regime of the sigmoid
        model.b.normal_()
    x = torch.rand(batch, n_visible, dtype=dtype)
    return model, x


def _autograd_jacobian(model, x):
    # one example at a time: jacrev of x_i -> h(x_i), vectorised over the batch
    return vmap(jacrev(lambda xi: model.encode(xi.unsqueeze(0)).squeeze(0)))(x)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_penalty_equals_autograd_jacobian_norm(dtype):
    model, x = _model_and_batch(dtype)
    with torch.no_grad():
        h = model.encode(x)
        closed = contractive_penalty(h, model.W)
        J = _autograd_jacobian(model, x)
        reference = (J**2).sum(dim=(1, 2))
    assert closed.shape == (len(x),)
    assert torch.allclose(closed, reference, rtol=1e-6, atol=1e-6)
    assert (reference > 0.01).all()  # the check is not against zeros


def test_jacobian_equals_autograd():
    model, x = _model_and_batch(torch.float64, seed=1)
    with torch.no_grad():
        J = contractive.jacobian(model.encode(x), model.W)
        reference = _autograd_jacobian(model, x)
    assert J.shape == (16, 12, 30)
    assert torch.allclose(J, reference, rtol=0, atol=1e-12)


def test_penalty_gradient_equals_autograd_of_jacobian_norm():
    model, x = _model_and_batch(torch.float64, seed=2)
    closed = contractive_penalty(model.encode(x), model.W).sum()
    (g_closed,) = torch.autograd.grad(closed, model.W)
    J = vmap(jacrev(lambda xi: model.encode(xi.unsqueeze(0)).squeeze(0)))(x)
    (g_ref,) = torch.autograd.grad((J**2).sum(), model.W)
    assert torch.allclose(g_closed, g_ref, rtol=1e-9, atol=1e-12)


def test_shape_mismatch_between_h_and_W_is_rejected():
    h = torch.rand(5, 10)
    with pytest.raises(ValueError, match="W"):
        contractive_penalty(h, torch.rand(11, 30))
    with pytest.raises(ValueError, match="W"):
        contractive_penalty(h, torch.rand(10))
    with pytest.raises(ValueError, match="W"):
        contractive.jacobian(h, torch.rand(11, 30))
    with pytest.raises(ValueError, match="h"):
        contractive_penalty(torch.rand(10), torch.rand(10, 30))


def test_penalty_term_for_fit():
    model, x = _model_and_batch(torch.float32, seed=3)
    h = model.encode(x)
    term = contractive.penalty(0.5)(model, x, h)
    assert torch.allclose(term, 0.5 * contractive_penalty(h, model.W).mean())
    assert contractive.penalty(0.0)(model, x, h).item() == 0.0


@pytest.mark.parametrize("lam", [-1e-3, float("inf")])
def test_negative_or_infinite_lam_is_rejected(lam):
    with pytest.raises(ValueError, match="lam"):
        contractive.penalty(lam)
