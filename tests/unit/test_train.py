import math

import pytest
import torch

import aelib
from aelib.losses import cross_entropy, squared_error
from aelib.models import Autoencoder


def small_data(n=64, d=10):
    torch.manual_seed(0)
    return torch.rand(n, d)


def test_history_and_decreasing_loss():
    x = small_data()
    model = Autoencoder(10, 4)
    h = aelib.fit(
        model,
        x,
        cross_entropy,
        epochs=30,
        batch_size=16,
        lr=1e-2,
        device="cpu",
        progress=False,
        x_val=x[:8],
    )
    assert len(h.loss) == 30 and len(h.val_loss) == 30
    assert h.loss[-1] < h.loss[0]
    assert h.seconds > 0 and h.samples_per_s > 0


def test_same_seed_same_numbers():
    x = small_data()
    runs = []
    for _ in range(2):
        aelib.set_seed(1)
        model = Autoencoder(10, 4)
        runs.append(
            aelib.fit(
                model,
                x,
                cross_entropy,
                epochs=3,
                batch_size=8,
                device="cpu",
                progress=False,
            ).loss
        )
    assert runs[0] == runs[1]


def test_divergence_is_reported_and_weights_restored():
    x = small_data() * 100  # squared error with a huge lr blows up
    model = Autoencoder(10, 4, decoder="linear")
    with pytest.raises(
        FloatingPointError, match=r"epoch \d+.*smaller learning rate"
    ):
        aelib.fit(
            model,
            x,
            squared_error,
            epochs=50,
            batch_size=64,
            lr=1e6,
            optimizer="sgd",
            device="cpu",
            progress=False,
        )
    assert all(bool(torch.isfinite(p).all()) for p in model.parameters())


def test_corrupt_and_penalty_are_used():
    x = small_data()
    calls = {"corrupt": 0, "penalty": 0}

    def corrupt(xb):
        calls["corrupt"] += 1
        return aelib.noise.masking(xb, 0.3)

    def penalty(model, x_tilde, h):
        calls["penalty"] += 1
        return 0.1 * aelib.losses.contractive_penalty(h, model.W).mean()

    aelib.fit(
        Autoencoder(10, 4),
        x,
        cross_entropy,
        epochs=2,
        batch_size=16,
        device="cpu",
        corrupt=corrupt,
        penalty=penalty,
        progress=False,
    )
    assert calls == {"corrupt": 8, "penalty": 8}


def test_classifier_with_labels():
    torch.manual_seed(0)
    x = torch.randn(200, 5)
    y = (x[:, 0] > 0).long()
    net = torch.nn.Sequential(torch.nn.Linear(5, 2))
    aelib.fit(
        net,
        x,
        torch.nn.functional.cross_entropy,
        epochs=50,
        batch_size=50,
        lr=0.05,
        y=y,
        device="cpu",
        progress=False,
    )
    acc = (net(x).argmax(1) == y).float().mean().item()
    assert acc > 0.95


def test_lbfgs_full_batch_is_monotone():
    x = small_data()
    model = Autoencoder(10, 4)
    h = aelib.fit(
        model,
        x,
        cross_entropy,
        epochs=15,
        batch_size=len(x),
        lr=1.0,
        optimizer="lbfgs",
        device="cpu",
        progress=False,
    )
    assert all(b <= a + 1e-6 for a, b in zip(h.loss, h.loss[1:]))


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(epochs=1, batch_size=0), ValueError, "batch_size"),
        (dict(epochs=1, lr=-1.0), ValueError, "lr"),
        (dict(epochs=1, lr=math.nan), ValueError, "lr"),
        (dict(epochs=1, optimizer="adagrad"), ValueError, "optimizer"),
        (dict(epochs=1, y=torch.zeros(3)), ValueError, "y must"),
    ],
)
def test_bad_arguments(kwargs, err, match):
    with pytest.raises(err, match=match):
        aelib.fit(
            Autoencoder(10, 4),
            small_data(),
            cross_entropy,
            device="cpu",
            progress=False,
            **kwargs,
        )


def test_nan_in_data_rejected():
    x = small_data()
    x[3, 3] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        aelib.fit(
            Autoencoder(10, 4),
            x,
            cross_entropy,
            epochs=1,
            device="cpu",
            progress=False,
        )


def test_warmup_cosine_schedule():
    s = aelib.train.WarmupCosine(warmup_epochs=1, final_fraction=0.01)
    lr = [s.at(t, 100, 10, 1e-3) for t in range(100)]
    assert lr[0] == pytest.approx(1e-4) and lr[9] == pytest.approx(1e-3)
    assert max(lr) == pytest.approx(1e-3)
    assert lr[-1] == pytest.approx(1e-5)
    assert all(a >= b for a, b in zip(lr[9:], lr[10:]))


def test_fit_follows_the_schedule():
    x = small_data()
    h = aelib.fit(
        Autoencoder(10, 4),
        x,
        cross_entropy,
        epochs=4,
        batch_size=16,
        lr=1e-2,
        device="cpu",
        progress=False,
        schedule=lambda step: 1e-3 * (step + 1),
    )
    assert h.lr == pytest.approx([4e-3, 8e-3, 12e-3, 16e-3])
    h = aelib.fit(
        Autoencoder(10, 4),
        x,
        cross_entropy,
        epochs=5,
        batch_size=16,
        lr=1e-2,
        device="cpu",
        progress=False,
        schedule=aelib.train.WarmupCosine(1, 0.1),
    )
    assert h.lr[0] == pytest.approx(1e-2) and h.lr[-1] == pytest.approx(1e-3)
    with pytest.raises(TypeError, match="schedule"):
        aelib.fit(
            Autoencoder(10, 4),
            x,
            cross_entropy,
            epochs=1,
            device="cpu",
            progress=False,
            schedule="cosine",
        )


def test_bf16_trains_and_keeps_fp32_weights():
    x = small_data(256, 10)
    aelib.set_seed(0)
    model = Autoencoder(10, 4)
    h = aelib.fit(
        model,
        x,
        cross_entropy,
        epochs=20,
        batch_size=32,
        lr=1e-2,
        device="cpu",
        progress=False,
        precision="bf16",
    )
    assert h.loss[-1] < h.loss[0]
    assert all(p.dtype == torch.float32 for p in model.parameters())
    aelib.set_seed(0)
    ref = aelib.fit(
        Autoencoder(10, 4),
        x,
        cross_entropy,
        epochs=20,
        batch_size=32,
        lr=1e-2,
        device="cpu",
        progress=False,
    )
    # bf16 keeps about 3 significant digits: the same curve, not the same bits
    assert h.loss[-1] == pytest.approx(ref.loss[-1], rel=0.02)
    assert h.loss != ref.loss
    with pytest.raises(ValueError, match="precision must be one of"):
        aelib.fit(
            model,
            x,
            cross_entropy,
            epochs=1,
            device="cpu",
            progress=False,
            precision="fp16",
        )


def test_numpy_inputs_are_accepted():
    x = small_data().numpy().astype("float64")
    h = aelib.fit(
        Autoencoder(10, 4),
        x,
        cross_entropy,
        epochs=2,
        batch_size=16,
        device="cpu",
        progress=False,
        x_val=x[:8],
    )
    assert len(h.val_loss) == 2


def test_an_interrupted_run_resumes_where_it_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(aelib.train, "STATE_EVERY_S", 0.0)  # every epoch
    x = small_data()
    kwargs = dict(
        epochs=4,
        batch_size=16,
        lr=1e-2,
        device="cpu",
        progress=False,
        corrupt=lambda xb: aelib.noise.masking(xb, 0.2),
    )
    aelib.set_seed(3)
    whole = Autoencoder(10, 4)
    ref = aelib.fit(whole, x, cross_entropy, **kwargs)

    calls = {"n": 0}

    def dies_in_epoch_3(xb):
        calls["n"] += 1
        if calls["n"] > 2 * 4:  # 4 batches per epoch: two epochs, then stop
            raise KeyboardInterrupt
        return aelib.noise.masking(xb, 0.2)

    state = tmp_path / "run.state.pt"
    aelib.set_seed(3)
    model = Autoencoder(10, 4)
    with pytest.raises(KeyboardInterrupt):
        aelib.fit(
            model,
            x,
            cross_entropy,
            state_file=state,
            **dict(kwargs, corrupt=dies_in_epoch_3),
        )
    assert state.is_file()
    aelib.set_seed(99)  # a fresh process: another seed, another model
    resumed = Autoencoder(10, 4)
    h = aelib.fit(resumed, x, cross_entropy, state_file=state, **kwargs)
    assert h.loss == pytest.approx(ref.loss, rel=1e-6)
    for a, b in zip(whole.parameters(), resumed.parameters()):
        assert torch.allclose(a, b, atol=1e-6)
    with pytest.raises(ValueError, match="belongs to another run"):
        aelib.fit(
            Autoencoder(10, 4),
            x,
            cross_entropy,
            state_file=state,
            **dict(kwargs, epochs=5),
        )
