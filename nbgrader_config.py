"""The course's nbgrader settings: release, autograde and feedback.

``make course`` lays out a course folder (``_build/course`` unless ``COURSE=``
names another) whose own ``nbgrader_config.py`` loads this file; nbgrader runs
inside that folder, with the project's environment:

    make course
    cd _build/course
    ../../.venv/bin/nbgrader generate_assignment a1_backprop_tied_autoencoder

The instructor guide in the book's appendix walks through a term.
"""

import os
import re
import sys

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
)

c = get_config()  # noqa: F821 (traitlets provides it)

c.CourseDirectory.course_id = "autoencoders"

# nbgrader runs the `alembic` command to set up its gradebook: take the one
# beside this Python, even when the environment's bin/ is not on PATH.
os.environ["PATH"] = os.pathsep.join(
    [os.path.dirname(sys.executable), os.environ.get("PATH", "")]
)

# Grade every submission with the kernel the book is tested with, whatever
# kernel the student's copy names. jupyter_client starts a kernelspec whose
# command is plain `python` with this interpreter, and in a virtual
# environment it prefers the environment's own kernelspecs: run nbgrader from
# the project's .venv and `python3` is that environment.
c.ExecutePreprocessor.kernel_name = "python3"

# Per cell, as the book's own build allows (_config.yml), not nbgrader's 30 s:
# the assignments' slowest cells train networks, seconds on a 2-core laptop
# but many times that on a busy machine or with a student's slower code.
c.ExecutePreprocessor.timeout = 300
# A cell past its time is interrupted and graded as failed; give the
# interrupted kernel a minute to answer (nbgrader's 4 s are too short on a
# busy machine, and then the whole submission fails to grade).
c.ExecutePreprocessor.iopub_timeout = 60


class OverwriteAndRestoreCells(OverwriteCells):
    """nbgrader's OverwriteCells, restoring every deleted test cell safely.

    Students edit, delete and paste cells. nbgrader puts an edited test cell
    back as the instructor wrote it (its source is locked by a checksum), and
    a deleted one with ``add_missing_cells``. In nbgrader 0.9.6 a submission
    fails to grade as a whole when the cell before a deleted one is gone too,
    or when a cell keeps nbgrader metadata without an id: a pasted copy of a
    test cell (DeduplicateIds empties the metadata of all copies but the last)
    or a cell whose id the student changed. Here such a cell becomes plain
    code, and each missing test cell goes after the nearest cell of the
    source notebook that is still there (before the next one when none
    before it is).
    """

    def preprocess_cell(self, cell, resources, index):
        cell, resources = super().preprocess_cell(cell, resources, index)
        meta = cell.metadata.get("nbgrader")
        if meta is not None and "grade_id" not in meta:
            del cell.metadata["nbgrader"]  # matches no cell of the source
        return cell, resources

    @staticmethod
    def grade_ids(nb):
        return [
            cell.metadata.get("nbgrader", {}).get("grade_id")
            for cell in nb.cells
        ]

    def position(self, nb, order, name):
        present = self.grade_ids(nb)
        index = order.index(name)
        for earlier in reversed(order[:index]):
            if earlier in present:
                return present.index(earlier) + 1
        for later in order[index + 1 :]:
            if later in present:
                return present.index(later)
        return len(nb.cells)

    def add_missing_grade_cells(self, nb, resources):
        source = self.gradebook.find_notebook(
            self.notebook_id, self.assignment_id
        )
        cells = {cell.name: cell for cell in source.source_cells}
        order = [cell.name for cell in source.source_cells]
        graded = {cell.name: cell for cell in source.grade_cells}
        solutions = {cell.name for cell in source.solution_cells}
        for name in order:
            if name not in graded or name in self.grade_ids(nb):
                continue
            self.log.warning("Graded cell %s was deleted: restored", name)
            cell = self.missing_cell_transform(
                cells[name],
                graded[name].max_score,
                is_solution=name in solutions,
            )
            nb.cells.insert(self.position(nb, order, name), cell)
        return nb, resources

    def add_missing_task_cells(self, nb, resources):
        source = self.gradebook.find_notebook(
            self.notebook_id, self.assignment_id
        )
        cells = {cell.name: cell for cell in source.source_cells}
        for task in source.task_cells:
            if task.name not in self.grade_ids(nb):
                nb.cells.append(
                    self.missing_cell_transform(
                        cells[task.name], task.max_score, is_task=True
                    )
                )
        return nb, resources


c.OverwriteCells.add_missing_cells = True
# nbgrader's sanitizing steps, with OverwriteCells replaced by the class above
c.Autograde.sanitize_preprocessors = [
    ClearOutput,
    DeduplicateIds,
    OverwriteKernelspec,
    OverwriteAndRestoreCells,
    CheckCellMetadata,
]


class HideHiddenTests(NbGraderPreprocessor):
    """Feedback shows no hidden test: not its code, nor its code in a traceback.

    nbgrader's feedback is the autograded notebook, in which the instructor's
    test cells (hidden tests included) have been put back and run. This
    removes the hidden-test regions from the test cells, as a release does,
    and every line of a traceback that quotes one of their lines; the error's
    name and message (which the test's author wrote) stay.
    """

    _ansi = re.compile(r"\x1b\[[0-9;]*m")
    _code = re.compile(r"^\s*(?:-*>)?\s*\d+\s(.*)$")  # '----> 12 assert x'

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade"):
            return cell, resources
        hidden = self.hidden_lines(cell.source)
        if not hidden:
            return cell, resources
        cell, resources = ClearHiddenTests(parent=self).preprocess_cell(
            cell, resources, index
        )
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                output.traceback = [
                    self.scrub(entry, hidden) for entry in output.traceback
                ]
        return cell, resources

    @staticmethod
    def hidden_lines(source):
        lines, inside = set(), False
        for line in source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and any(ch.isalnum() for ch in line):
                lines.add(line.strip())
        return lines

    def scrub(self, entry, hidden):
        kept = []
        for line in entry.split("\n"):
            match = self._code.match(self._ansi.sub("", line))
            code = match.group(1).strip() if match else None
            if code in hidden or code and "HIDDEN TESTS" in code:
                continue
            kept.append(line)
        return "\n".join(kept)


c.GenerateFeedback.preprocessors = [
    GetGrades,
    HideHiddenTests,
    CSSHTMLHeaderPreprocessor,
]
