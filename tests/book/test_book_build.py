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
    # can still slip into the log: none may mention an execution failure.  One traceback
    # is not the book's: ipykernel, shut down after a page has executed, sometimes logs a
    # flush on its already-closed socket (tornado's "Uncaught exception in ZMQStream
    # callback" ending in zmq's ZMQError); that block is set aside, any other stays.
    checked = KERNEL_TEARDOWN.sub("", out)
    assert not re.search(r"Execution Failed|Traceback \(most recent call last\)", checked), checked[-6000:]


#: ipykernel's teardown noise (see above): tornado's header, the traceback, zmq's error line.
KERNEL_TEARDOWN = re.compile(
    r"ERROR:tornado\.general:Uncaught exception in ZMQStream callback\n"
    r"Traceback \(most recent call last\):\n(?:[ \t].*\n)+?zmq\.error\.ZMQError: [^\n]*\n?")


def test_the_kernel_teardown_filter_removes_only_that_traceback():
    noise = ("ERROR:tornado.general:Uncaught exception in ZMQStream callback\n"
             "Traceback (most recent call last):\n"
             '  File "ipykernel/iostream.py", line 343, in schedule\n'
             '    self._event_pipe.send(b"")\n'
             "zmq.error.ZMQError: Socket operation on non-socket\n")
    failure = ("Traceback (most recent call last):\n"
               '  File "<cell>", line 1, in <module>\n'
               "ZeroDivisionError: division by zero\n")
    assert "Traceback" not in KERNEL_TEARDOWN.sub("", "build succeeded\n" + noise)
    assert KERNEL_TEARDOWN.sub("", noise + failure) == failure


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


def _internal_links(html_root):
    """Yield (page, target_path, fragment) for every internal href/src of the built book."""
    from urllib.parse import unquote, urlparse

    from bs4 import BeautifulSoup

    for page in sorted(html_root.rglob("*.html")):
        if "_static" in page.parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "img", "script", "source"]):
            url = tag.get("href") or tag.get("src")
            if not url or url.startswith(("mailto:", "javascript:", "data:")):
                continue
            parsed = urlparse(url)
            if parsed.scheme or parsed.netloc:
                continue  # a link to another site: not followed, and never loaded (see the browser test)
            target = page if not parsed.path else (page.parent / unquote(parsed.path)).resolve()
            yield page, target, unquote(parsed.fragment)


def test_no_broken_internal_link_or_anchor(built_book):
    """Offline link check of the built HTML: every internal link and anchor resolves."""
    from bs4 import BeautifulSoup

    html = built_book["html"]
    ids: dict = {}
    broken = []
    for page, target, fragment in _internal_links(html):
        if not target.exists():
            broken.append(f"{page.relative_to(html)} → missing {target}")
            continue
        if fragment and target.suffix == ".html":
            if target not in ids:
                soup = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
                ids[target] = {t.get("id") for t in soup.find_all(id=True)} | {
                    t.get("name") for t in soup.find_all(attrs={"name": True})
                }
            if fragment not in ids[target]:
                broken.append(f"{page.relative_to(html)} → {target.name}#{fragment}")
    assert broken == []


def test_ledger_has_a_stable_anchor_per_claim(built_book):
    from uqsurvey.survey.data import load

    text = (built_book["html"] / "chapters" / "ledger.html").read_text(encoding="utf-8")
    for cid in load().claims["id"]:
        assert f'id="claim-{cid}"' in text, cid


def test_downloads_are_offered(built_book):
    import zipfile

    html = built_book["html"]
    found = {p.name: p for p in (html / "_downloads").rglob("*") if p.is_file()}
    assert {"uqsurvey-data.zip", "ledger.csv", "references.bib"} <= set(found)
    with zipfile.ZipFile(found["uqsurvey-data.zip"]) as zf:
        names = set(zf.namelist())
    assert "uqsurvey-data/datapackage.json" in names and "uqsurvey-data/papers.csv" in names
    assert found["ledger.csv"].read_text(encoding="utf-8").startswith("id,section,statement")


def test_every_figure_has_alt_text(built_book):
    """Every image in a chapter has non-empty alt text, and every Altair chart a description."""
    from bs4 import BeautifulSoup

    missing = []
    for page in sorted((built_book["html"]).rglob("*.html")):
        if "_static" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        soup = BeautifulSoup(text, "html.parser")
        for img in soup.select("main img, article img"):
            if not (img.get("alt") or "").strip():
                missing.append(f"{page.name}: <img src={img.get('src')}>")
        for script in soup.find_all("script"):
            s = script.string or ""
            if "vegaEmbed" in s and '"$schema"' in s and '"description"' not in s:
                missing.append(f"{page.name}: an Altair chart without a description")
    assert missing == []


def test_every_page_declares_its_icon(built_book):
    """A page without <link rel="icon"> makes the browser ask for /favicon.ico (a 404);
    the link's target itself is checked by the internal-link test."""
    from bs4 import BeautifulSoup

    html = built_book["html"]
    for page in toc_pages():
        soup = BeautifulSoup((html / f"{page}.html").read_text(encoding="utf-8"), "html.parser")
        icon = soup.find("link", rel="icon")
        assert icon is not None and icon["href"].endswith("_static/favicon.svg"), page


def test_every_notebook_chapter_offers_its_ipynb(built_book, root):
    """Each page that is a notebook links an .ipynb beside its .md source; the
    .ipynb holds the chapter's cells (code and text), without outputs."""
    import jupytext
    import nbformat

    html = built_book["html"]
    offered = 0
    for page in toc_pages():
        source = jupytext.read(root / f"{page}.md")
        if "kernelspec" not in source.metadata:
            continue
        text = (html / f"{page}.html").read_text(encoding="utf-8")
        depth = "../" * page.count("/")
        assert f'href="{depth}_sources/{page}.md"' in text and f'href="{depth}_sources/{page}.ipynb"' in text, page
        nb = nbformat.read(html / "_sources" / f"{page}.ipynb", as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert [c.source for c in code] == [c.source for c in source.cells if c.cell_type == "code"], page
        assert all(c.outputs == [] and c.execution_count is None for c in code), page
        assert nb.metadata["kernelspec"]["name"] == "python3", page
        offered += 1
    assert offered >= len(toc_pages()) - 1  # every page but the bibliography runs code
