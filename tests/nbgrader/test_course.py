"""The assignments as an nbgrader course: release, autograde, feedback.

nbgrader 0.9.6 itself runs every step, with the repository's
nbgrader_config.py, in one course folder for the whole module:
``course`` lays it out as ``make course`` does and releases every
assignment; ``graded`` hands in the submissions below and autogrades them
all; ``feedback`` writes every student's feedback. Each step runs once.

Submissions (student id: what was handed in):

- ``solution``: the solution notebook, for every assignment;
- ``blank``: the student version as released in the book, for every one;
- ``edited`` (a1): the student version with every test cell rewritten to
  pass, its points raised and its lock removed, and one test cell's id
  changed;
- ``deleted`` (a1): the solution with two test cells deleted, a cell and a
  note added, and a copy of a test cell (same id, more points) pasted in;
- ``deleted_pair`` (a1): the solution without question 3's answer and its
  first test cell;
- ``hidden`` (a4): a solution whose question 1 passes every visible check
  and fails a hidden one;
- ``slow`` (a1, graded on its own, 20 s a cell): the solution
  with an added cell that never ends.
"""

from __future__ import annotations

import copy
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from aelib.assignments import private_lines

from paths import ASSIGNMENTS, ROOT, STUDENT

BIN = Path(sys.executable).parent
A1, A4 = "a1_backprop_tied_autoencoder", "a4_semantic_hashing"
NAMES = sorted(path.stem for path in ASSIGNMENTS.glob("*.ipynb"))


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def nbgrader(course: Path, *args: str, expected: tuple = ()) -> str:
    """Run ``nbgrader ARGS`` in ``course``; fail with its log if it fails,
    or logs an error other than the ``expected`` ones.

    The environment's bin/ is left off PATH, as it is for an instructor who
    calls .venv/bin/nbgrader without activating the environment: the course
    configuration must find nbgrader's tools itself.
    """
    path = [
        p
        for p in os.environ.get("PATH", "").split(os.pathsep)
        if p and Path(p).resolve() != BIN.resolve()
    ]
    env = {**os.environ, "PATH": os.pathsep.join(path), "AELIB_PROGRESS": "0"}
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    log = done.stdout + done.stderr
    (course / f"nbgrader-{args[0]}.log").write_text(log)
    # each error with the lines that follow it (its traceback)
    errors = [
        error
        for error in re.findall(
            r"^.*\| ERROR\].*(?:\n(?!\[).*){0,40}", log, re.M
        )
        if not any(text in error for text in expected)
    ]
    if done.returncode or errors:
        pytest.fail(
            f"nbgrader {' '.join(args)} exited with {done.returncode}:\n"
            + "\n".join(errors or log.splitlines()[-5:])
        )
    return log


def hand_in(course: Path, student: str, name: str, nb) -> None:
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")


def solution(name):
    return nbformat.read(ASSIGNMENTS / f"{name}.ipynb", as_version=4)


def released(name):
    return nbformat.read(STUDENT / f"{name}.ipynb", as_version=4)


def edited_tests(nb):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            cell.source = 'print("all tests passed")'
            meta.update(locked=False, points=100)
            if meta["grade_id"] == "q4_train_tests":
                meta["grade_id"] = "my_tests"
    return nb


def deleted_and_added(nb):
    pasted = copy.deepcopy(
        next(c for c in nb.cells if grade_id(c) == "q4_train_tests")
    )
    pasted.source = 'print("Question 4 passed")'
    pasted["id"] = "pasted-copy"  # JupyterLab gives a pasted cell a new id
    pasted.metadata.nbgrader["points"] = 10
    cells = []
    for cell in nb.cells:
        if grade_id(cell) in ("q1_forward_tests", "q2_losses_tests"):
            continue
        cells.append(cell)
        if grade_id(cell) == "q1_forward":
            cells.append(nbformat.v4.new_code_cell("scratch = 1 + 1"))
            cells.append(nbformat.v4.new_markdown_cell("my notes"))
    cells.insert(3, pasted)
    nb.cells = cells
    return nb


def deleted_pair(nb):
    gone = ("q3_gradients", "q3_finite_differences")
    nb.cells = [cell for cell in nb.cells if grade_id(cell) not in gone]
    return nb


# Question 1 of a4 with one threshold for every code unit: the visible
# checks use equal thresholds and pass; a hidden one uses unequal ones.
HIDDEN_ONLY = (
    "bits = (np.asarray(h) > np.asarray(thresholds)).astype(np.int64)",
    "bits = (np.asarray(h) > np.mean(thresholds)).astype(np.int64)",
)


def fails_hidden_only(nb):
    old, new = HIDDEN_ONLY
    (cell,) = [cell for cell in nb.cells if old in cell.source]
    cell.source = cell.source.replace(old, new)
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder laid out by scripts/course.py, every assignment
    released with ``nbgrader generate_assignment``."""
    folder = tmp_path_factory.mktemp("course")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "course.py"), str(folder)],
        check=True,
        capture_output=True,
    )
    nbgrader(folder, "generate_assignment", "*")
    return folder


@pytest.fixture(scope="module")
def graded(course):
    """The submissions above, autograded; returns the course folder."""
    for name in NAMES:
        hand_in(course, "solution", name, solution(name))
        hand_in(course, "blank", name, released(name))
    hand_in(course, "edited", A1, edited_tests(released(A1)))
    hand_in(course, "deleted", A1, deleted_and_added(solution(A1)))
    hand_in(course, "deleted_pair", A1, deleted_pair(solution(A1)))
    hand_in(course, "hidden", A4, fails_hidden_only(solution(A4)))
    nbgrader(course, "autograde", "*")
    return course


@pytest.fixture(scope="module")
def feedback(graded):
    """Every submission's feedback page; returns the course folder."""
    nbgrader(graded, "generate_feedback", "*")
    return graded


@pytest.fixture(scope="module")
def gradebook(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gb:
        yield gb


# (automatic points, all points): each assignment has answers graded by hand
POINTS = {
    "a1_backprop_tied_autoencoder": (12, 13),
    "a2_linear_autoencoder_pca": (8, 9),
    "a3_denoising_contractive": (12, 12),
    "a4_semantic_hashing": (10, 11),
}
NBGRADER_KEYS = ("grade", "grade_id", "locked", "points", "solution", "task")


def grades(gradebook, name, student):
    submission = gradebook.find_submission(name, student)
    return {
        grade.name: grade.auto_score
        for notebook in submission.notebooks
        for grade in notebook.grades
    }


def autograded(course, student, name):
    path = course / "autograded" / student / name / f"{name}.ipynb"
    return nbformat.read(path, as_version=4)


def page_text(path):
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_course_folder_as_make_course_lays_it_out(course):
    for name in NAMES:
        copied = course / "source" / name / f"{name}.ipynb"
        assert (
            copied.read_bytes() == (ASSIGNMENTS / f"{name}.ipynb").read_bytes()
        )
    config = (course / "nbgrader_config.py").read_text()
    assert repr(str(ROOT / "nbgrader_config.py")) in config


def test_configuration_reaches_nbgrader(course):
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(
        "nbgrader_config.py", path=str(course)
    ).load_config()
    execute = Execute(config=config)
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    # the same allowance per cell as the book's build, not nbgrader's 30 s
    assert execute.timeout == book["execute"]["timeout"] == 300
    assert execute.kernel_name == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_generate_assignment_writes_the_committed_student_version(course, name):
    ours = nbformat.read(STUDENT / f"{name}.ipynb", as_version=4)
    theirs = nbformat.read(
        course / "release" / name / f"{name}.ipynb", as_version=4
    )
    assert len(theirs.cells) == len(ours.cells)
    for index, (mine, release) in enumerate(zip(ours.cells, theirs.cells)):
        where = f"{name}, cell {index} ({grade_id(mine)})"
        assert release.cell_type == mine.cell_type, where
        assert release.source == mine.source, where
        assert release.get("id") == mine.get("id"), where
        assert not release.get("outputs") and not mine.get("outputs"), where
        meta = [c.metadata.get("nbgrader", {}) for c in (mine, release)]
        assert [{k: m.get(k) for k in NBGRADER_KEYS} for m in meta] == [
            {k: meta[0].get(k) for k in NBGRADER_KEYS}
        ] * 2, where


@pytest.mark.parametrize("name", NAMES)
def test_solution_gets_every_automatic_point(gradebook, name):
    auto, total = POINTS[name]
    submission = gradebook.find_submission(name, "solution")
    assert (submission.score, submission.max_score) == (auto, total)
    manual = {
        cell.name
        for notebook in submission.notebooks
        for cell in notebook.notebook.grade_cells
        if cell.cell_type == "markdown"
    }
    scores = grades(gradebook, name, "solution")
    assert all(scores[cell] is None for cell in manual), scores
    assert None not in [v for k, v in scores.items() if k not in manual]


@pytest.mark.parametrize("name", NAMES)
def test_student_version_gets_zero(gradebook, graded, name):
    submission = gradebook.find_submission(name, "blank")
    assert (submission.score, submission.max_score) == (0, POINTS[name][1])
    assert set(grades(gradebook, name, "blank").values()) == {0}
    # graded to the end: every test cell ran and failed on its own
    nb = autograded(graded, "blank", name)
    tests = [c for c in nb.cells if c.cell_type == "code" and grade_id(c)]
    assert all(c.get("execution_count") for c in tests)


def test_edited_test_cells_are_graded_by_the_instructors_tests(
    gradebook, graded
):
    submission = gradebook.find_submission(A1, "edited")
    assert (submission.score, submission.max_score) == (0, 13)
    tests = {
        grade_id(c): c.source
        for c in solution(A1).cells
        if c.metadata.get("nbgrader", {}).get("locked")
    }
    ran = {
        grade_id(c): c.source
        for c in autograded(graded, "edited", A1).cells
        if grade_id(c) in tests
    }
    assert ran.keys() == tests.keys()
    for name, source in ran.items():
        # the one whose id was changed comes back under a note that says so
        assert source.endswith(tests[name]), name
    assert "was missing" in ran["q4_train_tests"]


def test_deleted_and_added_cells_still_graded_in_full(gradebook, graded):
    submission = gradebook.find_submission(A1, "deleted")
    assert submission.score == POINTS[A1][0]
    order = [grade_id(c) for c in autograded(graded, "deleted", A1).cells]
    # each deleted test is put back after its answer, and run there
    for answer, test in [
        ("q1_forward", "q1_forward_tests"),
        ("q2_losses", "q2_losses_tests"),
    ]:
        assert order.index(test) == order.index(answer) + 1
    assert order.count("q4_train_tests") == 1


def test_a_deleted_answer_and_its_test_score_zero_without_a_crash(
    gradebook,
):
    scores = grades(gradebook, A1, "deleted_pair")
    assert scores["q3_finite_differences"] == 0
    assert scores["q1_forward_tests"] == scores["q2_losses_tests"] == 2


def test_autograde_runs_the_hidden_tests(gradebook, graded):
    scores = grades(gradebook, A4, "hidden")
    assert scores["q1_addresses_tests"] == 0
    assert scores["q2_hamming_tests"] == 2 and scores["q3_table_tests"] == 3
    (cell,) = [
        c
        for c in autograded(graded, "hidden", A4).cells
        if grade_id(c) == "q1_addresses_tests"
    ]
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    assert error.evalue == "hidden: per-unit thresholds"


def feedback_pages(course):
    pages = sorted((course / "feedback").glob("*/*/*.html"))
    students = {"solution", "blank", "edited", "deleted", "deleted_pair"}
    assert {p.parts[-3] for p in pages} == students | {"hidden"}
    return pages


def test_feedback_shows_students_no_hidden_test(feedback):
    hidden = {
        name: private_lines(solution(name), kinds=("hidden",)) for name in NAMES
    }
    assert all(hidden.values())
    for page in feedback_pages(feedback):
        text = page_text(page)
        name = page.parts[-2]
        shown = sorted(line for line in hidden[name] if line in text)
        assert not shown, f"{page.relative_to(feedback)} shows {shown}"
        assert "HIDDEN TESTS" not in text
        assert "Score:" in text


def test_feedback_reports_a_failed_hidden_test_by_its_message(feedback):
    # the autograded notebook's traceback quotes the hidden line ...
    (cell,) = [
        c
        for c in autograded(feedback, "hidden", A4).cells
        if grade_id(c) == "q1_addresses_tests"
    ]
    (error,) = [o for o in cell.outputs if o.output_type == "error"]
    quoted = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert "np.array([0.1, 0.3])" in quoted
    # ... the student sees the message and the visible context only
    text = page_text(feedback / "feedback" / "hidden" / A4 / f"{A4}.html")
    assert "AssertionError: hidden: per-unit thresholds" in text
    assert "np.array([0.1, 0.3])" not in text
    assert "assert list(example) == [1, 4, 7, 0]" in text


def test_a_cell_past_its_time_is_stopped_and_the_rest_graded(graded):
    nb = solution(A1)
    nb.cells.insert(
        3, nbformat.v4.new_code_cell("import time\ntime.sleep(3600)")
    )
    hand_in(graded, "slow", A1, nb)
    # 20 s a cell: the sleeping one is stopped, the others need far less
    limit = "--ExecutePreprocessor.timeout=20"
    stopped = ("Timeout waiting for execute reply", "Interrupting kernel")
    nbgrader(
        graded, "autograde", A1, "--student", "slow", limit, expected=stopped
    )
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}") as gb:
        scores = {
            grade.name: grade.auto_score
            for notebook in gb.find_submission(A1, "slow").notebooks
            for grade in notebook.grades
        }
    assert scores["q1_forward_tests"] == scores["q2_losses_tests"] == 2
    stopped_cell = autograded(graded, "slow", A1).cells[3]
    assert "time.sleep(3600)" in stopped_cell.source
    errors = {o.ename for o in stopped_cell.outputs if o.output_type == "error"}
    assert errors == {"KeyboardInterrupt", "CellTimeoutError"}
