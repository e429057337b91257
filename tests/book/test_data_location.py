"""Data location: the book and the command line read ``data/`` of the book they run in
(or ``--data`` / ``UQSURVEY_DATA``), never the ``data/`` next to the installed package.

A second checkout that shares this environment (its ``uqsurvey`` is imported from
this repository) must read its own data: its command line, and its chapters, which
execute with ``chapters/`` as working directory, as the book build runs them.  The
second checkout's data differs from ours in one row: P13's smECE row is replaced by
the same metric reported by P5, so that the sentence "who reports smECE" changes its
subject (P13 is Ulmer et al., 2024; P5 is Nikitin et al., 2024, by data/papers.csv).
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT, run_cli

from uqsurvey.survey.data import ENV_VAR, DataLocationError, default_data_dir, find_book_root

CHAPTER = "chapters/metrics_and_human_studies.md"


def move_smece_to_p5(data_dir: Path) -> None:
    path = data_dir / "paper_metrics.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    smece = next(r for r in rows if r[0] == "P13" and r[3] == "smECE")
    rows.remove(smece)
    position = 1 + max(int(r[1]) for r in rows[1:] if r[0] == "P5")
    rows.append(["P5", str(position), *smece[2:]])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> Path:
    """A second checkout of the book (what a chapter and the command line need), with its own data."""
    dst = tmp_path_factory.mktemp("second-checkout") / "book"
    for name in ("_config.yml", "_toc.yml", "references.bib"):
        (dst / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, dst / name)
    shutil.copytree(ROOT / "data", dst / "data")
    (dst / "chapters").mkdir()
    shutil.copy(ROOT / CHAPTER, dst / CHAPTER)
    move_smece_to_p5(dst / "data")
    return dst


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    return env


def smece_users(stdout: str) -> str:
    """Who reports smECE, as the ledger's reason says it ("users: P13 (Ulmer et al., 2024)")."""
    return next(r for r in json.loads(stdout) if r["id"] == "smece-users")["reason"].split("; ")[-1]


def test_the_book_root_is_found_from_any_folder_of_the_book(no_env, monkeypatch, other, tmp_path):
    assert find_book_root(other / "chapters") == other.resolve()
    assert find_book_root(other) == other.resolve()
    assert default_data_dir(start=other / "chapters") == (other / "data").resolve()
    monkeypatch.chdir(other / "chapters")
    assert default_data_dir() == (other / "data").resolve()
    monkeypatch.chdir(ROOT / "chapters")
    assert default_data_dir() == (ROOT / "data").resolve()
    assert find_book_root(tmp_path) is None
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert default_data_dir(start=other) == tmp_path.resolve()  # the variable wins


def test_outside_a_book_the_data_must_be_given(no_env, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataLocationError, match=f"pass the data directory .--data DIR. or set {ENV_VAR}"):
        default_data_dir()
    proc = run_cli("claims", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"no data directory: {tmp_path.resolve()} is not inside the book")
    assert "Traceback" not in proc.stderr


def test_the_command_line_reads_the_data_of_the_checkout_it_runs_in(no_env, other):
    cmd = ("claims", "--format", "json")
    here = run_cli(*cmd, cwd=ROOT)
    there = run_cli(*cmd, cwd=other / "chapters")
    assert here.returncode == 0 and there.returncode == 0, here.stderr + there.stderr
    assert smece_users(here.stdout) == "users: P13 (Ulmer et al., 2024)"
    assert smece_users(there.stdout) == "users: P5 (Nikitin et al., 2024)"
    given = run_cli(*cmd, "--data", str(other / "data"), cwd=ROOT)
    assert smece_users(given.stdout) == "users: P5 (Nikitin et al., 2024)"
    valid = run_cli("validate", cwd=other)
    assert valid.returncode == 0 and valid.stdout.rstrip().endswith(f"in {(other / 'data').resolve()}")


def glued(nb, key: str) -> dict:
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            if meta.get("name") == key:  # myst-nb stores the mimebundle under a prefix
                prefix = meta.get("mime_prefix", "")
                return {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in out["data"].items()}
    raise KeyError(key)


@pytest.mark.book  # executes a chapter in a Jupyter kernel
def test_a_chapter_of_a_second_checkout_reads_its_own_data(no_env, other):
    """The chapter executes in the second checkout (working directory chapters/, as the build
    runs it) with this environment's uqsurvey, and glues the sentence of ITS data."""
    nb = jupytext.read(other / CHAPTER)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import os, uqsurvey\nfrom uqsurvey.survey.data import default_data_dir\n"
        "print(os.path.dirname(uqsurvey.__file__)); print(default_data_dir())"))
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(other / "chapters")}}).execute()
    package, data_dir = nb.cells[-1].outputs[0]["text"].split()
    assert Path(package) == ROOT / "uqsurvey"  # one shared environment ...
    assert Path(data_dir) == (other / "data").resolve()  # ... and the checkout's own data
    sentence = glued(nb, "mh_smece_sentence")["text/markdown"]
    assert sentence == "One annotated paper reports SmoothECE: P5 {cite:p}`nikitin2024kernel`."
    assert glued(nb, "mh_smece_users_count")["text/plain"] == "1"
