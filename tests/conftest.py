"""Shared fixtures: the repository root, and one (incremental) build of the whole book.

Tests live in folders that mirror the package (tests/survey/, tests/book/, ...);
they import ``ROOT`` and ``toc_pages`` from here (``from conftest import ROOT``).
Test file names are unique across all folders (pytest imports them by basename).
"""
from __future__ import annotations

import contextlib
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


def run_cli(*args: str, cwd: Path | str | None = None) -> subprocess.CompletedProcess:
    """``python -m uqsurvey ARGS`` run in this process (``uqsurvey.cli.main``), in *cwd*.

    Returns what :func:`subprocess.run` would (exit status, stdout, stderr) without
    paying a new interpreter's imports (1-2 s each).  An exception the command does not
    handle propagates (a subprocess would print its traceback and exit 1).  Only the tests
    of the entry point itself spawn ``python -m uqsurvey``
    (``tests/test_cli.py::test_module_entry_and_function_agree`` checks that it prints
    what ``main`` prints; the audit's entry-point test).
    """
    from uqsurvey.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or os.getcwd()), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # as the interpreter maps it
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return subprocess.CompletedProcess(["python", "-m", "uqsurvey", *args], code, out.getvalue(), err.getvalue())


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

#: Hypothesis: the ``dev`` profile (``-m "not book"``, the inner loop, or
#: ``HYPOTHESIS_PROFILE=dev``) runs a fifth of the examples each test asks for, at least
#: 5; ``make test`` (no ``-m``) runs them all.
DEV_FRACTION, DEV_MIN = 5, 5
_profile = {"name": os.environ.get("HYPOTHESIS_PROFILE", "")}


def pytest_configure(config):
    from hypothesis import settings

    settings.register_profile("dev", max_examples=20)
    if not _profile["name"]:
        markexpr = (config.getoption("markexpr", "") or "").replace(" ", "")
        _profile["name"] = "dev" if "notbook" in markexpr else "default"
    settings.load_profile(_profile["name"])


def max_examples(n: int) -> int:
    """*n* examples, or a fifth of them (at least 5) under the ``dev`` profile."""
    return max(DEV_MIN, n // DEV_FRACTION) if _profile["name"] == "dev" else n


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        marks = {m.name for m in item.iter_markers()}
        if names & BOOK_FIXTURES or marks & BOOK_MARKERS:
            item.add_marker(pytest.mark.book)


@pytest.fixture(scope="module")
def d():
    """The data package of this checkout (``uqsurvey.survey.data.load()``), once per test module."""
    from uqsurvey.survey.data import load

    return load()


@pytest.fixture(scope="module")
def ledger(d):
    """The evaluated ledger of :func:`d`, by claim id, once per test module."""
    from uqsurvey.survey.ledger import evaluate

    return {r.id: r for r in evaluate(d)}


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
