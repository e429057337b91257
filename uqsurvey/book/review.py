"""``python -m uqsurvey review SUBMISSION.yaml``: a review checklist from the survey.

A reviewer describes the paper under review in a small YAML file::

    title: An uncertainty method for LLMs          # optional
    benchmarks: [TriviaQA, CSQA, ChaosNLI]         # the evaluation datasets
    metrics: [ECE, AUROC]
    evaluation_set_sizes: {TriviaQA: 2000, CSQA: 1221}
    distribution_shift: false                       # tested under distribution shift?
    aleatoric: false                                # models aleatoric uncertainty?
    human_study: false                              # has a human (uplift) study?

and gets a short Markdown paragraph in which every statement links to the
book's anchor for the claim or recommendation it rests on: which benchmarks fail
which of C1–C4 in Table 1 (and which Table 1 does not know: reported as such,
never guessed), ECE on fewer examples than the paper's stability mark (the
book recommends smECE with an interval, computed by ``python -m uqsurvey
audit``), no evaluation under distribution shift, no aleatoric benchmark, no
human study -- each with the survey's base rate, read from the same data and
ledger as the book.

Benchmark names are matched to Table 1 ignoring letter case, spaces and
punctuation, then through the names the survey data records for the same
dataset (``paper_datasets.csv`` and ``normalizations.csv``); the statement says
which alias matched.  A name the data records as ambiguous is reported as
ambiguous.

Links are absolute when the book's URL is known (``--base-url``, else
``$UQSURVEY_BOOK_URL``, else ``html.baseurl`` of ``_config.yml``:
:func:`uqsurvey.book.meta.book_identity`), otherwise relative to the book's root
(``chapters/ledger.html#claim-c1``).

A bad file (missing, not YAML, an unknown or missing field, a wrong type, a size
that is not a positive whole number) stops with every problem named, exit
status 1, and no review.
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from uqsurvey.book.ledger_page import STATUS_LABEL
from uqsurvey.book.meta import ABSOLUTE_URL, book_identity, book_link, book_version, citation
from uqsurvey.demos.ece_vs_smece import STABILITY_MARK
from uqsurvey.survey.ledger import anchor
from uqsurvey.survey.rules import ece_family

#: Evaluation sets smaller than this are "small" for ECE: the sample size below which
#: the paper (after Hansen et al., 2024) calls binned ECE unstable.  One number, shared
#: with the ECE-vs-smECE chapter (``STABILITY_MARK``); a test checks that it is the
#: ``paper_count`` of the claim ``smece-small-sample``.
SMALL_EVALUATION_SET = STABILITY_MARK

LEDGER = "chapters/ledger.html"
#: The book's anchors for the recommendations the review cites (MyST labels in the chapters).
RECOMMENDATIONS = {
    "R2": "chapters/ecological_validity.html#rec-r2",
    "R4": "chapters/sources_of_uncertainty.html#rec-r4",
    "R5": "chapters/sources_of_uncertainty.html#rec-r5",
    "R6": "chapters/metrics_and_human_studies.html#rec-r6",
    "R7": "chapters/metrics_and_human_studies.html#rec-r7",
    "smECE": "chapters/ece_vs_smece.html#rec-smece",
    "criteria": "chapters/ecological_validity.html#ev-criteria",
}
#: The ledger claims whose recomputed counts give the base rates.
BASE_RATE_CLAIMS = ("c1", "c1-c2", "c3", "c4", "aleatoric-benchmarks", "supervised-no-shift-almost-half",
                    "human-uplift", "ece-users", "smece-users", "smece-small-sample")

#: English full names of the two metrics the review needs to recognise; the survey data
#: records the metrics by their abbreviations (and the source's Chinese wording).
METRIC_FULL_NAMES = {"expected calibration error": "ECE", "smooth ece": "smECE", "smoothece": "smECE",
                     "smoothed expected calibration error": "smECE"}

FIELDS: dict[str, tuple[bool, str]] = {
    "title": (False, "text"),
    "benchmarks": (True, "a list of dataset names"),
    "metrics": (True, "a list of metric names"),
    "evaluation_set_sizes": (True, "a mapping of benchmark name to number of examples"),
    "distribution_shift": (True, "true or false"),
    "aleatoric": (True, "true or false"),
    "human_study": (True, "true or false"),
}


# --------------------------------------------------------------------------- #
# The submission
# --------------------------------------------------------------------------- #
class SubmissionError(ValueError):
    """The submission file is invalid; ``.problems`` lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Submission:
    benchmarks: tuple[str, ...]
    metrics: tuple[str, ...]
    evaluation_set_sizes: dict[str, int]
    distribution_shift: bool
    aleatoric: bool
    human_study: bool
    title: str = ""


def _kind(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"{value!r} (text)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _names(value, name: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.append(f"field {name!r} must be {FIELDS[name][1]}, got {_kind(value)}")
        return ()
    out: list[str] = []
    for i, item in enumerate(value, start=1):
        if not isinstance(item, str):
            problems.append(f"field {name!r}, item {i}: must be a name (text), got {_kind(item)}")
        elif not item.strip():
            problems.append(f"field {name!r}, item {i}: empty name")
        elif item.strip().casefold() in {o.casefold() for o in out}:
            problems.append(f"field {name!r}: {item.strip()!r} is listed twice")
        else:
            out.append(item.strip())
    return tuple(out)


def parse_submission(obj, where: str = "submission") -> Submission:
    """Check the parsed YAML *obj*; raise :class:`SubmissionError` naming every bad field."""
    if obj is None:
        raise SubmissionError([f"{where}: the file is empty; expected the fields {', '.join(FIELDS)}"])
    if not isinstance(obj, dict):
        raise SubmissionError([f"{where}: expected a mapping of fields at the top level, got {_kind(obj)}"])
    problems: list[str] = []
    for key in obj:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; known fields: {', '.join(FIELDS)}"
            problems.append(f"unknown field {key!r}{hint}")
    for key, (required, what) in FIELDS.items():
        if required and key not in obj:
            problems.append(f"missing required field {key!r} ({what})")
    title = obj.get("title", "")
    if title is None or not isinstance(title, str):
        problems.append(f"field 'title' must be text, got {_kind(title)}")
        title = ""
    benchmarks = _names(obj.get("benchmarks", []), "benchmarks", problems)
    metrics = _names(obj.get("metrics", []), "metrics", problems)
    flags = {}
    for key in ("distribution_shift", "aleatoric", "human_study"):
        value = obj.get(key, False)
        if not isinstance(value, bool):
            problems.append(f"field {key!r} must be true or false, got {_kind(value)}")
        flags[key] = bool(value) if isinstance(value, bool) else False
    sizes: dict[str, int] = {}
    raw = obj.get("evaluation_set_sizes", {})
    if not isinstance(raw, dict):
        problems.append(f"field 'evaluation_set_sizes' must be {FIELDS['evaluation_set_sizes'][1]}, got {_kind(raw)}")
        raw = {}
    listed = {b.casefold(): b for b in benchmarks}
    for name, n in raw.items():
        label = f"field 'evaluation_set_sizes', {name!r}"
        if not isinstance(name, str) or name.strip().casefold() not in listed:
            problems.append(f"{label}: not one of the names in 'benchmarks'")
            continue
        if isinstance(n, bool) or not isinstance(n, int):
            problems.append(f"{label}: must be a whole number of examples, got {_kind(n)}")
        elif n < 0:
            problems.append(f"{label}: a size cannot be negative, got {n}")
        elif n == 0:
            problems.append(f"{label}: a size must be at least 1, got 0")
        else:
            sizes[listed[name.strip().casefold()]] = n
    if problems:
        raise SubmissionError([f"{where}: {p}" for p in problems])
    return Submission(benchmarks, metrics, sizes, title=title.strip(), **flags)


def read_submission(path: str | Path) -> Submission:
    """Read and check a submission file (YAML); raise :class:`SubmissionError` on any problem."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SubmissionError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise SubmissionError([f"{path}: cannot read it ({e})"]) from None

    class Loader(yaml.SafeLoader):
        """Safe YAML that refuses a field given twice."""

    def mapping(loader, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if isinstance(key, str) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"field {key!r} appears twice (first on line {seen[key] + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return loader.construct_mapping(node, deep=deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    try:
        obj = yaml.load(text, Loader=Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e)
        raise SubmissionError([f"{path}: not valid YAML{where}: {problem}"]) from None
    return parse_submission(obj, str(path))


# --------------------------------------------------------------------------- #
# Matching names against the survey data
# --------------------------------------------------------------------------- #
def name_key(name: str) -> str:
    """A name without letter case, spaces or punctuation (``"NQ-Open"`` -> ``"nqopen"``)."""
    return re.sub(r"[\W_]+", "", str(name).casefold())


@dataclass(frozen=True)
class Match:
    """How a benchmark name of the submission relates to Table 1.

    ``kind``: ``table1`` (a Table 1 name), ``alias`` (another name the data records
    for a Table 1 benchmark), ``subset`` (a subset or task of one), ``ambiguous``
    (the data records the name as ambiguous, or maps it to several benchmarks),
    ``survey`` (a dataset of the survey that is not in Table 1) or ``unknown``.
    """

    given: str
    kind: str
    benchmark: str | None = None
    evidence: str = ""


@dataclass
class BenchmarkIndex:
    table1: dict[str, str] = field(default_factory=dict)
    recorded: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # key -> (kind, benchmark, evidence)
    survey: dict[str, str] = field(default_factory=dict)  # key -> canonical dataset name

    def match(self, given: str) -> Match:
        k = name_key(given)
        if k in self.table1:
            name = self.table1[k]
            how = "" if given == name else f" (as {name}, ignoring letter case and punctuation)"
            return Match(given, "table1", name, f"Table 1 name{how}")
        cands = self.recorded.get(k, [])
        if cands:
            ambiguous = [c for c in cands if c[0] == "ambiguous"]
            targets = sorted({c[1] for c in cands})
            kinds = {c[0] for c in cands}
            if ambiguous:
                return Match(given, "ambiguous", None, ambiguous[0][2])
            if len(targets) > 1 or len(kinds) > 1:
                return Match(given, "ambiguous", None, "the survey data maps it to "
                             + " and ".join(f"{c[1]} ({c[0]}, {c[2]})" for c in cands))
            kind = "subset" if kinds == {"subset"} else "alias"
            return Match(given, kind, targets[0], cands[0][2])
        if k in self.survey:
            return Match(given, "survey", None, f"a dataset of the survey (datasets.csv: {self.survey[k]})")
        return Match(given, "unknown")


def benchmark_index(d) -> BenchmarkIndex:
    """The names under which the survey data knows each Table 1 benchmark and each dataset."""
    idx = BenchmarkIndex()
    idx.table1 = {name_key(n): str(n) for n in d.benchmarks["name"]}
    nz = d.normalizations
    nz = nz[nz["table"].astype(str).eq("paper_datasets") & nz["field"].astype(str).eq("dataset")]
    norm = {(str(r.paper_id), str(r.as_given)): f"normalizations.csv {r.id}: {r.kind}" for r in nz.itertuples()}

    def add(key: str, entry: tuple[str, str, str]) -> None:
        if key and key not in idx.table1 and entry not in idx.recorded.setdefault(key, []):
            idx.recorded[key].append(entry)

    for r in d.paper_datasets.itertuples():
        if isinstance(r.benchmark, str) and r.benchmark:
            kind = "alias" if r.benchmark_match == "exact" else str(r.benchmark_match)
            src = norm.get((str(r.paper_id), str(r.dataset_as_given)))
            if kind == "ambiguous":
                note = str(r.note) if isinstance(r.note, str) else "ambiguous"
                ev = f"recorded as ambiguous for {r.paper_id} in paper_datasets.csv: “{note}”"
                add(name_key(r.dataset_as_given), (kind, str(r.benchmark), ev))
                continue
            what = "a subset or task of" if kind == "subset" else "another name of"
            ev = f"recorded as {what} {r.benchmark} for {r.paper_id} in paper_datasets.csv" + (f"; {src}" if src else "")
            add(name_key(r.dataset_as_given), (kind, str(r.benchmark), ev))
            if name_key(r.dataset) != name_key(r.benchmark):
                add(name_key(r.dataset), (kind, str(r.benchmark), f"recorded as {what} {r.benchmark} for "
                                          f"{r.paper_id} in paper_datasets.csv"))
    for r in d.paper_datasets.itertuples():
        if not (isinstance(r.benchmark, str) and r.benchmark):
            for name in (r.dataset, r.dataset_as_given):
                idx.survey.setdefault(name_key(name), str(r.dataset))
    for name in d.datasets["dataset"]:
        idx.survey.setdefault(name_key(name), str(name))
    for k in list(idx.survey):
        if k in idx.table1 or k in idx.recorded:
            del idx.survey[k]
    return idx


def canonical_metrics(names, d) -> dict[str, str]:
    """Each metric name of the submission -> the survey's canonical name for it (via
    ``paper_metrics.csv``, ``normalizations.csv`` and :data:`METRIC_FULL_NAMES`), or the
    name itself when the survey does not know it."""
    known: dict[str, str] = {}
    m = d.paper_metrics
    for canon, given in zip(m["metric"].astype(str), m["metric_as_given"].astype(str)):
        known.setdefault(name_key(canon), canon)
        known.setdefault(name_key(given), canon)
    for full, canon in METRIC_FULL_NAMES.items():
        known.setdefault(name_key(full), canon)
    return {n: known.get(name_key(n), n) for n in names}


def uses_ece(metrics: dict[str, str]) -> tuple[list[str], list[str]]:
    """(names read as ECE, names read as smECE), by the survey's own rule
    (:func:`uqsurvey.survey.rules.ece_family`: any metric named ECE, smECE excluded)."""
    import pandas as pd

    frame = pd.DataFrame({"paper_id": list(metrics), "metric": list(metrics.values()),
                          "metric_family": ["calibration-error"] * len(metrics)})
    ece = ece_family(frame)["ece-named"] if len(frame) else set()
    return ([n for n in metrics if n in ece], [n for n, c in metrics.items() if c == "smECE"])


# --------------------------------------------------------------------------- #
# The review
# --------------------------------------------------------------------------- #
def _series(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _criteria_text(d) -> dict[str, str]:
    fields = next(r for r in d.package["resources"] if r["name"] == "benchmarks")["schema"]["fields"]
    out = {}
    for f in fields:
        if re.fullmatch(r"c\d", f["name"]):
            text = re.sub(r"^C\d:\s*|\s*\(.*?\)|\.$", "", f.get("description", "")).strip()
            out[f["name"]] = text
    return out


def claim_label(result) -> str:
    """The text of a link to a ledger entry: its id and its status, and what a reviewer
    quoting the base rate must know besides: the paper's own number when the data gives
    another on the primary reading, the project's column when the verdict rests on it.
    ``ledger: c1, reproduced``; ``ledger: supervised-papers, reproduced under a reading
    (the paper states 19)``; ``ledger: multiple-choice, project-coded
    (benchmarks.answer_format; the paper states 15/22 (68.2%))``."""
    r = result
    words = STATUS_LABEL[r.status][1] + (" from the survey data" if r.status == "not-checkable" else "")
    extra = list(r.project_columns) if r.status == "project-coded" else []
    if (r.verdict or r.status) in ("differs", "reproduced-under-reading"):
        extra.append(f"the paper states {r.paper_value}")
    return f"ledger: {r.id}, {words}" + (f" ({'; '.join(extra)})" if extra else "")


def review_statements(sub: Submission, d, results, link: Callable[[str], str]) -> list[str]:
    """The statements of the review, as Markdown, each citing the book through ``link(path)``."""
    led = {r.id: r for r in results}
    missing = [c for c in BASE_RATE_CLAIMS if c not in led]
    if missing:
        raise KeyError(f"the ledger has no entry for {missing}; the review cannot give its base rates")

    def claim(cid: str) -> str:
        return f"[{claim_label(led[cid])}]({link(f'{LEDGER}#{anchor(cid)}')})"

    def rec(key: str, text: str) -> str:
        return f"[{text}]({link(RECOMMENDATIONS[key])})"

    out: list[str] = []
    idx = benchmark_index(d)
    matches = [idx.match(b) for b in sub.benchmarks]
    judged = [m for m in matches if m.kind in ("table1", "alias", "subset")]
    table = d.benchmarks.set_index("name")

    def shown(m: Match) -> str:
        if m.kind == "table1":
            return m.given
        if m.kind == "alias":
            return f"{m.given} (as {m.benchmark}: {m.evidence})"
        return f"{m.given} (as {m.benchmark}, which Table 1 judges as a whole: {m.evidence})"

    if judged:
        crit = _criteria_text(d)
        c1, c12, c3, c4 = led["c1"], led["c1-c2"], led["c3"], led["c4"]
        n = int(c1.recomputed_total)
        base = {
            "c1": (n - c1.recomputed_count, f"of Table 1's {n} benchmarks", "c1"),
            "c2": (c1.recomputed_count - c12.recomputed_count,
                   f"of the {c1.recomputed_count} Table 1 benchmarks that meet C1", "c1-c2"),
            "c3": (n - c3.recomputed_count, f"of Table 1's {n} benchmarks", "c3"),
            "c4": (n - c4.recomputed_count, f"of Table 1's {n} benchmarks", "c4"),
        }
        parts = [f"**Benchmarks against Table 1.** Table 1 judges {_series([shown(m) for m in judged])}."]
        for c, (fails, of, cid) in base.items():
            failing = [m.given for m in judged if str(table.loc[m.benchmark, c]) == "no"]
            if not failing:
                continue
            who = "all of them" if len(failing) == len(judged) > 1 else _series(failing)
            rate = f"all {n} of Table 1's benchmarks" if c != "c2" and fails == n else f"{fails} {of}"
            parts.append(f"{c.upper()} ({crit[c]}) fails for {who}, as it does for {rate} ({claim(cid)}).")
        parts.append(f"R2 asks that benchmarks be judged against C1–C4 before they are used "
                     f"({rec('R2', 'R2')}; {rec('criteria', 'the criteria')}).")
        out.append(" ".join(parts))

    others = [m for m in matches if m.kind not in ("table1", "alias", "subset")]
    if others:
        said = []
        for m in others:
            if m.kind == "unknown":
                said.append(f"{m.given} is unknown to the survey data")
            elif m.kind == "survey":
                said.append(f"{m.given} is {m.evidence} but not in Table 1")
            else:
                said.append(f"{m.given} is ambiguous: {m.evidence}")
        verb = "has" if len(others) == 1 else "have"
        out.append(f"**Not judged by Table 1.** {'; '.join(said)}. These benchmarks {verb} no C1–C4 judgement in "
                   f"the book ({rec('criteria', 'Table 1 and its criteria')}); R2 asks the authors to make one "
                   f"({rec('R2', 'R2')}).")

    metrics = canonical_metrics(sub.metrics, d)
    ece, smece = uses_ece(metrics)
    if ece:
        ece_users, sm_users = led["ece-users"], led["smece-users"]
        npapers = len(d.papers)
        named = "ECE" + (f" (as {_series([f'“{n}”' for n in ece])})" if any(n != "ECE" for n in ece) else "")
        small = [(b, s) for b, s in sub.evaluation_set_sizes.items() if s < SMALL_EVALUATION_SET]
        unsized = [b for b in sub.benchmarks if b not in sub.evaluation_set_sizes]
        mark = f"{SMALL_EVALUATION_SET:,}"
        survey = (f"In the survey, {ece_users.recomputed_count} of the {npapers} annotated papers report ECE "
                  f"({claim('ece-users')}) and {sm_users.recomputed_count} reports smECE ({claim('smece-users')}).")
        if small or unsized:
            where = []
            if small:
                where.append(f"on evaluation sets of fewer than {mark} examples "
                             f"({_series([f'{b}: {s:,}' for b, s in small])})")
            if unsized:
                where.append(f"without giving the evaluation-set size of {_series(unsized)}")
            advice = (f"It also reports smECE ({_series(smece)}); the book recommends a bootstrap interval for "
                      f"both and the binning of ECE" if smece else
                      "The book recommends smECE next to ECE, each with a bootstrap interval, which "
                      "`python -m uqsurvey audit` computes from released predictions")
            unstable = (f"The paper reports, from outside the survey, that below {mark} examples binned ECE is "
                        f"unstable" if led["smece-small-sample"].status == "not-checkable" else
                        f"Below {mark} examples binned ECE is unstable")
            out.append(f"**ECE on small evaluation sets.** The submission reports {named} "
                       f"{' and '.join(where)}. {unstable} ({claim('smece-small-sample')}). {advice} ({rec('smECE', 'recommendation')}). {survey}")
    if not sub.distribution_shift:
        r = led["supervised-no-shift-almost-half"]
        out.append(f"**No distribution-shift evaluation.** The submission is not evaluated under distribution "
                   f"shift, like {r.recomputed_count} of the {r.recomputed_total} supervised papers annotated in "
                   f"the survey ({claim('supervised-no-shift-almost-half')}). R5 asks that supervised UQ methods "
                   f"be evaluated under shift ({rec('R5', 'R5')}).")
    aleatoric = [m.given for m in judged if str(table.loc[m.benchmark, "aleatoric_by_design"]) == "yes"]
    if not sub.aleatoric or not aleatoric:
        r = led["aleatoric-benchmarks"]
        built = _series(list(r.members))
        lead = ("The submission does not model aleatoric uncertainty" if not sub.aleatoric else
                "The submission models aleatoric uncertainty")
        has = (f"; of its benchmarks, {_series(aleatoric)} is built to carry it" if aleatoric else
               ", and none of its benchmarks is in Table 1 as built to carry it")
        by = "By this project's coding" if r.status == "project-coded" else "In Table 1"
        out.append(f"**Aleatoric uncertainty.** {lead}{has}. {by}, {r.recomputed_count} of "
                   f"Table 1's {r.recomputed_total} benchmarks is ({built}; {claim('aleatoric-benchmarks')}). "
                   f"R4 asks for evaluation on data whose labels are intrinsically uncertain ({rec('R4', 'R4')}).")
    if not sub.human_study:
        r = led["human-uplift"]
        out.append(f"**No human study.** The submission has no study of whether its uncertainty helps people "
                   f"decide, like {r.recomputed_total - r.recomputed_count} of the {r.recomputed_total} annotated "
                   f"papers ({claim('human-uplift')}). R6 and R7 ask what uncertainty does for people and for a "
                   f"human–AI team ({rec('R6', 'R6')}, {rec('R7', 'R7')}).")
    return out


def relative_links(from_page: str) -> Callable[[str], str]:
    """``link`` for :func:`review_markdown` on the book page *from_page* (a docname):
    paths relative to the book's root become paths relative to that page."""
    import posixpath

    def link(path: str) -> str:
        target, _, fragment = path.partition("#")
        rel = posixpath.relpath(target, posixpath.dirname(from_page) or ".")
        return rel + (f"#{fragment}" if fragment else "")

    return link


def review_markdown(sub: Submission, d=None, results=None, link: Callable[[str], str] | None = None,
                    version: dict | None = None) -> str:
    """The review as Markdown: a heading line and one bullet per statement.

    ``link(path)`` turns a path relative to the book's root into the URL to print
    (default: the book's absolute URL when configured, else the path itself).
    """
    from uqsurvey.survey.data import load
    from uqsurvey.survey.ledger import evaluate

    d = load() if d is None else d
    results = evaluate(d) if results is None else results
    if link is None:
        identity = book_identity()
        link = lambda path: book_link(path, identity)  # noqa: E731
    version = book_version() if version is None else version
    title = citation()["title"]
    what = f"“{sub.title}”" if sub.title else "the submission"
    head = (f"Checked against the survey of Devic et al. (2025), as recomputed in *{title}* "
            f"(version {version['version']}, built {version['date']}), for {what}:")
    statements = review_statements(sub, d, results, link)
    return "\n".join([head, "", *(f"- {s}" for s in statements)]) + "\n"


# --------------------------------------------------------------------------- #
# Command line
# --------------------------------------------------------------------------- #
def _absolute_url(value: str) -> str:
    if not ABSOLUTE_URL.match(value):
        raise argparse.ArgumentTypeError(f"must be an absolute http(s) URL, got {value!r}")
    return value.rstrip("/")


def add_review_args(parser: argparse.ArgumentParser) -> None:
    """The help and arguments of ``python -m uqsurvey review`` (see :mod:`uqsurvey.cli`)."""
    parser.usage = "%(prog)s SUBMISSION.yaml [--base-url URL] [--data DIR]"
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.description = ("Write a short Markdown review of a submission, described in a YAML file, against\n"
                          "the survey; every statement links to the book.")
    parser.epilog = "fields of SUBMISSION.yaml:\n" + "\n".join(
        f"  {k} ({'required' if req else 'optional'}): {what}" for k, (req, what) in FIELDS.items())
    parser.add_argument("submission", metavar="SUBMISSION.yaml", help="the submission, described in YAML")
    parser.add_argument("--base-url", metavar="URL", type=_absolute_url, default=None,
                        help="the book's URL, for absolute links (default: $UQSURVEY_BOOK_URL, else html.baseurl "
                             "of _config.yml, else links relative to the book's root)")
    parser.add_argument("--data", metavar="DIR", default=None, help="data directory (default: the package's data/)")


def run_review(args: argparse.Namespace) -> int:
    """Print the review of ``args.submission``; exit status 1 (and no review) on a bad file or bad data."""
    from uqsurvey.survey.data import DataValidationError, load

    try:
        sub = read_submission(args.submission)
    except SubmissionError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        return 1
    try:
        d = load(args.data)
        identity = {"book_url": args.base_url} if args.base_url else book_identity()
    except (DataValidationError, ValueError) as e:
        print(str(e), file=sys.stderr)
        return 1
    sys.stdout.write(review_markdown(sub, d, link=lambda path: book_link(path, identity)))
    return 0
