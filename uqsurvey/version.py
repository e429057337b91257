"""The version of the sources: git commit (or release tag) and date.

One function, :func:`source_version`, used by everything that stamps an output
with the version it came from: the book's footer and citations
(:mod:`uqsurvey.book.meta`), the ledger's CSV and JSON
(:mod:`uqsurvey.survey.ledger`) and the review checklist.  It imports nothing
of the package (layer 0 of ARCHITECTURE.md).
"""
from __future__ import annotations

import datetime as _dt
import os
import subprocess
from pathlib import Path

#: The repository (this file is ``<repo>/uqsurvey/version.py``).
REPO_ROOT = Path(__file__).resolve().parents[1]


def source_version(srcdir: str | os.PathLike = REPO_ROOT) -> dict[str, str]:
    """Return ``{'version', 'commit', 'date'}`` for the source tree at *srcdir*.

    The version is the release tag when HEAD is tagged, otherwise the short
    commit hash, suffixed with ``+dirty`` when tracked files have uncommitted
    changes.  ``SOURCE_DATE_EPOCH`` (reproducible builds) fixes the date.
    Outside a git checkout the commit is ``unknown``.
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
