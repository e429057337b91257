"""Stamp every page with the book's version: git commit (or release tag) and build date.

Executed cells that show the version or the book's URL (the ledger's citation lines,
the review page) write stamps (:data:`uqsurvey.book.meta.STAMP`); this extension fills
them in when it writes each page (:func:`uqsurvey.book.meta.fill_stamps`), so a cached
execution never shows another version or URL.
"""
from __future__ import annotations

from pathlib import Path


def _config_inited(app, config) -> None:
    from uqsurvey.book.meta import book_identity, book_version

    info = book_version(Path(app.srcdir))
    app.book_version = info
    app.book_identity = book_identity(Path(app.srcdir))
    config.html_theme_options = dict(config.html_theme_options or {})
    config.html_theme_options["extra_footer"] = (
        f'<p class="book-version">Version <code>{info["version"]}</code>, built {info["date"]}.</p>'
    )


def _page_context(app, pagename, templatename, context, doctree) -> None:
    from uqsurvey.book.meta import fill_stamps

    context["book_version"] = app.book_version
    if "@@uq-" in context.get("body", ""):
        context["body"] = fill_stamps(context["body"], app.book_version, app.book_identity, pagename)


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_context)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
