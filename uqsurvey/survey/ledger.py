"""The reproduction ledger: every claim of the paper, recomputed and given a status.

The rules (:mod:`uqsurvey.survey.rules`) register themselves here with
:func:`rule`; each returns an :class:`Outcome`.  :func:`evaluate` compares each
outcome with the value the paper states (``data/claims.csv``) and gives it a
status:

``reproduced``
    the data gives the paper's number under the stated rule;
``differs``
    under the stated rule the data gives another number;
``not-checkable``
    the data cannot say (an external figure, or a fact the annotations lack).

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
import io
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from typing import Callable

import pandas as pd

STATUSES = ("reproduced", "differs", "not-checkable")

#: What each status means, in one line (the ledger page's legend shows it).
STATUS_MEANING = {
    "reproduced": "the data gives the paper's number under the stated rule",
    "differs": "under the stated rule, the data gives another number",
    "not-checkable": "the data cannot say (a figure from an external source, or a fact the annotations do not record)",
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

    @classmethod
    def of(cls, rule: str, count: int | None, total: int | None = None) -> "Variant":
        return cls(rule, count, total, display(count, total))


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
    #: the structured parts of the outcome that ``reason`` joins into one string:
    #: the rule's own remark, and the predicate's value for a qualitative claim
    note: str = ""
    holds: bool | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def display(count: int | None, total: int | None = None) -> str:
    """Display string: ``"6/22 (27.3%)"``, ``"16"`` or ``"n/a"``."""
    if count is None:
        return "n/a"
    if total:
        return f"{count}/{total} ({100 * count / total:.1f}%)"
    return f"{count}"


# --------------------------------------------------------------------------- #
# Registry
# --------------------------------------------------------------------------- #
RULES: dict[str, Callable] = {}


def rule(claim_id: str):
    """Register the function as the rule for ``claim_id``."""

    def deco(fn):
        if claim_id in RULES:
            raise ValueError(f"two rules for claim {claim_id!r}")
        RULES[claim_id] = fn
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


def evaluate_one(claim: pd.Series, d) -> ClaimResult:
    cid = str(claim["id"])
    if cid not in RULES:
        raise KeyError(f"claim {cid!r} in claims.csv has no rule in uqsurvey.survey.rules")
    o: Outcome = RULES[cid](d)
    pc, pt = _int_or_none(claim.get("paper_count")), _int_or_none(claim.get("paper_total"))
    if not o.checkable:
        status, reason = "not-checkable", o.reason
        value = "n/a"
    elif o.holds is not None and pc is None:
        status = "reproduced" if o.holds else "differs"
        value = display(o.count, o.total)
        reason = (
            f"the qualitative statement {'holds' if o.holds else 'does not hold'} in the data ({value})"
            + (f"; {o.reason}" if o.reason else "")
        )
    else:
        value = display(o.count, o.total)
        same_count = pc is not None and o.count == pc
        same_total = pt is None or o.total is None or o.total == pt
        if same_count and same_total:
            status = "reproduced"
            reason = "the data gives the paper's number under the stated rule"
        else:
            status = "differs"
            paper = display(pc, pt) if pc is not None else str(claim.get("paper_value"))
            matching = [v.rule for v in o.sensitivity if v.count == pc and (pt is None or v.total in (None, pt))]
            reason = f"the data gives {value}, the paper {paper}"
            reason += (
                f"; the rule that matches the paper: {matching[0]}" if matching else "; no defensible rule gives the paper's number"
            )
        if o.reason:
            reason += f"; {o.reason}"
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
        sensitivity=[asdict(v) for v in o.sensitivity],
        members=list(o.members),
        note=o.reason,
        holds=o.holds if o.checkable else None,
    )


def evaluate(d=None) -> list[ClaimResult]:
    """The whole ledger, in the order of ``claims.csv``."""
    if d is None:
        from uqsurvey.survey.data import load

        d = load()
    orphans = check_registry(d)
    if orphans:
        raise KeyError("; ".join(orphans))
    return [evaluate_one(row, d) for _, row in d.claims.iterrows()]


def check_registry(d) -> list[str]:
    """Problems linking claims.csv and the registry: orphans on either side."""
    ids = set(d.claims["id"].astype(str))
    problems = [f"claim {c!r} in claims.csv has no rule" for c in sorted(ids - RULES.keys())]
    problems += [f"rule {c!r} has no row in claims.csv" for c in sorted(RULES.keys() - ids)]
    return problems


def ledger_frame(results: list[ClaimResult]) -> pd.DataFrame:
    """One row per claim; counts as nullable integers (``37``, never ``37.0``)."""
    rows = []
    for r in results:
        row = r.to_dict()
        row["sensitivity"] = "; ".join(f"{v['rule']} → {v['value']}" for v in r.sensitivity)
        row["members"] = ", ".join(r.members)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for col in ("recomputed_count", "recomputed_total"):
        if col in frame:
            frame[col] = frame[col].astype("Int64")
    return frame


#: The columns of the JSON and CSV ledgers, in order (the version columns follow them).
EXPORT_FIELDS = (
    "id section statement paper_value recomputed_value recomputed_count recomputed_total "
    "status rule reason sensitivity"
).split()


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
    """The ledger as CSV: :data:`EXPORT_FIELDS` then the version fields; counts print as integers."""
    buf = io.StringIO()
    frame = ledger_frame(results)[EXPORT_FIELDS].assign(**version_fields(version))
    frame.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return buf.getvalue()


def to_markdown(results: list[ClaimResult]) -> str:
    lines = ["| id | section | paper | recomputed | status | rule |", "|---|---|---|---|---|---|"]
    for r in results:
        cells = [r.id, r.section, r.paper_value, r.recomputed_value, r.status, r.rule]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #
def add_claims_args(parser: argparse.ArgumentParser) -> None:
    """The help and arguments of ``python -m uqsurvey claims`` (see :mod:`uqsurvey.cli`)."""
    parser.description = "Print the reproduction ledger."
    parser.add_argument("--format", choices=("json", "csv", "markdown"), default="markdown")
    parser.add_argument("--data", default=None, help="data directory (default: the package's data/)")


def run_claims(args: argparse.Namespace) -> int:
    """Print the ledger of the data in ``args.data`` in ``args.format``; exit status 1 on invalid data."""
    from uqsurvey.survey.data import DataValidationError, load

    try:
        d = load(args.data)
    except DataValidationError as e:
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
