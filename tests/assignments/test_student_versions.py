"""The assignments as students and graders see them (executes notebooks: about a minute in all).

1. Each generated student version runs top to bottom with every error being the
   NotImplementedError of a stub, every autograder cell fails until the student writes
   the answers, and no line of a solution or of a hidden test is left in it.
2. A wrong answer planted into each solution is caught by a visible autograder cell.

nbval runs the solution notebooks themselves (``pytest --nbval-lax chapters``).
"""

from __future__ import annotations

import os
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from aelib.assignments import (
    generate,
    private_lines,
    strip_cell_source,
)

from paths import ASSIGNMENTS

NAMES = [
    "a1_backprop_tied_autoencoder",
    "a2_linear_autoencoder_pca",
    "a3_denoising_contractive",
    "a4_semantic_hashing",
]
# One wrong answer per assignment, as a student might write it: (text in a solution, replacement).
MUTATIONS = {
    "a1_backprop_tied_autoencoder": (
        '"W": W_encoder + W_decoder',
        '"W": W_encoder - W_decoder',
    ),  # sign of a term
    "a2_linear_autoencoder_pca": (
        '"b": -(mean @ V)',
        '"b": (mean @ V)',
    ),  # sign of the bias
    "a3_denoising_contractive": (
        "slope = (h * (1.0 - h)) ** 2",
        "slope = h * (1.0 - h)",
    ),  # square forgotten
    "a4_semantic_hashing": (
        "for r in range(radius + 1):",
        "for r in range(radius):",
    ),  # off by one
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def execute(nb, allow_errors):
    os.environ.setdefault("AELIB_PROGRESS", "0")
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=600,
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(ASSIGNMENTS)}},
    )
    client.execute()
    return nb


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def is_grader(cell):
    return (
        bool(cell.metadata.get("nbgrader", {}).get("grade"))
        and cell.cell_type == "code"
    )


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    written = generate(ASSIGNMENTS, out)
    assert sorted(p.stem for p in written) == NAMES
    return out


@pytest.mark.parametrize("name", NAMES)
def test_student_version_stops_only_at_the_stubs(name, student_dir):
    solution = nbformat.read(ASSIGNMENTS / f"{name}.ipynb", as_version=4)
    student = nbformat.read(student_dir / f"{name}.ipynb", as_version=4)
    student_text = {
        line.strip()
        for cell in student.cells
        for line in cell.source.splitlines()
    }
    left = sorted(private_lines(solution) & student_text)
    assert not left, (
        f"{name}: lines of the solution or hidden tests left in the student version: {left}"
    )
    assert all(
        not c.get("outputs") for c in student.cells if c.cell_type == "code"
    )

    execute(student, allow_errors=True)
    raised = 0
    for index, cell in enumerate(student.cells):
        for err in errors(cell):
            raised += 1
            where = f"{name}, cell {index}: {cell.source[:80]!r}"
            assert err.ename == "NotImplementedError", (
                f"{where} raised {err.ename}: {err.evalue}\n"
                + ANSI.sub("", "\n".join(err.traceback))
            )
            innermost = ANSI.sub(
                "", err.traceback[-2] if len(err.traceback) > 1 else ""
            )
            assert "raise NotImplementedError()" in innermost, (
                f"{where}: the NotImplementedError must come from a stub, not from elsewhere:\n{innermost}"
            )
        if is_grader(cell):
            assert errors(cell), (
                f"{name}, cell {index}: an autograder cell passes with no answer written"
            )
    assert raised >= 4, (
        f"{name}: expected the stubs to stop several cells; {raised} did"
    )


@pytest.mark.parametrize("name", NAMES)
def test_planted_wrong_answer_is_caught_by_a_visible_autograder_cell(name):
    old, new = MUTATIONS[name]
    nb = nbformat.read(ASSIGNMENTS / f"{name}.ipynb", as_version=4)
    planted = [cell for cell in nb.cells if old in cell.source]
    assert len(planted) == 1 and planted[0].metadata["nbgrader"]["solution"], (
        f"{name}: the text to change must occur in exactly one solution cell: {old!r}"
    )
    planted[0].source = planted[0].source.replace(old, new)
    for cell in nb.cells:
        if is_grader(cell):
            cell.source = strip_cell_source(
                cell.source
            )  # visible checks only: hidden tests removed
    with pytest.raises(CellExecutionError):
        execute(nb, allow_errors=False)
    failed = [
        (index, cell) for index, cell in enumerate(nb.cells) if errors(cell)
    ]
    assert len(failed) == 1
    index, cell = failed[0]
    err = errors(cell)[0]
    assert is_grader(cell), (
        f"{name}: the wrong answer broke cell {index}, which is not an autograder cell: {err.ename}"
    )
    assert err.ename == "AssertionError", (
        f"{name}: expected an AssertionError in cell {index}; got {err.ename}: {err.evalue}"
    )
    print(
        f"{name}: {old!r} -> {new!r} caught by {cell.metadata['nbgrader']['grade_id']}: {err.evalue[:120]}"
    )
