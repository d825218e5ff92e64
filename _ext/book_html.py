"""Two small fixes to the HTML build, loaded through ``sphinx: local_extensions`` in ``_config.yml``.

1. Exercises are numbered per chapter ("Exercise 5.2" is the second exercise of chapter 05),
   as a reader expects from a course book. sphinx-exercise numbers exercises through Sphinx's
   numfig, which counts across the whole book unless the table of contents is numbered; a
   numbered table of contents would renumber the chapters themselves (and restart in every
   part), so the chapter number is taken from the file name instead.
2. Sphinx 7 writes a body-only script registered after the builder started (sphinx-thebe's
   configuration) twice: once as registered and once again from the registry before writing.
   The second copy redeclares ``const THEBE_JS_URL`` and the browser reports an error.
"""

from __future__ import annotations

import re

# "chapters/05_undercomplete_overcomplete" -> "5"; "chapters/assignments/student/a2_..." -> "A2".
CHAPTER = re.compile(r"(?:^|/)(?:(\d+)|a(\d+))_[^/]*$")


def chapter_number(docname: str) -> str | None:
    """The chapter's number from its file name, or None for pages that are not chapters."""
    match = CHAPTER.search(docname)
    if match is None:
        return None
    return (
        str(int(match.group(1)))
        if match.group(1)
        else f"A{int(match.group(2))}"
    )


def number_exercises_per_chapter(app, env):
    """Renumber every exercise as (chapter, position in the chapter).

    Runs after Sphinx assigned its book-wide numbers; their order within a page is the reading
    order, so sorting by them gives each exercise its position.
    """
    for docname, numbers in env.toc_fignumbers.items():
        exercises = numbers.get("exercise")
        chapter = chapter_number(docname)
        if not exercises or chapter is None:
            continue
        in_order = sorted(exercises, key=lambda node_id: exercises[node_id])
        numbers["exercise"] = {
            node_id: (chapter, i) for i, node_id in enumerate(in_order, 1)
        }
    return []


def drop_unregistered_bodies(app, env, docnames):
    """Remove body-only scripts the builder got before writing; the registry adds them back once."""
    builder = getattr(app, "builder", None)
    files = getattr(builder, "_js_files", None)
    if files is not None:
        files[:] = [js for js in files if js.filename is not None]


def setup(app):
    # Priority 900: after sphinx's own toctree collector (500) and sphinx-thebe (500).
    app.connect("env-get-updated", number_exercises_per_chapter, priority=900)
    app.connect("env-before-read-docs", drop_unregistered_bodies, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
