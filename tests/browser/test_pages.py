"""Open every page of the built book in a real browser (Debian's chromium, driven by Playwright).

For each page: all math is typeset by the local MathJax, every image has loaded, the
console shows no error, no request leaves the machine, and every internal link points
to a page or file that exists. The book is served from 127.0.0.1 by a thread of this
test, so every allowed request goes to the loopback address.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from paths import HTML

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# Known and harmless, each from an extension Jupyter Book 1.x always loads:
# - sphinx-book-theme logs 'Got invalid theme mode' on some loads.
# (sphinx-thebe's configuration script used to be written twice, a redeclared const; the local
# extension _ext/book_html.py now writes it once, and tests/book checks that.)
BENIGN_CONSOLE = ("Got invalid theme mode",)
PAGES = (
    sorted(
        p.relative_to(HTML).as_posix()
        for p in HTML.rglob("*.html")
        if "_static" not in p.parts and "_sources" not in p.parts
    )
    if HTML.is_dir()
    else []
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    if not HTML.is_dir():
        pytest.fail("no built book in _build/html: run `make book` first")
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is needed for this test: `apt-get install -y chromium` (.ci/run does it)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=ARGS, headless=True
        )
        yield b
        b.close()


def test_the_book_has_pages():
    assert "index.html" in PAGES and len(PAGES) >= 5


@pytest.mark.parametrize("page_path", PAGES)
def test_page(server, browser, page_path):
    context = browser.new_context()
    page = context.new_page()
    off_machine, console_errors, failed = [], [], []

    def route(r):
        url = urlparse(r.request.url)
        if (
            url.scheme in ("data", "blob", "about")
            or url.hostname == "127.0.0.1"
        ):
            r.continue_()
        else:
            off_machine.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on(
        "console",
        lambda m: (
            console_errors.append(m.text)
            if m.type == "error"
            and not any(b in m.text for b in BENIGN_CONSOLE)
            else None
        ),
    )
    page.on(
        "pageerror",
        lambda e: (
            console_errors.append(str(e))
            if not any(b in str(e) for b in BENIGN_CONSOLE)
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda r: (
            failed.append(r.url)
            if urlparse(r.url).hostname == "127.0.0.1"
            else None
        ),
    )
    response = page.goto(f"{server}/{page_path}", wait_until="load")
    assert response is not None and response.ok
    # Let late requests (fonts, MathJax components) finish, so none is cut off by closing the page.
    page.wait_for_load_state("networkidle")

    # Math: wait for MathJax to finish, then every math element must hold rendered output.
    n_math = page.locator(".math").count()
    if n_math:
        page.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=20000,
        )
        page.evaluate("() => MathJax.startup.promise")
        untypeset = page.evaluate(
            "() => Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container'))"
            ".map(e => e.textContent.slice(0, 60))"
        )
        assert untypeset == [], (
            f"{page_path}: math not typeset: {untypeset[:5]}"
        )
        errors = page.locator("mjx-merror").count()
        assert errors == 0, f"{page_path}: {errors} MathJax errors"

    # Images: every <img> decoded with a real size.
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert broken == [], f"{page_path}: images not loaded: {broken}"
    missing_alt = page.evaluate(
        "() => Array.from(document.querySelectorAll('main img'))"
        ".filter(i => !/[a-z]{3,}/i.test(i.getAttribute('alt') || '') || /\\.(png|svg|jpe?g)$/.test(i.getAttribute('alt')))"
        ".map(i => i.src)"
    )  # no alt, or Sphinx's fallback alt (the file's own path)
    assert missing_alt == [], (
        f"{page_path}: images without alt text: {missing_alt[:3]}"
    )

    # Internal links resolve to files of the build.
    links = page.evaluate(
        "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
    )
    dead = []
    for link in links:
        url = urlparse(link)
        if url.hostname != "127.0.0.1":
            continue
        target = HTML / unquote(url.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            dead.append(link)
    assert dead == [], (
        f"{page_path}: links to missing pages: {sorted(set(dead))[:5]}"
    )

    page.wait_for_load_state("networkidle")
    failed = [
        u for u in failed
    ]  # requests cancelled by closing the page below are not failures
    context.close()
    assert off_machine == [], (
        f"{page_path}: requests left the machine: {off_machine[:5]}"
    )
    assert failed == [], f"{page_path}: local requests failed: {failed[:5]}"
    assert console_errors == [], (
        f"{page_path}: console errors: {console_errors[:5]}"
    )
