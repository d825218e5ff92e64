"""The built book: every page of the table of contents is there, executed and offline-ready.

Runs after `jupyter-book build` (make test-notebooks builds it first).
"""

from pathlib import Path

import pytest
import yaml

from paths import HTML, ROOT, toc_files


def test_book_was_built():
    assert (HTML / "index.html").is_file(), "run `make book` first"


@pytest.mark.parametrize("name", toc_files())
def test_every_toc_page_built(name):
    assert (HTML / f"{name}.html").is_file()


@pytest.mark.parametrize(
    "name",
    [
        f
        for f in toc_files()
        if f.startswith("chapters/") and "/student/" not in f
    ],
)
def test_chapters_are_executed(name):
    source = ROOT / f"{name}.ipynb"
    if not source.exists():
        pytest.skip("not a notebook")
    page = (HTML / f"{name}.html").read_text(encoding="utf8")
    assert "cell_output" in page, (
        f"{name} has no outputs in the book: was it executed?"
    )
    assert "Traceback" not in page


def test_mathjax_is_local():
    page = (HTML / "chapters" / "02_loss_functions.html").read_text(
        encoding="utf8"
    )
    assert "_static/mathjax/tex-chtml.js" in page
    assert "cdn.jsdelivr" not in page
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").is_file()


def prose_text(page: str) -> str:
    """A page's text outside math, code and cell outputs."""
    import re

    for pattern in (
        r'<span class="math[^"]*">.*?</span>',
        r'<div class="math[^"]*">.*?</div>',
        r"<pre[^>]*>.*?</pre>",
        r"<code[^>]*>.*?</code>",
        r"<script[^>]*>.*?</script>",
        r"<style[^>]*>.*?</style>",
    ):
        page = re.sub(pattern, " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    # What MathJax typesets: \(...\) and \[...\] (sympy's outputs).
    return re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]", " ", page, flags=re.S)


@pytest.mark.parametrize("name", toc_files())
def test_no_tex_is_left_unrendered(name):
    """Every formula reaches MathJax: a `$$` inside a paragraph, or a line
    of a formula that starts with '- ' (Markdown reads a list item), leaves
    raw TeX in the prose."""
    import re

    page = (HTML / f"{name}.html").read_text(encoding="utf8")
    stray = re.findall(
        r".{0,30}(?:\$\$|\\(?:frac|mathbf|mathbb|sum|left)\b).{0,30}",
        prose_text(page),
    )
    assert not stray, f"raw TeX in {name}: {stray[:3]}"


def chapter_pages():
    return [
        f
        for f in toc_files()
        if f.startswith("chapters/") and "/appendix/" not in f
    ]


@pytest.mark.parametrize("name", chapter_pages())
def test_exercises_numbered_per_chapter(name):
    """Every exercise title reads "Exercise <chapter>.<n>", counting 1, 2, ... within the page."""
    import re

    page = (HTML / f"{name}.html").read_text(encoding="utf8")
    stem = Path(name).name.split("_")[0]  # "05" or "a2"
    chapter = str(int(stem)) if stem.isdigit() else stem.upper()
    # the title paragraph of each exercise box (solutions and references repeat the number)
    titles = re.findall(
        r'<p class="admonition-title">\s*<span class="caption-number">Exercise ([^ <]+) </span>',
        page,
    )
    assert titles == [f"{chapter}.{i}" for i in range(1, len(titles) + 1)], (
        titles
    )
    assert not re.search(r"Exercise \d+(?![.\d])", page), (
        "an exercise kept a book-wide number"
    )
    # every solution names its exercise with the same per-chapter number
    for number in re.findall(
        r"Solution to(?:<a[^>]*>)?\s*(?:<span[^>]*>)?\s*Exercise ([^ <]+)", page
    ):
        assert number in titles


def test_inline_scripts_appear_once():
    """Sphinx would write sphinx-thebe's configuration script twice (a redeclared const in the browser)."""
    import re

    page = (HTML / "chapters" / "05_undercomplete_overcomplete.html").read_text(
        encoding="utf8"
    )
    bodies = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert bodies and len(bodies) == len(set(bodies)), [b[:60] for b in bodies]


@pytest.mark.parametrize(
    "name", [f for f in toc_files() if (ROOT / f"{f}.ipynb").exists()]
)
def test_launch_buttons_open_committed_notebooks(name):
    """Binder, Colab and JupyterHub buttons name the configured repository and a notebook git tracks."""
    import re
    import subprocess

    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"][
        "url"
    ]
    repo = url.removeprefix("https://github.com/")
    page = (HTML / f"{name}.html").read_text(encoding="utf8")
    launches = {
        "binder": re.findall(
            rf'href="https://mybinder\.org/v2/gh/{repo}/main\?urlpath=lab/tree/([^"]+)"',
            page,
        ),
        "colab": re.findall(
            rf'href="https://colab\.research\.google\.com/github/{repo}/blob/main/([^"]+)"',
            page,
        ),
        "jupyterhub": re.findall(
            r'href="[^"]*/git-pull\?[^"]*urlpath=lab/tree/[^/]+/([^"&]+)', page
        ),
    }
    tracked = set(
        subprocess.run(
            ["git", "ls-files", "chapters"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    for kind, paths in launches.items():
        assert paths == [f"{name}.ipynb"], (kind, paths)
        assert paths[0] in tracked, (
            f"the {kind} button opens {paths[0]}, which is not committed"
        )


@pytest.mark.parametrize("name", chapter_pages())
def test_every_figure_has_a_caption_and_alt_text(name):
    """Each image a chapter draws sits in a <figure> with a <figcaption>, and carries alt text."""
    import re

    page = (HTML / f"{name}.html").read_text(encoding="utf8")
    drawn = re.findall(r'<img [^>]*src="[^"]*_images/[^"]*"[^>]*>', page)
    figures = re.findall(r"<figure[^>]*>(.*?)</figure>", page, flags=re.S)
    captioned = [
        img
        for body in figures
        if "<figcaption" in body
        for img in re.findall(r'<img [^>]*src="[^"]*_images/[^"]*"[^>]*>', body)
    ]
    assert len(captioned) == len(drawn), (
        f"{len(drawn) - len(captioned)} figure(s) without a caption"
    )
    assert all(re.search(r'alt="[^"]{10,}"', img) for img in drawn), (
        "a figure without alt text"
    )
