"""(a) The whole book builds from clean with warnings as errors."""
from __future__ import annotations

import re

import pytest

from conftest import toc_pages

pytestmark = pytest.mark.build


def test_book_builds_from_clean_with_warnings_as_errors(built_book):
    out = built_book["output"]
    assert built_book["returncode"] == 0, out[-6000:]
    assert "build succeeded" in out or out == "(reused)"
    # -W turns warnings into errors, but a cell's stderr or a kernel warning
    # can still slip into the log: none may mention an execution failure.
    assert not re.search(r"Execution Failed|Traceback \(most recent call last\)", out), out[-6000:]


def test_every_toc_page_is_in_the_html(built_book):
    html = built_book["html"]
    missing = [p for p in toc_pages() if not (html / f"{p}.html").exists()]
    assert missing == []


def test_built_html_loads_nothing_from_another_host(built_book):
    """Static check beside the browser test: no <script src>, <link href> or
    <img src> pointing at another host in any built page."""
    html = built_book["html"]
    pattern = re.compile(
        r"<(?:script|img|iframe|source)[^>]*\ssrc=\"(https?:)?//|<link[^>]*\shref=\"(https?:)?//[^\"]*\"[^>]*rel=\"(?:stylesheet|preload|modulepreload|icon)\"|<link[^>]*rel=\"(?:stylesheet|preload|modulepreload|icon)\"[^>]*\shref=\"(https?:)?//",
    )
    offenders = []
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8", errors="replace")
        for m in pattern.finditer(text):
            offenders.append(f"{page.relative_to(html)}: {text[m.start():m.start()+160]}")
    assert offenders == []


def test_every_page_shows_its_version(built_book):
    html = built_book["html"]
    for page in toc_pages():
        text = (html / f"{page}.html").read_text(encoding="utf-8")
        assert re.search(r'class="book-version">Version <code>[0-9a-f]{7,}|class="book-version">Version <code>v?\d', text), page
