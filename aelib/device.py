"""Where the tensors live, and how a run is made repeatable.

The chapters call ``get_device()`` in their first cell, so that one switch,
the environment variable ``AELIB_DEVICE``, moves the whole book to a GPU
(introduced in chapter 00).
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

ALLOWED_DEVICES = ("auto", "cpu", "cuda")


def get_device(preference: str | None = None) -> torch.device:
    """Return the torch device the book runs on.

    Args:
        preference: ``"auto"``, ``"cpu"`` or ``"cuda"``. When None, the
            environment variable ``AELIB_DEVICE`` is read, and when that is
            unset too, ``"auto"`` is used: cuda where torch sees a GPU, else
            cpu.

    Returns:
        ``torch.device("cpu")`` or ``torch.device("cuda")``.

    Raises:
        ValueError: the value is not one of ``auto``, ``cpu``, ``cuda``.
        RuntimeError: ``cuda`` is asked for on a machine where torch sees no
            GPU.
    """
    source = "preference" if preference is not None else "AELIB_DEVICE"
    value = (
        preference
        if preference is not None
        else os.environ.get("AELIB_DEVICE", "auto")
    )
    if not isinstance(value, str):
        raise TypeError(
            f"{source} must be a string, one of {ALLOWED_DEVICES}; "
            f"got {type(value).__name__} {value!r}"
        )
    choice = value.strip().lower() or "auto"
    if choice not in ALLOWED_DEVICES:
        raise ValueError(
            f"{source}={value!r} is not a device aelib knows: expected one of "
            f"{', '.join(ALLOWED_DEVICES)} "
            "(for example `export AELIB_DEVICE=cpu`)"
        )
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if choice == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(
            f"{source}='cuda' but torch sees no CUDA GPU on this machine "
            f"(torch {torch.__version__}, "
            f"CUDA build: {torch.version.cuda or 'none'}). "
            "Set AELIB_DEVICE=auto or cpu, or run on a machine with a GPU "
            "and a CUDA build of torch."
        )
    return torch.device(choice)


def set_seed(seed: int) -> None:
    """Seed Python's, NumPy's and torch's random generators (all devices).

    Args:
        seed: a non-negative integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"seed must be an int; got {type(seed).__name__} {seed!r}"
        )
    if not 0 <= seed < 2**32:
        raise ValueError(f"seed must lie in [0, 2**32); got {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed))
    torch.manual_seed(int(seed))
