"""Shared fixtures: the repository root, and one clean build of the whole book.

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


@pytest.fixture(scope="session")
def built_book() -> dict:
    """Build the book once per session, from clean, with warnings as errors.

    Set ``UQSURVEY_REUSE_BUILD=1`` to reuse an existing ``_build/html`` while
    iterating on the browser test; CI never sets it.
    """
    if os.environ.get("UQSURVEY_REUSE_BUILD") == "1" and (HTML / "index.html").exists():
        return {"returncode": 0, "output": "(reused)", "html": HTML}
    shutil.rmtree(BUILD, ignore_errors=True)
    proc = subprocess.run(
        [*jupyter_book_cmd(), "build", str(ROOT), "-n", "-W", "--keep-going"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return {"returncode": proc.returncode, "output": proc.stdout + proc.stderr, "html": HTML}
