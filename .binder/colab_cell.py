"""The Colab cell: the first code cell of every notebook, which sets up the book on Google Colab.

A notebook opened with the Colab launch button arrives alone, without aelib, the pins or the data.
Its first code cell clones the book from the repository in ``_config.yml`` (the one setting that
also drives the launch buttons) and runs ``.binder/setup-colab``; anywhere else it does nothing.

``python .binder/colab_cell.py`` writes (or rewrites) that cell into every notebook, for instance
after the repository moves; ``tests/unit/test_notebooks_clean.py`` checks that every notebook
carries it, word for word.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
TAG = "colab-setup"


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"][
        "url"
    ]


def source(url: str | None = None) -> str:
    """The cell's code for the book at ``url`` (default: ``_config.yml``'s repository.url)."""
    url = url or repository_url()
    return f'''# On Google Colab only: fetch the book, then install its pinned packages and data
# (a few minutes, once a session). Anywhere else this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import os
    import subprocess

    BOOK = "/content/book"
    if not os.path.isdir(BOOK):
        repository = "{url}"
        subprocess.run(
            ["git", "clone", "--depth", "1", repository, BOOK], check=True
        )
        subprocess.run(["bash", f"{{BOOK}}/.binder/setup-colab"], check=True)
    sys.path.insert(0, BOOK)
    os.chdir(f"{{BOOK}}/chapters")'''


def cell() -> nbformat.NotebookNode:
    # Hidden in the HTML book (its readers need no setup); present in the notebook Colab opens.
    return nbformat.v4.new_code_cell(
        source(), metadata={"tags": [TAG, "remove-cell"]}
    )


def notebooks() -> list[Path]:
    chapters = ROOT / "chapters"
    return sorted(
        p
        for p in chapters.rglob("*.ipynb")
        if "student" not in p.parts and ".ipynb_checkpoints" not in p.parts
    )


def write(path: Path) -> bool:
    """Put the Colab cell first among the code cells of ``path``; True when the file changed."""
    nb = nbformat.read(path, as_version=4)
    old = [c for c in nb.cells if TAG in c.metadata.get("tags", [])]
    if len(old) == 1 and old[0].source == source() and old[0].get("id") == TAG:
        return False
    cells = [c for c in nb.cells if TAG not in c.metadata.get("tags", [])]
    first_code = next(i for i, c in enumerate(cells) if c.cell_type == "code")
    new = cell()
    new["id"] = (
        TAG  # a fixed id: rewriting the cell leaves an unchanged notebook unchanged
    )
    cells.insert(first_code, new)
    nb.cells = cells
    nbformat.write(nb, path)
    return True


if __name__ == "__main__":
    changed = [p for p in notebooks() if write(p)]
    print(
        f"Colab cell written into {len(changed)} of {len(notebooks())} notebooks",
        file=sys.stderr,
    )
