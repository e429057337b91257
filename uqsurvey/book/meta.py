"""The book's own metadata: version, identity (URLs), and how to cite it and its numbers.

The citation metadata has one source, ``CITATION.cff``; the BibTeX shown in
the book is generated from it.  The book's canonical URL and its repository's
URL have one source too, :func:`book_identity`: the ``_config.yml`` keys
``html.baseurl`` and ``repository.url`` (empty in the sources), overridden by
the environment variables that the Pages workflow sets at build time.  When
neither gives a URL the build is a *local build*: links stay relative and the
book says "local build" where a URL would be.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from uqsurvey.version import source_version

ROOT = Path(__file__).resolve().parents[2]  # the repository (uqsurvey/book/meta.py)

#: Environment variables that give the book's canonical URL and its repository's URL
#: (set by the Pages workflow).
BOOK_URL_ENV = "UQSURVEY_BOOK_URL"
REPOSITORY_URL_ENV = "UQSURVEY_REPOSITORY_URL"
#: Said where a URL would be when the build does not know the book's URL.
LOCAL_BUILD = "local build"
#: An absolute http(s) URL (the book's, the repository's, a review's ``book_url``).
ABSOLUTE_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def book_version(srcdir: str | os.PathLike = ROOT) -> dict[str, str]:
    """Return ``{'version', 'commit', 'date'}`` for the source tree at *srcdir*
    (:func:`uqsurvey.version.source_version`: release tag or short commit,
    ``+dirty`` for uncommitted changes; ``SOURCE_DATE_EPOCH`` fixes the date)."""
    return source_version(srcdir)


def book_identity(srcdir: str | os.PathLike = ROOT, environ: dict | None = None) -> dict[str, str | None]:
    """Return ``{'book_url', 'repository_url'}``: absolute URLs without a trailing
    slash, or ``None`` where the build does not know one (a local build).

    ``UQSURVEY_BOOK_URL`` / ``UQSURVEY_REPOSITORY_URL`` (set by the Pages
    workflow from GitHub's environment) override ``html.baseurl`` /
    ``repository.url`` of ``srcdir/_config.yml``.  A value that is not an
    absolute http(s) URL raises ``ValueError`` naming where it came from.
    """
    import yaml

    environ = os.environ if environ is None else environ
    config_path = Path(srcdir) / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8")) if config_path.exists() else {}
    config = config or {}
    sources = {
        "book_url": (BOOK_URL_ENV, "html.baseurl", (config.get("html") or {}).get("baseurl")),
        "repository_url": (REPOSITORY_URL_ENV, "repository.url", (config.get("repository") or {}).get("url")),
    }
    identity: dict[str, str | None] = {}
    for key, (env, yaml_key, configured) in sources.items():
        from_env = str(environ.get(env) or "").strip()
        value = from_env or str(configured or "").strip()
        if value and not ABSOLUTE_URL.match(value):
            where = f"environment variable {env}" if from_env else f"{yaml_key} in {config_path}"
            raise ValueError(f"{where} must be an absolute http(s) URL, got {value!r}")
        identity[key] = value.rstrip("/") or None
    return identity


def book_link(path: str, identity: dict | None = None) -> str:
    """The absolute URL of *path* (``chapters/ledger.html#claim-c1``) in the
    published book, or *path* itself, relative to the book's root, in a local build."""
    identity = book_identity() if identity is None else identity
    path = path.lstrip("/")
    return f"{identity['book_url']}/{path}" if identity.get("book_url") else path


def clone_command(identity: dict | None = None) -> str:
    """The shell line that gets the sources, or a comment saying that a local build
    does not know the repository's URL."""
    identity = book_identity() if identity is None else identity
    repo = identity.get("repository_url")
    if not repo:
        return f"# {LOCAL_BUILD}: no repository URL is configured; run these commands in your clone"
    return f"git clone {repo}.git && cd {repo.rsplit('/', 1)[-1]}"


def cite_text(what: str, path: str, cff: dict | None = None, version: dict | None = None,
              identity: dict | None = None) -> str:
    """A one-line citation of one number of the book, ready to paste into a review:
    what it is, the book's title and version, and the absolute URL of its anchor
    (or, in a local build, "local build" and the path)."""
    cff = cff or citation()
    version = version or book_version()
    identity = book_identity() if identity is None else identity
    where = book_link(path, identity) if identity.get("book_url") else f"{LOCAL_BUILD}, {path}"
    return f"{what}, recomputed in *{cff['title']}*, version {version['version']} (built {version['date']}), {where}."


def citation(path: str | os.PathLike = ROOT / "CITATION.cff") -> dict:
    """``CITATION.cff`` as a dict."""
    import yaml

    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _bib_authors(authors: list[dict]) -> str:
    names = []
    for a in authors:
        if "family-names" in a:
            names.append(f"{a['family-names']}, {a.get('given-names', '')}".strip(", "))
        else:
            names.append("{" + a["name"] + "}")
    return " and ".join(names)


def book_bibtex(cff: dict | None = None, version: dict | None = None, identity: dict | None = None) -> str:
    """BibTeX for the book, generated from ``CITATION.cff``, the build version and
    the book's URL (no ``url`` field in a local build)."""
    cff = cff or citation()
    version = version or book_version()
    identity = book_identity() if identity is None else identity
    year = str(cff.get("date-released", version["date"]))[:4]
    fields = {
        "title": "{" + cff["title"] + "}",
        "author": _bib_authors(cff["authors"]),
        "year": year,
        "version": f"{cff.get('version', '')} ({version['version']})",
        "note": f"Executable companion to Devic et al. (2025), arXiv:2506.07461; built {version['date']}",
    }
    url = identity.get("book_url") or cff.get("url")
    if url:
        fields["url"] = url
    if identity.get("repository_url"):
        fields["repository"] = identity["repository_url"]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
    return f"@software{{uqsurvey_companion_{year},\n{body}\n}}"


def paper_bibtex(cff: dict | None = None) -> str:
    """BibTeX for the position paper (``preferred-citation`` of ``CITATION.cff``)."""
    pc = (cff or citation())["preferred-citation"]
    ident = next((i["value"] for i in pc.get("identifiers", []) if "arXiv" in str(i.get("value"))), "")
    fields = {
        "title": "{" + pc["title"] + "}",
        "author": _bib_authors(pc["authors"]),
        "year": str(pc["year"]),
        "journal": pc.get("journal", ""),
        "eprint": ident.replace("arXiv:", ""),
        "archivePrefix": "arXiv",
    }
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return f"@article{{devic2025calibration,\n{body}\n}}"


# --------------------------------------------------------------------------- #
# Stamps: the version and URL filled in when a page is written, not when it executes
# --------------------------------------------------------------------------- #
#: What an executed cell writes instead of the version (``book_version()``'s keys).  The
#: book's Sphinx extension (``_ext/book_version.py``) fills them in with :func:`fill_stamps`
#: when it writes each page, so a cached execution never shows another version.
STAMP = {"version": "@@uq-version@@", "commit": "@@uq-commit@@", "date": "@@uq-date@@"}
#: An identity whose URL is filled in at write time too: :func:`book_link` then gives
#: ``@@uq-url@@/<path>`` (text) and :data:`HREF_STAMP` ``/<path>`` marks a link target.
DEFERRED_IDENTITY = {"book_url": "@@uq-url@@"}
HREF_STAMP = "@@uq-href@@"
_URL_STAMP = re.compile(r"@@uq-(url|href)@@/([\w/.#-]*[\w#-])")


_TITLE_STAMP = re.compile(r"@@uq-title:([a-z0-9]+(?:-[a-z0-9]+)*)@@")


def label_title(label: str, section_title: str | None) -> str:
    """The text for a link to a MyST label: its section's title, or for a label above a
    paragraph (a recommendation, ``rec-r5``) the recommendation's number (``R5``)."""
    if section_title:
        return section_title
    m = re.fullmatch(r"rec-(r\d+)", label)
    return m.group(1).upper() if m else label


def fill_stamps(html: str, version: dict, identity: dict, pagename: str = "", titles=None) -> str:
    """Fill the stamps of *html* (a page *pagename*, a docname) with *version* and *identity*.

    ``@@uq-url@@/<path>`` becomes the absolute URL, or ``local build, <path>`` in a
    local build; ``@@uq-href@@/<path>`` becomes the absolute URL, or *path* relative
    to the page.
    """
    import posixpath

    for key, stamp in STAMP.items():
        html = html.replace(stamp, version[key])
    if titles is not None:  # label -> its section title (or None): ``@@uq-title:<label>@@``
        from html import escape

        html = _TITLE_STAMP.sub(lambda m: escape(label_title(m.group(1), titles(m.group(1)))), html)
    base = identity.get("book_url")

    def fill(m: re.Match) -> str:
        kind, path = m.groups()
        if base:
            return f"{base}/{path}"
        if kind == "url":
            return f"{LOCAL_BUILD}, {path}"
        target, _, fragment = path.partition("#")
        rel = posixpath.relpath(target, posixpath.dirname(pagename) or ".")
        return (rel + (f"#{fragment}" if fragment else "")) if target else f"#{fragment}"

    return _URL_STAMP.sub(fill, html)
