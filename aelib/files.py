"""Write a file so that a reader sees the old one or the whole new one.

Every file aelib writes (derived data, checkpoints, training state, student
notebooks) goes through ``atomic_write``: an interrupted run never leaves a
half-written file where a good one stood.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def atomic_write(path: str | Path, write: Callable[[str], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it.

    ``os.replace`` is atomic on one file system. The temporary file is
    flushed to disk before the rename and removed if ``write`` fails.

    Args:
        path: the file to create or replace; its folder is created.
        write: a function that writes the whole content to the path it gets.

    Returns:
        ``path`` as a ``Path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=path.name + ".", suffix=".tmp"
    )
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
