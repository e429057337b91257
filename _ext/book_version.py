"""Stamp every page with the book's version: git commit (or release tag) and build date."""
from __future__ import annotations

from pathlib import Path


def _config_inited(app, config) -> None:
    from uqsurvey.book.meta import book_version

    info = book_version(Path(app.srcdir))
    app.book_version = info
    config.html_theme_options = dict(config.html_theme_options or {})
    config.html_theme_options["extra_footer"] = (
        f'<p class="book-version">Version <code>{info["version"]}</code>, built {info["date"]}.</p>'
    )


def _page_context(app, pagename, templatename, context, doctree) -> None:
    context["book_version"] = app.book_version


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_context)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
