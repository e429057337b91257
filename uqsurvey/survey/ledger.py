"""The reproduction ledger: every claim of the paper, recomputed and given a status.

The rules (:mod:`uqsurvey.survey.rules`, :mod:`uqsurvey.survey.rules_text`)
register themselves here with :func:`rule`, naming the columns they read; each
returns an :class:`Outcome`.  :func:`evaluate` recomputes each claim under every
recorded reading of the source that touches those columns, crossed with the
rule's named counting variants (:mod:`uqsurvey.survey.sensitivity`), and derives
one status from the result:

``reproduced``
    the primary reading and the primary rule give the paper's number;
``reproduced-under-reading``
    a recorded reading or a named counting rule gives it, named in the entry;
``differs``
    no recorded reading and no named counting rule gives it;
``project-coded``
    the verdict rests on a coding the project added and the source lacks
    (the entry names the column and keeps the verdict);
``not-checkable``
    the source lacks the information.

Disagreements between the paper's text, its Table 1 and its Appendix A are
findings: the ledger reports them; it does not hide them.  This module also
writes the ledger (JSON, CSV, Markdown; each JSON and CSV row carries the
version of the sources) and runs ``python -m uqsurvey claims``
(:func:`add_claims_args`, :func:`run_claims`).  The book's ledger page (badges,
filter, citations) is written by :mod:`uqsurvey.book.ledger_page`.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from uqsurvey._files import atomic_write
from uqsurvey.survey import readings as rd
from uqsurvey.survey.sensitivity import (
    STATUSES,
    Enumeration,
    derive_status,
    describe_reaching,
    display,
    enumerate_claim,
)

__all__ = ["STATUSES", "ClaimResult", "Outcome", "Variant", "RULES", "READS", "rule", "evaluate",
           "evaluate_one", "check_registry", "to_json", "to_csv", "to_markdown", "display", "STATUS_MEANING",
           "EXPORT_FIELDS"]

#: What each status means, in one line (the ledger page's legend shows it).
STATUS_MEANING = {
    "reproduced": "the primary reading of the source and the primary counting rule give the paper's number",
    "reproduced-under-reading": "a recorded reading of the source or a named counting rule gives the paper's number "
                                "(the entry names the smallest such reading)",
    "differs": "no recorded reading of the source and no named counting rule gives the paper's number",
    "project-coded": "the verdict rests on a coding the project added and the source lacks "
                     "(the entry names the column and keeps the verdict)",
    "not-checkable": "the source lacks the information (a figure from an external source, or a fact "
                     "the annotations do not record)",
}


# --------------------------------------------------------------------------- #
# Outcomes and results
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Variant:
    """The claim's number under one counting rule."""

    rule: str
    count: int | None
    total: int | None
    value: str
    holds: bool | None = None  # for a qualitative claim: whether the statement holds under this rule

    @classmethod
    def of(cls, rule: str, count: int | None, total: int | None = None, holds: bool | None = None) -> "Variant":
        return cls(rule, count, total, display(count, total), holds)


@dataclass(frozen=True)
class Outcome:
    """What a rule recomputes from the data.

    ``count``/``total`` are the number under the primary rule (the rule that
    reads the paper's sentence most literally); ``holds`` is used instead for
    qualitative claims ("most", "rare"), whose test is a predicate.
    ``checkable=False`` marks a claim the data cannot check.
    """

    rule: str
    count: int | None = None
    total: int | None = None
    holds: bool | None = None
    checkable: bool = True
    reason: str = ""
    sensitivity: tuple[Variant, ...] = ()
    members: tuple[str, ...] = ()


@dataclass
class ClaimResult:
    id: str
    section: str
    statement: str
    paper_value: str
    recomputed_value: str
    recomputed_count: int | None
    recomputed_total: int | None
    status: str
    rule: str
    reason: str
    sensitivity: list[dict] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    verdict: str = ""  # the status before project-coded is applied
    project_columns: list[str] = field(default_factory=list)  # table.column the source lacks, read by the rule
    readings: list[dict] = field(default_factory=list)  # each distinct value with its smallest reading set
    reaches_paper: dict | None = None  # the smallest {readings, rule, ...} giving the paper's number
    reaches_text: str = ""  # the same, in words
    reaches_primary_rule: dict | None = None  # the smallest reading set under the primary rule, if any
    enumeration: str = ""  # how many readings touch the claim and how they were combined
    relevant_readings: list[str] = field(default_factory=list)
    #: the structured parts of the outcome that ``reason`` joins into one string:
    #: the rule's own remark, and the predicate's value for a qualitative claim
    note: str = ""
    holds: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- #
# Registry
# --------------------------------------------------------------------------- #
RULES: dict[str, Callable] = {}
#: The columns each rule reads, as ``table.column``: the recorded readings that
#: change one of them are the readings the claim is evaluated under.
READS: dict[str, tuple[str, ...]] = {}


def rule(claim_id: str, reads: tuple[str, ...] | list[str] = ()):
    """Register the function as the rule for ``claim_id``; *reads* names every
    column (``table.column``) it reads (a test checks the list is complete)."""

    def deco(fn):
        if claim_id in RULES:
            raise ValueError(f"two rules for claim {claim_id!r}")
        RULES[claim_id] = fn
        READS[claim_id] = tuple(reads)
        return fn

    return deco


# --------------------------------------------------------------------------- #
# Evaluation
# --------------------------------------------------------------------------- #
def _int_or_none(x) -> int | None:
    if x is None or (isinstance(x, float) and pd.isna(x)) or x is pd.NA:
        return None
    try:
        return int(x)
    except (TypeError, ValueError):
        return None


def _verdict_reason(verdict: str, value: str, paper: str, enum: Enumeration, reaching: str, also: str,
                    qualitative: bool) -> str:
    tail = (f"; under the primary rule, under {also}"
            if also and enum.reaches_primary_rule is not enum.reaches else "")
    none = ("no recorded reading touches the claim's inputs and no named counting rule"
            if not enum.relevant else
            f"no recorded reading of the source and no named counting rule ({enum.describe()})")
    if qualitative:
        if verdict == "reproduced":
            return f"the statement holds in the data ({value}) on the primary reading, under the primary rule"
        if verdict == "reproduced-under-reading":
            return f"on the primary reading the statement does not hold ({value}); it holds under {reaching}{tail}"
        return f"the statement does not hold ({value}), and {none} makes it hold"
    if verdict == "reproduced":
        return "the data gives the paper's number on the primary reading, under the primary rule"
    if verdict == "reproduced-under-reading":
        head = (f"the primary reading gives {value}, the paper {paper}" if enum.checkable
                else "the primary reading cannot be checked")
        return f"{head}; the paper's number is reached by {reaching}{tail}"
    return f"the data gives {value}, the paper {paper}; {none} gives the paper's number"


def evaluate_one(claim: pd.Series, d, readings: list[rd.Reading] | None = None,
                 applier: rd.Applier | None = None) -> ClaimResult:
    """One claim: its rule on the primary reading, then under every recorded
    reading that touches its inputs, crossed with its named counting rules
    (*applier*: an ``Applier(d, shared=True)`` shared by the claims of one ledger)."""
    cid = str(claim["id"])
    if cid not in RULES:
        raise KeyError(f"claim {cid!r} in claims.csv has no rule in uqsurvey.survey.rules")
    if readings is None:
        readings = rd.parse(d.tables.get(rd.RESOURCE))
    pc, pt = _int_or_none(claim.get("paper_count")), _int_or_none(claim.get("paper_total"))
    reads = READS.get(cid, ())
    o, enum = enumerate_claim(d, RULES[cid], reads, readings, pc, pt, applier=applier)
    lacking = sorted(c for c in reads if c in rd.source_lacks(d.package))
    status, verdict = derive_status(enum, lacking)
    labels = {r.id: r.label() for r in readings}
    reaching = describe_reaching(enum.reaches, labels, o.rule)
    also = describe_reaching(enum.reaches_primary_rule, labels, o.rule, rule=False)
    value = display(o.count, o.total) if o.checkable else "n/a"
    paper = display(pc, pt) if pc is not None else str(claim.get("paper_value"))
    if verdict == "not-checkable":
        reason = o.reason
    else:
        reason = _verdict_reason(verdict, value, paper, enum, reaching, also, o.holds is not None and pc is None)
        if o.reason:
            reason += f"; {o.reason}"
    if status == "project-coded":
        cols = ", ".join(lacking)
        reason = (f"rests on {cols}, coded by the project (the source does not state it); "
                  f"verdict on that coding: {verdict}; " + reason)
    return ClaimResult(
        id=cid,
        section=str(claim["section"]),
        statement=str(claim["statement"]),
        paper_value=str(claim["paper_value"]),
        recomputed_value=value,
        recomputed_count=o.count if o.checkable else None,
        recomputed_total=o.total if o.checkable else None,
        status=status,
        rule=o.rule,
        reason=reason,
        # The sensitivity keeps its original shape (rule, count, total, value).
        sensitivity=[{k: getattr(v, k) for k in ("rule", "count", "total", "value")} for v in o.sensitivity],
        members=list(o.members),
        note=o.reason,
        holds=bool(o.holds) if o.checkable and o.holds is not None else None,
        verdict=verdict,
        project_columns=lacking,
        readings=[v.to_dict() for v in enum.values],
        reaches_paper=enum.reaches.to_dict() if enum.reaches else None,
        reaches_text=reaching,
        reaches_primary_rule=enum.reaches_primary_rule.to_dict() if enum.reaches_primary_rule else None,
        enumeration=enum.describe(),
        relevant_readings=list(enum.relevant),
    )


_CACHE: dict[str, list[ClaimResult]] = {}
#: Environment variable: a directory for the ledger cache, or ``off``.
CACHE_ENV = "UQSURVEY_LEDGER_CACHE"


def _fingerprint(d) -> str:
    """A key that changes whenever a table of *d* or the code of the survey package
    changes (content, not identity)."""
    h = hashlib.sha256()
    for name, df in sorted(d.tables.items()):
        h.update(f"{name}|{'|'.join(df.columns)}|{len(df)}|".encode())
        if len(df):
            h.update(pd.util.hash_pandas_object(df.astype("string"), index=False).to_numpy().tobytes())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    h.update(repr(sorted(READS.items())).encode())
    # The libraries the rules compute with, and the interpreter.
    h.update(f"{sys.version}|{pd.__version__}|{np.__version__}".encode())
    return h.hexdigest()


def _cache_file(key: str) -> Path | None:
    where = os.environ.get(CACHE_ENV, "").strip()
    if where.lower() == "off":
        return None
    base = Path(where) if where else Path(tempfile.gettempdir()) / "uqsurvey-ledger"
    return base / f"{key}.json"


def _load_cached(path: Path | None) -> list[ClaimResult] | None:
    if path is None or not path.is_file():
        return None
    try:
        return [ClaimResult(**r) for r in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None  # unreadable or from another version: recompute


def _store(path: Path | None, results: list[ClaimResult]) -> None:
    if path is None:
        return
    text = json.dumps([r.to_dict() for r in results], ensure_ascii=False)  # before any file exists
    try:
        atomic_write(path, text)
    except OSError:
        pass  # a cache that cannot be written is only slower


def evaluate(d=None) -> list[ClaimResult]:
    """The whole ledger, in the order of ``claims.csv``.

    Evaluating every claim under every recorded reading takes seconds, so the
    result is kept per data content and code (in memory, and as JSON in
    ``$UQSURVEY_LEDGER_CACHE``, by default a folder of the system's temporary
    directory; ``off`` disables the file).
    """
    if d is None:
        from uqsurvey.survey.data import load

        d = load()
    orphans = check_registry(d)
    if orphans:
        raise KeyError("; ".join(orphans))
    key = _fingerprint(d)
    if key not in _CACHE:
        path = _cache_file(key)
        results = _load_cached(path)
        if results is None:
            readings = rd.parse(d.tables.get(rd.RESOURCE))
            applier = rd.Applier(d, shared=True)
            results = [evaluate_one(row, d, readings, applier) for _, row in d.claims.iterrows()]
            _store(path, results)
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = results
    return [replace(r) for r in _CACHE[key]]


def outcome_under(d, claim_id: str, reading_ids) -> Outcome:
    """The rule of *claim_id* on *d* with the recorded readings *reading_ids* applied
    (e.g. to state what another claim gives under the reading that reaches this one)."""
    by_id = {r.id: r for r in rd.parse(d.tables.get(rd.RESOURCE))}
    unknown = [i for i in reading_ids if i not in by_id]
    if unknown:
        raise KeyError(f"no recorded reading {unknown[0]!r}; known: {', '.join(by_id)}")
    return RULES[claim_id](rd.apply(d, [by_id[i] for i in reading_ids]))


def claims_using(readings: list[rd.Reading]) -> dict[str, list[str]]:
    """For every reading, the claims whose rule reads a column it changes (registry order)."""
    return {r.id: [cid for cid, reads in READS.items() if r.touches(reads)] for r in readings}


def check_registry(d) -> list[str]:
    """Problems linking claims.csv and the registry: orphans on either side."""
    ids = set(d.claims["id"].astype(str))
    problems = [f"claim {c!r} in claims.csv has no rule" for c in sorted(ids - RULES.keys())]
    problems += [f"rule {c!r} has no row in claims.csv" for c in sorted(RULES.keys() - ids)]
    return problems


def _readings_text(r: ClaimResult) -> str:
    return "; ".join(
        f"{v['rule']} → {v['value']}" + (f" [{'+'.join(v['readings'])}]" if v["readings"] else " [primary reading]")
        + (" = paper" if v["matches_paper"] else "")
        for v in r.readings
    )


def reaches_label(r: ClaimResult) -> str:
    """A short label of how the paper's number is reached: the reading ids and, when it
    is not the primary rule, "another counting rule"; '—' when nothing reaches it."""
    if not r.reaches_paper:
        return "—"
    parts = [] if r.reaches_paper["rule"] == r.rule else ["another counting rule"]
    parts += ["+".join(r.reaches_paper["readings"])] if r.reaches_paper["readings"] else []
    return ", ".join(parts) or "primary reading"


def ledger_frame(results: list[ClaimResult]) -> pd.DataFrame:
    """One row per claim; counts as nullable integers (``37``, never ``37.0``)."""
    rows = []
    for r in results:
        row = r.to_dict()
        row["sensitivity"] = "; ".join(f"{v['rule']} → {v['value']}" for v in r.sensitivity)
        row["members"] = ", ".join(r.members)
        row["project_columns"] = ", ".join(r.project_columns)
        row["readings"] = _readings_text(r)
        row["reaches_paper"] = r.reaches_text
        row["reaches_label"] = reaches_label(r)
        row["relevant_readings"] = ", ".join(r.relevant_readings)
        row.pop("reaches_text")
        rows.append(row)
    frame = pd.DataFrame(rows)
    for col in ("recomputed_count", "recomputed_total"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    return frame


#: The fields of each JSON ledger row, in order (the version fields follow them):
#: ``readings`` is the list of ``{readings, rule, count, total, value, matches_paper}``,
#: ``reaches_paper`` the smallest of them that gives the paper's number (or null),
#: ``sensitivity`` the rule's named counting variants (kept for compatibility).
EXPORT_FIELDS = (
    "id section statement paper_value recomputed_value recomputed_count recomputed_total "
    "status verdict project_columns rule reason sensitivity readings reaches_paper enumeration"
).split()
#: The columns of the CSV ledger, in order (the version columns follow them); there,
#: ``readings`` and ``reaches_paper`` are written in words (:func:`ledger_frame`).
CSV_FIELDS = EXPORT_FIELDS + ["reaches_primary_rule", "relevant_readings"]


def version_fields(version: dict | None = None) -> dict[str, str]:
    """The version every exported ledger row carries: ``book_version`` (release tag
    or commit), ``book_commit`` and ``book_date`` (:func:`uqsurvey.version.source_version`)."""
    from uqsurvey.version import source_version

    v = version or source_version()
    return {"book_version": v["version"], "book_commit": v["commit"], "book_date": v["date"]}


def to_json(results: list[ClaimResult], version: dict | None = None) -> str:
    """The ledger as a JSON list, one object per claim, each with the version fields."""
    stamp = version_fields(version)
    rows = [{**{k: r.to_dict()[k] for k in EXPORT_FIELDS}, **stamp} for r in results]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def to_csv(results: list[ClaimResult], version: dict | None = None) -> str:
    """The ledger as CSV: :data:`CSV_FIELDS` then the version fields; counts print as integers,
    the readings and the reading that reaches the paper's number in words."""
    buf = io.StringIO()
    frame = ledger_frame(results)[CSV_FIELDS].assign(**version_fields(version))
    frame.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return buf.getvalue()


def to_markdown(results: list[ClaimResult]) -> str:
    lines = ["| id | section | paper | recomputed | status | reaches the paper's number | rule |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        status = r.status + (f" ({r.verdict}; {', '.join(r.project_columns)})" if r.status == "project-coded" else "")
        cells = [r.id, r.section, r.paper_value, r.recomputed_value, status, r.reaches_text or "—", r.rule]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #
def add_claims_args(parser: argparse.ArgumentParser) -> None:
    """The help and arguments of ``python -m uqsurvey claims`` (see :mod:`uqsurvey.cli`)."""
    parser.description = "Print the reproduction ledger."
    parser.add_argument("--format", choices=("json", "csv", "markdown"), default="markdown")
    from uqsurvey.survey.data import DATA_HELP

    parser.add_argument("--data", default=None, metavar="DATA_DIR", help=DATA_HELP)


def run_claims(args: argparse.Namespace) -> int:
    """Print the ledger of the data in ``args.data`` in ``args.format``; exit status 1 on invalid data."""
    from uqsurvey.survey.data import DataLocationError, DataValidationError, load

    try:
        d = load(args.data)
    except (DataLocationError, DataValidationError) as e:
        print(str(e), file=sys.stderr)
        return 1
    results = evaluate(d)
    out = {"json": to_json, "csv": to_csv, "markdown": to_markdown}[args.format](results)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


# --------------------------------------------------------------------------- #
# Anchors (the book's ledger page is written by uqsurvey.book.ledger_page)
# --------------------------------------------------------------------------- #
def anchor(claim_id: str) -> str:
    """The stable HTML anchor of a claim: ``claim-<id>``."""
    return f"claim-{claim_id}"


def variant_matches_paper(variant: dict, result: ClaimResult) -> bool:
    """Whether one sensitivity row (a :class:`Variant` as a dict) gives the number
    the paper states for *result* (its count, and its total when the paper gives one)."""
    m = re.match(r"\s*(\d+)(?:\s*/\s*(\d+))?", result.paper_value or "")
    if not m or variant.get("count") is None:
        return False
    pc, pt = int(m.group(1)), (int(m.group(2)) if m.group(2) else None)
    return variant["count"] == pc and (pt is None or variant.get("total") in (None, pt))


# The rules register themselves when their module is imported; importing it
# here means that importing the ledger always gives the full registry.
from uqsurvey.survey import rules as _rules  # noqa: E402,F401  (registration)
from uqsurvey.survey import rules_text as _rules_text  # noqa: E402,F401  (registration)
