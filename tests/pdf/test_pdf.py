"""The PDF of the book against its HTML: every page, every figure, the math.

Runs after ``make pdf`` (which builds both); reads the PDF back with poppler's
pdftotext and pdfimages. Text is compared with whitespace and hyphens
removed, as LaTeX breaks lines (and words) where HTML does not.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from functools import cache

import pytest

from paths import HTML, ROOT, toc_files

PDF = ROOT / "_build" / "latex" / "book.pdf"


def squeeze(text: str) -> str:
    """Letters and digits only, ligatures undone, case folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", text)


def strip_tags(fragment: str) -> str:
    fragment = re.sub(r'<a class="headerlink".*?</a>', "", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


@cache
def article(name: str) -> str:
    """The page's content: what the PDF is made of, without the theme."""
    page = (HTML / f"{name}.html").read_text(encoding="utf-8")
    match = re.search(
        r'<article class="bd-article">(.*?)</article>', page, re.S
    )
    assert match, f"{name}: no article in the HTML page"
    return match.group(1)


def title(name: str) -> str:
    return strip_tags(re.search(r"<h1>(.*?)</h1>", article(name), re.S)[1])


def first_words(name: str, n: int = 12) -> str:
    """The first n words of the page's first paragraph of prose (math,
    typeset differently in the PDF, is left out)."""
    for paragraph in re.findall(r"<p>(.*?)</p>", article(name), re.S):
        words = strip_tags(paragraph).split()
        if len(words) >= n and not re.search(r"\\[(\[]|\$", paragraph):
            return " ".join(words[:n])
    pytest.skip(f"{name} has no paragraph of {n} words")


def figures(name: str) -> int:
    return len(re.findall(r'<img [^>]*src="[^"]*_images/', article(name)))


@cache
def pdf_text() -> str:
    if not PDF.is_file():
        pytest.fail(f"no {PDF.relative_to(ROOT)}: run `make pdf`")
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(PDF), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@cache
def pdf_images() -> int:
    """Images drawn in the PDF (pdfimages -list), soft masks not counted."""
    pdf_text()
    listing = subprocess.run(
        ["pdfimages", "-list", str(PDF)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[2:]
    return sum(1 for row in listing if row.split()[2] == "image")


PAGES = toc_files()


@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_in_the_pdf(name):
    text = squeeze(pdf_text())
    assert squeeze(title(name)) in text, f"{name}: title {title(name)!r}"
    words = first_words(name)
    assert squeeze(words) in text, f"{name}: its first words {words!r}"


def test_every_figure_is_in_the_pdf():
    in_html = {name: figures(name) for name in PAGES}
    assert sum(in_html.values()) > 20, "the HTML book has its figures"
    assert pdf_images() == sum(in_html.values()), in_html


def code_count(source: str) -> int:
    """How often the book's code cells write ``source``: a listing shows
    a matplotlib label such as ``r"$\\hat{x}$"`` verbatim."""
    import nbformat

    total = 0
    for name in toc_files():
        path = ROOT / f"{name}.ipynb"
        if path.exists():
            total += sum(
                cell.source.count(source)
                for cell in nbformat.read(path, as_version=4).cells
                if cell.cell_type == "code"
                and "remove-cell" not in cell.metadata.get("tags", [])
            )
    return total


def test_math_is_typeset():
    """No TeX source is left in the text but the code's: every formula of the
    prose became math."""
    text = pdf_text()
    for source in (r"\frac", r"\sum", r"\mathbf", r"\hat", "$$"):
        assert text.count(source) <= code_count(source), source
