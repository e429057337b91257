"""Check the survey data package against its own Table Schema.

This module holds the checking machinery behind :func:`uqsurvey.survey.data.validate`
and :func:`uqsurvey.survey.data.load`: structural checks of ``datapackage.json``,
reading each CSV table, and the cell, primary-key and foreign-key checks.  Every
problem is a :class:`Problem` (``file:row:column: message``); nothing here raises
on bad data.  Field names, types and constraints come from the descriptor; none is
hard-coded.
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

#: Name of the package descriptor inside the data directory.
DESCRIPTOR = "datapackage.json"

#: Field types this validator understands (a subset of Table Schema).
SUPPORTED_TYPES = ("string", "integer", "number", "boolean")
#: Field constraints this validator understands.
SUPPORTED_CONSTRAINTS = ("required", "unique", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength")
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")
_INT_RE = re.compile(r"[+-]?[0-9]+")
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
def _check_descriptor(pkg: Any) -> list[Problem]:
    """Structural checks on the descriptor itself, so that the table checks
    can rely on it.  Reported against ``datapackage.json``."""
    out: list[Problem] = []

    def bad(msg: str) -> None:
        out.append(Problem(DESCRIPTOR, 1, WHOLE, msg))

    if not isinstance(pkg, dict):
        bad("expected a JSON object (a Data Package descriptor)")
        return out
    resources = pkg.get("resources")
    if not isinstance(resources, list) or not resources:
        bad("expected a non-empty 'resources' list")
        return out
    names: dict[str, dict] = {}
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not res.get("name") or not res.get("path"):
            bad(f"resource #{i + 1}: expected an object with 'name' and 'path'")
            continue
        if res["name"] in names:
            bad(f"resource {res['name']!r} is described twice")
        names[res["name"]] = res
        schema = res.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            bad(f"resource {res['name']!r}: expected schema.fields, a non-empty list")
            continue
        fnames = [f.get("name") for f in fields if isinstance(f, dict)]
        if len(fnames) != len(fields) or not all(fnames):
            bad(f"resource {res['name']!r}: every field needs a name")
            continue
        if len(set(fnames)) != len(fnames):
            bad(f"resource {res['name']!r}: duplicate field names")
        for f in fields:
            t = f.get("type", "string")
            if t not in SUPPORTED_TYPES:
                bad(f"resource {res['name']!r}, field {f['name']!r}: type {t!r} is not supported "
                    f"(expected one of {', '.join(SUPPORTED_TYPES)})")
            for c in (f.get("constraints") or {}):
                if c not in SUPPORTED_CONSTRAINTS:
                    bad(f"resource {res['name']!r}, field {f['name']!r}: constraint {c!r} is not supported")
            pat = (f.get("constraints") or {}).get("pattern")
            if pat is not None:
                try:
                    re.compile(pat)
                except re.error as e:
                    bad(f"resource {res['name']!r}, field {f['name']!r}: invalid pattern {pat!r} ({e})")
        for k in as_list(schema.get("primaryKey")):
            if k not in fnames:
                bad(f"resource {res['name']!r}: primary key field {k!r} is not a field")
    for res in names.values():
        fnames = [f["name"] for f in res["schema"]["fields"]]
        for fk in res["schema"].get("foreignKeys") or []:
            src = as_list(fk.get("fields"))
            ref = fk.get("reference") or {}
            target = ref.get("resource") or res["name"]
            dst = as_list(ref.get("fields"))
            if any(s not in fnames for s in src):
                bad(f"resource {res['name']!r}: foreign key fields {src} are not all fields")
            if target not in names:
                bad(f"resource {res['name']!r}: foreign key references unknown resource {target!r}")
            else:
                tnames = [f["name"] for f in names[target]["schema"]["fields"]]
                if any(d not in tnames for d in dst) or len(dst) != len(src):
                    bad(f"resource {res['name']!r}: foreign key reference {target}.{dst} does not match {src}")
    return out


def as_list(x: Any) -> list:
    """A Table Schema name list (``primaryKey``, foreign-key ``fields``) as a list:
    the schema allows one name or a list of names."""
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


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
    raw = path.read_bytes()
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

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for rec in reader:
            records.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as e:
        problems.append(Problem(file, start, WHOLE, f"malformed CSV ({e}); expected RFC 4180 quoting"))
        return t
    if not records:
        problems.append(Problem(file, 1, WHOLE, f"file is empty; expected a header row with columns: {expected}"))
        return t

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
def _check_cells(t: Table, schema: Mapping, problems: list[Problem]) -> None:
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
        for row, line in zip(t.rows, t.lines):
            v = row[j]
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
            elif ftype == "number":
                try:
                    value = float(v)
                except ValueError:
                    problems.append(Problem(t.file, line, name, f"expected a number, got {v!r}"))
                    continue
            elif ftype == "boolean":
                if v not in _TRUE + _FALSE:
                    problems.append(Problem(t.file, line, name, f"expected a boolean (true/false), got {v!r}"))
                    continue
            if enum is not None and v not in [str(e) for e in enum]:
                close = difflib.get_close_matches(v, [str(e) for e in enum], n=1)
                tip = f" (did you mean {close[0]!r}?)" if close else ""
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


def _check_foreign_keys(t: Table, schema: Mapping, tables: dict[str, Table], problems: list[Problem]) -> None:
    missing = _missing_values(schema)
    for fk in schema.get("foreignKeys") or []:
        src = as_list(fk["fields"])
        ref = fk.get("reference") or {}
        target = tables.get(ref.get("resource") or t.name)
        dst = as_list(ref.get("fields"))
        if target is None or not target.usable:
            continue  # the target's own problems are reported
        keys = [tuple(r[target.names.index(d)] for d in dst) for r in target.rows]
        keys = [k for k in dict.fromkeys(keys) if not any(x in target.missing for x in k)]
        valid = set(keys)
        sidx = [t.names.index(s) for s in src]
        where = f"{target.file} column {'+'.join(dst)}"
        for row, line in zip(t.rows, t.lines):
            key = tuple(row[i] for i in sidx)
            if all(k in missing for k in key):
                continue  # an empty (optional) reference
            if key not in valid:
                shown = key[0] if len(key) == 1 else "(" + ", ".join(key) + ")"
                choices = [k[0] if len(k) == 1 else "(" + ", ".join(k) + ")" for k in keys]
                close = difflib.get_close_matches(str(shown), choices, n=1)
                tip = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(Problem(t.file, line, "+".join(src),
                                        f"{shown!r} not found in {where}; expected one of: {_fmt_list(choices)}{tip}"))


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
    except UnicodeDecodeError:
        return [Problem(DESCRIPTOR, 1, WHOLE, "not valid UTF-8; expected the file to be encoded as UTF-8")], None, {}
    except json.JSONDecodeError as e:
        return [Problem(DESCRIPTOR, e.lineno, f"column {e.colno}", f"invalid JSON ({e.msg}); expected a JSON object")], None, {}
    problems += _check_descriptor(pkg)
    if problems:
        return problems, pkg, {}
    tables: dict[str, Table] = {}
    for res in pkg["resources"]:
        t = _read_table(res, data_dir, problems)
        tables[res["name"]] = t
        if t.usable:
            _check_cells(t, res["schema"], problems)
            _check_primary_key(t, res["schema"], problems)
    for res in pkg["resources"]:
        t = tables[res["name"]]
        if t.usable:
            _check_foreign_keys(t, res["schema"], tables, problems)
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
