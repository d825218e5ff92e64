"""The script that trains the shipped deep autoencoders still trains, and its checkpoints are checked."""

import json
import math
import shutil

import pytest
import torch

import aelib.recipes
from aelib import checkpoints as C
from aelib.data import load_mnist


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """One epoch of the real script on 256 images: the code path of `make checkpoints`, in a second."""
    directory = tmp_path_factory.mktemp("ck")
    C.main(
        [
            "train",
            "deep_mnist",
            "--epochs",
            "1",
            "--n-train",
            "256",
            "--dir",
            str(directory),
        ]
    )
    return directory


def test_script_writes_weights_and_a_record(short_run):
    meta = json.loads((short_run / "deep_mnist.json").read_text())
    assert meta["sizes"] == [784, 1000, 500, 250, 30]
    assert meta["n_train"] == 256 and meta["schedule"]["epochs"] == 1
    assert meta["sha256"] == C.sha256(short_run / "deep_mnist.safetensors")
    assert math.isfinite(meta["test_error"]) and meta["test_error"] > 0
    for key in ("seed", "device", "train_seconds", "command", "torch"):
        assert key in meta, key
    assert meta["schedule"]["precision"] == "bf16"
    assert len(meta["train_loss"]) == len(meta["val_error"]) == 1
    assert len(meta["lr"]) == 1 and meta["n_val"] == 128
    assert not list(short_run.glob("*.state.pt")), "the state file is removed"


def test_unknown_name_lists_the_known_checkpoints(capsys):
    with pytest.raises(SystemExit):
        C.main(["train", "deep_cifar"])
    err = capsys.readouterr().err
    assert "deep_cifar" in err
    assert all(name in err for name in C.CONFIGS)


def test_interrupted_training_keeps_the_old_checkpoint(
    short_run, tmp_path, monkeypatch
):
    for f in short_run.iterdir():
        shutil.copy(f, tmp_path / f.name)
    before = {f.name: f.read_bytes() for f in tmp_path.iterdir()}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(aelib.recipes, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        C.train("deep_mnist", tmp_path, epochs=1, n_train=256, device="cpu")
    after = {f.name: f.read_bytes() for f in tmp_path.iterdir()}
    assert after == before
    C.load("deep_mnist", tmp_path, device="cpu")


def test_loaded_model_reproduces_the_recorded_error(short_run):
    model, meta = C.load("deep_mnist", short_run, device="cpu")
    x = load_mnist("test")[0][:256]
    assert C.test_error(model, x) == pytest.approx(meta["test_error"], rel=1e-4)
    assert not model.training


def test_tampered_checkpoint_is_refused(short_run, tmp_path):
    for f in short_run.iterdir():
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "deep_mnist.safetensors"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # one weight changes; the file still parses
    path.write_bytes(bytes(data))
    with pytest.raises(C.CheckpointError, match="sha256"):
        C.load("deep_mnist", tmp_path, device="cpu")


def test_missing_checkpoint_names_the_make_target(tmp_path):
    with pytest.raises(C.CheckpointError, match="make checkpoints"):
        C.load("deep_mnist", tmp_path)
    (tmp_path / "deep_mnist.json").write_text(
        json.dumps({"file": "deep_mnist.safetensors", "sha256": "0"})
    )
    with pytest.raises(C.CheckpointError, match="make checkpoints"):
        C.load("deep_mnist", tmp_path)


def test_stack_classifier_and_nca_train_from_the_stack(tmp_path):
    """The chain of chapter 10 and 15: pretrain, then fine-tune from it."""
    stack = C.train(
        "pretrained_stack", tmp_path, epochs=1, n_train=64, device="cpu"
    )
    assert stack["kind"] == "stack" and stack["sizes"] == [784, 500, 500, 2000]
    net, _ = C.load("pretrained_stack", tmp_path, device="cpu")
    assert net(torch.rand(3, 784)).shape == (3, 2000)
    clf = C.train(
        "pretrained_classifier", tmp_path, epochs=1, n_train=64, device="cpu"
    )
    assert 0 <= clf["test_error"] <= 1 and len(clf["val_error"]) == 1
    model, _ = C.load("pretrained_classifier", tmp_path, device="cpu")
    assert model(torch.rand(3, 784)).shape == (3, 10)
    # Fine-tuning started from the stack: the bottom layer moved only a bit.
    moved = (model[0].weight - net[0].weight).abs().max().item()
    assert moved < 0.05
    C.train("nonlinear_nca_2d", tmp_path, epochs=1, n_train=64, device="cpu")
    nca, record = C.load("nonlinear_nca_2d", tmp_path, device="cpu")
    assert nca(torch.rand(5, 784)).shape == (5, 2)
    assert record["test_metric"].startswith("5-nearest")


def test_faces_script_trains(tmp_path):
    meta = C.train("deep_faces", tmp_path, epochs=1, n_train=64, device="cpu")
    assert meta["sizes"] == [625, 2000, 1000, 500, 30] and meta["n_train"] == 64
    model, _ = C.load("deep_faces", tmp_path, device="cpu")
    assert model(torch.rand(3, 625)).shape == (3, 625)
    # the mean face is stored with the weights and comes back on loading
    assert meta["center"] and 0.2 < model.x_bar.mean().item() < 0.8


@pytest.mark.parametrize("name", sorted(C.CONFIGS))
def test_shipped_checkpoint_verifies(name):
    meta = C.metadata(name)
    assert C.sha256(C.CHECKPOINT_DIR / meta["file"]) == meta["sha256"]
    expected = {k: C.CONFIGS[name][k] for k in C.SCHEDULE_KEYS}
    assert meta["schedule"] == expected, "retrain: the config changed"
    config = C.CONFIGS[name]
    for key in C.recipes.MODEL_KEYS.get(config["kind"], ()):
        setting = C.recipes.model_setting(meta, key)
        assert setting == config[key], "retrain: the model changed"


def test_bad_arguments():
    with pytest.raises(ValueError, match="name must be one of"):
        C.train("deep_cifar")
    with pytest.raises(ValueError, match="epochs"):
        C.train("deep_mnist", epochs=0)
    with pytest.raises(ValueError, match="storage"):
        C.save(torch.nn.Linear(1, 1), "x", {}, storage="int8")


class _Payload:
    """A pickle that would create a file when unpickled: what a malicious "checkpoint" carries."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickled_checkpoint_is_refused_unopened(short_run, tmp_path):
    """Even with a matching sha256 in its record (an attacker ships both), a pickle is never unpickled."""
    marker = tmp_path / "payload-ran"
    for f in short_run.iterdir():
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "deep_mnist.safetensors"
    torch.save({"weights": _Payload(marker)}, path)
    record = json.loads((tmp_path / "deep_mnist.json").read_text())
    record["sha256"] = C.sha256(path)
    (tmp_path / "deep_mnist.json").write_text(json.dumps(record))
    with pytest.raises(C.CheckpointError, match="not a safetensors file"):
        C.load("deep_mnist", tmp_path, device="cpu")
    assert not marker.exists()
    # The same file through an unrestricted unpickler runs the payload: the threat is real.
    with open(path, "rb") as f:
        torch.load(f, weights_only=False)
    assert marker.exists()


def test_face_ablation_trains_each_number_of_people(tmp_path):
    """The record chapter 11 reads: one validation curve per number of
    training photographs, with the override that made it."""
    result = C.recipes.ablate("deep_faces", tmp_path, n_train=64, device="cpu")
    runs = result["runs"]
    ks = [run["overrides"]["n_train_sources"] for run in runs.values()]
    assert ks == sorted(ks) and ks[-1] == 70
    for run in runs.values():
        assert len(run["val_error"]) == run["schedule"]["epochs"] == 30
        assert "test_error" not in run  # the test people stay untouched
    assert not list(tmp_path.glob("*.state.pt"))  # no weights are kept
