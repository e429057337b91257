"""Load and validate the survey data package in ``data/``.

The package is described by ``data/datapackage.json`` (a Frictionless Tabular
Data Package).  That file is the single data dictionary: the checks read the
field names, types, constraints, primary keys and foreign keys from it and
hard-code none of them (the checking machinery is in
:mod:`uqsurvey.survey.validation`).

:func:`load` validates the *whole* package first and only then builds typed
pandas DataFrames; bad data never half-loads.  Every problem found is reported
at once, in a single :class:`DataValidationError`, as ``file:row:column:
message`` -- where ``row`` is the row as it appears in the file (the header is
row 1, the first data row is row 2).

Command line: ``python -m uqsurvey validate [DATA_DIR]`` (:func:`add_validate_args`,
:func:`run_validate`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from uqsurvey.survey.validation import DESCRIPTOR, Problem, as_list, typed_frame, validate_package

__all__ = [
    "BOOK_MARKERS",
    "DESCRIPTOR",
    "ENV_VAR",
    "DataLocationError",
    "DataValidationError",
    "Problem",
    "SurveyData",
    "add_validate_args",
    "data_dictionary",
    "default_data_dir",
    "find_book_root",
    "load",
    "read_package",
    "run_validate",
    "validate",
]

#: Environment variable that overrides the default data directory.
ENV_VAR = "UQSURVEY_DATA"
#: The files that mark the book's root (a Jupyter Book): its data is ``<root>/data``.
BOOK_MARKERS = ("_config.yml", "_toc.yml")


# --------------------------------------------------------------------------- #
# The error
# --------------------------------------------------------------------------- #
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
class DataLocationError(FileNotFoundError):
    """No data directory was given and none can be found (see :func:`default_data_dir`)."""


def find_book_root(start: Path | str | None = None) -> Path | None:
    """The nearest folder at or above *start* (default: the working directory) that
    holds the book's :data:`BOOK_MARKERS`, or ``None``.

    Chapters execute with their own folder (``chapters/``) as working directory, so
    a chapter finds the book it belongs to; the command line, run from a checkout,
    finds that checkout.  Only the existence of the markers is checked: nothing is
    opened.
    """
    here = Path.cwd() if start is None else Path(start)
    here = here.expanduser().resolve()
    for folder in (here, *here.parents):
        if all((folder / m).is_file() for m in BOOK_MARKERS):
            return folder
    return None


def default_data_dir(start: Path | str | None = None) -> Path:
    """The data directory: ``$UQSURVEY_DATA`` if set, else ``data/`` of the book that
    holds *start* (default: the working directory; see :func:`find_book_root`).

    Never the ``data/`` next to the installed package: two checkouts sharing one
    environment each read their own data.  Raises :class:`DataLocationError` when
    neither is available.
    """
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser().resolve()
    root = find_book_root(start)
    if root is None:
        where = Path.cwd() if start is None else Path(start)
        raise DataLocationError(
            f"no data directory: {where} is not inside the book (no folder at or above it holds "
            f"{' and '.join(BOOK_MARKERS)}); pass the data directory (--data DIR) or set {ENV_VAR}"
        )
    return root / "data"


def _resolve(data_dir: Path | str | None) -> Path:
    return default_data_dir() if data_dir is None else Path(data_dir).expanduser().resolve()


def read_package(data_dir: Path | str | None = None) -> dict:
    """The parsed ``datapackage.json`` (no validation beyond JSON syntax)."""
    path = _resolve(data_dir) / DESCRIPTOR
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- #
# Validation and loading
# --------------------------------------------------------------------------- #
def validate(data_dir: Path | str | None = None) -> list[Problem]:
    """Every problem in the package (an empty list when it is valid)."""
    return validate_package(_resolve(data_dir))[0]


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
    problems, pkg, tables = validate_package(d)
    if problems:
        raise DataValidationError(problems, d)
    assert pkg is not None
    frames = {res["name"]: typed_frame(tables[res["name"]], res["schema"]) for res in pkg["resources"]}
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
        pk = as_list(schema.get("primaryKey"))
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
                if f["name"] in as_list(fk["fields"]):
                    ref = fk["reference"]
                    notes.append(f"references {ref.get('resource') or res['name']}.{', '.join(as_list(ref['fields']))}")
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
VALIDATE_DESCRIPTION = """Validate the survey data package in DATA_DIR (default: $UQSURVEY_DATA, else data/ of
the book that holds the working directory).  Prints a one-line summary and exits 0 when
it is valid; otherwise prints every problem as file:row:column: message to stderr and
exits 1."""

#: Help of the data-directory argument, shared by ``validate`` and ``claims``.
DATA_HELP = "the data directory (default: $UQSURVEY_DATA, else data/ of the book that holds the working directory)"


def add_validate_args(parser: argparse.ArgumentParser) -> None:
    """The help and arguments of ``python -m uqsurvey validate [DATA_DIR]`` (see :mod:`uqsurvey.cli`)."""
    parser.usage = "%(prog)s [DATA_DIR | --data DATA_DIR]"
    parser.description = VALIDATE_DESCRIPTION
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("data_dir", nargs="?", default=None, metavar="DATA_DIR", help=DATA_HELP)
    parser.add_argument("--data", dest="data_option", default=None, metavar="DATA_DIR", help="the same, as an option")


def run_validate(args: argparse.Namespace) -> int:
    """Validate ``args.data_dir``: the summary on stdout and exit status 0, or every
    problem on stderr and exit status 1."""
    given = {d for d in (args.data_dir, getattr(args, "data_option", None)) if d is not None}
    if len(given) > 1:
        print(f"two data directories given: {' and '.join(sorted(given))}; give one", file=sys.stderr)
        return 2
    try:
        data = load(given.pop() if given else None)
    except DataLocationError as e:
        print(e, file=sys.stderr)
        return 1
    except DataValidationError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        n = len(e.problems)
        print(f"{n} problem{'s' if n != 1 else ''} found in {e.data_dir}", file=sys.stderr)
        return 1
    print(data.summary())
    return 0
