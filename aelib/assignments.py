"""Student versions of the assignments, generated from their solution notebooks.

The solution notebooks under ``chapters/assignments/`` mark their answers with
the nbgrader convention, so an instructor can move them to nbgrader unchanged::

    ### BEGIN SOLUTION            ### BEGIN HIDDEN TESTS
    ...answer...                  ...grader-only checks...
    ### END SOLUTION              ### END HIDDEN TESTS

A student version replaces each solution region by the stub nbgrader writes
(``# YOUR CODE HERE`` and ``raise NotImplementedError()``, at the indentation of
the ``### BEGIN SOLUTION`` line; ``YOUR ANSWER HERE`` in a markdown cell), drops
each hidden-test region, and clears every output. The notebooks are read and
written with nbformat, never by editing their JSON as text.

Run it as ``python -m aelib.assignments SOURCE_DIR TARGET_DIR``
(``make student``).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"
_MARKER = re.compile(r"^(\s*)(### (?:BEGIN|END) (?:SOLUTION|HIDDEN TESTS))\s*$")


class MarkerError(ValueError):
    """A notebook's solution or hidden-test markers do not pair up."""


def _cell_name(notebook: str, index: int, cell) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"{notebook}, cell {index}" + (f" ({grade_id})" if grade_id else "")


def regions(source: str, where: str = "cell") -> list[tuple[str, int, int]]:
    """Find the marked regions of one cell's source.

    Args:
        source: the cell source.
        where: how to name the cell in an error message.

    Returns:
        ``[(kind, begin_line, end_line), ...]`` with kind ``"solution"`` or
        ``"hidden"`` and 0-based line numbers of the two marker lines.

    Raises:
        MarkerError: a marker without its partner, or one region opened
            inside another.
    """
    found, open_kind, open_line = [], None, None
    for i, line in enumerate(source.splitlines()):
        m = _MARKER.match(line)
        if not m:
            continue
        marker = m.group(2)
        kind = "solution" if marker.endswith("SOLUTION") else "hidden"
        if marker.startswith("### BEGIN"):
            if open_kind is not None:
                raise MarkerError(
                    f"{where}: line {i + 1} opens '{marker}' inside the "
                    f"{open_kind} region "
                    f"opened on line {open_line + 1}; close that one first"
                )
            open_kind, open_line = kind, i
        else:
            if open_kind != kind:
                opened = (
                    f"the {open_kind} region opened on line {open_line + 1}"
                    if open_kind
                    else "no open region"
                )
                raise MarkerError(
                    f"{where}: line {i + 1} has '{marker}' "
                    f"but there is {opened}"
                )
            found.append((kind, open_line, i))
            open_kind = None
    if open_kind is not None:
        end = END_SOLUTION if open_kind == "solution" else END_HIDDEN
        raise MarkerError(
            f"{where}: the {open_kind} region opened on line {open_line + 1} "
            f"has no '{end}'"
        )
    return found


def private_lines(nb, kinds=("solution", "hidden")) -> set[str]:
    """The lines a student must not see: the stripped lines (with a letter
    or a digit) inside the ``kinds`` regions of a solution notebook, less
    those that are part of a line it shows outside every region. A
    formatted call opens visible and hidden checks alike (``assert
    np.isclose(``): such a line gives nothing away.

    Args:
        nb: a solution notebook (nbformat).
        kinds: ``"solution"``, ``"hidden"`` or both.
    """
    inside, shown = set(), set()
    for index, cell in enumerate(nb.cells):
        lines = cell.source.splitlines()
        marked = set()
        for kind, begin, end in regions(cell.source, f"cell {index}"):
            marked.update(range(begin, end + 1))
            if kind in kinds:
                inside |= {
                    line.strip()
                    for line in lines[begin + 1 : end]
                    if any(ch.isalnum() for ch in line)
                }
        shown |= {
            line.strip() for i, line in enumerate(lines) if i not in marked
        }
    return {line for line in inside if not any(line in s for s in shown)}


def strip_cell_source(
    source: str, cell_type: str = "code", where: str = "cell"
) -> str:
    """Return the student version of one cell's source (see the module
    docstring)."""
    lines = source.splitlines()
    out, position = [], 0
    for kind, begin, end in regions(source, where):
        out.extend(lines[position:begin])
        if kind == "solution":
            if cell_type == "code":
                indent = _MARKER.match(lines[begin]).group(1)
                out.extend(indent + stub for stub in CODE_STUB)
            else:
                out.append(MARKDOWN_STUB)
        position = end + 1
    out.extend(lines[position:])
    return "\n".join(out)


def student_notebook(nb, name: str = "notebook"):
    """Return a student copy of a solution notebook: answers stubbed, hidden
    tests gone, no outputs.

    A cell holding a solution region must carry nbgrader's ``"solution": true``
    metadata and one holding hidden tests ``"grade": true``, as nbgrader
    itself requires.

    Args:
        nb: an ``nbformat.NotebookNode`` (version 4).
        name: the notebook's name for error messages.

    Raises:
        MarkerError: unbalanced markers, or markers in a cell whose metadata
            does not allow them.
    """
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        where = _cell_name(name, index, cell)
        found = regions(cell.source, where)
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if any(k == "solution" for k, _, _ in found) and not meta.get(
            "solution"
        ):
            raise MarkerError(
                f"{where}: has '{BEGIN_SOLUTION}' but its metadata "
                "lacks nbgrader "
                '"solution": true (nbgrader would refuse it)'
            )
        if any(k == "hidden" for k, _, _ in found) and not meta.get("grade"):
            raise MarkerError(
                f"{where}: has '{BEGIN_HIDDEN}' but is not an autograder cell "
                '(its metadata lacks nbgrader "grade": true)'
            )
        cell.source = strip_cell_source(cell.source, cell.cell_type, where)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    # The book shows the student versions as they are handed out, without
    # running them: their stubs raise NotImplementedError by design.
    nb.metadata.setdefault("mystnb", {})["execution_mode"] = "off"
    return nb


def write_atomic(nb, path: Path) -> None:
    """Write a notebook atomically (see ``aelib.files.atomic_write``)."""
    from .files import atomic_write

    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            nbformat.write(nb, f)

    atomic_write(path, write)


def generate(source_dir, target_dir) -> list[Path]:
    """Write the student version of every ``*.ipynb`` directly in
    ``source_dir`` to ``target_dir``.

    Every notebook is converted before any is written, so a marker error
    leaves the target as it was.

    Returns:
        The paths written, sorted by name.
    """
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(
            "source_dir must be a folder of solution notebooks; "
            f"got {source_dir}"
        )
    if source_dir.resolve() == target_dir.resolve():
        raise ValueError(
            f"target_dir must differ from source_dir ({source_dir}): "
            "the solutions would be overwritten"
        )
    sources = sorted(source_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(
            f"source_dir {source_dir} holds no .ipynb notebook"
        )
    students = []
    for path in sources:
        nb = nbformat.read(path, as_version=4)
        students.append(
            (target_dir / path.name, student_notebook(nb, str(path)))
        )
    for path, nb in students:
        write_atomic(nb, path)
    return [path for path, _ in students]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aelib.assignments", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "source_dir", help="folder of solution notebooks (chapters/assignments)"
    )
    parser.add_argument(
        "target_dir",
        help="folder for the student versions (chapters/assignments/student)",
    )
    args = parser.parse_args(argv)
    try:
        written = generate(args.source_dir, args.target_dir)
    except (MarkerError, FileNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
