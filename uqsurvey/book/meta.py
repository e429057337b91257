"""The book's own metadata: version, and how to cite it and its numbers.

The citation metadata has one source, ``CITATION.cff``; the BibTeX shown in
the book is generated from it.
"""
from __future__ import annotations

import datetime as _dt
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (uqsurvey/book/meta.py)


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


def book_bibtex(cff: dict | None = None, version: dict | None = None) -> str:
    """BibTeX for the book, generated from ``CITATION.cff`` and the build version."""
    cff = cff or citation()
    version = version or book_version()
    year = str(cff.get("date-released", version["date"]))[:4]
    fields = {
        "title": "{" + cff["title"] + "}",
        "author": _bib_authors(cff["authors"]),
        "year": year,
        "version": f"{cff.get('version', '')} ({version['version']})",
        "note": f"Executable companion to Devic et al. (2025), arXiv:2506.07461; built {version['date']}",
    }
    if cff.get("url"):
        fields["url"] = cff["url"]
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
