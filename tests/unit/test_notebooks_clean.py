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
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "get_device()" in first_code.source and "set_seed(" in first_code.source
    text = "\n".join(c.source for c in nb.cells)
    assert "## Summary" in text and "## Exercises" in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"\.cuda\(\)|torch\.device\([\"']cuda|device\s*=\s*[\"']cuda", code), \
        "chapters must not hard-code cuda: use aelib.get_device()"
