"""Committed notebooks carry no outputs: the book build executes them."""
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "chapters").rglob("*.ipynb")
                   if "student" not in p.parts and ".ipynb_checkpoints" not in p.parts)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_outputs_committed(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert dirty == [], f"{path.name}: cells {dirty} carry outputs; clear them before committing"
    # The book highlights code by the notebook's language_info (nbval does not record it).
    assert nb.metadata.get("language_info", {}).get("pygments_lexer") == "ipython3", \
        f"{path.name}: metadata.language_info.pygments_lexer must be 'ipython3'"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if "assignments" not in p.parts],
                         ids=lambda p: p.name)
def test_chapter_pattern(path):
    """Title first, device chosen in the first code cell, summary and exercises at the end."""
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    first_code = next(c for c in nb.cells if c.cell_type == "code" and "colab-setup" not in c.metadata.get("tags", []))
    assert "get_device()" in first_code.source and "set_seed(" in first_code.source
    text = "\n".join(c.source for c in nb.cells)
    assert "## Summary" in text and "## Exercises" in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"\.cuda\(\)|torch\.device\([\"']cuda|device\s*=\s*[\"']cuda", code), \
        "chapters must not hard-code cuda: use aelib.get_device()"


def _colab_cell():
    import importlib.util

    spec = importlib.util.spec_from_file_location("colab_cell", ROOT / ".binder" / "colab_cell.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_colab_cell_first(path):
    """The first code cell sets the book up on Colab, from _config.yml's repository (`python .binder/colab_cell.py`)."""
    colab = _colab_cell()
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.source == colab.source(), f"{path.name}: run `python .binder/colab_cell.py`"
    assert set(first_code.metadata.get("tags", [])) >= {"colab-setup", "remove-cell"}


def test_colab_cell_sets_up_the_configured_repository(monkeypatch):
    """Run the cell as Colab would (google.colab imported), recording the commands instead of running them."""
    import subprocess
    import sys
    import types

    import yaml

    colab = _colab_cell()
    calls = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", lambda args, check: calls.append(args))
    monkeypatch.setattr(sys, "path", list(sys.path))
    made = []
    monkeypatch.setattr("os.chdir", made.append)
    exec(colab.source(), {})
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert calls[0] == ["git", "clone", "--depth", "1", url, "/content/book"]
    assert calls[1] == ["bash", "/content/book/.binder/setup-colab"]
    assert sys.path[0] == "/content/book" and made == ["/content/book/chapters"]
    # The script it runs exists in the book, installs the same pins as `make setup`, then the data.
    script = (ROOT / ".binder" / "setup-colab").read_text()
    assert "-r requirements.txt" in script and "bash .binder/postBuild" in script


def test_colab_cell_does_nothing_elsewhere(monkeypatch):
    import subprocess
    import sys

    colab = _colab_cell()
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("ran a command outside Colab"))
    before = list(sys.path)
    exec(colab.source(), {})
    assert sys.path == before
