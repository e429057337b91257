"""Readings of the source: the cells whose reading is not certain, as data.

``data/readings.csv`` has one row per alternative reading of a cell of another
table (see its description in ``datapackage.json``).  This module

* checks the table against the tables it points into (:func:`check`, called by
  the package validator: every key exists, every primary value equals the
  cell, every alternative is a value the column allows);
* parses it into :class:`Reading` objects (:func:`parse`);
* applies a set of readings to the loaded data (:func:`apply`), without
  touching the original;
* lists the combinations of readings a claim is evaluated under
  (:func:`combinations`): all of them when there are at most
  :data:`MAX_COMBINATIONS`, otherwise each single alternative, each pair and
  all alternatives together.

The ledger (:mod:`uqsurvey.survey.ledger`) evaluates every claim under these
combinations; this module knows nothing about claims.
"""
from __future__ import annotations

import difflib
import itertools
import math
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping, Sequence

import pandas as pd

#: The resource that holds the readings.
RESOURCE = "readings"
#: Separator of several columns (and their values) changed together by one reading.
SEP = "|"
#: Separator of the values of a composite row key (``P1:7``).
KEY_SEP = ":"
#: Above this many combinations, singles + pairs + all-alternative are evaluated instead.
MAX_COMBINATIONS = 2 ** 12

FULL = "every combination"
REDUCED = "each single alternative, each pair and all alternatives together"


@dataclass(frozen=True)
class Reading:
    """One alternative reading of one or more cells of one row."""

    id: str
    table: str
    row_key: str
    columns: tuple[str, ...]
    primary: tuple[str, ...]
    alternative: tuple[str, ...]
    ambiguity: str = ""
    basis: str = "source"
    descriptive: bool = False
    why: str = ""
    evidence: str = ""
    evidence_en: str = ""

    @property
    def cells(self) -> frozenset[tuple[str, str, str]]:
        return frozenset((self.table, self.row_key, c) for c in self.columns)

    def change(self) -> str:
        """``papers P10 supervision: mixed → supervised``."""
        cols = SEP.join(self.columns)
        shown = [", ".join(v or "(empty)" for v in vals) for vals in (self.primary, self.alternative)]
        return f"{self.table} {self.row_key} {cols}: {shown[0]} → {shown[1]}"

    def label(self) -> str:
        return f"{self.id} ({self.change()})"

    def touches(self, reads: Iterable[str]) -> bool:
        """Whether the reading changes a column named in *reads* (``table.column`` or ``table.*``)."""
        reads = set(reads)
        return f"{self.table}.*" in reads or any(f"{self.table}.{c}" in reads for c in self.columns)


def split(value: str, n: int) -> list[str]:
    """Split a '|'-joined cell into *n* values (a single column keeps a '|' it may contain)."""
    return [value] if n == 1 else value.split(SEP)


def _true(x) -> bool:
    return False if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)) else bool(x)


def parse(frame: pd.DataFrame | None) -> list[Reading]:
    """The readings of a loaded ``readings`` table (an empty list for None)."""
    if frame is None or len(frame) == 0:
        return []
    out = []
    for r in frame.itertuples(index=False):
        rd = r._asdict()
        cols = tuple(str(rd["column"]).split(SEP))
        n = len(cols)

        def vals(x):
            return tuple(split("" if pd.isna(x) else str(x), n))

        out.append(Reading(
            id=str(rd["id"]), table=str(rd["table"]), row_key=str(rd["row_key"]), columns=cols,
            primary=vals(rd["primary"]), alternative=vals(rd["alternative"]),
            ambiguity=str(rd.get("ambiguity", "")), basis=str(rd.get("basis", "source")),
            descriptive=_true(rd.get("descriptive")),
            why=str(rd.get("why", "")), evidence=str(rd.get("evidence", "")),
            evidence_en=str(rd.get("evidence_en", "")),
        ))
    return out


# --------------------------------------------------------------------------- #
# Project-coded columns
# --------------------------------------------------------------------------- #
def source_lacks(package: Mapping) -> set[str]:
    """``table.column`` of every column the source lacks (the project's own coding).

    Read from each resource's ``provenance.source_lacks`` in ``datapackage.json``.
    """
    out = set()
    for res in package.get("resources") or []:
        prov = res.get("provenance") if isinstance(res, dict) else None
        for c in (prov or {}).get("source_lacks") or []:
            out.add(f"{res.get('name')}.{c}")
    return out


# --------------------------------------------------------------------------- #
# Applying readings
# --------------------------------------------------------------------------- #
def _pk(package: Mapping, table: str) -> list[str]:
    for res in package["resources"]:
        if res["name"] == table:
            pk = res["schema"].get("primaryKey") or []
            return [pk] if isinstance(pk, str) else list(pk)
    raise KeyError(f"no resource {table!r} in the package")


def row_keys(frame: pd.DataFrame, pk: Sequence[str]) -> list[str]:
    """The row key of every row: primary-key values joined by ':'."""
    parts = [frame[k].astype("string").fillna("") for k in pk]
    if len(parts) == 1:
        return list(parts[0])
    return [KEY_SEP.join(vals) for vals in zip(*parts)]


def _typed(series: pd.Series, value: str):
    if value == "":
        return None
    dtype = str(series.dtype)
    if dtype in ("int64", "Int64"):
        return int(value)
    if dtype == "Float64":
        return float(value)
    if dtype == "boolean":
        return value in ("true", "True", "TRUE", "1")
    return value


class Applier:
    """Applies sets of readings to one loaded data set; the row of each reading's
    cell is looked up once.  ``Applier(data)(readings)`` is :func:`apply`.

    With ``shared=True`` (the ledger's enumeration, which applies thousands of
    combinations) a table changed by a given set of readings is built once and
    served again to every later combination that changes that table by the same
    readings, and the tables served carry no ``attrs`` (pandas deep-copies them at
    every operation; no rule reads them).  The values are those of :func:`apply`.
    """

    def __init__(self, data, shared: bool = False):
        self._where: dict[str, dict[str, int]] = {}
        self._built: dict[tuple[str, frozenset], pd.DataFrame] | None = {} if shared else None
        if shared:
            tables = {}
            for name, df in data.tables.items():
                bare = df.copy(deep=False)
                bare.attrs = {}
                tables[name] = bare
            data = type(data)(data_dir=data.data_dir, package=data.package, tables=tables)
        self.data = data

    def _row(self, r: Reading) -> int:
        if r.table not in self._where:
            frame = self.data.tables[r.table]
            self._where[r.table] = {k: i for i, k in enumerate(row_keys(frame, _pk(self.data.package, r.table)))}
        try:
            return self._where[r.table][r.row_key]
        except KeyError:
            raise KeyError(f"reading {r.id}: no row {r.row_key!r} in {r.table}") from None

    def _table(self, table: str, readings: list[Reading]) -> pd.DataFrame:
        """*table* with the alternatives of *readings* (all of that table) in place."""
        changes: dict[str, list[tuple[int, str]]] = {}
        for r in readings:
            i = self._row(r)
            for col, val in zip(r.columns, r.alternative):
                changes.setdefault(col, []).append((i, val))
        df = self.data.tables[table].copy(deep=False)
        for col, cells in changes.items():
            series = df[col]
            arr = series.array.copy()
            for i, val in cells:
                arr[i] = _typed(series, val)
            df[col] = arr
        return df

    def __call__(self, readings: Iterable[Reading]):
        readings = list(readings)
        if not readings:
            return self.data
        by_table: dict[str, list[Reading]] = {}
        for r in readings:
            by_table.setdefault(r.table, []).append(r)
        tables = dict(self.data.tables)
        for t, rs in by_table.items():
            if self._built is None:
                tables[t] = self._table(t, rs)
                continue
            key = (t, frozenset(rs))
            if key not in self._built:
                self._built[key] = self._table(t, rs)
            tables[t] = self._built[key]
        return type(self.data)(data_dir=self.data.data_dir, package=self.data.package, tables=tables)


def apply(data, readings: Iterable[Reading]):
    """A copy of *data* (a ``SurveyData``) with every reading's alternative in place.

    Only the columns a reading changes are copied; *data* is not changed.
    """
    return Applier(data)(readings)


# --------------------------------------------------------------------------- #
# Combinations
# --------------------------------------------------------------------------- #
def groups(readings: Sequence[Reading]) -> list[tuple[Reading, ...]]:
    """Readings that change a common cell are alternatives of each other: at most one
    of a group applies at a time.  Groups keep the order of first appearance."""
    parent = list(range(len(readings)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, r in enumerate(readings):
        for cell in r.cells:
            if cell in owner:
                parent[find(i)] = find(owner[cell])
            else:
                owner[cell] = i
    out: dict[int, list[Reading]] = {}
    for i, r in enumerate(readings):
        out.setdefault(find(i), []).append(r)
    return [tuple(g) for g in out.values()]


def count_combinations(gs: Sequence[Sequence[Reading]]) -> int:
    return math.prod(len(g) + 1 for g in gs)


def combinations(readings: Sequence[Reading], limit: int = MAX_COMBINATIONS) -> tuple[str, list[tuple[Reading, ...]]]:
    """``(mode, combinations)``: every combination of the readings (at most one per
    group), the empty one first; or, when that is more than *limit*, the empty
    combination, each single reading, each pair from different groups and the
    first alternative of every group together."""
    gs = groups(readings)
    if count_combinations(gs) <= limit:
        combos = [tuple(r for r in choice if r is not None)
                  for choice in itertools.product(*[(None,) + g for g in gs])]
        return FULL, combos
    flat = [(gi, r) for gi, g in enumerate(gs) for r in g]
    combos: list[tuple[Reading, ...]] = [()]
    combos += [(r,) for _, r in flat]
    combos += [(a, b) for (ga, a), (gb, b) in itertools.combinations(flat, 2) if ga != gb]
    combos.append(tuple(g[0] for g in gs))
    return REDUCED, combos


# --------------------------------------------------------------------------- #
# Validation (called by the package validator)
# --------------------------------------------------------------------------- #
def _allowed(field: Mapping, value: str, missing: set[str]) -> str | None:
    """Why *value* is not allowed in *field*, or None."""
    c = field.get("constraints") or {}
    if value in missing:
        return "a value is required" if c.get("required") else None
    t = field.get("type", "string")
    if t == "integer" and not re.fullmatch(r"[+-]?[0-9]+", value):
        return "expected an integer"
    if c.get("enum") is not None and value not in [str(e) for e in c["enum"]]:
        return "expected one of: " + ", ".join(str(e) for e in c["enum"])
    if c.get("pattern") and not re.fullmatch(c["pattern"], value):
        return f"expected the pattern {c['pattern']}"
    return None


def check(tables: Mapping, package: Mapping, problem) -> list:
    """Problems of the readings table against the tables it points into.

    *tables* maps a resource name to the validator's table objects (``names``,
    ``rows`` as strings, ``lines``, ``file``, ``usable``, ``missing``);
    *problem(file, row, column, message)* builds one problem.
    """
    rt = tables.get(RESOURCE)
    if rt is None or not rt.usable:
        return []
    out = []
    res = {r["name"]: r for r in package["resources"]}
    lacks = source_lacks(package)
    col = {n: i for i, n in enumerate(rt.names)}
    seen: dict[tuple, int] = {}
    for row, line in zip(rt.rows, rt.lines):
        get = {n: row[i] for n, i in col.items()}
        t = get.get("table", "")
        target = tables.get(t)
        if t not in res or target is None or not target.usable or not target.rows:
            continue  # an unknown table is reported by the enum check, an empty one by its own check
        fields = {f["name"]: f for f in res[t]["schema"]["fields"]}
        columns = get.get("column", "").split(SEP)
        unknown = [c for c in columns if c not in fields]
        if unknown:
            out.append(problem(rt.file, line, "column",
                               f"{t}.csv has no column {unknown[0]!r}; expected one of: {', '.join(fields)}"))
            continue
        n = len(columns)
        prim, alt = split(get.get("primary", ""), n), split(get.get("alternative", ""), n)
        bad_shape = False
        for name, vals in (("primary", prim), ("alternative", alt)):
            if len(vals) != n:
                out.append(problem(rt.file, line, name,
                                   f"{len(vals)} value(s) for {n} column(s) ({SEP.join(columns)}); "
                                   f"expected one value per column, joined by '{SEP}'"))
                bad_shape = True
        if bad_shape:
            continue
        pk = _pk(package, t)
        keys = {}
        for i, r in enumerate(target.rows):
            k = KEY_SEP.join(r[target.names.index(p)] for p in pk)
            keys.setdefault(k, i)
        key = get.get("row_key", "")
        if key not in keys:
            close = difflib.get_close_matches(key, list(keys), n=1)
            tip = f" (did you mean {close[0]!r}?)" if close else ""
            form = KEY_SEP.join(pk)
            out.append(problem(rt.file, line, "row_key",
                               f"{key!r} is not a row of {target.file}; expected its {form}"
                               f"{' joined by ' + repr(KEY_SEP) if len(pk) > 1 else ''}{tip}"))
            continue
        cell_row = target.rows[keys[key]]
        cell_line = target.lines[keys[key]]
        for c, p, a in zip(columns, prim, alt):
            actual = cell_row[target.names.index(c)]
            # a cell that breaks its own field's rule is reported by the table's check; comparing
            # the reading with it would report the same fault twice
            if p != actual and not _allowed(fields[c], actual, target.missing):
                out.append(problem(rt.file, line, "primary",
                                   f"{p!r} is not the value of {c} in {target.file} row {cell_line} "
                                   f"({key}), which is {actual!r}; expected the table's value"))
            why = _allowed(fields[c], a, target.missing)
            if why:
                out.append(problem(rt.file, line, "alternative",
                                   f"{a!r} is not allowed in {t}.{c}: {why}"))
        if tuple(prim) == tuple(alt):
            out.append(problem(rt.file, line, "alternative",
                               "the alternative equals the primary value; expected another reading"))
        pid = get.get("paper_id", "")
        want = cell_row[target.names.index("id")] if t == "papers" else (
            cell_row[target.names.index("paper_id")] if "paper_id" in target.names else "")
        if pid != want:
            out.append(problem(rt.file, line, "paper_id",
                               f"{pid!r} does not match the row {key} of {target.file}; expected {want!r}"
                               if want else f"{pid!r} given for a {t} row; expected it empty"))
        basis = get.get("basis", "")
        lacking = [c for c in columns if f"{t}.{c}" in lacks]
        if basis == "project-coding" and len(lacking) != n:
            out.append(problem(rt.file, line, "basis",
                               f"project-coding, but {t}.{[c for c in columns if c not in lacking][0]} is not "
                               "listed in provenance.source_lacks of datapackage.json; expected source"))
        if basis == "source" and lacking:
            out.append(problem(rt.file, line, "basis",
                               f"source, but {t}.{lacking[0]} is listed in provenance.source_lacks "
                               "(a column the source lacks); expected project-coding"))
        sig = (t, key, tuple(columns), tuple(alt))
        if sig in seen:
            out.append(problem(rt.file, line, "alternative",
                               f"the same reading as row {seen[sig]}; expected each alternative once"))
        seen.setdefault(sig, line)
    return out
