"""Load and validate the survey data package in ``data/``.

The package is described by ``data/datapackage.json`` (a Frictionless Tabular
Data Package).  That file is the single data dictionary: this module reads the
field names, types, constraints, primary keys and foreign keys from it and
hard-codes none of them.

:func:`load` validates the *whole* package first and only then builds typed
pandas DataFrames; bad data never half-loads.  Every problem found is reported
at once, in a single :class:`DataValidationError`, as ``file:row:column:
message`` -- where ``row`` is the row as it appears in the file (the header is
row 1, the first data row is row 2).

Command line: ``python -m uqsurvey validate [DATA_DIR]`` (see :func:`cli_validate`).
"""
from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

__all__ = [
    "ENV_VAR",
    "DataValidationError",
    "Problem",
    "SurveyData",
    "cli_validate",
    "data_dictionary",
    "default_data_dir",
    "load",
    "read_package",
    "validate",
]

#: Environment variable that overrides the default data directory.
ENV_VAR = "UQSURVEY_DATA"
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
# Problems and the error
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


class DataValidationError(ValueError):
    """The data package is invalid.  ``.problems`` lists every :class:`Problem`."""

    def __init__(self, problems: Iterable[Problem], data_dir: Path | str | None = None):
        self.problems: list[Problem] = list(problems)
        self.data_dir = Path(data_dir) if data_dir is not None else None
        super().__init__(self._render())

    def _render(self) -> str:
        n = len(self.problems)
        where = f" in {self.data_dir}" if self.data_dir is not None else ""
        head = f"{n} problem{'s' if n != 1 else ''} in the survey data{where}:"
        return "\n".join([head, *(str(p) for p in self.problems)])

    def __str__(self) -> str:
        return self._render()


# --------------------------------------------------------------------------- #
# Locating the data
# --------------------------------------------------------------------------- #
def default_data_dir() -> Path:
    """The data directory: ``$UQSURVEY_DATA`` if set, else the repository's ``data/``.

    The repository's ``data/`` is located relative to this package (the
    package lives in ``<repo>/uqsurvey/``), not relative to the working
    directory.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    return (Path(__file__).resolve().parent.parent / "data").resolve()


def _resolve(data_dir: Path | str | None) -> Path:
    return default_data_dir() if data_dir is None else Path(data_dir).expanduser().resolve()


def read_package(data_dir: Path | str | None = None) -> dict:
    """The parsed ``datapackage.json`` (no validation beyond JSON syntax)."""
    path = _resolve(data_dir) / DESCRIPTOR
    return json.loads(path.read_text(encoding="utf-8"))


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
        for k in _as_list(schema.get("primaryKey")):
            if k not in fnames:
                bad(f"resource {res['name']!r}: primary key field {k!r} is not a field")
    for res in names.values():
        fnames = [f["name"] for f in res["schema"]["fields"]]
        for fk in res["schema"].get("foreignKeys") or []:
            src = _as_list(fk.get("fields"))
            ref = fk.get("reference") or {}
            target = ref.get("resource") or res["name"]
            dst = _as_list(ref.get("fields"))
            if any(s not in fnames for s in src):
                bad(f"resource {res['name']!r}: foreign key fields {src} are not all fields")
            if target not in names:
                bad(f"resource {res['name']!r}: foreign key references unknown resource {target!r}")
            else:
                tnames = [f["name"] for f in names[target]["schema"]["fields"]]
                if any(d not in tnames for d in dst) or len(dst) != len(src):
                    bad(f"resource {res['name']!r}: foreign key reference {target}.{dst} does not match {src}")
    return out


def _as_list(x: Any) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


# --------------------------------------------------------------------------- #
# Reading one table
# --------------------------------------------------------------------------- #
@dataclass
class _Table:
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


def _read_table(res: dict, data_dir: Path, problems: list[Problem]) -> _Table:
    fields = res["schema"]["fields"]
    file = str(res["path"])
    t = _Table(res["name"], file, fields, missing=_missing_values(res["schema"]))
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
def _check_cells(t: _Table, schema: Mapping, problems: list[Problem]) -> None:
    missing = _missing_values(schema)
    pk = _as_list(schema.get("primaryKey"))
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


def _check_primary_key(t: _Table, schema: Mapping, problems: list[Problem]) -> None:
    pk = _as_list(schema.get("primaryKey"))
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


def _check_foreign_keys(t: _Table, schema: Mapping, tables: dict[str, _Table], problems: list[Problem]) -> None:
    missing = _missing_values(schema)
    for fk in schema.get("foreignKeys") or []:
        src = _as_list(fk["fields"])
        ref = fk.get("reference") or {}
        target = tables.get(ref.get("resource") or t.name)
        dst = _as_list(ref.get("fields"))
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
# Validation and loading
# --------------------------------------------------------------------------- #
def _validate(data_dir: Path) -> tuple[list[Problem], dict | None, dict[str, _Table]]:
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
    tables: dict[str, _Table] = {}
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
    # Stable order: by resource (package order), then row, then discovery.
    order = {str(r["path"]): i for i, r in enumerate(pkg["resources"])}
    problems = [p for _, p in sorted(enumerate(problems), key=lambda ip: (order.get(ip[1].file, -1), ip[1].row, ip[0]))]
    return problems, pkg, tables


def validate(data_dir: Path | str | None = None) -> list[Problem]:
    """Every problem in the package (an empty list when it is valid)."""
    return _validate(_resolve(data_dir))[0]


def _frame(t: _Table, schema: Mapping) -> pd.DataFrame:
    missing = _missing_values(schema)
    pk = _as_list(schema.get("primaryKey"))
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


@dataclass
class SurveyData:
    """The validated survey data: one typed DataFrame per table, and the descriptor."""

    data_dir: Path
    package: dict
    tables: dict[str, pd.DataFrame]

    # The six tables, by name (they are the package's resources).
    @property
    def papers(self) -> pd.DataFrame:
        return self.tables["papers"]

    @property
    def paper_datasets(self) -> pd.DataFrame:
        return self.tables["paper_datasets"]

    @property
    def paper_metrics(self) -> pd.DataFrame:
        return self.tables["paper_metrics"]

    @property
    def benchmarks(self) -> pd.DataFrame:
        return self.tables["benchmarks"]

    @property
    def normalizations(self) -> pd.DataFrame:
        return self.tables["normalizations"]

    @property
    def claims(self) -> pd.DataFrame:
        return self.tables["claims"]

    def __getattr__(self, name: str) -> pd.DataFrame:
        # Any other resource of the package is reachable by name too, so a table
        # added to datapackage.json needs no code here.
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        known = ", ".join(tables) if tables else "none"
        raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r} (tables in the package: {known})")

    def summary(self) -> str:
        """One line: the row count of every table, labelled as the descriptor says."""
        parts = []
        for res in self.package["resources"]:
            label = res.get("summaryLabel") or res["name"]
            parts.append(f"{len(self.tables[res['name']])} {label}")
        return f"data OK: {', '.join(parts)} in {self.data_dir}"


def load(data_dir: Path | str | None = None) -> SurveyData:
    """Validate the whole package in ``data_dir`` (default: :func:`default_data_dir`),
    then return typed DataFrames.  Raises :class:`DataValidationError` listing every
    problem if anything is wrong; nothing is returned half-loaded."""
    d = _resolve(data_dir)
    problems, pkg, tables = _validate(d)
    if problems:
        raise DataValidationError(problems, d)
    assert pkg is not None
    frames = {res["name"]: _frame(tables[res["name"]], res["schema"]) for res in pkg["resources"]}
    return SurveyData(data_dir=d, package=pkg, tables=frames)


# --------------------------------------------------------------------------- #
# Data dictionary (for the book's generated page)
# --------------------------------------------------------------------------- #
def data_dictionary(pkg: Any = None) -> dict[str, pd.DataFrame]:
    """Per resource, a DataFrame with columns ``field, type, required, allowed
    values, description``, read from the descriptor.

    ``pkg`` may be the parsed descriptor (a dict), a :class:`SurveyData`, a data
    directory, or ``None`` (the default data directory).
    """
    if isinstance(pkg, SurveyData):
        desc = pkg.package
    elif isinstance(pkg, dict):
        desc = pkg
    else:
        desc = read_package(pkg)
    out: dict[str, pd.DataFrame] = {}
    for res in desc["resources"]:
        schema = res["schema"]
        pk = _as_list(schema.get("primaryKey"))
        rows = []
        for f in schema["fields"]:
            c = f.get("constraints") or {}
            allowed = []
            if c.get("enum") is not None:
                allowed.append(", ".join(str(e) for e in c["enum"]))
            if "pattern" in c:
                allowed.append(f"pattern {c['pattern']}")
            if "minimum" in c or "maximum" in c:
                lo, hi = c.get("minimum", ""), c.get("maximum", "")
                allowed.append(f"{lo}..{hi}" if lo != "" and hi != "" else (f">= {lo}" if lo != "" else f"<= {hi}"))
            if c.get("unique") or pk == [f["name"]]:
                allowed.append("unique")
            notes = []
            if f["name"] in pk:
                notes.append("primary key" if len(pk) == 1 else f"part of the primary key ({', '.join(pk)})")
            for fk in schema.get("foreignKeys") or []:
                if f["name"] in _as_list(fk["fields"]):
                    ref = fk["reference"]
                    notes.append(f"references {ref.get('resource') or res['name']}.{', '.join(_as_list(ref['fields']))}")
            desc_text = f.get("description", "")
            if notes:
                desc_text = f"{desc_text} ({'; '.join(notes)})" if desc_text else "; ".join(notes)
            rows.append({
                "field": f["name"],
                "type": f.get("type", "string"),
                "required": bool(c.get("required")) or f["name"] in pk,
                "allowed values": "; ".join(allowed),
                "description": desc_text,
            })
        df = pd.DataFrame(rows, columns=["field", "type", "required", "allowed values", "description"])
        df.attrs.update({"resource": res["name"], "path": res.get("path"), "title": res.get("title", ""),
                         "description": res.get("description", "")})
        out[res["name"]] = df
    return out


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #
VALIDATE_USAGE = """usage: python -m uqsurvey validate [DATA_DIR]

Validate the survey data package in DATA_DIR (default: $UQSURVEY_DATA, else the
repository's data/).  Prints a one-line summary and exits 0 when it is valid;
otherwise prints every problem as file:row:column: message to stderr and exits 1.
"""


def cli_validate(argv: list[str]) -> int:
    """``python -m uqsurvey validate [DATA_DIR]``."""
    args = list(argv)
    if any(a in ("-h", "--help") for a in args):
        print(VALIDATE_USAGE)
        return 0
    opts = [a for a in args if a.startswith("-")]
    if opts or len(args) > 1:
        print(f"unexpected arguments: {' '.join(args)}\n\n{VALIDATE_USAGE}", file=sys.stderr)
        return 2
    try:
        data = load(args[0] if args else None)
    except DataValidationError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        n = len(e.problems)
        print(f"{n} problem{'s' if n != 1 else ''} found in {e.data_dir}", file=sys.stderr)
        return 1
    print(data.summary())
    return 0
