"""Shared fixtures: the repository root, and one (incremental) build of the whole book.

Tests live in folders that mirror the package (tests/survey/, tests/book/, ...);
they import ``ROOT`` and ``toc_pages`` from here (``from conftest import ROOT``).
Test file names are unique across all folders (pytest imports them by basename).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _repo_root(start: Path) -> Path:
    """The nearest folder above *start* that holds ``pyproject.toml`` (the repository)."""
    for folder in start.parents:
        if (folder / "pyproject.toml").is_file():
            return folder
    raise RuntimeError(f"no pyproject.toml above {start}")


ROOT = _repo_root(Path(__file__).resolve())
BUILD = ROOT / "_build"
HTML = BUILD / "html"


def jupyter_book_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "jupyter-book"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jupyter_book.cli.main"]


def toc_pages() -> list[str]:
    """Every docname in the table of contents, root first (no '.md')."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site = parse_toc_yaml(ROOT / "_toc.yml")
    return list(site)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of data/ to corrupt (never data/ itself)."""
    dst = tmp_path / "data"
    shutil.copytree(ROOT / "data", dst)
    return dst


def read_rows(path: Path) -> list[list[str]]:
    """The rows of a CSV file, header first."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write *rows* as CSV (UTF-8, LF)."""
    buf = io.StringIO()
    # QUOTE_ALL: a value holding a bare carriage return stays inside its cell
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


#: What marks a test ``book`` (slow: it builds the book or executes chapters or notebooks):
#: any of these fixtures, directly or through another fixture, or any of these markers.
#: A test file that lands later is marked by the same rule; a test that executes a chapter
#: by itself says so with ``@pytest.mark.book``.
BOOK_FIXTURES = frozenset({"built_book", "server", "browser", "executed_notebook"})
BOOK_MARKERS = frozenset({"build", "browser"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        marks = {m.name for m in item.iter_markers()}
        if names & BOOK_FIXTURES or marks & BOOK_MARKERS:
            item.add_marker(pytest.mark.book)


@pytest.fixture(scope="session")
def built_book() -> dict:
    """The book, built once per session by the Makefile's ``make book``: warnings are errors,
    and the build is incremental (``_ext/cache_keys.py``: a chapter executes only when its
    code, the data it reads, the package or the environment changed), so a second session
    with nothing changed executes nothing.

    Returns ``returncode``, ``output`` (the build's log), ``html`` (``_build/html``) and
    ``executed`` (the pages executed by this build).  Failures of this build only are in
    ``_build/html/reports/`` (earlier reports are removed first).  Set
    ``UQSURVEY_CLEAN_BUILD=1`` to build from scratch (``make clean`` first), or
    ``UQSURVEY_REUSE_BUILD=1`` to reuse an existing ``_build/html`` without building
    (while iterating on the browser test); CI starts from a clean checkout.
    """
    if os.environ.get("UQSURVEY_REUSE_BUILD") == "1" and (HTML / "index.html").exists():
        return {"returncode": 0, "output": "(reused)", "html": HTML, "executed": []}
    if os.environ.get("UQSURVEY_CLEAN_BUILD") == "1":
        shutil.rmtree(BUILD, ignore_errors=True)
    shutil.rmtree(HTML / "reports", ignore_errors=True)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import book_copy
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    build = book_copy.make_book(ROOT, timeout=1800)
    return {"returncode": build["rc"], "output": build["log"], "html": HTML, "executed": build["executed"]}


@pytest.fixture(scope="session")
def executed_notebook():
    """Execute a companion notebook (``notebooks/*.ipynb``) through the book's execution
    cache, keyed like a chapter (``_ext/cache_keys.py``): it runs only when it, what it
    reads, the package or the environment changed.  ``executed_notebook(path)`` returns
    ``(notebook with outputs, executed)``."""
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import cache_keys
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    cache = BUILD / ".jupyter_cache"
    cache.mkdir(parents=True, exist_ok=True)
    return lambda path: cache_keys.execute_notebook(path, cache, ROOT)
