"""Every autoencoder of aelib follows one contract, models.AutoencoderProtocol:
encode(x) -> h, decode_logits(h) -> a_hat, decode(h) -> x_hat and
forward(x) = decode(encode(x))."""

import importlib
import inspect
import pkgutil

import pytest
import torch
from torch import nn

import aelib
from aelib.deep import DeepAutoencoder, Logits
from aelib.documents import DocumentAutoencoder
from aelib.hashing import HashingAutoencoder
from aelib.linear import LinearAutoencoder
from aelib.models import Autoencoder, AutoencoderProtocol
from aelib.psd import PSD
from aelib.rbm import RBM

# (model, output non-linearity): decode(h) == output(decode_logits(h)).
MODELS = {
    "tied sigmoid": (lambda: Autoencoder(6, 3), torch.sigmoid),
    "untied sigmoid": (lambda: Autoencoder(6, 3, tied=False), torch.sigmoid),
    "tied linear": (lambda: Autoencoder(6, 3, decoder="linear"), None),
    "untied linear": (
        lambda: Autoencoder(6, 3, tied=False, decoder="linear"),
        None,
    ),
    "deep sigmoid": (lambda: DeepAutoencoder((6, 5, 2)), torch.sigmoid),
    "deep linear, documents": (
        lambda: DeepAutoencoder((6, 5, 2), output="linear"),
        None,
    ),
    "hashing": (lambda: HashingAutoencoder((6, 5, 3)), torch.sigmoid),
    "hashing, counts": (
        lambda: HashingAutoencoder((6, 5, 3), input="counts"),
        lambda a: torch.softmax(a, 1),
    ),
    "documents, counts": (
        lambda: DocumentAutoencoder((6, 5, 2)),
        lambda a: torch.softmax(a, 1),
    ),
    "linear": (lambda: LinearAutoencoder(6, 3), None),
    "psd": (lambda: PSD(6, 4), None),
    "rbm": (lambda: RBM(6, 3), torch.sigmoid),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_follows_the_contract(name):
    make, output = MODELS[name]
    torch.manual_seed(0)
    # eval: the hashing code layer is noisy in training, so two passes differ.
    model = make().eval()
    assert isinstance(model, AutoencoderProtocol)
    # The document models take word counts, the others values in [0, 1].
    counts = name.endswith("counts")
    x = torch.randint(0, 4, (4, 6)).float() if counts else torch.rand(4, 6)
    h = model.encode(x)
    a_hat = model.decode_logits(h)
    x_hat = model.decode(h)
    assert a_hat.shape == x_hat.shape == x.shape
    torch.testing.assert_close(model(x), x_hat)
    expected = a_hat if output is None else output(a_hat)
    torch.testing.assert_close(x_hat, expected)


def test_every_autoencoder_of_aelib_is_tested_here():
    """A new model in aelib with encode and decode must join MODELS."""
    tested = {type(make()) for make, _ in MODELS.values()}
    found = set()
    for info in pkgutil.iter_modules(aelib.__path__):
        module = importlib.import_module(f"aelib.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, nn.Module)
                and cls.__module__ == module.__name__
                and hasattr(cls, "encode")
                and hasattr(cls, "decode")
            ):
                found.add(cls)
    # Logits is the wrapper whose decode returns a_hat, for the logits loss.
    assert found - {Logits} == tested


def test_logits_wrapper_returns_the_pre_activation():
    model = DeepAutoencoder((6, 5, 2))
    x = torch.rand(3, 6)
    torch.testing.assert_close(
        Logits(model)(x), model.decode_logits(model.encode(x))
    )


def test_a_class_without_decode_logits_is_not_an_autoencoder():
    class Half(nn.Module):
        def encode(self, x):
            return x

        def decode(self, h):
            return h

    assert not isinstance(Half(), AutoencoderProtocol)
