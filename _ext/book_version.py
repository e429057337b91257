"""Stamp every page with the book's version and identity.

The footer gives the git commit (or release tag), the build date and the book's
canonical URL, or "local build" when the build does not know one.  The URLs come
from :func:`uqsurvey.book.meta.book_identity` (``_config.yml``'s ``html.baseurl`` and
``repository.url``, overridden by ``UQSURVEY_BOOK_URL`` / ``UQSURVEY_REPOSITORY_URL``,
which the Pages workflow sets).  With a book URL, Sphinx writes a
``<link rel="canonical">`` with the page's absolute URL on every page; with a
repository URL, the header gets the repository button.

The version is a property of the build, not of a chapter's inputs, so no
chapter computes it (an executed chapter is served from the execution cache,
which is keyed on code and data: see ``_ext/cache_keys.py``).  Pages show it
through this extension instead:

* the footer of every page;
* the role ``{book-stamp}`version``` and ``{book-stamp}`date```;
* the directive ``{book-bibtex}``: the book's BibTeX entry (generated from
  ``CITATION.cff`` and the version), shown like a cell's printed output.

A page that uses a role or the directive is re-read whenever the version or
the date differs from the one it was read with.
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
    context["book_version"] = app.book_version
    context["book_identity"] = app.config.uqsurvey_identity


def _note_use(env) -> None:
    env.book_version_docs[env.docname] = dict(env.app.book_version)


class BookStamp(SphinxRole):
    """``{book-stamp}`version``` or ``{book-stamp}`date```: this build's version or date."""

    def run(self):
        field = self.text.strip()
        if field not in ("version", "date"):
            msg = self.inliner.reporter.error(f"book-stamp: expected 'version' or 'date', not {field!r}", line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        _note_use(self.env)
        return [nodes.Text(self.env.app.book_version[field])], []


class BookBibtex(SphinxDirective):
    """The book's BibTeX entry for this version, rendered like a cell's stream output."""

    has_content = False

    def run(self):
        from uqsurvey.book.meta import book_bibtex

        _note_use(self.env)
        self.env.note_dependency(str(Path(self.env.srcdir) / "CITATION.cff"))
        text = book_bibtex(version=self.env.app.book_version)
        block = nodes.literal_block(text, text, language="myst-ansi", classes=["output", "stream"])
        return [nodes.container("", nodes.container("", block, classes=["cell_output"]), classes=["cell"])]


def _init_env(app) -> None:
    if not hasattr(app.env, "book_version_docs"):
        app.env.book_version_docs = {}


def _outdated(app, env, added, changed, removed):
    """Pages read with another version or date than this build's."""
    return [d for d, seen in env.book_version_docs.items() if seen != app.book_version and d in env.found_docs]


def _purge(app, env, docname) -> None:
    env.book_version_docs.pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    for d in docnames:
        if d in other.book_version_docs:
            env.book_version_docs[d] = other.book_version_docs[d]


def setup(app):
    app.add_config_value("uqsurvey_identity", {}, "env")
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _init_env)
    app.connect("env-get-outdated", _outdated)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("html-page-context", _page_context)
    app.add_role("book-stamp", BookStamp())
    app.add_directive("book-bibtex", BookBibtex)
    return {"version": "1.1", "parallel_read_safe": True, "parallel_write_safe": True}
