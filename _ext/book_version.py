"""Stamp every page with the book's version: git commit (or release tag) and build date."""
from __future__ import annotations

import datetime as _dt
import os
import subprocess
from pathlib import Path


def book_version(srcdir: str | os.PathLike) -> dict[str, str]:
    """Return {'version', 'commit', 'date'} for the source tree at *srcdir*.

    The version is the release tag when HEAD is tagged, otherwise the short
    commit hash, suffixed with ``+dirty`` when the tree has uncommitted
    changes.  ``SOURCE_DATE_EPOCH`` (reproducible builds) fixes the date.
    """

    def git(*args: str) -> str:
        try:
            out = subprocess.run(
                ["git", *args], cwd=srcdir, capture_output=True, text=True, timeout=20
            )
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


def _footer(app, pagename, templatename, context, doctree) -> None:
    context["book_version"] = app.book_version


def _config_inited(app, config) -> None:
    info = book_version(Path(app.srcdir))
    app.book_version = info
    # Shown in the theme's footer of every page.
    config.html_theme_options = dict(config.html_theme_options or {})
    config.html_theme_options["extra_footer"] = (
        f'<p class="book-version">Version <code>{info["version"]}</code>, '
        f'built {info["date"]}.</p>'
    )


def setup(app):
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _footer)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
