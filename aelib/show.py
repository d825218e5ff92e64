"""Show library code inside a chapter without copying it.

A chapter displays the source of the function it has just taught, read from
aelib itself, so the code a student reads is the code the tests exercise.
"""

from __future__ import annotations

import inspect
import os


def show_source(obj):
    """Display the source of a function, class or module of aelib as a
    highlighted code block.

    Args:
        obj: the object whose source is shown.

    Returns:
        An ``IPython.display.Markdown`` object (rendered by Jupyter and by the
        book).
    """
    from IPython.display import Markdown

    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as err:
        raise TypeError(
            "obj must be a function, class or module defined in Python source; "
            f"got {obj!r}"
        ) from err
    module = getattr(inspect.getmodule(obj), "__name__", "")
    header = (
        f"*Source of `{module}.{getattr(obj, '__qualname__', '')}`:*\n\n"
        if module
        else ""
    )
    return Markdown(header + "```python\n" + source.rstrip() + "\n```")


def in_jupyter() -> bool:
    """True in a Jupyter kernel a person is using; False in the book build,
    the notebook tests (both set ``AELIB_PROGRESS=0``, see the Makefile) and
    outside Jupyter. There a widget or a bar would only leave an output that
    a static page cannot run.
    """
    if os.environ.get("AELIB_PROGRESS", "1") == "0":
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in shell.config


def progress_bar(progress: bool | None, **tqdm_args):
    """A tqdm bar when ``progress`` is True (or None and ``in_jupyter()``),
    else None. ``tqdm.auto`` draws a widget in Jupyter, text elsewhere.
    """
    wanted = in_jupyter() if progress is None else bool(progress)
    if not wanted:
        return None
    from tqdm.auto import tqdm

    return tqdm(leave=False, **tqdm_args)
