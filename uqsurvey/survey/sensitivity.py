"""A claim under every recorded reading of the source, crossed with its counting rules.

For one claim, :func:`enumerate_claim` takes the readings (``data/readings.csv``)
that change a column the claim's rule reads, evaluates the rule under each
combination of them (:func:`uqsurvey.survey.readings.combinations`) and keeps,
for every counting rule the rule names (its primary rule and its *sensitivity*
variants), each distinct value with the smallest set of readings that produces
it.  :func:`derive_status` turns the result into one status:

``reproduced``
    the primary reading and the primary rule give the paper's number;
``reproduced-under-reading``
    a recorded reading or a named counting rule gives it (the entry names the
    smallest such set);
``differs``
    no recorded reading and no named counting rule gives it;
``project-coded``
    the verdict rests on a column the project coded and the source lacks
    (``provenance.source_lacks`` in ``datapackage.json``); the verdict above is
    kept beside it;
``not-checkable``
    the source lacks the information.

Nothing here is typed per claim: the status follows from the data and the rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from uqsurvey.survey import readings as rd

STATUSES = ("reproduced", "reproduced-under-reading", "differs", "project-coded", "not-checkable")
NO_READINGS = "no recorded reading touches the claim's inputs"


def display(count: int | None, total: int | None = None) -> str:
    """Display string: ``"6/22 (27.3%)"``, ``"16"`` or ``"n/a"``."""
    if count is None:
        return "n/a"
    if total:
        return f"{count}/{total} ({100 * count / total:.1f}%)"
    return f"{count}"


def matches_paper(paper_count: int | None, paper_total: int | None, count, total, holds, checkable=True) -> bool:
    """Whether a value gives the paper's number: the paper's count (and its total,
    when the paper gives one and the rule has one); for a qualitative claim (no
    paper count), whether the statement holds."""
    if not checkable:
        return False
    if paper_count is None:
        return bool(holds)
    if count is None or count != paper_count:
        return False
    return paper_total is None or total is None or total == paper_total


@dataclass(frozen=True)
class ReadingValue:
    """The claim's value under one set of readings and one counting rule."""

    readings: tuple[str, ...]
    rule: str
    count: int | None
    total: int | None
    value: str
    holds: bool | None
    matches_paper: bool

    def to_dict(self) -> dict:
        return {"readings": list(self.readings), "rule": self.rule, "count": self.count,
                "total": self.total, "value": self.value, "matches_paper": self.matches_paper}


@dataclass
class Enumeration:
    """What the readings do to one claim."""

    mode: str  # readings.FULL, readings.REDUCED or NO_READINGS
    relevant: tuple[str, ...]  # ids of the readings that touch the claim's inputs
    combinations: int  # combinations evaluated (the empty one included)
    values: list[ReadingValue] = field(default_factory=list)  # distinct (rule, value), smallest reading set
    reaches: ReadingValue | None = None  # the smallest (readings, rule) giving the paper's number
    reaches_primary_rule: ReadingValue | None = None  # the smallest set under the primary rule
    checkable: bool = True  # the primary reading can be checked
    rules: tuple[str, ...] = ()  # the counting rules, primary first

    def describe(self) -> str:
        if not self.relevant:
            return NO_READINGS
        n = len(self.relevant)
        return (f"{n} recorded reading{'s touch' if n != 1 else ' touches'} the claim's inputs; "
                f"{self.combinations} combinations evaluated ({self.mode})")


def _rows(o) -> list[tuple[str, int | None, int | None, bool | None, bool]]:
    """(rule, count, total, holds, checkable) for the primary rule and each variant
    whose label differs from it."""
    out = [(o.rule, o.count, o.total, o.holds, o.checkable)]
    for v in o.sensitivity:
        if v.rule != o.rule:
            out.append((v.rule, v.count, v.total, getattr(v, "holds", None), o.checkable))
    return out


def enumerate_claim(data, fn: Callable, reads: Sequence[str], readings: Sequence[rd.Reading],
                    paper_count: int | None, paper_total: int | None,
                    limit: int = rd.MAX_COMBINATIONS, applier: rd.Applier | None = None) -> tuple[object, Enumeration]:
    """Evaluate *fn* on *data* under every combination of the *readings* that touch
    *reads*; return the primary outcome and the :class:`Enumeration`.  *applier*, an
    ``Applier(data, shared=True)``, may be shared by the claims of one ledger."""
    relevant = [r for r in readings if r.touches(reads)]
    order = {r.id: i for i, r in enumerate(relevant)}
    mode, combos = rd.combinations(relevant, limit) if relevant else (NO_READINGS, [()])
    best: dict[tuple, ReadingValue] = {}
    rules: list[str] = []
    primary = None
    applier = applier if applier is not None else rd.Applier(data)
    for combo in combos:
        o = fn(applier(combo))
        if not combo:
            primary = o
        ids = tuple(sorted((r.id for r in combo), key=order.get))
        for label, count, total, holds, checkable in _rows(o):
            if label not in rules:
                rules.append(label)
            if not checkable:
                continue
            rv = ReadingValue(ids, label, count, total, display(count, total), holds,
                              matches_paper(paper_count, paper_total, count, total, holds))
            key = (label, rv.value, holds)
            old = best.get(key)
            if old is None or _smaller(rv, old, order):
                best[key] = rv
    rank = {label: i for i, label in enumerate(rules)}
    values = sorted(best.values(), key=lambda v: (rank[v.rule], len(v.readings), [order[i] for i in v.readings]))
    hits = [v for v in values if v.matches_paper]
    reaches = min(hits, key=lambda v: (len(v.readings), rank[v.rule], [order[i] for i in v.readings]), default=None)
    under_primary = [v for v in hits if rank[v.rule] == 0]
    reaches_primary = min(under_primary, key=lambda v: (len(v.readings), [order[i] for i in v.readings]), default=None)
    return primary, Enumeration(mode, tuple(r.id for r in relevant), len(combos), values, reaches,
                                reaches_primary, bool(primary.checkable), tuple(rules))


def _smaller(a: ReadingValue, b: ReadingValue, order: dict) -> bool:
    return (len(a.readings), [order[i] for i in a.readings]) < (len(b.readings), [order[i] for i in b.readings])


def derive_status(enum: Enumeration, project_columns: Sequence[str]) -> tuple[str, str]:
    """``(status, verdict)``.  The verdict is reproduced, reproduced-under-reading,
    differs or not-checkable; the status is the verdict, or project-coded when a
    checkable verdict rests on a column the source lacks."""
    primary_hit = enum.reaches is not None and not enum.reaches.readings and enum.reaches.rule == enum.rules[0]
    if primary_hit and enum.checkable:
        verdict = "reproduced"
    elif enum.reaches is not None:
        verdict = "reproduced-under-reading"
    elif not enum.checkable:
        verdict = "not-checkable"
    else:
        verdict = "differs"
    status = "project-coded" if project_columns and verdict != "not-checkable" else verdict
    return status, verdict


def describe_reaching(v: ReadingValue | None, labels: dict[str, str], primary_rule: str, rule: bool = True) -> str:
    """``the primary rule under the reading R001 (papers P10 supervision: mixed → supervised)``,
    or '' when *v* is None; without the rule's name when *rule* is false."""
    if v is None:
        return ""
    name = "the primary rule" if v.rule == primary_rule else f"the rule '{v.rule}'"
    if not v.readings:
        return f"{name} on the primary reading"
    n = len(v.readings)
    which = f"the reading{'s' if n > 1 else ''} " + " + ".join(labels.get(i, i) for i in v.readings)
    return f"{name} under {which}" if rule else which
