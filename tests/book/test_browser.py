"""(b) Every page of the table of contents in headless Debian Chromium.

The page is served on 127.0.0.1.  Any request to another host is aborted and
recorded; the test fails on such a request, on any console error, on any page
error, and on any Altair chart that did not draw.
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import toc_pages

pytestmark = [pytest.mark.browser, pytest.mark.build]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def server(built_book):
    assert built_book["returncode"] == 0, "the book did not build; see test_book_build"
    handler = functools.partial(_QuietHandler, directory=str(built_book["html"]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def open_page(browser, url: str):
    """Open *url*; return (page, record) with foreign requests, console and page errors."""
    record = {"foreign": [], "console": [], "pageerror": []}
    context = browser.new_context()

    def route(r):
        host = urlparse(r.request.url).hostname
        if r.request.url.startswith(("data:", "blob:")) or host in {"127.0.0.1"}:
            r.continue_()
        else:
            record["foreign"].append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and record["console"].append(m.text))
    page.on("pageerror", lambda e: record["pageerror"].append(str(e)))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page, record


def altair_status(page) -> list[dict]:
    """For every Altair container: did vega-embed draw a canvas or svg, or an error?"""
    page.wait_for_function(
        """() => [...document.querySelectorAll('div[id^="altair-viz-"]')]
                 .every(d => d.querySelector('canvas, svg, .error'))""",
        timeout=20000,
    )
    return page.evaluate(
        """() => [...document.querySelectorAll('div[id^="altair-viz-"]')].map(d => ({
               id: d.id,
               drawn: !!d.querySelector('canvas, svg.marks, svg'),
               error: d.querySelector('.error') ? d.querySelector('.error').innerText : null,
           }))"""
    )


@pytest.mark.parametrize("docname", toc_pages())
def test_page_offline_clean_and_charts_drawn(server, browser, docname):
    page, record = open_page(browser, f"{server}/{docname}.html")
    try:
        charts = altair_status(page)
        assert page.locator("h1").count() >= 1
    finally:
        page.context.close()
    assert record["foreign"] == [], f"requests to other hosts: {record['foreign']}"
    assert record["pageerror"] == [], record["pageerror"]
    assert record["console"] == [], record["console"]
    failed = [c for c in charts if not c["drawn"] or c["error"]]
    assert failed == [], failed


def test_browser_test_catches_a_cdn_script(server, browser, built_book, tmp_path):
    """The guard itself: a page that asks a CDN for a script is caught."""
    html = built_book["html"] / "_cdn_probe.html"
    html.write_text(
        '<html><head><script src="https://cdn.jsdelivr.net/npm/vega@6"></script></head>'
        "<body><h1>probe</h1></body></html>",
        encoding="utf-8",
    )
    try:
        page, record = open_page(browser, f"{server}/_cdn_probe.html")
        page.context.close()
    finally:
        html.unlink()
    assert record["foreign"] == ["https://cdn.jsdelivr.net/npm/vega@6"]


def test_explorer_filter_changes_what_is_shown(server, browser):
    """Pick a benchmark in the explorer: the rows shown are exactly the papers
    that evaluate on it (three cells per paper)."""
    from uqsurvey.survey.data import load
    from uqsurvey.survey.explorer import filter_papers, papers_long

    long = papers_long(load())
    expected_all = len(filter_papers(long))
    expected_tqa = len(filter_papers(long, benchmark="TriviaQA"))
    expected_both = len(filter_papers(long, benchmark="TriviaQA", metric="ECE"))
    assert expected_all > expected_tqa > expected_both > 0

    page, record = open_page(browser, f"{server}/chapters/explorer.html")
    try:
        altair_status(page)
        chart = page.locator('div[id^="altair-viz-"]').first
        cells = chart.locator("g.mark-rect path")
        page.wait_for_function("n => document.querySelector('div[id^=\"altair-viz-\"] g.mark-rect').children.length == n",
                               arg=3 * expected_all)
        assert cells.count() == 3 * expected_all
        selects = chart.locator(".vega-bindings select")
        selects.nth(0).select_option("TriviaQA")
        page.wait_for_function("n => document.querySelector('div[id^=\"altair-viz-\"] g.mark-rect').children.length == n",
                               arg=3 * expected_tqa)
        selects.nth(1).select_option("ECE")
        page.wait_for_function("n => document.querySelector('div[id^=\"altair-viz-\"] g.mark-rect').children.length == n",
                               arg=3 * expected_both)
        assert f"{expected_both} {'paper matches' if expected_both == 1 else 'papers match'}" in chart.inner_text()
    finally:
        page.context.close()
    assert record["console"] == [] and record["pageerror"] == [] and record["foreign"] == []
