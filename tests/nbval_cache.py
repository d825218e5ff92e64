"""pytest plugin: keep what nbval executed, so the book build does not execute it again.

nbval runs every code cell of a notebook in a live kernel and fails on any
error or broken assert. It records each cell's outputs as it goes; this plugin
puts those outputs back into the notebook and, once every cell of the notebook
has passed, stores the executed notebook in the book's jupyter-cache
(``_build/.jupyter_cache``). ``jupyter-book build`` with ``execute_notebooks:
cache`` then matches the notebook by the hash of its code and uses the stored
outputs. A notebook with a failing cell is never cached, so the build runs it
again and fails loudly too.

Use: ``pytest -p tests.nbval_cache --nbval-lax --nbval-current-env chapters``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "_build" / ".jupyter_cache"

_failed: set[str] = set()
_started: dict[str, float] = {}
_cached: list[str] = []
# The machine's speed beside the chapters' times (aelib.bench.yardstick): the
# benchmark appendix scales the times to a quiet machine with it.
_yardstick: dict[str, float] = {}


def _is_cell(item) -> bool:
    return type(item).__name__ == "IPyNbCell"


def pytest_collection_finish(session):
    if any(_is_cell(item) for item in session.items):
        from aelib.bench import yardstick

        _yardstick["start"] = yardstick()


def pytest_sessionfinish(session):
    if _cached and "start" in _yardstick:
        from aelib.bench import yardstick

        _yardstick["end"] = yardstick()
        (CACHE / "yardstick.json").write_text(json.dumps(_yardstick))


def pytest_runtest_setup(item):
    if _is_cell(item):
        _started.setdefault(str(item.parent.fspath), time.perf_counter())


def pytest_runtest_logreport(report):
    if report.failed and "::Cell" in report.nodeid:
        _failed.add(report.nodeid.split("::")[0])


def pytest_runtest_teardown(item, nextitem):
    if not _is_cell(item):
        return
    if item.test_outputs is not None:
        item.cell.outputs = [nbformat.from_dict(o) for o in item.test_outputs]
        item.cell.execution_count = item.cell_num + 1
    if nextitem is not None and nextitem.parent is item.parent:
        return
    # Last cell of this notebook: cache it if every cell passed.
    nodeid = item.nodeid.split("::")[0]
    path = str(item.parent.fspath)
    if nodeid in _failed:
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    seconds = time.perf_counter() - _started.get(path, time.perf_counter())
    cache = get_cache(str(CACHE))
    cache.cache_notebook_bundle(
        CacheBundleIn(
            item.parent.nb,
            path,
            data={
                "execution_seconds": seconds,
                "plain_samples_per_s": _yardstick.get("start"),
            },
        ),
        check_validity=False,
        overwrite=True,
    )
    _cached.append(f"{Path(path).relative_to(ROOT)}: {seconds:.1f} s")


def pytest_terminal_summary(terminalreporter):
    if _cached:
        terminalreporter.write_sep(
            "-", "executed notebooks stored for the book build"
        )
        for line in _cached:
            terminalreporter.write_line(line)
