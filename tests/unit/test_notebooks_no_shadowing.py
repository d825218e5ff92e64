"""No chapter defines, at the top level of a cell, a function or class under
the name of one of aelib's: a chapter that teaches a piece of code in the
open names its own version differently, so a reader never meets two meanings
of one name. Assignments are left out: there the student writes, on purpose,
what aelib holds."""

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import nbformat
import pytest

import aelib

from paths import ROOT

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def aelib_names() -> dict[str, str]:
    """Every public function and class defined in an aelib module."""
    names = {}
    for info in pkgutil.iter_modules(aelib.__path__):
        module = importlib.import_module(f"aelib.{info.name}")
        for name, obj in vars(module).items():
            if (
                not name.startswith("_")
                and (inspect.isfunction(obj) or inspect.isclass(obj))
                and obj.__module__ == module.__name__
            ):
                names[name] = module.__name__
    return names


def defined_names(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # Lines of IPython magic are not Python.
        source = "\n".join(
            line
            for line in cell.source.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        for node in ast.parse(source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                out.append(node.name)
    return out


def test_the_check_finds_a_shadowing_name(tmp_path):
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("class HashingAutoencoder:\n    pass")]
    )
    path = tmp_path / "x.ipynb"
    nbformat.write(nb, path)
    assert set(defined_names(path)) & set(aelib_names()) == {
        "HashingAutoencoder"
    }


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_chapter_shadows_an_aelib_name(path):
    names = aelib_names()
    clash = {n: names[n] for n in defined_names(path) if n in names}
    assert not clash, (
        f"{path.name} defines {sorted(clash)}, names of "
        f"{sorted(set(clash.values()))}: rename the "
        "chapter's version or import aelib's"
    )
