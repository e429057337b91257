"""Issue 13: bad input the validator used to accept, or answered with a traceback or a
misleading message.  One test per case, each on a corrupted COPY of the data; each
checks the message a user reads and the exit status of ``python -m uqsurvey validate``.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, read_rows, run_cli, write_rows

from uqsurvey.cli import main
from uqsurvey.survey.data import DataValidationError, load, validate

DATA = ROOT / "data"
#: Position of the claims resource in the package (it is the last one listed).
CLAIMS_AT = [r["name"] for r in json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]].index("claims")


def set_cell(data_dir: Path, file: str, column: str, value: str, **match) -> int:
    """Set *column* of the first row matching *match*; return its file row (header = 1).
    The data comes from the `copy` fixture of tests/conftest.py."""
    rows = read_rows(data_dir / file)
    head = rows[0]
    for i, r in enumerate(rows[1:], start=2):
        if all(r[head.index(c)] == v for c, v in match.items()):
            r[head.index(column)] = value
            write_rows(data_dir / file, rows)
            return i
    raise LookupError(match)


def edit_descriptor(data_dir: Path, fn) -> None:
    path = data_dir / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    fn(pkg)
    path.write_text(json.dumps(pkg, ensure_ascii=False, indent=1), encoding="utf-8")


def resource(pkg: dict, name: str) -> dict:
    return next(r for r in pkg["resources"] if r["name"] == name)


def cli(data_dir: Path, capsys) -> tuple[int, list[str]]:
    """Exit status and stderr lines of ``validate DATA_DIR``, run in this process."""
    code = main(["validate", str(data_dir)])
    err = capsys.readouterr().err.splitlines()
    return code, err


def problems(data_dir: Path) -> list[str]:
    with pytest.raises(DataValidationError) as exc:
        load(data_dir)
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- #
# Canonical fields are canonical
# --------------------------------------------------------------------------- #
def test_trailing_space_in_a_metric_is_an_error(copy, capsys):
    row = set_cell(copy, "paper_metrics.csv", "metric", "ECE ", paper_id="P1", position="1")
    code, err = cli(copy, capsys)
    assert code == 1
    assert err[0] == (f"paper_metrics.csv:{row}:metric: value 'ECE ' has trailing whitespace; "
                      "expected no space around a value (did you mean 'ECE'?)")
    assert err[-1].startswith("1 problem found")


def test_case_variant_of_a_metric_is_an_error(copy, capsys):
    row = set_cell(copy, "paper_metrics.csv", "metric", "ece", paper_id="P1", position="1")
    code, err = cli(copy, capsys)
    assert code == 1
    assert len(err) == 2, err
    assert err[0].startswith(f"paper_metrics.csv:{row}:metric: 'ece' not found in metrics.csv column metric")
    assert err[0].endswith("(did you mean 'ECE'?)")


def test_metric_family_must_agree_with_the_vocabulary(copy, capsys):
    row = set_cell(copy, "paper_metrics.csv", "metric_family", "discrimination", paper_id="P1", position="1")
    code, err = cli(copy, capsys)
    assert code == 1 and len(err) == 2, err
    assert err[0].startswith(f"paper_metrics.csv:{row}:metric+metric_family: "
                             "'(ECE, discrimination)' not found in metrics.csv column metric+metric_family")
    assert err[0].endswith("(did you mean '(ECE, calibration-error)'?)")


def test_case_variant_of_an_enum_value_is_an_error(copy, capsys):
    row = set_cell(copy, "papers.csv", "shift", "Yes", id="P1")
    code, err = cli(copy, capsys)
    assert code == 1
    assert err[0].startswith(f"papers.csv:{row}:shift: value 'Yes' is not allowed; expected one of: yes, no, n/a")
    assert err[0].endswith("(did you mean 'yes'?)")


def test_case_variant_inside_a_vocabulary_is_an_error(copy):
    rows = read_rows(copy / "metrics.csv")
    rows.append(["ece", "calibration-error"])
    write_rows(copy / "metrics.csv", rows)
    found = problems(copy)
    assert found == [
        f"metrics.csv:{len(rows)}:metric: value 'ece' differs from 'ECE' (row {[r[0] for r in rows].index('ECE') + 1}) "
        "only in letter case or spacing; expected one spelling of each value (did you mean 'ECE'?)"
    ]


def test_whitespace_is_an_error_anywhere(copy):
    row = set_cell(copy, "papers.csv", "notes", " Leading space.", id="P2")
    rows = read_rows(copy / "claims.csv")
    rows[0][0] = "id "
    write_rows(copy / "claims.csv", rows)
    found = problems(copy)
    assert f"papers.csv:{row}:notes: value ' Leading space.' has leading whitespace; expected no space " \
           "around a value (did you mean 'Leading space.'?)" in found
    assert "claims.csv:1:id: column name 'id ' has trailing whitespace; expected 'id'" in found
    assert len(found) == 2, found


# --------------------------------------------------------------------------- #
# Contained paths
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("path", ["../../../../etc/passwd", "../outside.csv", "/etc/passwd", "sub/../../outside.csv"])
def test_a_resource_path_outside_the_data_directory_is_refused(copy, capsys, path):
    shutil.copy(copy / "claims.csv", copy.parent / "outside.csv")  # a VALID table outside
    edit_descriptor(copy, lambda pkg: resource(pkg, "claims").__setitem__("path", path))
    code, err = cli(copy, capsys)
    assert code == 1
    i = [r["name"] for r in json.loads((copy / "datapackage.json").read_text())["resources"]].index("claims")
    kind = "an absolute path" if path.startswith("/") else "leads outside the data directory"
    assert err[:-1] == [f"datapackage.json:1:resources[{i}].path: {path!r} is {kind}; expected a path relative "
                        "to the data directory, without '..' (Data Package specification)"
                        if kind.startswith("an") else
                        f"datapackage.json:1:resources[{i}].path: {path!r} {kind}; expected a path relative "
                        "to the data directory, without '..' (Data Package specification)"]
    assert "root:" not in "\n".join(err)  # nothing of /etc/passwd is echoed


def test_a_symbolic_link_out_of_the_data_directory_is_refused(copy, capsys):
    shutil.copy(copy / "claims.csv", copy.parent / "outside.csv")
    (copy / "claims.csv").unlink()
    os.symlink(copy.parent / "outside.csv", copy / "claims.csv")
    code, err = cli(copy, capsys)
    assert code == 1 and len(err) == 2, err
    assert "'claims.csv' resolves to" in err[0] and "outside the data directory" in err[0]


# --------------------------------------------------------------------------- #
# Descriptor errors name their JSON path, never a traceback
# --------------------------------------------------------------------------- #
DESCRIPTOR_CASES = {
    "constraints given as a list": (
        lambda pkg: resource(pkg, "papers")["schema"]["fields"][0].__setitem__("constraints", ["required"]),
        "resources[0].schema.fields[0].constraints: expected an object such as {\"required\": true}, got a list",
    ),
    "reference given as a string": (
        lambda pkg: resource(pkg, "paper_datasets")["schema"]["foreignKeys"][0].__setitem__("reference", "papers"),
        "resources[1].schema.foreignKeys[0].reference: expected an object with 'resource' and 'fields', "
        "got a string ('papers')",
    ),
    "minimum given as a string": (
        lambda pkg: resource(pkg, "papers")["schema"]["fields"][3]["constraints"].__setitem__("minimum", "x"),
        "resources[0].schema.fields[3].constraints.minimum: expected a number, got a string ('x')",
    ),
    "fields given as an object": (
        lambda pkg: resource(pkg, "claims")["schema"].__setitem__("fields", {"id": "string"}),
        f"resources[{CLAIMS_AT}].schema.fields: expected a non-empty list of field objects, got an object",
    ),
    "required given as a string": (
        lambda pkg: resource(pkg, "papers")["schema"]["fields"][1]["constraints"].__setitem__("required", "yes"),
        "resources[0].schema.fields[1].constraints.required: expected true or false, got a string ('yes')",
    ),
    "enum given as a string": (
        lambda pkg: resource(pkg, "papers")["schema"]["fields"][9]["constraints"].__setitem__("enum", "yes,no"),
        "resources[0].schema.fields[9].constraints.enum: expected a non-empty list of values (strings or numbers), "
        "got a string ('yes,no')",
    ),
    "resource given as a number": (
        lambda pkg: pkg["resources"].__setitem__(2, 7),
        "resources[2]: expected an object with 'name', 'path' and 'schema', got an integer (7)",
    ),
    "primary key given as a number": (
        lambda pkg: resource(pkg, "papers")["schema"].__setitem__("primaryKey", 1),
        "resources[0].schema.primaryKey: expected a field name or a non-empty list of field names, got an integer (1)",
    ),
}


@pytest.mark.parametrize("case", list(DESCRIPTOR_CASES))
def test_descriptor_type_errors_name_the_json_path(copy, capsys, case):
    mutate, expected = DESCRIPTOR_CASES[case]
    edit_descriptor(copy, mutate)
    code, err = cli(copy, capsys)
    assert code == 1
    assert err[:-1] == [f"datapackage.json:1:{expected}"]


def test_descriptor_type_error_is_one_line_without_traceback(copy):
    edit_descriptor(copy, DESCRIPTOR_CASES["reference given as a string"][0])
    proc = run_cli("validate", str(copy))  # an unhandled exception would propagate here
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("datapackage.json:1:resources[1].schema.foreignKeys[0].reference: ")


# --------------------------------------------------------------------------- #
# Reading the tables
# --------------------------------------------------------------------------- #
def test_a_one_megabyte_cell_is_reported_as_too_long(copy, capsys):
    row = set_cell(copy, "papers.csv", "notes", "x" * 1_000_000, id="P1")
    code, err = cli(copy, capsys)
    assert code == 1
    assert err[:-1] == [f"papers.csv:{row}:notes: value has 1,000,000 characters; expected at most 10,000 "
                        "(a longer value usually means a quote that is never closed)"]
    assert "RFC 4180" not in err[0]


def test_a_quote_that_is_never_closed_names_its_row(copy, capsys):
    with (copy / "papers.csv").open("a", encoding="utf-8") as f:
        f.write('P38,"no closing quote\n')  # the last row, 39: its quote runs to the end of the file
    code, err = cli(copy, capsys)
    assert code == 1
    assert err[:-1] == ['papers.csv:39:*: a quoted value that starts in this row is never closed; '
                        'expected a closing double quote (write a quote inside a value as "")']


def test_a_stray_quote_names_its_row(copy, capsys):
    text = (copy / "papers.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    text[5] = text[5].replace(",", ',"', 1)  # row 6: a quote opens a value and closes mid-file
    (copy / "papers.csv").write_text("".join(text), encoding="utf-8")
    code, err = cli(copy, capsys)
    assert code == 1
    assert err[0].startswith("papers.csv:6:*: a quoted value that starts in this row is followed by more text")


def test_a_header_only_papers_table_gives_a_short_report(copy, capsys):
    header = (copy / "papers.csv").read_text(encoding="utf-8").splitlines()[0]
    (copy / "papers.csv").write_text(header + "\n", encoding="utf-8")
    code, err = cli(copy, capsys)
    assert code == 1
    assert err[:-1] == [
        "papers.csv:1:*: the file has a header but no data rows; expected at least one row",
        "paper_datasets.csv:1:paper_id: papers.csv has no valid rows, so none of the 125 values of paper_id "
        "can be found in papers.csv column id; fix papers.csv first",
        "paper_metrics.csv:1:paper_id: papers.csv has no valid rows, so none of the 79 values of paper_id "
        "can be found in papers.csv column id; fix papers.csv first",
        "normalizations.csv:1:paper_id: papers.csv has no valid rows, so none of the 99 values of paper_id "
        "can be found in papers.csv column id; fix papers.csv first",
        "readings.csv:1:paper_id: papers.csv has no valid rows, so none of the 34 values of paper_id "
        "can be found in papers.csv column id; fix papers.csv first",
    ]
    assert not any(line.rstrip().endswith("expected one of:") for line in err)


# --------------------------------------------------------------------------- #
# "Did you mean" after a bad id
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("bad", ["p13", "P13 ", "P13x"])
def test_references_to_a_bad_id_point_at_that_row(copy, bad):
    row = set_cell(copy, "papers.csv", "id", bad, id="P13")
    found = problems(copy)
    refs = [p for p in found if not p.startswith("papers.csv:")]
    assert refs, found
    for p in refs:
        assert ":paper_id: 'P13' not found in papers.csv column id" in p, p
        assert p.endswith(f"(papers.csv row {row} holds {bad!r}, which is itself invalid: fix that row)"), p
        assert "did you mean" not in p


def test_a_missing_well_formed_id_gets_no_wrong_hint(copy):
    rows = read_rows(copy / "papers.csv")
    write_rows(copy / "papers.csv", [r for r in rows if r[0] != "P13"])
    found = problems(copy)
    assert found and all("'P13' not found in papers.csv column id" in p for p in found), found
    assert not any("did you mean" in p for p in found), found


def test_a_malformed_reference_is_reported_once(copy):
    row = set_cell(copy, "paper_metrics.csv", "paper_id", "P1x", paper_id="P13", position="3")
    assert problems(copy) == [f"paper_metrics.csv:{row}:paper_id: value 'P1x' does not match the required "
                              "pattern ^P[1-9][0-9]*$"]


def test_a_typo_in_a_dataset_name_still_gets_a_hint(copy):
    row = set_cell(copy, "paper_datasets.csv", "dataset", "TriviaQ", dataset="TriviaQA")
    found = problems(copy)
    assert len(found) == 1
    assert found[0].startswith(f"paper_datasets.csv:{row}:dataset: 'TriviaQ' not found in datasets.csv column dataset")
    assert found[0].endswith("(did you mean 'TriviaQA'?)")


def test_the_real_data_stays_valid():
    assert validate(DATA) == []
