"""Stamp every page with the book's version and identity.

The footer gives the git commit (or release tag), the build date and the book's
canonical URL, or "local build" when the build does not know one.  The URLs come
from :func:`uqsurvey.book.meta.book_identity` (``_config.yml``'s ``html.baseurl`` and
``repository.url``, overridden by ``UQSURVEY_BOOK_URL`` / ``UQSURVEY_REPOSITORY_URL``,
which the Pages workflow sets).  With a book URL, Sphinx writes a
``<link rel="canonical">`` with the page's absolute URL on every page; with a
repository URL, the header gets the repository button.

The version and the URL are properties of the build, not of a chapter's inputs (an
executed chapter is served from the execution cache, keyed on code and data: see
``_ext/cache_keys.py``), so pages never bake them in.  They write stamps
(:data:`uqsurvey.book.meta.STAMP`) instead, which this extension fills in when it writes
each page (:func:`uqsurvey.book.meta.fill_stamps`): executed cells (the ledger's
citation lines, the review page), the role ``{book-stamp}`version``` /
``{book-stamp}`date``` in prose, and the directive ``{book-bibtex}`` (the book's BibTeX
entry, generated from ``CITATION.cff``, shown like a cell's printed output).  A cached
page therefore never shows another version or URL.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective, SphinxRole


def _config_inited(app, config) -> None:
    from uqsurvey.book.meta import LOCAL_BUILD, book_identity, book_version

    info = book_version(Path(app.srcdir))
    identity = book_identity(Path(app.srcdir))
    app.book_version = info
    # A config value, so that a change of URL re-reads every page.
    config.uqsurvey_identity = identity

    options = dict(config.html_theme_options or {})
    if identity["book_url"]:
        config.html_baseurl = identity["book_url"] + "/"
        where = f'<a href="{escape(identity["book_url"])}/">{escape(identity["book_url"])}</a>'
    else:
        config.html_baseurl = ""
        where = f'<span class="book-local">{LOCAL_BUILD}</span>'
    if identity["repository_url"]:
        options["repository_url"] = identity["repository_url"]
        options["use_repository_button"] = True
    else:
        options.pop("repository_url", None)
        options["use_repository_button"] = False
    options["extra_footer"] = (
        f'<p class="book-version">Version <code>{info["version"]}</code>, built {info["date"]}. '
        f'<span class="book-url">{where}</span></p>'
    )
    config.html_theme_options = options


def _page_context(app, pagename, templatename, context, doctree) -> None:
    from uqsurvey.book.meta import fill_stamps

    context["book_version"] = app.book_version
    context["book_identity"] = app.config.uqsurvey_identity
    if "@@uq-" in context.get("body", ""):
        labels = app.env.get_domain("std").labels  # label -> (docname, anchor, section title)

        def title(label: str):
            return labels.get(label, (None, None, None))[2]

        context["body"] = fill_stamps(context["body"], app.book_version, app.config.uqsurvey_identity, pagename,
                                      titles=title)


class BookStamp(SphinxRole):
    """``{book-stamp}`version``` or ``{book-stamp}`date```: this build's version or date."""

    def run(self):
        from uqsurvey.book.meta import STAMP

        field = self.text.strip()
        if field not in ("version", "date"):
            msg = self.inliner.reporter.error(f"book-stamp: expected 'version' or 'date', not {field!r}", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        return [nodes.Text(STAMP[field])], []


class BookBibtex(SphinxDirective):
    """The book's BibTeX entry for this version, rendered like a cell's stream output."""

    has_content = False

    def run(self):
        from uqsurvey.book.meta import STAMP, book_bibtex, citation

        self.env.note_dependency(str(Path(self.env.srcdir) / "CITATION.cff"))
        cff = citation(Path(self.env.srcdir) / "CITATION.cff")
        if "date-released" not in cff:
            raise self.error("book-bibtex: CITATION.cff needs a date-released (the entry's year)")
        # The version and date as stamps (filled when the page is written); the URLs from the
        # configuration, whose change re-reads every page.
        text = book_bibtex(cff, version=STAMP, identity=self.env.app.config.uqsurvey_identity)
        block = nodes.literal_block(text, text, language="myst-ansi", classes=["output", "stream"])
        return [nodes.container("", nodes.container("", block, classes=["cell_output"]), classes=["cell"])]


def setup(app):
    app.add_config_value("uqsurvey_identity", {}, "env")
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_context)
    app.add_role("book-stamp", BookStamp())
    app.add_directive("book-bibtex", BookBibtex)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
