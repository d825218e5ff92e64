import pytest
import torch

import aelib
from aelib.losses import cross_entropy, squared_error
from aelib.models import Autoencoder


@pytest.mark.parametrize("tied", [True, False])
@pytest.mark.parametrize("decoder", ["sigmoid", "linear"])
def test_shapes(tied, decoder):
    model = Autoencoder(30, 7, tied=tied, decoder=decoder)
    x = torch.rand(5, 30)
    h = model.encode(x)
    assert h.shape == (5, 7) and bool(((h > 0) & (h < 1)).all())
    x_hat = model(x)
    assert x_hat.shape == (5, 30)
    if decoder == "sigmoid":
        assert bool(((x_hat >= 0) & (x_hat <= 1)).all())
    assert model.W.shape == (7, 30) and model.W_star.shape == (30, 7)


def test_equations_of_the_lecture():
    model = Autoencoder(6, 3, tied=True)
    x = torch.rand(4, 6)
    h = torch.sigmoid(model.b + x @ model.W.T)
    assert torch.allclose(model.encode(x), h)
    assert torch.allclose(model(x), torch.sigmoid(model.c + h @ model.W))


def test_tied_weights_really_shared():
    model = Autoencoder(10, 4, tied=True)
    names = [n for n, _ in model.named_parameters()]
    assert names == ["W", "b", "c"]
    assert model.W_star.data_ptr() == model.W.data_ptr()
    with torch.no_grad():
        model.W[1, 2] = 5.0
    assert model.W_star[2, 1].item() == 5.0


def test_untied_has_its_own_decoder():
    model = Autoencoder(10, 4, tied=False)
    assert model.W_star.data_ptr() != model.W.data_ptr()
    assert sum(p.numel() for p in model.parameters()) == 2 * 40 + 4 + 10


@pytest.mark.parametrize(
    "bad, match",
    [
        (torch.rand(5, 31), "784|30 features|shape"),
        (torch.rand(30), "2-D"),
        (torch.rand(2, 3, 30), "2-D"),
        (torch.zeros(0, 30), "empty"),
    ],
)
def test_wrong_input_shape_is_clear(bad, match):
    model = Autoencoder(30, 7)
    with pytest.raises(ValueError, match="x"):
        model(bad)


def test_wrong_dtype_and_type():
    model = Autoencoder(4, 2)
    with pytest.raises(TypeError, match="floating"):
        model(torch.ones(3, 4, dtype=torch.long))
    # An array-like is taken (the boundary rule), anything else is named.
    row = [[0.0, 1.0, 0.0, 1.0]]
    torch.testing.assert_close(model(row), model(torch.tensor(row)))
    with pytest.raises(TypeError, match="x must be a tensor or an array"):
        model("not an image")


@pytest.mark.parametrize(
    "kwargs, err",
    [
        (dict(n_visible=0, n_hidden=3), ValueError),
        (dict(n_visible=5, n_hidden=-1), ValueError),
        (dict(n_visible=5.0, n_hidden=3), TypeError),
        (dict(n_visible=5, n_hidden=3, decoder="relu"), ValueError),
        (dict(n_visible=5, n_hidden=3, tied="yes"), TypeError),
    ],
)
def test_bad_constructor_arguments(kwargs, err):
    with pytest.raises(err):
        Autoencoder(**kwargs)


@pytest.mark.parametrize(
    "decoder, loss", [("sigmoid", cross_entropy), ("linear", squared_error)]
)
def test_overfits_one_batch(decoder, loss):
    aelib.set_seed(0)
    x = (torch.rand(16, 20) > 0.5).float()
    model = Autoencoder(20, 32, tied=False, decoder=decoder)
    before = loss(model(x), x).item()
    aelib.fit(
        model,
        x,
        loss,
        epochs=400,
        batch_size=16,
        lr=1e-2,
        device="cpu",
        progress=False,
    )
    after = loss(model(x), x).item()
    assert after < 0.05 * before, (before, after)
