"""The script that trains the shipped deep autoencoders still trains, and its checkpoints are checked."""
import json
import math
import shutil

import pytest
import torch

from aelib import checkpoints as C
from aelib.data import load_mnist


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """One epoch of the real script on 256 images: the code path of `make checkpoints`, in a second."""
    directory = tmp_path_factory.mktemp("ck")
    C.main(["train", "deep_mnist", "--epochs", "1", "--n-train", "256", "--dir", str(directory)])
    return directory


def test_script_writes_weights_and_a_record(short_run):
    meta = json.loads((short_run / "deep_mnist.json").read_text())
    assert meta["sizes"] == [784, 1000, 500, 250, 30]
    assert meta["n_train"] == 256 and meta["schedule"]["epochs"] == 1
    assert meta["sha256"] == C.sha256(short_run / "deep_mnist.safetensors")
    assert math.isfinite(meta["test_error"]) and meta["test_error"] > 0


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
    (tmp_path / "deep_mnist.json").write_text(json.dumps({"file": "deep_mnist.safetensors", "sha256": "0"}))
    with pytest.raises(C.CheckpointError, match="make checkpoints"):
        C.load("deep_mnist", tmp_path)


def test_faces_script_trains(tmp_path):
    meta = C.train("deep_faces", tmp_path, epochs=1, n_train=64, device="cpu")
    assert meta["sizes"] == [625, 2000, 1000, 500, 30] and meta["n_train"] == 64
    model, _ = C.load("deep_faces", tmp_path, device="cpu")
    assert model(torch.rand(3, 625)).shape == (3, 625)


@pytest.mark.parametrize("name", sorted(C.CONFIGS))
def test_shipped_checkpoint_verifies(name):
    meta = C.metadata(name)
    assert C.sha256(C.CHECKPOINT_DIR / meta["file"]) == meta["sha256"]
    assert meta["schedule"] == {k: C.CONFIGS[name][k] for k in meta["schedule"]}, "retrain: the config changed"


def test_learning_rate_schedule():
    lr = [C.learning_rate(s, 100, 10, 1e-3, 0.01) for s in range(100)]
    assert lr[0] == pytest.approx(1e-4) and lr[9] == pytest.approx(1e-3)
    assert max(lr) == pytest.approx(1e-3)
    assert lr[-1] == pytest.approx(1e-5, rel=0.05)
    assert all(a >= b for a, b in zip(lr[9:], lr[10:]))


def test_bad_arguments():
    with pytest.raises(ValueError, match="name"):
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
