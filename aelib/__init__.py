"""aelib: the small library behind the executable companion to the lecture
on autoencoders.

Each module holds one idea of the lecture; a chapter teaches the idea in the
open, and later chapters import it from here. Importing aelib has no side
effect: a chapter seeds and chooses its device in its first cell. Modules
beyond the core are imported on first use (``aelib.plot``, ``aelib.rbm``,
...).

One boundary rule holds for every public function: it accepts torch tensors
and numpy arrays (or any array-like) and returns torch tensors. An array
becomes a float32 tensor on the CPU, so results computed from arrays are on
the CPU; a tensor keeps its dtype and device (a model's input is converted
to the model's dtype and device only when it is an array). Loaders return
tensors on the CPU. Where numpy is the point, the docstring says so: the bit
packing, Hamming distances and ranking measures of ``aelib.retrieval``, and
the figures of ``aelib.plot``.

Every autoencoder follows one contract, ``models.AutoencoderProtocol``:
``encode(x) -> h``, ``decode_logits(h) -> a_hat``, ``decode(h) -> x_hat``
and ``forward(x) = decode(encode(x))``.
"""

import importlib

from . import data, deep, losses, models, noise, show, train
from .device import get_device, set_seed
from .models import Autoencoder, AutoencoderProtocol
from .train import History, evaluate, fit

_LAZY = {
    "assignments",
    "bench",
    "checkpoints",
    "codeunits",
    "contractive",
    "faces",
    "hashing",
    "linear",
    "plot",
    "psd",
    "rbm",
    "retrieval",
    "similarity",
    "sparse",
    "stacked",
    "timing",
}

__all__ = [
    "get_device",
    "set_seed",
    "Autoencoder",
    "AutoencoderProtocol",
    "fit",
    "evaluate",
    "History",
    "data",
    "deep",
    "losses",
    "models",
    "noise",
    "show",
    "train",
    *sorted(_LAZY),
]
__version__ = "0.1.0"


def __getattr__(name):
    # Heavier modules (matplotlib, scikit-learn) load only when a chapter
    # uses them.
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'aelib' has no attribute {name!r}")
