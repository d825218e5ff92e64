"""The appendix pages an instructor relies on: the execution report and the
instructor guide, read from the built HTML.

Runs after `jupyter-book build` (make test-notebooks builds it first).
"""

import html
import json
import re
from pathlib import Path

import yaml

from paths import HTML, ROOT, chapter_files

APPENDIX = HTML / "chapters" / "appendix"


def text(page: Path) -> str:
    body = page.read_text(encoding="utf8")
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def execution_rows() -> dict[str, list[str]]:
    """The nb-exec-table's rows: document -> [modified, method, time, status]."""
    page = (APPENDIX / "execution.html").read_text(encoding="utf8")
    table = re.search(r"<table[^>]*>(.*?)</table>", page, flags=re.S)
    assert table, "the execution report has no table"
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)
        ]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def test_execution_report_lists_every_chapter_as_run_and_passed():
    rows = execution_rows()
    missing = [c for c in chapter_files() if c not in rows]
    assert not missing, f"chapters missing from the execution report: {missing}"
    for chapter in chapter_files():
        modified, method, seconds, status = rows[chapter]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", modified), modified
        assert method == "cache", (chapter, method)
        assert float(seconds) > 0, (chapter, seconds)
        assert status == "✅", f"{chapter} did not pass: {status!r}"


def test_execution_report_states_the_budget():
    words = " ".join(text(APPENDIX / "execution.html").split())
    assert "at most 90 s" in words and "at most 10 minutes" in words


def test_instructor_guide_covers_the_course_cycle():
    words = " ".join(text(APPENDIX / "instructors.html").split())
    for step in (
        "nbgrader generate_assignment",
        "nbgrader collect",
        "nbgrader autograde",
        "nbgrader generate_feedback",
        "make course",
        "AELIB_DEVICE=cuda",
        "make checkpoints",
        "make pdf",
    ):
        assert step in words, f"the instructor guide never mentions {step}"


def test_instructor_guide_names_every_shipped_network():
    words = text(APPENDIX / "instructors.html")
    records = sorted((ROOT / "data" / "checkpoints").glob("*.json"))
    names = [
        json.loads(p.read_text())["name"]
        for p in records
        if not p.name.endswith(".ablation.json")
    ]
    assert names, "no shipped network found"
    missing = [n for n in names if n not in words]
    assert not missing, f"networks the guide does not list: {missing}"


def test_instructor_guide_points_at_the_configured_repository():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    assert url in (APPENDIX / "instructors.html").read_text(encoding="utf8")
