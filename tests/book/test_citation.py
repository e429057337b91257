"""CITATION.cff validates against the CFF schema.

cffconvert pins ``jsonschema<4``, which the book's environment cannot hold, so
it runs from a throw-away virtual environment kept inside the test
interpreter's own environment (``sys.prefix``), created on first use.
"""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT

#: Slow the first time (creates a virtual environment and installs cffconvert), so not
#: part of the inner loop (``pytest -m "not book"``); ``make test`` runs it.
pytestmark = pytest.mark.book

TOOL_ENV = Path(sys.prefix) / "cffconvert-env"


def _cffconvert() -> Path:
    exe = TOOL_ENV / "bin" / "cffconvert"
    if not exe.exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOL_ENV)
        pip = [str(TOOL_ENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run([*pip, "cffconvert==2.0.0"], check=True, timeout=600)
    return exe


def test_citation_cff_is_valid():
    proc = subprocess.run(
        [str(_cffconvert()), "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_cffconvert_rejects_a_broken_file(tmp_path):
    broken = tmp_path / "CITATION.cff"
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    broken.write_text(text.replace("cff-version: 1.2.0", "cff-version: 1.2.0\ntitel: typo"), encoding="utf-8")
    proc = subprocess.run(
        [str(_cffconvert()), "--validate", "-i", str(broken)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
