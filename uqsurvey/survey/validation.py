"""Check the survey data package against its own Table Schema.

This module holds the checking machinery behind :func:`uqsurvey.survey.data.validate`
and :func:`uqsurvey.survey.data.load`: the checks of ``datapackage.json`` (its JSON
types and resource paths are checked in :mod:`uqsurvey.survey.descriptor`, each
problem naming its JSON path), reading each CSV table, and the cell, whitespace,
letter-case, primary-key and foreign-key checks ("did you mean" hints come from
:mod:`uqsurvey.survey.hints`).  Every problem is a :class:`Problem`
(``file:row:column: message``); nothing here raises on bad data, whatever the
descriptor or the tables hold (``tests/survey/test_validator_total.py``).  Field
names, types and constraints come from the descriptor; none is hard-coded.
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from uqsurvey.survey import readings
from uqsurvey.survey.descriptor import (
    SUPPORTED_CONSTRAINTS,
    SUPPORTED_TYPES,
    as_list,
    link_problems,
    path_problems,
    structure_problems,
)
from uqsurvey.survey.hints import did_you_mean, fold, whitespace_issue

#: Name of the package descriptor inside the data directory.
DESCRIPTOR = "datapackage.json"

__all__ = [
    "DESCRIPTOR", "MAX_CELL_CHARS", "SUPPORTED_CONSTRAINTS", "SUPPORTED_TYPES", "WHOLE",
    "Problem", "Table", "as_list", "typed_frame", "validate_package",
]

_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")
_INT_RE = re.compile(r"[+-]?[0-9]+")
#: Table Schema numbers: decimal notation with an optional exponent, or NaN / INF / -INF.
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]?INF")
#: The integer range of the typed frames (64-bit).
_INT_RANGE = (-(2**63), 2**63 - 1)
#: The longest value a cell may hold.  Survey cells are short (the longest is a few hundred
#: characters); a much longer one is almost always a quote that was never closed.
MAX_CELL_CHARS = 10_000
#: Placeholder column for a problem that concerns a whole row or file.
WHOLE = "*"


# --------------------------------------------------------------------------- #
# Problems
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Problem:
    """One problem in one place: ``file:row:column: message``.

    ``row`` is the row as it appears in the file (1-based; the header is row 1);
    ``column`` is the column name, or ``*`` for the whole row / file.
    """

    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


# --------------------------------------------------------------------------- #
# Descriptor checks
# --------------------------------------------------------------------------- #
def _descriptor_problems(pkg: Any, data_dir: Path) -> list[Problem]:
    """The descriptor's problems: JSON types first (each names its JSON path, see
    :mod:`uqsurvey.survey.descriptor`), then resource paths, then the links between
    resources.  Nothing is read while any is found."""
    issues = structure_problems(pkg)
    if not issues:
        issues = path_problems(pkg, data_dir) + link_problems(pkg)
    return [Problem(DESCRIPTOR, 1, at or WHOLE, msg) for at, msg in issues]


# --------------------------------------------------------------------------- #
# Reading one table
# --------------------------------------------------------------------------- #
@dataclass
class Table:
    """A table as read: header, data rows as strings, and their file row numbers."""

    name: str
    file: str
    fields: list[dict]
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # aligned to schema field order
    lines: list[int] = field(default_factory=list)  # file row of each data row
    usable: bool = False  # header complete: cells can be checked and referenced
    missing: set = field(default_factory=lambda: {""})  # the schema's missingValues

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def column(self, name: str) -> list[str]:
        i = self.names.index(name)
        return [r[i] for r in self.rows]


def _missing_values(schema: Mapping) -> set[str]:
    return set(schema.get("missingValues", [""]))


def _fmt_list(values: Iterable[Any], limit: int = 12) -> str:
    vals = [str(v) for v in values]
    return ", ".join(vals) if len(vals) <= limit else ", ".join(vals[:limit]) + f", ... ({len(vals)} in all)"


def _read_table(res: dict, data_dir: Path, problems: list[Problem]) -> Table:
    fields = res["schema"]["fields"]
    file = str(res["path"])
    t = Table(res["name"], file, fields, missing=_missing_values(res["schema"]))
    expected = ", ".join(t.names)
    path = data_dir / file
    if not path.is_file():
        problems.append(Problem(file, 1, WHOLE, f"file not found in {data_dir}; expected a CSV file with columns: {expected}"))
        return t
    try:
        raw = path.read_bytes()
    except OSError as e:
        problems.append(Problem(file, 1, WHOLE, f"cannot be read ({e.strerror or e}); expected a readable CSV file"))
        return t
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        problems.append(Problem(file, 1, WHOLE, f"file is empty; expected a header row with columns: {expected}"))
        return t
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _report_encoding(raw, file, problems)
        return t

    records = _parse_csv(text, t, problems)
    if records is None:
        return t
    if not records:
        problems.append(Problem(file, 1, WHOLE, f"file is empty; expected a header row with columns: {expected}"))
        return t

    _check_header_whitespace(file, records[0][1], problems)
    header = [h.strip() for h in records[0][1]]
    t.header = header
    ok = True
    seen: set[str] = set()
    for h in header:
        if h in seen:
            problems.append(Problem(file, 1, h or WHOLE, f"column {h!r} appears twice; expected each column once"))
            ok = False
        seen.add(h)
    for name in t.names:
        if name not in header:
            problems.append(Problem(file, 1, name, f"missing column {name!r}; expected columns (in order): {expected}"))
            ok = False
    for h in header:
        if h not in t.names:
            problems.append(Problem(file, 1, h or WHOLE,
                                    f"unexpected column {h!r}; datapackage.json defines only: {expected}"))
            ok = False
    if ok and header != t.names:
        problems.append(Problem(file, 1, WHOLE, f"columns are out of order; expected: {expected}"))
    # Cells can still be checked by name when the header has every field.
    t.usable = all(n in header for n in t.names) and len(set(header)) == len(header)
    if len(records) == 1:
        problems.append(Problem(file, 1, WHOLE, "the file has a header but no data rows; expected at least one row"))
    index = {h: i for i, h in enumerate(header)}
    for line, rec in records[1:]:
        if not rec:
            problems.append(Problem(file, line, WHOLE, f"blank row; expected {len(header)} values"))
            continue
        if len(rec) != len(header):
            problems.append(Problem(file, line, WHOLE,
                                    f"row has {len(rec)} values; expected {len(header)} (one per column: {', '.join(header)})"))
            continue
        if t.usable:
            t.rows.append([rec[index[n]] for n in t.names])
            t.lines.append(line)
    return t


def _parse_csv(text: str, t: Table, problems: list[Problem]) -> list[tuple[int, list[str]]] | None:
    """The records of *text* with the file row each starts on, or ``None`` after
    reporting why it is not RFC 4180 CSV.  Python's own field-size limit is lifted
    while reading: a long value is reported by :data:`MAX_CELL_CHARS`, with its row
    and column, instead of as a parse error."""
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for rec in reader:
            records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as e:
        msg = str(e)
        if "unexpected end of data" in msg or "newline inside string" in msg:
            msg = ("a quoted value that starts in this row is never closed; "
                   'expected a closing double quote (write a quote inside a value as "")')
        elif "expected after" in msg:
            msg = ("a quoted value that starts in this row is followed by more text before the next comma; "
                   'a quoted value must end at a comma or the end of the row (write a quote inside a value as "")')
        else:
            msg = f"malformed CSV ({msg}); expected RFC 4180 quoting"
        problems.append(Problem(t.file, start, WHOLE, msg))
        return None
    finally:
        csv.field_size_limit(limit)
    long = False
    header = records[0][1] if records else []
    for line, rec in records:
        for j, cell in enumerate(rec):
            if len(cell) > MAX_CELL_CHARS:
                col = header[j].strip() if line != 1 and j < len(header) else f"column {j + 1}"
                problems.append(Problem(t.file, line, col or WHOLE,
                                        f"value has {len(cell):,} characters; expected at most {MAX_CELL_CHARS:,} "
                                        "(a longer value usually means a quote that is never closed)"))
                long = True
    return None if long else records


def _check_header_whitespace(file: str, header: list[str], problems: list[Problem]) -> None:
    for h in header:
        issue = whitespace_issue(h)
        if issue and h.strip():
            problems.append(Problem(file, 1, h.strip(),
                                    f"column name {h!r} has {issue} whitespace; expected {h.strip()!r}"))


def _report_encoding(raw: bytes, file: str, problems: list[Problem]) -> None:
    """Report every cell that holds bytes that are not UTF-8, with its row and column."""
    text = raw.decode("utf-8", errors="surrogateescape")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        records = []
        start = 1
        for rec in reader:
            records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error:
        records = [(i + 1, [line]) for i, line in enumerate(text.split("\n"))]
    header = records[0][1] if records else []
    found = False
    for line, rec in records:
        for j, cell in enumerate(rec):
            bad = [c for c in cell if "\udc80" <= c <= "\udcff"]
            if bad:
                found = True
                col = header[j] if line != 1 and j < len(header) and _clean(header[j]) else f"column {j + 1}"
                byte = ord(bad[0]) - 0xDC00
                problems.append(Problem(file, line, col,
                                        f"not valid UTF-8 (byte 0x{byte:02X}); expected the file to be encoded as UTF-8"))
    if not found:  # pragma: no cover - defensive
        problems.append(Problem(file, 1, WHOLE, "not valid UTF-8; expected the file to be encoded as UTF-8"))


def _clean(s: str) -> bool:
    return not any("\udc80" <= c <= "\udcff" for c in s)


# --------------------------------------------------------------------------- #
# Cell, key and reference checks
# --------------------------------------------------------------------------- #
def _check_whitespace(t: Table, problems: list[Problem]) -> set[tuple[int, int]]:
    """Every value with leading or trailing whitespace, in any column: an error, since
    ``'ECE '`` and ``'ECE'`` would count apart.  Returns the (row index, field index) of
    each, so that the other checks skip them (one problem per cell)."""
    bad: set[tuple[int, int]] = set()
    for i, (row, line) in enumerate(zip(t.rows, t.lines)):
        for j, v in enumerate(row):
            issue = whitespace_issue(v)
            if issue is None:
                continue
            bad.add((i, j))
            tip = f" (did you mean {v.strip()!r}?)" if v.strip() else "; expected an empty cell or a value"
            problems.append(Problem(t.file, line, t.names[j],
                                    f"value {v!r} has {issue} whitespace; expected no space around a value{tip}"
                                    if v.strip() else f"value {v!r} is only whitespace{tip}"))
    return bad


def _check_case_variants(t: Table, schema: Mapping, problems: list[Problem], skip: set[tuple[int, int]]) -> None:
    """In a column whose values are unique (a one-field primary key, or ``unique``), two
    values that differ only in letter case or spacing are one name spelled twice:
    ``'ece'`` next to ``'ECE'`` in a vocabulary would let both count apart."""
    pk = as_list(schema.get("primaryKey"))
    for j, f in enumerate(t.fields):
        c = f.get("constraints") or {}
        if f.get("type", "string") != "string" or not (pk == [f["name"]] or c.get("unique")):
            continue
        first: dict[str, tuple[str, int]] = {}
        for i, (row, line) in enumerate(zip(t.rows, t.lines)):
            v = row[j]
            if (i, j) in skip or v in t.missing:
                continue
            seen = first.setdefault(fold(v), (v, line))
            if seen[0] != v:
                problems.append(Problem(t.file, line, f["name"],
                                        f"value {v!r} differs from {seen[0]!r} (row {seen[1]}) only in letter case "
                                        f"or spacing; expected one spelling of each value (did you mean {seen[0]!r}?)"))


def _check_cells(t: Table, schema: Mapping, problems: list[Problem], skip: set[tuple[int, int]] = frozenset()) -> None:
    missing = _missing_values(schema)
    pk = as_list(schema.get("primaryKey"))
    for j, f in enumerate(t.fields):
        name, ftype = f["name"], f.get("type", "string")
        c = f.get("constraints") or {}
        required = bool(c.get("required")) or name in pk
        enum = c.get("enum")
        pattern = re.compile(c["pattern"]) if "pattern" in c else None
        unique = bool(c.get("unique")) and pk != [name]  # the primary-key check covers a lone key
        seen: dict[str, int] = {}
        for i, (row, line) in enumerate(zip(t.rows, t.lines)):
            v = row[j]
            if (i, j) in skip:
                continue
            if v in missing:
                if required:
                    hint = f"one of: {_fmt_list(enum)}" if enum else f"a {ftype} value"
                    problems.append(Problem(t.file, line, name, f"required value is missing; expected {hint}"))
                continue
            value: Any = v
            if ftype == "integer":
                if not _INT_RE.fullmatch(v):
                    problems.append(Problem(t.file, line, name, f"expected an integer, got {v!r}"))
                    continue
                value = int(v)
                if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
                    problems.append(Problem(t.file, line, name, f"integer {v} is out of range; expected a 64-bit integer"))
                    continue
            elif ftype == "number":
                if not _NUMBER_RE.fullmatch(v):
                    problems.append(Problem(t.file, line, name, f"expected a number, got {v!r}"))
                    continue
                value = float(v)
            elif ftype == "boolean":
                if v not in _TRUE + _FALSE:
                    problems.append(Problem(t.file, line, name, f"expected a boolean (true/false), got {v!r}"))
                    continue
            if enum is not None and v not in [str(e) for e in enum]:
                tip = did_you_mean(v, enum)
                problems.append(Problem(t.file, line, name,
                                        f"value {v!r} is not allowed; expected one of: {_fmt_list(enum, 20)}{tip}"))
            if pattern is not None and not pattern.fullmatch(v):
                problems.append(Problem(t.file, line, name, f"value {v!r} does not match the required pattern {c['pattern']}"))
            if "minimum" in c and isinstance(value, (int, float)) and value < c["minimum"]:
                problems.append(Problem(t.file, line, name, f"value {v} is below the minimum {c['minimum']}"))
            if "maximum" in c and isinstance(value, (int, float)) and value > c["maximum"]:
                problems.append(Problem(t.file, line, name, f"value {v} is above the maximum {c['maximum']}"))
            if "minLength" in c and len(v) < c["minLength"]:
                problems.append(Problem(t.file, line, name, f"value {v!r} is shorter than {c['minLength']} characters"))
            if "maxLength" in c and len(v) > c["maxLength"]:
                problems.append(Problem(t.file, line, name, f"value {v!r} is longer than {c['maxLength']} characters"))
            if unique:
                if v in seen:
                    problems.append(Problem(t.file, line, name,
                                            f"duplicate value {v!r} (first at row {seen[v]}); expected each {name} to be unique"))
                else:
                    seen[v] = line


def _check_primary_key(t: Table, schema: Mapping, problems: list[Problem]) -> None:
    pk = as_list(schema.get("primaryKey"))
    if not pk:
        return
    missing = _missing_values(schema)
    idx = [t.names.index(k) for k in pk]
    seen: dict[tuple, int] = {}
    col = "+".join(pk)
    for row, line in zip(t.rows, t.lines):
        key = tuple(row[i] for i in idx)
        if any(k in missing for k in key):
            continue  # reported as a missing required value
        if key in seen:
            shown = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
            problems.append(Problem(t.file, line, col,
                                    f"duplicate key {shown} (first at row {seen[key]}); expected each {col} to be unique"))
        else:
            seen[key] = line


def _shown(key: tuple) -> str:
    return key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"


def _composite_hint(key: tuple, valid: Iterable[tuple]) -> str:
    """For a key of several fields: the one valid key that differs from it in one field
    only, preferring one that agrees on the first field (the name the row is about)."""
    near = [k for k in valid if sum(a != b for a, b in zip(k, key)) == 1]
    same_name = [k for k in near if k[0] == key[0]]
    pick = same_name if same_name else near
    return f" (did you mean {_shown(pick[0])!r}?)" if len(pick) == 1 else ""


def _invalid_near(shown: str, invalid: dict[tuple, int]) -> tuple[tuple, int] | None:
    """The invalid target row that *shown* most likely refers to (same text up to case and
    spacing, or a close spelling such as ``'P13x'`` for ``'P13'``), or ``None``."""
    by_text = {_shown(k): (k, line) for k, line in invalid.items()}
    same = [v for t, v in by_text.items() if fold(t) == fold(shown)]
    if same:
        return same[0]
    close = difflib.get_close_matches(shown, list(by_text), n=1, cutoff=0.8)
    return by_text[close[0]] if close else None


def _check_foreign_keys(t: Table, schema: Mapping, tables: dict[str, Table], problems: list[Problem],
                        bad: set[tuple[str, int, str]] | None = None) -> None:
    """Every reference of *t* resolves to a valid row of its target.

    *bad* holds the ``(file, row, column)`` of every problem found so far.  A reference
    whose own cell is bad is not checked again (its problem is reported); a target row
    whose key is bad is not a valid target, and a reference that would match it is told
    so, with that row (instead of a "did you mean" that points at another id).  Fuzzy
    hints are given only for names; a well-formed id (one that matches its pattern)
    that is missing gets none.  When the target has no valid row at all, one problem
    per foreign key says so.
    """
    bad = set() if bad is None else bad
    missing = _missing_values(schema)
    patterned = {f["name"] for f in t.fields if "pattern" in (f.get("constraints") or {})}
    for fk in schema.get("foreignKeys") or []:
        src = as_list(fk["fields"])
        ref = fk.get("reference") or {}
        target = tables.get(ref.get("resource") or t.name)
        dst = as_list(ref.get("fields"))
        if target is None or not target.usable:
            continue  # the target's own problems are reported
        valid: dict[tuple, int] = {}
        invalid: dict[tuple, int] = {}
        didx = [target.names.index(d) for d in dst]
        for r, line in zip(target.rows, target.lines):
            key = tuple(r[i] for i in didx)
            if any(x in target.missing for x in key):
                continue
            broken = any((target.file, line, d) in bad for d in dst) or (target.file, line, "+".join(dst)) in bad
            (invalid if broken else valid).setdefault(key, line)
        sidx = [t.names.index(s) for s in src]
        col = "+".join(src)
        where = f"{target.file} column {'+'.join(dst)}"
        todo = []
        for row, line in zip(t.rows, t.lines):
            key = tuple(row[i] for i in sidx)
            if all(k in missing for k in key):
                continue  # an empty (optional) reference
            if any((t.file, line, s) in bad for s in src) or (t.file, line, col) in bad:
                continue  # this cell's own problem is reported
            todo.append((key, line))
        if not valid:
            if todo:
                problems.append(Problem(t.file, 1, col,
                                        f"{target.file} has no valid rows, so none of the {len(todo)} values of {col} "
                                        f"can be found in {where}; fix {target.file} first"))
            continue
        choices = [_shown(k) for k in valid]
        for key, line in todo:
            if key in valid or key in invalid:
                continue  # found; or it names a target row whose own problem is reported
            shown = _shown(key)
            near = _invalid_near(shown, invalid)
            if near:
                tip = f" ({target.file} row {near[1]} holds {_shown(near[0])!r}, which is itself invalid: fix that row)"
            elif len(key) > 1:
                tip = _composite_hint(key, valid)
            else:
                tip = did_you_mean(shown, choices, fuzzy=not (set(src) & patterned))
            problems.append(Problem(t.file, line, col,
                                    f"{shown!r} not found in {where}; expected one of: {_fmt_list(choices)}{tip}"))
            bad.update((t.file, line, s) for s in src)


# --------------------------------------------------------------------------- #
# The whole package
# --------------------------------------------------------------------------- #
def validate_package(data_dir: Path) -> tuple[list[Problem], dict | None, dict[str, Table]]:
    """Check the package in *data_dir*: every problem (in a stable order), the
    parsed descriptor (``None`` when unreadable) and the tables as read."""
    problems: list[Problem] = []
    path = data_dir / DESCRIPTOR
    if not data_dir.is_dir():
        return [Problem(str(data_dir), 1, WHOLE, "data directory not found; expected a directory holding datapackage.json")], None, {}
    if not path.is_file():
        return [Problem(DESCRIPTOR, 1, WHOLE, f"not found in {data_dir}; expected the Data Package descriptor")], None, {}
    try:
        pkg = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as e:
        return [Problem(DESCRIPTOR, 1, WHOLE, f"cannot be read ({e.strerror or e}); expected a readable file")], None, {}
    except UnicodeDecodeError:
        return [Problem(DESCRIPTOR, 1, WHOLE, "not valid UTF-8; expected the file to be encoded as UTF-8")], None, {}
    except json.JSONDecodeError as e:
        return [Problem(DESCRIPTOR, e.lineno, f"column {e.colno}", f"invalid JSON ({e.msg}); expected a JSON object")], None, {}
    except RecursionError:
        return [Problem(DESCRIPTOR, 1, WHOLE, "JSON nested too deeply; expected a Data Package descriptor")], None, {}
    problems += _descriptor_problems(pkg, data_dir)
    if problems:
        return problems, pkg, {}
    tables: dict[str, Table] = {}
    for res in pkg["resources"]:
        t = _read_table(res, data_dir, problems)
        tables[res["name"]] = t
        if t.usable:
            spaced = _check_whitespace(t, problems)
            _check_cells(t, res["schema"], problems, skip=spaced)
            _check_case_variants(t, res["schema"], problems, skip=spaced)
            _check_primary_key(t, res["schema"], problems)
    bad = {(p.file, p.row, c) for p in problems for c in p.column.split("+")}
    for res in pkg["resources"]:
        t = tables[res["name"]]
        if t.usable:
            _check_foreign_keys(t, res["schema"], tables, problems, bad)
    # Each recorded reading points at a real cell and agrees with it (readings.csv).
    problems += readings.check(tables, pkg, Problem)
    # Stable order: by resource (package order), then row, then discovery.
    order = {str(r["path"]): i for i, r in enumerate(pkg["resources"])}
    problems = [p for _, p in sorted(enumerate(problems), key=lambda ip: (order.get(ip[1].file, -1), ip[1].row, ip[0]))]
    return problems, pkg, tables


def typed_frame(t: Table, schema: Mapping) -> pd.DataFrame:
    """A checked table as a DataFrame typed by its schema (integer, number,
    boolean, categorical for enums, string)."""
    missing = _missing_values(schema)
    pk = as_list(schema.get("primaryKey"))
    cols: dict[str, Any] = {}
    for j, f in enumerate(t.fields):
        name, ftype = f["name"], f.get("type", "string")
        c = f.get("constraints") or {}
        raw = [r[j] for r in t.rows]
        na = [v in missing for v in raw]
        required = bool(c.get("required")) or name in pk
        if ftype == "integer":
            vals = [None if m else int(v) for v, m in zip(raw, na)]
            cols[name] = pd.array(vals, dtype="int64" if (required and not any(na)) else "Int64")
        elif ftype == "number":
            cols[name] = pd.array([None if m else float(v) for v, m in zip(raw, na)], dtype="Float64")
        elif ftype == "boolean":
            cols[name] = pd.array([None if m else (v in _TRUE) for v, m in zip(raw, na)], dtype="boolean")
        elif c.get("enum") is not None:
            cats = [str(e) for e in c["enum"]]
            cols[name] = pd.Categorical([None if m else v for v, m in zip(raw, na)], categories=cats)
        else:
            cols[name] = pd.array([None if m else v for v, m in zip(raw, na)], dtype="string")
    df = pd.DataFrame(cols, columns=t.names)
    df.attrs["resource"] = t.name
    df.attrs["path"] = t.file
    return df
