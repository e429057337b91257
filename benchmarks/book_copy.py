"""A throw-away copy of the repository, built with the Makefile's own `make book`.

Used by ``benchmarks/build_time.py`` (timings) and ``tests/test_incremental_build.py``
(freshness): both need to edit data and prose without touching the working tree.

* :func:`copy_worktree` copies the working tree's files (tracked, plus untracked
  files that git does not ignore) -- no ``_build``, no ``.venv``;
* :func:`make_book` runs ``make -C <copy> book`` with the calling interpreter's
  environment (``VENV=sys.prefix``, never reinstalled) and ``PYTHONPATH`` set to
  the copy, so that the copy's ``uqsurvey`` and ``data/`` are the ones read;
* :func:`flip_one_c1` changes one Table 1 value (the first C1 "no" becomes "yes").
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_worktree(dest: Path, root: Path = ROOT, seed_cache: bool = False) -> Path:
    """Copy the working tree to *dest*; with *seed_cache*, also its execution cache."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = root / rel
        if src.is_file() and not rel.startswith(("_build/", ".venv/")):
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    cache = root / "_build" / ".jupyter_cache"
    if seed_cache and (cache / "global.db").exists():
        shutil.copytree(cache, dest / "_build" / ".jupyter_cache")
    return dest


def cache_records(book: Path) -> dict[int, str]:
    """jupyter-cache record id -> page (docname) of the book's execution cache."""
    from jupyter_cache import get_cache

    cache = book / "_build" / ".jupyter_cache"
    if not (cache / "global.db").exists():
        return {}
    out = {}
    for rec in get_cache(cache).list_cache_records():
        uri = Path(rec.uri)
        out[rec.pk] = uri.relative_to(book).with_suffix("").as_posix() if uri.is_relative_to(book) else str(uri)
    return out


def execution_seconds(book: Path) -> dict[str, float]:
    """Page -> execution time of its latest cached execution."""
    from jupyter_cache import get_cache

    cache = book / "_build" / ".jupyter_cache"
    out = {}
    for rec in sorted(get_cache(cache).list_cache_records(), key=lambda r: r.pk):
        uri = Path(rec.uri)
        page = uri.relative_to(book).with_suffix("").as_posix() if uri.is_relative_to(book) else str(uri)
        out[page] = float(rec.data.get("execution_seconds", float("nan")))
    return out


def make_book(book: Path, nice: int = 0, timeout: float = 3600) -> dict:
    """Run the Makefile's ``book`` target in *book*; return rc, log, seconds and the pages executed."""
    venv = Path(sys.prefix)
    if not (venv / "bin" / "jupyter-book").exists():
        raise RuntimeError(f"no jupyter-book in {venv}: run with the project's .venv/bin/python")
    env = {k: v for k, v in os.environ.items() if k not in ("UQSURVEY_DATA", "PYTHONPATH")}
    env["PYTHONPATH"] = str(book)
    before = cache_records(book)
    cmd = ["make", "-C", str(book), "book", f"VENV={venv}", "-o", str(venv / ".uqsurvey-installed")]
    # -o: never (re)install into this environment, whatever the copy's file times say
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - t0
    after = cache_records(book)
    return {
        "rc": proc.returncode,
        "log": re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr),
        "seconds": seconds,
        "records": after,
        "executed": sorted({page for pk, page in after.items() if pk not in before}),
    }


def flip_one_c1(book: Path, note: str = "") -> str:
    """Change the first 'no' of Table 1's C1 column to 'yes', rewriting only that line.

    *note*, if given, is appended to the row's free-text ``note`` (a way to make the
    edited data unlike any earlier state).  Returns the benchmark's name.
    """
    path = book / "data" / "benchmarks.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    col = header.index("c1")

    def write(row, end):
        buf = io.StringIO()
        csv.writer(buf, lineterminator=end).writerow(row)
        return buf.getvalue()

    for i, line in enumerate(lines[1:], start=1):
        row = next(csv.reader([line]))
        end = line[len(line.rstrip("\r\n")):]
        if len(row) != len(header) or row[col] != "no" or write(row, end) != line:
            continue  # another value, a multi-line record, or quoting a rewrite would change
        row[col] = "yes"
        if note:
            i_note = header.index("note")
            row[i_note] = f"{row[i_note]} {note}".strip()
        lines[i] = write(row, end)
        path.write_text("".join(lines), encoding="utf-8")
        return row[0]
    raise ValueError(f"{path}: no Table 1 row with C1 = no")


def append_prose(book: Path, page: str, sentence: str) -> None:
    """Add one paragraph of prose at the end of *page* (a docname)."""
    path = book / f"{page}.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")
