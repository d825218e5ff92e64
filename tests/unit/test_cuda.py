"""The GPU switch: every training routine the chapters call runs on cuda and agrees with the CPU.

These tests need a CUDA GPU and skip cleanly without one (the CPU-only CI machines); run them
on a GPU machine with `AELIB_DEVICE=cuda .venv/bin/python -m pytest tests/unit/test_cuda.py`.
The device-mismatch errors are also checked without a GPU, with torch's "meta" device standing
in for a second device.
"""

import pytest
import torch

import aelib
from aelib import checkpoints, losses
from aelib.deep import DeepAutoencoder, Logits
from aelib.psd import PSD, train_psd
from aelib.rbm import RBM, train_rbm
from aelib.stacked import pretrain_greedy

needs_gpu = pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA GPU"
)


def small_data(n=512, d=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(n, d, generator=g) > 0.7).float()


def train_autoencoder(device):
    aelib.set_seed(0)
    model = aelib.Autoencoder(64, 16)
    history = aelib.fit(
        model,
        small_data(),
        losses.cross_entropy,
        epochs=3,
        batch_size=64,
        lr=1e-2,
        device=device,
        progress=False,
    )
    return model, history


@needs_gpu
def test_fit_on_cuda_matches_cpu():
    model_gpu, h_gpu = train_autoencoder("cuda")
    model_cpu, h_cpu = train_autoencoder("cpu")
    assert next(model_gpu.parameters()).device.type == "cuda"
    # Same seed, same minibatch order; float32 sums on another device differ in the last bits.
    assert h_gpu.loss[-1] == pytest.approx(h_cpu.loss[-1], rel=1e-3)


@needs_gpu
def test_deep_autoencoder_trains_on_cuda():
    aelib.set_seed(0)
    model = DeepAutoencoder((64, 32, 8))
    history = aelib.fit(
        Logits(model),
        small_data(),
        losses.cross_entropy_logits,
        epochs=3,
        batch_size=64,
        device="cuda",
        progress=False,
    )
    assert history.loss[-1] < history.loss[0]


@needs_gpu
def test_rbm_psd_and_stacked_train_on_cuda():
    x = small_data()
    rbm = RBM(64, 16)
    train_rbm(rbm, x, epochs=1, batch_size=32, device="cuda")
    assert rbm.W.device.type == "cuda" and torch.isfinite(rbm.W).all()
    psd = PSD(64, 32, lam=0.1)
    train_psd(
        psd,
        x - x.mean(1, keepdim=True),
        epochs=1,
        batch_size=64,
        n_iter=10,
        device="cuda",
    )
    assert next(psd.parameters()).device.type == "cuda"
    autoencoders, _ = pretrain_greedy(
        x, (64, 32, 16), epochs=1, nu=0.25, batch_size=64, device="cuda"
    )
    assert all(next(a.parameters()).device.type == "cuda" for a in autoencoders)


@needs_gpu
def test_shipped_checkpoint_on_cuda_gives_the_recorded_error():
    model, meta = checkpoints.load("deep_mnist", device="cuda")
    x_test = aelib.data.load_mnist("test")[0]
    assert checkpoints.test_error(model, x_test) == pytest.approx(
        meta["test_error"], abs=0.01
    )


@pytest.mark.parametrize(
    "device", [pytest.param("cuda", marks=needs_gpu), "meta"]
)
def test_input_on_another_device_is_a_clear_error(device):
    """A CPU batch given to a model on another device is refused with a message naming x and the fix."""
    model = aelib.Autoencoder(8, 4).to(device)
    with pytest.raises(ValueError, match=r"x is on cpu.*\.to\(device\)"):
        model(torch.rand(2, 8))
