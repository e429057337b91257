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

import datetime as _dt
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (uqsurvey/book/meta.py)

BOOK_URL_ENV = "UQSURVEY_BOOK_URL"
REPOSITORY_URL_ENV = "UQSURVEY_REPOSITORY_URL"
LOCAL_BUILD = "local build"
_ABSOLUTE_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


def book_version(srcdir: str | os.PathLike = ROOT) -> dict[str, str]:
    """Return ``{'version', 'commit', 'date'}`` for the source tree at *srcdir*.

    The version is the release tag when HEAD is tagged, otherwise the short
    commit hash, suffixed with ``+dirty`` when tracked files have uncommitted
    changes.  ``SOURCE_DATE_EPOCH`` (reproducible builds) fixes the date.
    """

    def git(*args: str) -> str:
        try:
            out = subprocess.run(["git", *args], cwd=srcdir, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.SubprocessError):
            return ""
        return out.stdout.strip() if out.returncode == 0 else ""

    commit = git("rev-parse", "--short=12", "HEAD") or "unknown"
    tag = git("describe", "--tags", "--exact-match", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    version = (tag or commit) + ("+dirty" if dirty else "")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        if epoch
        else _dt.datetime.now(tz=_dt.timezone.utc)
    )
    return {"version": version, "commit": commit, "date": when.strftime("%Y-%m-%d")}


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
        if value and not _ABSOLUTE_URL.match(value):
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
