"""The repository's places and the book's table of contents, shared by every
test folder (``tests/conftest.py`` puts this folder on the import path)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
ASSIGNMENTS = ROOT / "chapters" / "assignments"
STUDENT = ASSIGNMENTS / "student"


def toc_files() -> list[str]:
    """Every page of ``_toc.yml``, the root first, without extension."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        for chapter in part["chapters"]:
            files.append(chapter["file"])
            files += [s["file"] for s in chapter.get("sections", [])]
    return files


def chapter_files() -> list[str]:
    """The numbered chapters of the table of contents (``chapters/NN_*``)."""
    return [f for f in toc_files() if re.fullmatch(r"chapters/\d\d_\w+", f)]
