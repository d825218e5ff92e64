import pytest
import torch

from aelib.codeunits import live, move_unit, unit_effects, unit_grid
from aelib.deep import DeepAutoencoder


@pytest.fixture
def model():
    torch.manual_seed(0)
    return DeepAutoencoder((16, 8, 3)).eval()


def test_move_unit_changes_only_one_unit(model):
    z = torch.randn(4, 3)
    steps = torch.tensor([-1.0, 0.0, 2.0])
    out = move_unit(model, z, 1, steps)
    assert out.shape == (3, 4, 16)
    for k, t in enumerate(steps):
        expected = z.clone()
        expected[:, 1] += t
        torch.testing.assert_close(out[k], model.decode(expected).detach())


def test_unit_effects_shapes_and_shares(model):
    classifier = torch.nn.Linear(16, 5)
    z = torch.randn(6, 3)
    eff = unit_effects(
        model, classifier, z, torch.tensor([[-1.0, 0.0, 1.0]] * 3), n_classes=5
    )
    assert (
        eff["share"].shape == (3, 3, 5)
        and eff["kept"].shape == (3, 3)
        and eff["ink"].shape == (3, 3)
    )
    torch.testing.assert_close(eff["share"].sum(2), torch.ones(3, 3))
    # A step of 0 changes nothing: every decoding keeps its class.
    torch.testing.assert_close(eff["kept"][:, 1], torch.ones(3))


def test_unit_grid_and_errors(model):
    x_hat = move_unit(model, torch.randn(2, 3), 0, torch.tensor([0.0, 1.0]))
    fig = unit_grid(x_hat, [0.0, 1.0], shape=(4, 4))
    assert len(fig.axes) == 4
    with pytest.raises(ValueError, match="steps"):
        unit_grid(x_hat, [0.0], shape=(4, 4))
    with pytest.raises(ValueError, match="unit"):
        move_unit(model, torch.randn(2, 3), 3, torch.tensor([0.0]))
    with pytest.raises(ValueError, match="steps_per_unit"):
        unit_effects(
            model, torch.nn.Linear(16, 5), torch.randn(2, 3), torch.zeros(2, 2)
        )


def test_no_widget_in_builds(monkeypatch):
    monkeypatch.setenv("AELIB_PROGRESS", "0")
    assert live() is False
