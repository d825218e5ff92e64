"""aelib.psd: unit-norm atoms, inference optimal for the PSD energy, training lowers the energy."""

import pytest
import torch

from aelib import psd


def data(n=256, n_visible=16, n_code=24, seed=0):
    """x made of 3 atoms of a hidden dictionary each: a problem with a sparse answer."""
    g = torch.Generator().manual_seed(seed)
    D_true = torch.randn(n_visible, n_code, generator=g)
    D_true = D_true / D_true.norm(dim=0)
    z = torch.zeros(n, n_code)
    for i in range(n):
        idx = torch.randperm(n_code, generator=g)[:3]
        z[i, idx] = torch.randn(3, generator=g).abs() + 0.5
    return z @ D_true.t()


def kkt_violation(model, x, z, with_prediction):
    """Largest violation of the optimality conditions of min_z E(x, z) (0 at the minimum)."""
    grad = (z @ model.D.t() - x) @ model.D
    if with_prediction:
        grad = grad + model.alpha * (z - model.encode(x))
    on = z != 0
    v_on = (grad + model.lam * torch.sign(z))[on].abs()
    v_off = (grad.abs() - model.lam).clamp_min(0)[~on]
    return max(
        v_on.max().item() if v_on.numel() else 0.0,
        v_off.max().item() if v_off.numel() else 0.0,
    )


def test_shapes_and_unit_atoms():
    torch.manual_seed(0)
    m = psd.PSD(16, 24, lam=0.1, alpha=1.0)
    x = torch.randn(5, 16)
    assert (
        m.encode(x).shape == (5, 24)
        and m(x).shape == (5, 16)
        and m.decode(m.encode(x)).shape == (5, 16)
    )
    torch.testing.assert_close(m.D.norm(dim=0), torch.ones(24))
    assert m.energy(x, m.encode(x)).shape == (5,)


@pytest.mark.parametrize("predict", [True, False])
def test_inference_satisfies_the_optimality_conditions(predict):
    torch.manual_seed(0)
    m = psd.PSD(16, 24, lam=0.1, alpha=0.5).double()
    x = data(20).double()
    with torch.no_grad():
        m.W.mul_(
            3.0
        )  # a predictor far from the codes, so the prediction term matters
        z = m.infer(x, n_iter=3000, predict=predict)
        assert kkt_violation(m, x, z, with_prediction=predict) < 1e-6
        # the minimiser with the prediction term lies between sparse coding and the prediction
        if predict:
            z_sc = m.infer(x, n_iter=3000, predict=False)
            assert (
                m.energy(x, z, m.encode(x))
                <= m.energy(x, z_sc, m.encode(x)) + 1e-9
            ).all()


def test_training_lowers_the_energy_and_teaches_the_encoder():
    torch.manual_seed(0)
    x = data()
    m = psd.PSD(16, 24, lam=0.1, alpha=1.0)
    with torch.no_grad():
        before = m.energy(x, m.encode(x)).mean().item()
    h = psd.train_psd(
        m, x, epochs=10, batch_size=64, lr=1e-2, n_iter=20, device="cpu"
    )
    # The energy is the history's loss; its two quadratic terms are curves.
    prediction = h.curves["prediction"]
    assert h.loss[-1] < 0.7 * h.loss[0]
    assert prediction[-1] < prediction[0]
    torch.testing.assert_close(m.D.norm(dim=0), torch.ones(24))
    with torch.no_grad():
        after = m.energy(x, m.encode(x)).mean().item()
    assert after < 0.5 * before  # the one-pass codes alone are now good codes
    assert len(h.loss) == len(h.curves["reconstruction"]) == 10
    assert len(prediction) == 10
    assert h.seconds > 0 and h.samples_per_s > 0


def test_sigmoid_encoder_is_non_negative():
    m = psd.PSD(16, 8, encoder="sigmoid")
    assert (m.encode(torch.randn(4, 16)) >= 0).all()


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="lam"):
        psd.PSD(16, 8, lam=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        psd.PSD(16, 8, alpha=-0.1)
    with pytest.raises(ValueError, match="encoder"):
        psd.PSD(16, 8, encoder="relu")
    m = psd.PSD(16, 8)
    with pytest.raises(ValueError, match="x must have 16 features"):
        m.encode(torch.randn(4, 15))
    with pytest.raises(ValueError, match="x must have 16 features"):
        psd.train_psd(m, torch.randn(4, 15), epochs=1)
    with pytest.raises(ValueError, match="n_iter"):
        psd.train_psd(m, torch.randn(4, 16), epochs=1, n_iter=0)
    with pytest.raises(TypeError, match="model must be an aelib.psd.PSD"):
        psd.train_psd(torch.nn.Linear(2, 2), torch.randn(4, 16), epochs=1)
