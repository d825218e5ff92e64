import pytest
import torch

from aelib.deep import DeepAutoencoder


def test_x_bar_centres_the_input_and_comes_back_at_a_linear_output():
    torch.manual_seed(0)
    x_bar = torch.rand(6)
    centred = DeepAutoencoder((6, 4, 2), output="linear", x_bar=x_bar)
    plain = DeepAutoencoder((6, 4, 2), output="linear")
    plain.load_state_dict(
        {k: v for k, v in centred.state_dict().items() if k != "x_bar"}
    )
    x = torch.rand(5, 6)
    torch.testing.assert_close(centred.encode(x), plain.encode(x - x_bar))
    torch.testing.assert_close(centred(x), plain(x - x_bar) + x_bar)
    # a logistic output keeps its range: the mean is not added back
    logistic = DeepAutoencoder((6, 4, 2), x_bar=x_bar)
    out = logistic(x)
    assert bool(((out > 0) & (out < 1)).all())


def test_x_bar_is_stored_with_the_weights():
    model = DeepAutoencoder((6, 4, 2), x_bar=torch.full((6,), 0.5))
    assert torch.equal(model.state_dict()["x_bar"], torch.full((6,), 0.5))
    assert "x_bar" not in DeepAutoencoder((6, 4, 2)).state_dict()


def test_x_bar_of_the_wrong_width_is_refused():
    with pytest.raises(ValueError, match=r"x_bar must have shape \(6,\)"):
        DeepAutoencoder((6, 4, 2), x_bar=torch.zeros(5))


def test_logits_hands_penalties_the_wrapped_weights():
    # fit(Logits(model), ..., penalty=contractive.penalty(lam)) must charge
    # the same penalty as on the bare model: the wrapper shows its W.
    import aelib
    from aelib import contractive
    from aelib.deep import Logits

    torch.manual_seed(0)
    model = aelib.Autoencoder(20, 7, tied=True)
    x = torch.rand(5, 20)
    wrapped = Logits(model)
    assert wrapped.W is model.W
    term = contractive.penalty(0.5)
    h = model.encode(x)
    assert torch.equal(term(wrapped, x, h), term(model, x, h))
    assert torch.allclose(torch.sigmoid(wrapped(x)), model(x), atol=1e-6)
