"""Serve the book's JavaScript from the book itself, so a reader needs no network.

Altair's HTML output loads vega, vega-lite and vega-embed from a CDN unless
``VEGA_DEBUG`` says that the expected versions are already loaded.  This
extension writes the bundle that ships inside the ``vl-convert-python`` wheel
to ``_static/vega-bundle.js`` of the HTML output and, on the pages that hold
an Altair chart, loads it first and declares the versions Altair expects.

MathJax is served by ``sphinx-mathjax-offline`` (see ``_config.yml``).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

BUNDLE_NAME = "vega-bundle.js"
MARKER = "altair-viz-"  # id prefix of every Altair chart container


def _vegalite_minor(version: str) -> str:
    major, minor, *_ = version.split(".")
    return f"{major}.{minor}"


def _bundle_header() -> str:
    """First line of the bundle: the versions it holds (the bundle is a function of them)."""
    import altair as alt
    import vl_convert as vlc

    vl = _vegalite_minor(alt.VEGALITE_VERSION)
    if vl not in vlc.get_vegalite_versions():
        raise RuntimeError(
            f"vl-convert {vlc.__version__} ships no vega-lite {vl} bundle "
            f"(has {vlc.get_vegalite_versions()}); pin a vl-convert-python that matches "
            f"altair {alt.__version__}"
        )
    return (
        f"/* vega {vlc.get_vega_version()}, vega-lite {vl}, vega-embed "
        f"{vlc.get_vega_embed_version()}; bundled by vl-convert-python {vlc.__version__} */\n"
    )


_TAIL = "\n})();\n"


def _bundle_text(previous: str | None = None) -> str:
    """The bundle; *previous* (the file an earlier build wrote) is reused when its header
    names the same versions, which saves vl-convert about 3 s per build."""
    import altair as alt
    import vl_convert as vlc

    header = _bundle_header()
    if previous and previous.startswith(header) and previous.endswith(_TAIL):
        return previous
    body = vlc.javascript_bundle(vl_version=_vegalite_minor(alt.VEGALITE_VERSION))
    # A function scope keeps the bundle's top-level declarations out of the page's
    # global scope; the bundle itself assigns window.vega, window.vegaLite and
    # window.vegaEmbed.
    return header + "(function () {\n" + body + _TAIL


def _versions_snippet() -> str:
    import altair as alt

    return (
        "var VEGA_DEBUG = (typeof VEGA_DEBUG == 'undefined') ? {} : VEGA_DEBUG;"
        f"VEGA_DEBUG.vega_version = {alt.VEGA_VERSION!r};"
        f"VEGA_DEBUG.vegalite_version = {alt.VEGALITE_VERSION!r};"
        f"VEGA_DEBUG.vegaembed_version = {alt.VEGAEMBED_VERSION!r};"
    )


def _write_bundle(app) -> None:
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    target = static / BUNDLE_NAME
    previous = target.read_text(encoding="utf-8") if target.exists() else None
    text = _bundle_text(previous)
    if text != previous:
        target.write_text(text, encoding="utf-8")
    app.env.vega_bundle_sha = hashlib.sha256(text.encode()).hexdigest()[:12]


def _add_to_chart_pages(app, pagename, templatename, context, doctree) -> None:
    body = context.get("body", "")
    if MARKER in body:
        app.add_js_file(BUNDLE_NAME, priority=1)
        app.add_js_file(None, body=_versions_snippet(), priority=2)


def setup(app):
    app.connect("builder-inited", _write_bundle)
    app.connect("html-page-context", _add_to_chart_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
