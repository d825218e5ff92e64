"""Show library code inside a chapter without copying it.

A chapter displays the source of the function it has just taught, read from
aelib itself, so the code a student reads is the code the tests exercise.
"""
from __future__ import annotations

import inspect


def show_source(obj):
    """Display the source of a function, class or module of aelib as a highlighted code block.

    Args:
        obj: the object whose source is shown.

    Returns:
        An ``IPython.display.Markdown`` object (rendered by Jupyter and by the book).
    """
    from IPython.display import Markdown

    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as err:
        raise TypeError(f"obj must be a function, class or module defined in Python source; got {obj!r}") from err
    module = getattr(inspect.getmodule(obj), "__name__", "")
    header = f"*Source of `{module}.{getattr(obj, '__qualname__', '')}`:*\n\n" if module else ""
    return Markdown(header + "```python\n" + source.rstrip() + "\n```")
