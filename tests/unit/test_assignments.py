"""The student-version generator: markers, indentation, hidden tests, errors, atomic writes (no execution)."""

from __future__ import annotations


import nbformat
import pytest
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
)

from aelib import assignments
from aelib.assignments import (
    MarkerError,
    generate,
    student_notebook,
    strip_cell_source,
)

from paths import ASSIGNMENTS

NAMES = [
    "a1_backprop_tied_autoencoder",
    "a2_linear_autoencoder_pca",
    "a3_denoising_contractive",
    "a4_semantic_hashing",
]


def solution_cell(source, grade_id="q1"):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": grade_id,
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    return cell


def grade_cell(source, grade_id="t1", points=1):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": points,
        "schema_version": 3,
        "solution": False,
        "task": False,
    }
    return cell


FUNCTION = """def f(x):
    \"\"\"Docstring stays.\"\"\"
    y = 2
    ### BEGIN SOLUTION
    secret = x * y
    return secret
    ### END SOLUTION

z = 1"""


def test_solution_region_becomes_stub_at_its_indentation():
    out = strip_cell_source(FUNCTION)
    assert out.splitlines() == [
        "def f(x):",
        '    """Docstring stays."""',
        "    y = 2",
        "    # YOUR CODE HERE",
        "    raise NotImplementedError()",
        "",
        "z = 1",
    ]


def test_top_level_region_and_several_regions_in_one_cell():
    source = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nc = 3\n### BEGIN SOLUTION\nd = 4\n### END SOLUTION"
    assert strip_cell_source(source).splitlines() == [
        "a = 1",
        "# YOUR CODE HERE",
        "raise NotImplementedError()",
        "c = 3",
        "# YOUR CODE HERE",
        "raise NotImplementedError()",
    ]


def test_hidden_tests_are_removed_with_their_markers():
    source = "assert f(1) == 2, 'visible'\n### BEGIN HIDDEN TESTS\nassert f(2) == 4, 'hidden'\n### END HIDDEN TESTS\nprint('ok')"
    assert (
        strip_cell_source(source) == "assert f(1) == 2, 'visible'\nprint('ok')"
    )


def test_markdown_answer_becomes_your_answer_here():
    source = (
        "Intro line.\n### BEGIN SOLUTION\nThe answer is 42.\n### END SOLUTION"
    )
    assert (
        strip_cell_source(source, "markdown") == "Intro line.\nYOUR ANSWER HERE"
    )


@pytest.mark.parametrize(
    "source, message",
    [
        ("### BEGIN SOLUTION\nx = 1", "has no '### END SOLUTION'"),
        ("x = 1\n### END SOLUTION", "no open region"),
        (
            "### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION",
            "inside the solution region",
        ),
        (
            "### BEGIN HIDDEN TESTS\nassert 1\n### END SOLUTION",
            "the hidden region opened on line 1",
        ),
    ],
)
def test_unbalanced_markers_are_rejected_naming_notebook_and_cell(
    source, message
):
    nb = new_notebook(
        cells=[
            new_markdown_cell("# T"),
            solution_cell("ok = 1", "first"),
            grade_cell(source, "broken"),
        ]
    )
    with pytest.raises(MarkerError, match=message) as err:
        student_notebook(nb, "hw.ipynb")
    assert "hw.ipynb, cell 2 (broken)" in str(err.value)


def test_markers_need_nbgrader_metadata():
    nb = new_notebook(
        cells=[new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")]
    )
    with pytest.raises(MarkerError, match='"solution": true'):
        student_notebook(nb, "hw.ipynb")
    nb = new_notebook(
        cells=[
            new_code_cell(
                "### BEGIN HIDDEN TESTS\nassert 1\n### END HIDDEN TESTS"
            )
        ]
    )
    with pytest.raises(MarkerError, match='"grade": true'):
        student_notebook(nb, "hw.ipynb")


def test_outputs_cleared_metadata_kept_source_untouched():
    cell = solution_cell(FUNCTION)
    cell.outputs = [new_output("stream", name="stdout", text="hello")]
    cell.execution_count = 3
    nb = new_notebook(cells=[cell, grade_cell("assert f(1) == 2")])
    student = student_notebook(nb, "hw.ipynb")
    assert (
        student.cells[0].outputs == []
        and student.cells[0].execution_count is None
    )
    assert student.cells[0].metadata["nbgrader"]["solution"] is True
    assert student.cells[1].metadata["nbgrader"]["points"] == 1
    assert student.metadata["mystnb"]["execution_mode"] == "off"
    assert "secret" in nb.cells[0].source and nb.cells[0].outputs, (
        "the solution notebook must not be modified"
    )


def test_generate_writes_every_notebook_and_refuses_to_overwrite_sources(
    tmp_path,
):
    src = tmp_path / "src"
    src.mkdir()
    nbformat.write(
        new_notebook(cells=[solution_cell(FUNCTION)]), src / "hw1.ipynb"
    )
    nbformat.write(
        new_notebook(
            cells=[
                grade_cell(
                    "### BEGIN HIDDEN TESTS\nassert 0\n### END HIDDEN TESTS"
                )
            ]
        ),
        src / "hw2.ipynb",
    )
    written = generate(src, tmp_path / "out")
    assert [p.name for p in written] == ["hw1.ipynb", "hw2.ipynb"]
    assert "secret" not in (tmp_path / "out" / "hw1.ipynb").read_text()
    assert (
        nbformat.read(tmp_path / "out" / "hw2.ipynb", as_version=4)
        .cells[0]
        .source
        == ""
    )
    assert not list((tmp_path / "out").glob("*.tmp")), (
        "no temporary file may be left behind"
    )
    with pytest.raises(ValueError, match="target_dir must differ"):
        generate(src, src)


def test_a_marker_error_leaves_the_target_untouched(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    out.mkdir()
    nbformat.write(
        new_notebook(cells=[solution_cell(FUNCTION)]), src / "a.ipynb"
    )
    nbformat.write(
        new_notebook(cells=[solution_cell("### BEGIN SOLUTION\nx = 1")]),
        src / "b.ipynb",
    )
    (out / "a.ipynb").write_text("old")
    assert assignments.main([str(src), str(out)]) == 1
    assert (out / "a.ipynb").read_text() == "old"


def test_cli_reports_missing_folder(tmp_path, capsys):
    assert (
        assignments.main([str(tmp_path / "nowhere"), str(tmp_path / "out")])
        == 1
    )
    assert "source_dir" in capsys.readouterr().err


# The real assignments: well formed for nbgrader, and no solution line survives.


@pytest.mark.parametrize("name", NAMES)
def test_real_assignment_is_well_formed(name):
    nb = nbformat.read(ASSIGNMENTS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(
        not c.get("outputs") for c in nb.cells if c.cell_type == "code"
    ), "commit the solutions without outputs"
    meta = [
        c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata
    ]
    ids = [m["grade_id"] for m in meta]
    assert len(ids) == len(set(ids)), f"grade_id values must be unique: {ids}"
    graded = [m for m in meta if m["grade"]]
    assert graded and all(m["points"] > 0 for m in graded), (
        "every autograder cell carries points"
    )
    assert sum(1 for m in meta if m["solution"]) >= 4, (
        "an assignment has several answers to write"
    )
    student = student_notebook(nb, name)
    text = "\n".join(
        line.strip() for c in student.cells for line in c.source.splitlines()
    )
    survivors = {
        line
        for line in assignments.private_lines(nb)
        if line in text.splitlines()
    }
    assert not survivors, (
        f"solution lines left in the student version of {name}: {sorted(survivors)}"
    )
    assert "### BEGIN" not in text and "### END" not in text


def test_committed_student_versions_are_up_to_date(tmp_path):
    """The student versions are committed (the launch buttons open them from the repository), so
    they must be exactly what `make student` generates from the solutions today."""
    source = ASSIGNMENTS
    written = assignments.generate(source, tmp_path)
    assert written
    for fresh in written:
        committed = source / "student" / fresh.name
        assert committed.is_file(), (
            f"{committed.name} is not committed: run `make student`"
        )
        assert committed.read_bytes() == fresh.read_bytes(), (
            f"{committed.name} is stale: run `make student`"
        )


def test_private_lines_leave_out_what_the_notebook_shows_anyway():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "assert np.isclose(\n    f(1), 2\n)\n"
                "assert np.allclose(f(0), 0)\n"
                "### BEGIN HIDDEN TESTS\n"
                "assert np.isclose(\n    f(3), 6\n)\n"
                "assert np.allclose(\n    f(4), 8\n)\n"
                "### END HIDDEN TESTS"
            ),
            nbformat.v4.new_code_cell(
                "def f(x):\n"
                "    ### BEGIN SOLUTION\n"
                "    return 2 * x\n"
                "    ### END SOLUTION"
            ),
        ]
    )
    # "assert np.allclose(" is part of a visible line: not private either.
    private = {"f(3), 6", "f(4), 8", "return 2 * x"}
    assert assignments.private_lines(nb) == private
    assert assignments.private_lines(nb, kinds=("hidden",)) == private - {
        "return 2 * x"
    }
