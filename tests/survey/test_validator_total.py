"""The validator is total: whatever a descriptor or a table holds, ``validate`` answers
with problems and exit status 1 (or a clean pass, exit 0), never with an exception.

Hypothesis mutates a copy of the real package at random: the JSON type of any node of
``datapackage.json`` the validator reads, a required key deleted, a cell, a row, a
byte, a column, a whole file.  Mutations that must make the package invalid (a node of
the wrong type, a missing required key, whitespace around a value, a byte that is not
UTF-8, an empty or missing file) must give exit status 1 and at least one problem; any
other mutation may pass, but must never raise.  The runs are derandomized (the same
examples on every run, so CI is deterministic) and small (a few seconds).
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from conftest import ROOT, max_examples

from uqsurvey.cli import main
from uqsurvey.survey.data import DataValidationError, load
from uqsurvey.survey.validation import validate_package

DATA = ROOT / "data"
PKG = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
FILES = {p.name: p.read_bytes() for p in DATA.iterdir() if p.is_file()}
TABLES = [r["path"] for r in PKG["resources"]]
PROBLEM_LINE = re.compile(r"^[^\n:]+:\d+:[^\n]*?: .+$")
#: Subtrees the validator does not read (free-form metadata shown by the book as text).
FREE = ("provenance", "licenses", "sources")
#: Keys the validator requires: deleting one must be reported.
REQUIRED = {"resources", "name", "path", "schema", "fields", "reference"}

SETTINGS = settings(max_examples=max_examples(40), deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


def nodes(x, path=()):
    """Every path into the descriptor, but those inside free-form metadata or enum lists."""
    if path and (path[-1] in FREE or (len(path) > 1 and path[-2] == "enum")):
        return
    if path:
        yield path
    if isinstance(x, dict):
        for k, v in x.items():
            yield from nodes(v, path + (k,))
    elif isinstance(x, list):
        for i, v in enumerate(x):
            yield from nodes(v, path + (i,))


NODES = list(nodes(PKG))
DELETABLE = [p for p in NODES if isinstance(p[-1], str) and p[-1] in REQUIRED and p != ("name",)]


class Case:
    """A mutated package, shown in a failure report by what was changed, not by its content."""

    def __init__(self, what: str, files: dict[str, bytes] = FILES, pkg: dict = PKG):
        self.what, self.files, self.pkg = what, files, pkg

    def __repr__(self) -> str:
        return f"Case({self.what!r})"


def get(obj, path):
    for k in path:
        obj = obj[k]
    return obj


def json_class(x) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return "number"
    return type(x).__name__


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12))
json_values = st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
                           max_leaves=6)
cell_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


def run(files: dict[str, bytes], pkg) -> tuple[int, list[str]]:
    """Validate a package made of *files* and *pkg*: exit status and stderr lines.  Also
    checks that the function API agrees with the command line and never raises."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "data"
        d.mkdir()
        for name, data in files.items():
            (d / name).write_bytes(data)
        (d / "datapackage.json").write_text(json.dumps(pkg, ensure_ascii=False), encoding="utf-8")
        problems = validate_package(d)[0]
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["validate", str(d)])
        try:
            data = load(d)
        except DataValidationError as exc:
            assert exc.problems == problems
        else:
            assert not problems
            assert all(len(data.tables[r["name"]]) >= 0 for r in pkg["resources"])
    lines = err.getvalue().splitlines()
    assert code in (0, 1)
    assert (code == 1) == bool(problems)
    if code == 1:
        assert len(lines) == len(problems) + 1
        assert all(PROBLEM_LINE.match(line) for line in lines[:-1]), lines
        assert all(p.message.strip() for p in problems)
    return code, lines


# --------------------------------------------------------------------------- #
# Mutations that must be reported
# --------------------------------------------------------------------------- #
@st.composite
def wrong_type(draw):
    """A copy of the descriptor with one node replaced by a value of another JSON type."""
    pkg = json.loads(json.dumps(PKG))
    path = draw(st.sampled_from(NODES))
    old = get(pkg, path)
    new = draw(json_values.filter(lambda v: json_class(v) != json_class(old)))
    if isinstance(old, list):  # a one-name string is a valid name list: not a wrong type
        new = draw(json_values.filter(lambda v: json_class(v) not in ("list", "str")))
    get(pkg, path[:-1])[path[-1]] = new
    return Case(f"{path} = {new!r}", pkg=pkg)


@st.composite
def missing_key(draw):
    pkg = json.loads(json.dumps(PKG))
    path = draw(st.sampled_from(DELETABLE))
    del get(pkg, path[:-1])[path[-1]]
    return Case(f"del {path}", pkg=pkg)


def rows_of(name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(FILES[name].decode("utf-8"), newline="")))


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


@st.composite
def broken_table(draw):
    """A copy of the tables with one change that is always an error."""
    files = dict(FILES)
    name = draw(st.sampled_from(TABLES))
    kind = draw(st.sampled_from(["whitespace", "not utf-8", "empty", "missing"]))
    what = f"{kind} in {name}"
    if kind == "whitespace":
        rows = rows_of(name)
        i = draw(st.integers(1, len(rows) - 1))
        j = draw(st.sampled_from([j for j, v in enumerate(rows[i]) if v]))
        pad = draw(st.sampled_from([" ", "\t", "\u00a0", "\n"]))
        rows[i][j] = draw(st.sampled_from([pad + rows[i][j], rows[i][j] + pad]))
        what += f" row {i + 1}: {rows[i][j]!r}"
        files[name] = csv_bytes(rows)
    elif kind == "not utf-8":
        data = files[name]
        k = draw(st.integers(0, len(data)))
        files[name] = data[:k] + b"\xff" + data[k:]
    elif kind == "empty":
        files[name] = b""
    else:
        del files[name]
    return Case(what, files=files)


@SETTINGS
@given(st.one_of(wrong_type(), missing_key(), broken_table()))
def test_a_package_that_must_fail_gives_problems_and_exit_1(case):
    code, lines = run(case.files, case.pkg)
    assert code == 1, (case, lines)


# --------------------------------------------------------------------------- #
# Any mutation: never an exception
# --------------------------------------------------------------------------- #
@st.composite
def any_table_change(draw):
    files = dict(FILES)
    done = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(TABLES))
        if name not in files:
            continue
        try:
            rows = list(csv.reader(io.StringIO(files[name].decode("utf-8"), newline="")))
        except (UnicodeDecodeError, csv.Error):
            rows = None
        kind = draw(st.sampled_from(["cell", "drop row", "copy row", "drop column", "bytes", "truncate"]))
        done.append(f"{kind} in {name}")
        if rows and len(rows) > 1 and kind in ("cell", "drop row", "copy row", "drop column"):
            i = draw(st.integers(1, len(rows) - 1))
            if kind == "cell" and rows[i]:
                rows[i][draw(st.integers(0, len(rows[i]) - 1))] = draw(cell_text)
            elif kind == "drop row":
                del rows[i]
            elif kind == "copy row":
                rows.insert(draw(st.integers(1, len(rows))), list(rows[i]))
            elif kind == "drop column" and rows[0]:
                j = draw(st.integers(0, len(rows[0]) - 1))
                rows = [r[:j] + r[j + 1:] for r in rows]
            files[name] = csv_bytes(rows)
        elif kind == "bytes":
            k = draw(st.integers(0, len(files[name])))
            files[name] = files[name][:k] + draw(st.binary(min_size=1, max_size=8)) + files[name][k:]
        else:
            files[name] = files[name][: draw(st.integers(0, len(files[name])))]
    return Case("; ".join(done), files=files)


@st.composite
def any_descriptor_change(draw):
    pkg = json.loads(json.dumps(PKG))
    path = draw(st.sampled_from(NODES))
    parent = get(pkg, path[:-1])
    if draw(st.booleans()):
        del parent[path[-1]]
        return Case(f"del {path}", pkg=pkg)
    new = draw(json_values)
    parent[path[-1]] = new
    return Case(f"{path} = {new!r}", pkg=pkg)


@SETTINGS
@given(any_table_change())
def test_any_table_change_gives_problems_or_a_pass(case):
    run(case.files, PKG)


@SETTINGS
@given(any_descriptor_change(), any_table_change())
def test_any_change_gives_problems_or_a_pass(pkg_case, table_case):
    run(table_case.files, pkg_case.pkg)
