"""Screenshots of every page of the built book at desktop and phone width.

    python scripts/screens.py [--html _build/html] [--out _build/screens] [--full] [PAGE ...]

Serves the built HTML on 127.0.0.1 (any request to another host is aborted,
as in the browser test), opens each page of the table of contents in Debian's
Chromium (never a downloaded browser) at 1366 x 768 and 412 x 900, and writes
``<out>/<page>-<width>.png``, with ``/`` in the page name written as ``__``.
By default a screenshot is the whole page; ``--first-screen`` keeps only what
a reader sees before scrolling.  ``make screens`` runs it after a build.
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
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
# (name, width, height): the widths the issue asks a reviewer to look at.
VIEWPORTS = [("desktop", 1366, 768), ("phone", 412, 900)]
MAX_HEIGHT = 16000  # beyond this, the rest of a long page is captured as Chromium does


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(html: Path):
    """Serve *html* on 127.0.0.1 at a free port; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def chromium():
    """Debian's Chromium driven by playwright."""
    if not CHROMIUM.exists():
        raise SystemExit(f"no {CHROMIUM}: `make chromium` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def toc_pages() -> list[str]:
    from sphinx_external_toc.parsing import parse_toc_yaml

    return list(parse_toc_yaml(ROOT / "_toc.yml"))


def shoot(browser, base: str, pages: list[str], out: Path, full_page: bool = True) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for _, width, height in VIEWPORTS:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.route(
            "**/*",
            lambda r: r.continue_()
            if r.request.url.startswith(("data:", "blob:")) or urlparse(r.request.url).hostname == "127.0.0.1"
            else r.abort(),
        )
        page = context.new_page()
        for docname in pages:
            page.goto(f"{base}/{docname}.html", wait_until="load")
            page.wait_for_load_state("networkidle")
            # Altair charts draw after load; wait until each has drawn (or failed).
            page.wait_for_function(
                """() => [...document.querySelectorAll('div[id^="altair-viz-"]')]
                         .every(d => d.querySelector('canvas, svg, .error'))""",
                timeout=20000,
            )
            target = out / f"{docname.replace('/', '__')}-{width}.png"
            if full_page:
                # A viewport as tall as the page: Chromium's full-page capture leaves
                # the theme's sticky sidebars half drawn.
                tall = page.evaluate("document.documentElement.scrollHeight")
                page.set_viewport_size({"width": width, "height": min(tall, MAX_HEIGHT)})
                page.wait_for_timeout(200)
            page.screenshot(path=str(target), full_page=full_page)
            page.set_viewport_size({"width": width, "height": height})
            written.append(target)
        context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="docnames (default: every page of _toc.yml)")
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "screens")
    parser.add_argument("--first-screen", action="store_true", help="only the first screen of each page")
    args = parser.parse_args(argv)
    if not (args.html / "index.html").exists():
        print(f"no built book at {args.html}: run `make book` first", file=sys.stderr)
        return 1
    pages = args.pages or toc_pages()
    unknown = [p for p in pages if not (args.html / f"{p}.html").exists()]
    if unknown:
        print(f"not in the built book: {', '.join(unknown)}", file=sys.stderr)
        return 1
    with serve(args.html) as base, chromium() as browser:
        written = shoot(browser, base, pages, args.out, full_page=not args.first_screen)
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
