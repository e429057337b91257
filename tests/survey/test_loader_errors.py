"""Every class of bad input, on a corrupted COPY of the data (never data/ itself).

Each test corrupts one thing and checks that :func:`uqsurvey.survey.data.load` raises
one :class:`DataValidationError` whose problems name the file, the row as it
appears in the file (header = row 1) and the column, with a message that says
what was expected.  Frictionless is used as an independent cross-check.
"""
from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from conftest import ROOT, max_examples, read_rows, run_cli, write_rows

from uqsurvey.cli import main
from uqsurvey.survey.data import DataValidationError, Problem, load, validate

DATA = ROOT / "data"


# --------------------------------------------------------------------------- #
# Helpers (the `copy` fixture, read_rows and write_rows are in tests/conftest.py)
# --------------------------------------------------------------------------- #


def set_cell(data_dir: Path, file: str, row: int, column: str, value: str) -> str:
    """Set the cell at file row ``row`` (header = 1) and return the old value."""
    path = data_dir / file
    rows = read_rows(path)
    j = rows[0].index(column)
    old = rows[row - 1][j]
    rows[row - 1][j] = value
    write_rows(path, rows)
    return old


def find_row(data_dir: Path, file: str, **match) -> int:
    """File row number (header = 1) of the first row whose columns equal ``match``."""
    rows = read_rows(data_dir / file)
    idx = {c: rows[0].index(c) for c in match}
    for i, r in enumerate(rows[1:], start=2):
        if all(r[idx[c]] == v for c, v in match.items()):
            return i
    raise LookupError(match)


def problems_of(data_dir: Path) -> list[Problem]:
    with pytest.raises(DataValidationError) as exc:
        load(data_dir)
    err = exc.value
    assert isinstance(err, ValueError)
    assert err.problems, "an error without problems"
    text = str(err)
    for p in err.problems:  # str lists every problem as file:row:column: message
        assert f"{p.file}:{p.row}:{p.column}: {p.message}" in text
    return err.problems


def only(problems: list[Problem], file: str, row: int, column: str) -> Problem:
    hits = [p for p in problems if (p.file, p.row, p.column) == (file, row, column)]
    assert hits, f"no problem at {file}:{row}:{column}; got:\n" + "\n".join(map(str, problems))
    return hits[0]


def frictionless_errors(data_dir: Path) -> list[str]:
    import frictionless

    report = frictionless.validate(str(data_dir / "datapackage.json"))
    return [row[0] for row in report.flatten(["type"])]


# --------------------------------------------------------------------------- #
# The copy itself is fine
# --------------------------------------------------------------------------- #
def test_clean_copy_loads(copy):
    d = load(copy)
    assert len(d.papers) == 37
    assert validate(copy) == []


# --------------------------------------------------------------------------- #
# One test per class of bad input
# --------------------------------------------------------------------------- #
def test_missing_column(copy):
    rows = read_rows(copy / "papers.csv")
    j = rows[0].index("year")
    write_rows(copy / "papers.csv", [r[:j] + r[j + 1:] for r in rows])
    p = only(problems_of(copy), "papers.csv", 1, "year")
    assert "missing column 'year'" in p.message
    assert "expected columns (in order): id, bibtex_key, citation, year" in p.message
    assert frictionless_errors(copy)


def test_unexpected_column(copy):
    rows = read_rows(copy / "claims.csv")
    write_rows(copy / "claims.csv", [r + (["extra"] if i == 0 else ["x"]) for i, r in enumerate(rows)])
    p = only(problems_of(copy), "claims.csv", 1, "extra")
    assert "unexpected column 'extra'" in p.message


def test_value_outside_enum(copy):
    row = find_row(copy, "papers.csv", id="P3")
    assert row == 4  # header is row 1, P1 is row 2
    set_cell(copy, "papers.csv", row, "shift", "maybe")
    p = only(problems_of(copy), "papers.csv", 4, "shift")
    assert "'maybe' is not allowed" in p.message and "expected one of: yes, no, n/a" in p.message
    assert "constraint-error" in frictionless_errors(copy)


def test_value_outside_enum_suggests_a_fix(copy):
    row = find_row(copy, "metrics.csv", metric="ECE")
    set_cell(copy, "metrics.csv", row, "metric_family", "calibration error")
    problems = problems_of(copy)
    p = only(problems, "metrics.csv", row, "metric_family")
    assert "did you mean 'calibration-error'?" in p.message
    # the rows of paper_metrics.csv that use ECE are sent to that row, not to another metric
    refs = [q for q in problems if q.file == "paper_metrics.csv"]
    assert refs and all(q.message.endswith(f"(metrics.csv row {row} holds '(ECE, calibration error)', "
                                           "which is itself invalid: fix that row)") for q in refs)


def test_duplicate_composite_key(copy):
    rows = read_rows(copy / "paper_datasets.csv")
    rows.insert(3, list(rows[2]))  # duplicate the 2nd data row (file row 3) right after it
    write_rows(copy / "paper_datasets.csv", rows)
    p = only(problems_of(copy), "paper_datasets.csv", 4, "paper_id+position")
    assert "duplicate key (P1, 2) (first at row 3)" in p.message
    assert "expected each paper_id+position to be unique" in p.message
    assert "primary-key" in frictionless_errors(copy)


def test_duplicate_primary_key(copy):
    row = find_row(copy, "benchmarks.csv", name="SciQ")
    set_cell(copy, "benchmarks.csv", row, "name", "TriviaQA")
    probs = problems_of(copy)
    p = only(probs, "benchmarks.csv", row, "name")
    assert "duplicate key TriviaQA (first at row 2)" in p.message
    # the rows of paper_datasets that pointed at SciQ now dangle, and are reported too
    assert any(q.file == "paper_datasets.csv" and q.column == "benchmark" and "'SciQ' not found" in q.message
               for q in probs)


def test_dangling_foreign_key_to_benchmarks(copy):
    row = find_row(copy, "paper_datasets.csv", paper_id="P1", dataset="GSM8K")
    set_cell(copy, "paper_datasets.csv", row, "benchmark", "GSM8X")
    p = only(problems_of(copy), "paper_datasets.csv", row, "benchmark")
    assert "'GSM8X' not found in benchmarks.csv column name" in p.message
    assert "did you mean 'GSM8K'?" in p.message
    assert "foreign-key" in frictionless_errors(copy)


def test_dangling_foreign_key_to_papers(copy):
    row = find_row(copy, "paper_metrics.csv", paper_id="P37", position="4")
    set_cell(copy, "paper_metrics.csv", row, "paper_id", "P38")
    p = only(problems_of(copy), "paper_metrics.csv", row, "paper_id")
    assert "'P38' not found in papers.csv column id" in p.message
    assert "foreign-key" in frictionless_errors(copy)


def test_empty_foreign_key_is_allowed(copy):
    # an empty benchmark is fine (the dataset is not a Table 1 benchmark)
    row = find_row(copy, "paper_datasets.csv", paper_id="P4", dataset="MedQA")
    assert read_rows(copy / "paper_datasets.csv")[row - 1][4] == ""
    load(copy)


@pytest.mark.parametrize("content", [b"", b"\n", b"  \n\n"])
def test_empty_file(copy, content):
    (copy / "claims.csv").write_bytes(content)
    p = only(problems_of(copy), "claims.csv", 1, "*")
    assert "file is empty; expected a header row with columns: id, section, statement" in p.message


def test_missing_file(copy):
    (copy / "normalizations.csv").unlink()
    p = only(problems_of(copy), "normalizations.csv", 1, "*")
    assert "file not found" in p.message and "expected a CSV file with columns: id, paper_id" in p.message


def test_non_utf8_file(copy):
    path = copy / "benchmarks.csv"
    raw = path.read_bytes()
    row = find_row(copy, "benchmarks.csv", name="BioASQ")
    lines = raw.split(b"\n")
    # Latin-1 bytes in the BioASQ row's last cell (note): "Caf\xe9"
    lines[row - 1] = lines[row - 1] + b" Caf\xe9"
    path.write_bytes(b"\n".join(lines))
    p = only(problems_of(copy), "benchmarks.csv", row, "note")
    assert "not valid UTF-8 (byte 0xE9)" in p.message and "expected the file to be encoded as UTF-8" in p.message


def test_non_integer_year(copy):
    row = find_row(copy, "papers.csv", id="P10")
    set_cell(copy, "papers.csv", row, "year", "twenty")
    p = only(problems_of(copy), "papers.csv", row, "year")
    assert p.message == "expected an integer, got 'twenty'"
    assert "type-error" in frictionless_errors(copy)


def test_required_value_missing(copy):
    row = find_row(copy, "papers.csv", id="P5")
    set_cell(copy, "papers.csv", row, "title", "")
    p = only(problems_of(copy), "papers.csv", row, "title")
    assert "required value is missing; expected a string value" in p.message
    set_cell(copy, "papers.csv", row, "title", "T")
    set_cell(copy, "papers.csv", row, "supervision", "")
    p = only(problems_of(copy), "papers.csv", row, "supervision")
    assert "required value is missing; expected one of: supervised, unsupervised, mixed, n/a" in p.message


def test_pattern_mismatch(copy):
    row = find_row(copy, "papers.csv", id="P1")
    set_cell(copy, "papers.csv", row, "bibtex_key", "Xiong2023Can")
    p = only(problems_of(copy), "papers.csv", row, "bibtex_key")
    assert "'Xiong2023Can' does not match the required pattern" in p.message
    assert "constraint-error" in frictionless_errors(copy)


def test_wrong_number_of_values(copy):
    path = copy / "claims.csv"
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\nbroken-row,3.2\n"
    path.write_text(text, encoding="utf-8")
    n = len(text.rstrip("\n").split("\n"))
    p = only(problems_of(copy), "claims.csv", n, "*")
    assert p.message.startswith("row has 2 values; expected 7")


def test_below_minimum(copy):
    row = find_row(copy, "benchmarks.csv", name="MMLU")
    set_cell(copy, "benchmarks.csv", row, "table_row", "0")
    p = only(problems_of(copy), "benchmarks.csv", row, "table_row")
    assert "below the minimum 1" in p.message


def test_broken_descriptor(copy):
    (copy / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    probs = problems_of(copy)
    assert probs[0].file == "datapackage.json" and "invalid JSON" in probs[0].message


def test_missing_data_dir(tmp_path):
    probs = problems_of(tmp_path / "nowhere")
    assert "data directory not found" in probs[0].message


def test_validation_is_driven_by_the_descriptor(copy):
    """No schema in Python: tightening datapackage.json tightens the loader."""
    pkg = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    bench = next(r for r in pkg["resources"] if r["name"] == "benchmarks")
    cat = next(f for f in bench["schema"]["fields"] if f["name"] == "category")
    cat["constraints"]["enum"].remove("MedicalQA")
    (copy / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    probs = problems_of(copy)
    assert {(p.file, p.row, p.column) for p in probs} == {
        ("benchmarks.csv", 22, "category"), ("benchmarks.csv", 23, "category")}  # BioASQ, MedMCQA


def test_every_problem_is_reported_at_once_and_nothing_loads(copy):
    set_cell(copy, "papers.csv", find_row(copy, "papers.csv", id="P2"), "human_study", "perhaps")
    set_cell(copy, "papers.csv", find_row(copy, "papers.csv", id="P3"), "year", "2023.5")
    set_cell(copy, "benchmarks.csv", find_row(copy, "benchmarks.csv", name="IMDB"), "c1", "✓")
    set_cell(copy, "paper_datasets.csv", find_row(copy, "paper_datasets.csv", paper_id="P2", position="1"),
             "benchmark", "CoQA2")
    (copy / "claims.csv").write_bytes(b"")
    probs = problems_of(copy)
    where = {(p.file, p.row, p.column) for p in probs}
    assert where == {
        ("papers.csv", 3, "human_study"),
        ("papers.csv", 4, "year"),
        ("paper_datasets.csv", 10, "benchmark"),  # P1 has 8 datasets (rows 2-9)
        ("benchmarks.csv", 13, "c1"),
        ("claims.csv", 1, "*"),
    }
    # ordered by file (package order), then row
    assert [p.file for p in probs] == ["papers.csv", "papers.csv", "paper_datasets.csv", "benchmarks.csv", "claims.csv"]


# --------------------------------------------------------------------------- #
# Property: any value outside an enum is caught, at the right place
# --------------------------------------------------------------------------- #
#: Papers whose human_study cell has a recorded reading (data/readings.csv): changing the
#: cell to another allowed value makes that reading's primary value stale, which validate
#: reports; an invalid value is reported once, for the cell (one problem per cause).
READ_HUMAN_STUDY = {r["row_key"] for r in csv.DictReader((DATA / "readings.csv").open(encoding="utf-8"))
                    if r["table"] == "papers" and r["column"] == "human_study"}

_CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=12)


@settings(max_examples=max_examples(25), deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(value=_CELL, paper=st.integers(min_value=1, max_value=37))
@example(value="0", paper=21)  # P21's human_study has a recorded reading: still one problem, not two
def test_any_value_outside_the_enum_is_reported(value, paper):
    if value in ("yes", "no", "n/a"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "data"
        shutil.copytree(DATA, dst)
        set_cell(dst, "papers.csv", paper + 1, "human_study", value)
        probs = validate(dst)
        # one problem per cause: a recorded reading of this cell (P21's, R006) is not also
        # reported as stale, since the cell itself is what is wrong
        assert [(p.file, p.column) for p in probs] == [("papers.csv", "human_study")]
        assert probs[0].row == paper + 1 or "\n" in value or "\r" in value


def test_a_recorded_reading_goes_stale_when_its_cell_changes_to_another_allowed_value():
    paper = sorted(READ_HUMAN_STUDY)[0]
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "data"
        shutil.copytree(DATA, dst)
        head, *rows = read_rows(dst / "papers.csv")
        row = next(k for k, r in enumerate(rows, start=2) if r[head.index("id")] == paper)
        old = rows[row - 2][head.index("human_study")]
        set_cell(dst, "papers.csv", row, "human_study", "no" if old != "no" else "yes")
        probs = validate(dst)
        assert [(p.file, p.column) for p in probs] == [("readings.csv", "primary")]
        assert f"which is {'no' if old != 'no' else 'yes'!r}" in probs[0].message


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #
def test_cli_bad_data_prints_every_problem(copy, capsys):
    set_cell(copy, "papers.csv", 2, "shift", "sometimes")
    set_cell(copy, "paper_metrics.csv", 2, "paper_id", "P99")
    expected = [str(p) for p in validate(copy)]
    assert len(expected) == 2
    rc = main(["validate", str(copy)])
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""
    for line in expected:
        assert line in err.splitlines()
    assert "papers.csv:2:shift:" in err and "paper_metrics.csv:2:paper_id:" in err


def test_cli_good_data_in_process(copy, capsys):
    assert main(["validate", str(copy)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("data OK: 37 papers") and err == ""


def test_cli_nonzero_on_bad_data(copy):
    set_cell(copy, "benchmarks.csv", 3, "c4", "7")
    proc = run_cli("validate", str(copy), cwd=ROOT)
    assert proc.returncode == 1
    assert "benchmarks.csv:3:c4: value '7' is not allowed; expected one of: yes, no, n/a" in proc.stderr


def test_cli_uses_env_var(copy, monkeypatch, capsys):
    monkeypatch.setenv("UQSURVEY_DATA", str(copy))
    set_cell(copy, "papers.csv", 2, "output_form", "medium-form")
    assert main(["validate"]) == 1
    assert "papers.csv:2:output_form:" in capsys.readouterr().err


def test_cli_rejects_unknown_options(capsys):
    assert main(["validate", "--frobnicate"]) == 2
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err
