"""Committed notebooks carry no outputs: the book build executes them."""

import re

import nbformat
import pytest

from paths import ROOT

NOTEBOOKS = sorted(
    p
    for p in (ROOT / "chapters").rglob("*.ipynb")
    if "student" not in p.parts and ".ipynb_checkpoints" not in p.parts
)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_outputs_committed(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
        and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert dirty == [], (
        f"{path.name}: cells {dirty} carry outputs; clear them before committing"
    )
    # The book highlights code by the notebook's language_info (nbval does not record it).
    assert (
        nb.metadata.get("language_info", {}).get("pygments_lexer") == "ipython3"
    ), f"{path.name}: metadata.language_info.pygments_lexer must be 'ipython3'"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize(
    "path",
    [p for p in NOTEBOOKS if "assignments" not in p.parts],
    ids=lambda p: p.name,
)
def test_chapter_pattern(path):
    """Title first, device chosen in the first code cell, summary and exercises at the end."""
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[
        0
    ].source.startswith("# ")
    first_code = next(
        c
        for c in nb.cells
        if c.cell_type == "code"
        and "colab-setup" not in c.metadata.get("tags", [])
    )
    assert (
        "get_device()" in first_code.source and "set_seed(" in first_code.source
    )
    text = "\n".join(c.source for c in nb.cells)
    assert "## Summary" in text and "## Exercises" in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(
        r"\.cuda\(\)|torch\.device\([\"']cuda|device\s*=\s*[\"']cuda", code
    ), "chapters must not hard-code cuda: use aelib.get_device()"


def _colab_cell():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "colab_cell", ROOT / ".binder" / "colab_cell.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT))
)
def test_colab_cell_first(path):
    """The first code cell sets the book up on Colab, from _config.yml's repository (`python .binder/colab_cell.py`)."""
    colab = _colab_cell()
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.source == colab.source(), (
        f"{path.name}: run `python .binder/colab_cell.py`"
    )
    assert set(first_code.metadata.get("tags", [])) >= {
        "colab-setup",
        "remove-cell",
    }


def test_colab_cell_sets_up_the_configured_repository(monkeypatch):
    """Run the cell as Colab would (google.colab imported), recording the commands instead of running them."""
    import subprocess
    import sys
    import types

    import yaml

    colab = _colab_cell()
    calls = []
    monkeypatch.setitem(
        sys.modules, "google.colab", types.ModuleType("google.colab")
    )
    monkeypatch.setattr(
        subprocess, "run", lambda args, check: calls.append(args)
    )
    monkeypatch.setattr(sys, "path", list(sys.path))
    made = []
    monkeypatch.setattr("os.chdir", made.append)
    exec(colab.source(), {})
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"][
        "url"
    ]
    assert calls[0] == ["git", "clone", "--depth", "1", url, "/content/book"]
    assert calls[1] == ["bash", "/content/book/.binder/setup-colab"]
    assert sys.path[0] == "/content/book" and made == ["/content/book/chapters"]
    # The script it runs exists in the book, installs the same pins as `make setup`, then the data.
    script = (ROOT / ".binder" / "setup-colab").read_text()
    assert (
        "-r requirements.txt" in script and "bash .binder/postBuild" in script
    )


def test_colab_cell_does_nothing_elsewhere(monkeypatch):
    import subprocess
    import sys

    colab = _colab_cell()
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(
        subprocess,
        "run",
        lambda *a, **k: pytest.fail("ran a command outside Colab"),
    )
    before = list(sys.path)
    exec(colab.source(), {})
    assert sys.path == before


# Methods that give the same result when applied twice, so `model = model.cpu()` is safe to re-run.
IDEMPOTENT = {
    "cpu",
    "to",
    "eval",
    "train",
    "float",
    "double",
    "detach",
    "contiguous",
    "requires_grad_",
}
MUTATORS = {
    "append",
    "extend",
    "update",
    "insert",
    "pop",
    "add_",
    "mul_",
    "sub_",
    "div_",
    "copy_",
    "zero_",
    "clamp_",
    "fill_",
    "normal_",
    "uniform_",
}


def rerun_hazards(nb) -> list[str]:
    """Statements that change a name an earlier cell made, so re-running their cell changes the result.

    ``x = x - mean`` or ``w += step`` in a later cell, or ``results.append(...)`` on a list from an
    earlier cell: a student who runs that cell twice (or out of order) silently gets another answer.
    A cell that builds its own state (assigns the name before using it) is safe to re-run.
    """
    import ast

    defined, found = set(), []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code = "\n".join(
            line
            for line in cell.source.splitlines()
            if not line.lstrip().startswith(("%", "!"))
        )
        local: set[str] = set()
        for stmt in ast.parse(code).body:
            earlier = defined - local
            if (
                isinstance(stmt, ast.AugAssign)
                and isinstance(stmt.target, ast.Name)
                and stmt.target.id in earlier
            ):
                found.append(
                    f"cell {index}: `{stmt.target.id} {ast.unparse(stmt.op)}= ...` on an earlier cell's name"
                )
            if isinstance(stmt, ast.Assign):
                value = stmt.value
                idempotent = (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Attribute)
                    and value.func.attr in IDEMPOTENT
                )
                loads = {
                    n.id for n in ast.walk(value) if isinstance(n, ast.Name)
                }
                for target in stmt.targets:
                    for n in ast.walk(target):
                        if (
                            isinstance(n, ast.Name)
                            and isinstance(n.ctx, ast.Store)
                            and n.id in loads
                            and n.id in earlier
                            and not idempotent
                        ):
                            found.append(
                                f"cell {index}: `{n.id} = f({n.id})` on an earlier cell's name"
                            )
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                func = stmt.value.func
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id in earlier
                    and func.attr in MUTATORS
                ):
                    found.append(
                        f"cell {index}: `{func.value.id}.{func.attr}(...)` mutates an earlier cell's name"
                    )
            for n in ast.walk(stmt):
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                    local.add(n.id)
                elif isinstance(n, (ast.FunctionDef, ast.ClassDef)):
                    local.add(n.name)
                elif isinstance(n, ast.alias):
                    local.add((n.asname or n.name).split(".")[0])
        defined |= local
    return found


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT))
)
def test_cells_can_be_rerun(path):
    assert rerun_hazards(nbformat.read(path, as_version=4)) == []


def test_rerun_hazards_are_found():
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(
        cells=[
            new_code_cell("x = load()\nlosses = []\nmodel = make()"),
            new_code_cell("x = x - x.mean(0)"),
            new_code_cell("losses.append(1.0)"),
            new_code_cell("model = model.cpu()\ny = 2 * x\ny = y + 1"),
            new_code_cell("x += 1"),
        ]
    )
    found = rerun_hazards(nb)
    assert [f.split(":")[0] for f in found] == ["cell 1", "cell 2", "cell 4"], (
        found
    )


@pytest.mark.parametrize(
    "path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT))
)
def test_plots_label_their_axes(path):
    """A cell that draws a chart labels both axes (readable in print); image grids have no axes."""
    nb = nbformat.read(path, as_version=4)
    unlabelled = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if re.search(
            r"\b(ax\w*|axes\[[^\]]*\]|plt)\.(plot|hist|scatter|bar|barh|semilogy|loglog|errorbar|step)\(",
            cell.source,
        ):
            if not (
                re.search(
                    r"set_xlabel\(|plt\.xlabel\(|supxlabel\(", cell.source
                )
                and re.search(
                    r"set_ylabel\(|plt\.ylabel\(|supylabel\(", cell.source
                )
            ):
                unlabelled.append(index)
    assert unlabelled == [], (
        f"{path.name}: cells {unlabelled} draw a chart without axis labels"
    )
