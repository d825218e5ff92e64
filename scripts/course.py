"""Lay out an nbgrader course folder from the book's assignments (make course).

    python scripts/course.py COURSE_DIR

writes ``COURSE_DIR/source/<assignment>/<assignment>.ipynb`` for every
solution notebook in ``chapters/assignments/`` and a ``nbgrader_config.py``
that loads the repository's own. Run it again after an assignment changes:
it rewrites only ``source/`` and the config, never what nbgrader keeps
beside them (release/, submitted/, autograded/, feedback/, gradebook.db).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = ROOT / "chapters" / "assignments"
CONFIG = """\
# Written by `make course`: this course's settings are the book's own.
c = get_config()  # noqa: F821
load_subconfig({config!r})  # noqa: F821
"""


def assignments(source_dir: Path = ASSIGNMENTS) -> list[str]:
    """The assignment names: the solution notebooks' stems, sorted."""
    return sorted(path.stem for path in source_dir.glob("*.ipynb"))


def lay_out(course: Path, source_dir: Path = ASSIGNMENTS) -> list[Path]:
    """Copy each solution notebook to ``course/source/<name>/<name>.ipynb``.

    Returns:
        The notebooks written, sorted by name.
    """
    names = assignments(source_dir)
    if not names:
        raise FileNotFoundError(f"no assignment notebooks in {source_dir}")
    written = []
    for name in names:
        target = course / "source" / name / f"{name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_dir / f"{name}.ipynb", target)
        written.append(target)
    config = CONFIG.format(config=str(ROOT / "nbgrader_config.py"))
    (course / "nbgrader_config.py").write_text(config)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python scripts/course.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("course_dir", type=Path, help="the course folder")
    course = parser.parse_args(argv).course_dir.resolve()
    for path in lay_out(course):
        print(f"wrote {path}")
    print(f"now: cd {course} && nbgrader generate_assignment --all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
