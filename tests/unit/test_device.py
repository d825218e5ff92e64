import pytest
import torch

import aelib


def test_explicit_cpu():
    assert aelib.get_device("cpu") == torch.device("cpu")


def test_auto_matches_torch(monkeypatch):
    monkeypatch.delenv("AELIB_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert aelib.get_device().type == expected


def test_environment_variable_is_read(monkeypatch):
    monkeypatch.setenv("AELIB_DEVICE", "cpu")
    assert aelib.get_device() == torch.device("cpu")


@pytest.mark.parametrize("value", ["gpu", "cuda:7x", "tpu", "CPU please"])
def test_unknown_value_names_the_allowed_ones(monkeypatch, value):
    monkeypatch.setenv("AELIB_DEVICE", value)
    with pytest.raises(ValueError, match="AELIB_DEVICE.*auto, cpu, cuda"):
        aelib.get_device()


def test_unknown_preference_names_the_argument():
    with pytest.raises(ValueError, match="preference='gpu'"):
        aelib.get_device("gpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AELIB_DEVICE", "cuda")
    with pytest.raises(RuntimeError, match="no CUDA GPU"):
        aelib.get_device()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_when_present(monkeypatch):
    monkeypatch.setenv("AELIB_DEVICE", "cuda")
    device = aelib.get_device()
    assert device.type == "cuda"
    model = aelib.Autoencoder(20, 5)
    x = torch.rand(64, 20)
    history = aelib.fit(
        model,
        x,
        aelib.losses.cross_entropy,
        epochs=2,
        device=device,
        progress=False,
    )
    assert next(model.parameters()).device.type == "cuda"
    assert len(history.loss) == 2


def test_set_seed_repeats():
    aelib.set_seed(3)
    a = torch.randn(5)
    aelib.set_seed(3)
    assert torch.equal(a, torch.randn(5))


@pytest.mark.parametrize(
    "seed, err",
    [(-1, ValueError), (1.5, TypeError), ("1", TypeError), (True, TypeError)],
)
def test_set_seed_rejects_bad_seed(seed, err):
    with pytest.raises(err, match="seed"):
        aelib.set_seed(seed)
