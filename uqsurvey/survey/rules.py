"""One named rule per quantitative claim of the paper.

Every claim in ``data/claims.csv`` has exactly one rule here, registered with
:func:`uqsurvey.survey.ledger.rule`.  A rule reads the loaded survey data and
returns an :class:`~uqsurvey.survey.ledger.Outcome`: the count it recomputes (and
the total it is out of), a one-line description of the counting rule, and --
where the number depends on a counting choice -- the value under every other
defensible rule (*sensitivity*).  The counting helpers below are rules too: each
states one reading of the paper's words, and the book shows them.

The ledger (:mod:`uqsurvey.survey.ledger`) compares each outcome with the value
the paper states; to add a claim, add its row to ``data/claims.csv`` and its rule
here (see ARCHITECTURE.md).
"""
from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from uqsurvey.survey.ledger import Outcome, Variant, rule


# --------------------------------------------------------------------------- #
# Shared counting helpers (each is itself a documented rule)
# --------------------------------------------------------------------------- #
def _yes(s: pd.Series) -> pd.Series:
    return s.astype("string").eq("yes").fillna(False).astype(bool)


def _names(df: pd.DataFrame, mask, col: str = "name") -> tuple[str, ...]:
    return tuple(df.loc[mask, col].astype(str))


def ece_family(metrics: pd.DataFrame) -> dict[str, set[str]]:
    """Papers using ECE, under three readings of "uses ECE".

    ``exact``: a metric whose canonical name is exactly ``ECE``;
    ``ece-named``: any canonical name containing "ECE" (adaptive, class-wise,
    user-level ECE ...), but not smECE;
    ``any-calibration-error``: any metric of the calibration-error family other
    than smECE (ECE variants, MCE, ASCE, calibration-error ...).
    """
    m = metrics.assign(metric=metrics["metric"].astype(str))
    is_sm = m["metric"].str.lower().str.contains("smece|smooth")
    exact = set(m.loc[m["metric"].eq("ECE"), "paper_id"])
    named = set(m.loc[m["metric"].str.contains("ECE") & ~is_sm, "paper_id"])
    fam = set(m.loc[m["metric_family"].astype(str).eq("calibration-error") & ~is_sm, "paper_id"])
    return {"exact": exact, "ece-named": named, "any-calibration-error": fam | named}


def ece_normalization_kinds(d) -> dict[str, set[str]]:
    """Papers whose canonical 'ECE' was reached through a normalisation, by its kind.

    A metric row is joined to ``normalizations.csv`` on (paper, as-given text);
    e.g. the translation's "Electrical and Computer Engineering" for the acronym
    ECE is a ``mistranslation``, and "the user's ECE" with its qualifier dropped is
    ``other``.  Papers whose other rows name ECE directly keep counting.
    """
    m = d.paper_metrics
    ece = m[m["metric"].astype(str).eq("ECE")]
    nz = d.normalizations
    nz = nz[nz["table"].astype(str).eq("paper_metrics")]
    j = ece.merge(nz[["paper_id", "as_given", "kind"]], left_on=["paper_id", "metric_as_given"],
                  right_on=["paper_id", "as_given"], how="left")
    direct = set(j.loc[j["kind"].isna(), "paper_id"])
    out: dict[str, set[str]] = {}
    for kind, grp in j[j["kind"].notna()].groupby(j["kind"].astype(str)):
        out[kind] = set(grp["paper_id"]) - direct
    return out


def benchmark_usage(ds: pd.DataFrame, matches: Iterable[str]) -> pd.Series:
    """Number of distinct annotated papers that use each Table 1 benchmark,
    counting a dataset row only when its ``benchmark_match`` is in ``matches``."""
    rows = ds[ds["benchmark"].notna() & ds["benchmark_match"].astype(str).isin(list(matches))]
    return rows.groupby(rows["benchmark"].astype(str))["paper_id"].nunique()


#: Footnote 2 of the paper: a benchmark enters Table 1 when at least this many method papers use it.
MIN_PAPERS = 2

#: Columns the counting helpers read (declared by every rule that uses them).
BENCHMARK_USE = ("paper_datasets.paper_id", "paper_datasets.benchmark", "paper_datasets.benchmark_match")
SUPERVISION = ("papers.id", "papers.supervision", "papers.supervision_as_given")
METRICS = ("paper_metrics.paper_id", "paper_metrics.metric", "paper_metrics.metric_family",
           "paper_metrics.metric_as_given")
NORMALIZATIONS = ("normalizations.paper_id", "normalizations.table", "normalizations.as_given",
                  "normalizations.kind")
TASKS = ("papers.id", "paper_datasets.paper_id", "paper_datasets.dataset", "datasets.dataset", "datasets.task")

STRICT = ("exact", "alias")
WITH_SUBSETS = ("exact", "alias", "subset")
INCLUSIVE = ("exact", "alias", "subset", "ambiguous")


# --------------------------------------------------------------------------- #
# Scope
# --------------------------------------------------------------------------- #
@rule("papers-analyzed", reads=("papers.id",))
def papers_analyzed(d) -> Outcome:
    n = len(d.papers)
    return Outcome(
        rule="number of papers annotated in Appendix A (rows of papers.csv)",
        count=n,
        reason=(
            f"the source annotates {n} papers (P1–P{n}); the other "
            "papers the paper counts are not in the source, and none is invented"
        ),
    )


@rule("benchmarks-analyzed", reads=("benchmarks.name",))
def benchmarks_analyzed(d) -> Outcome:
    return Outcome(rule="rows of Table 1 (benchmarks.csv)", count=len(d.benchmarks))


@rule("benchmarks-min-two-papers", reads=BENCHMARK_USE + ("paper_datasets.dataset", "benchmarks.name"))
def benchmarks_min_two_papers(d) -> Outcome:
    """Footnote rule: a benchmark enters Table 1 only if at least two method
    papers use it.  Recompute, from Appendix A, how many Table 1 benchmarks meet
    it, and how many datasets outside Table 1 meet it too."""
    table = set(d.benchmarks["name"].astype(str))
    variants = []
    for label, matches in (
        ("exact name or alias", STRICT),
        ("+ subsets and tasks (e.g. MMLU (law) → MMLU)", WITH_SUBSETS),
        ("+ ambiguous mappings", INCLUSIVE),
    ):
        use = benchmark_usage(d.paper_datasets, matches)
        ok = sum(int(use.get(b, 0) >= MIN_PAPERS) for b in table)
        variants.append(Variant.of(f"Table 1 benchmarks used by ≥{MIN_PAPERS} annotated papers ({label})", ok, len(table)))
    # Datasets outside Table 1 that two or more annotated papers use.
    ds = d.paper_datasets
    outside = ds[ds["benchmark"].isna()].groupby(ds["dataset"].astype(str))["paper_id"].nunique()
    outside = sorted(outside[outside >= MIN_PAPERS].index)
    primary = variants[1]
    return Outcome(
        rule=primary.rule,
        count=primary.count,
        total=primary.total,
        sensitivity=tuple(variants)
        + (Variant.of(f"datasets outside Table 1 used by ≥{MIN_PAPERS} annotated papers", len(outside)),),
        members=tuple(outside),
        reason=(
            "the appendix covers only part of the surveyed papers, so a Table 1 benchmark may "
            f"rest on papers that are not annotated; datasets outside Table 1 that at least {MIN_PAPERS} "
            "annotated papers use: " + (", ".join(outside) if outside else "none")
        ),
    )


# --------------------------------------------------------------------------- #
# §3 Ecological validity
# --------------------------------------------------------------------------- #
@rule("qa-or-commonsense", reads=("benchmarks.category", "benchmarks.name"))
def qa_or_commonsense(d) -> Outcome:
    b = d.benchmarks
    cat = b["category"].astype(str)
    qa = cat.str.contains("QA")
    cs = cat.eq("Commonsense")
    reasoning = cat.str.contains("reasoning", case=False)
    math = cat.eq("Math")
    n = len(b)
    variants = (
        Variant.of("category contains 'QA' or is 'Commonsense'", int((qa | cs).sum()), n),
        Variant.of("… or 'Other reasoning' (BIG-bench)", int((qa | cs | reasoning).sum()), n),
        Variant.of("… or 'Math' (GSM8K)", int((qa | cs | reasoning | math).sum()), n),
        Variant.of("category contains 'QA' only", int(qa.sum()), n),
    )
    return Outcome(
        rule=variants[0].rule,
        count=variants[0].count,
        total=n,
        sensitivity=variants,
        members=_names(b, qa | cs),
    )


def _criteria(d, cols: list[str], label: str) -> Outcome:
    b = d.benchmarks
    mask = pd.Series(True, index=b.index)
    for c in cols:
        mask &= _yes(b[c])
    return Outcome(rule=label, count=int(mask.sum()), total=len(b), members=_names(b, mask))


@rule("c1", reads=("benchmarks.name", "benchmarks.c1"))
def c1(d) -> Outcome:
    return _criteria(d, ["c1"], "Table 1 rows with C1 = ✓")


@rule("c1-c2", reads=("benchmarks.name", "benchmarks.c1", "benchmarks.c2"))
def c1_c2(d) -> Outcome:
    return _criteria(d, ["c1", "c2"], "Table 1 rows with C1 = ✓ and C2 = ✓")


@rule("c3", reads=("benchmarks.name", "benchmarks.c3"))
def c3(d) -> Outcome:
    return _criteria(d, ["c3"], "Table 1 rows with C3 = ✓")


#: The benchmarks the paper's text names as the ones meeting C1, C2 and C3 (Section 3.2).
C1_C3_NAMED_IN_TEXT = ("Natural Questions", "NQ-Open")


@rule("c1-c3", reads=("benchmarks.name", "benchmarks.c1", "benchmarks.c2", "benchmarks.c3"))
def c1_c3(d) -> Outcome:
    o = _criteria(d, ["c1", "c2", "c3"], "Table 1 rows with C1, C2 and C3 = ✓")
    b = d.benchmarks
    named = [x for x in C1_C3_NAMED_IN_TEXT if x in set(b["name"])]
    detail = "; ".join(
        f"{x}: C1 {r.c1}, C2 {r.c2}, C3 {r.c3}"
        for x in named
        for r in [b.set_index("name").loc[x]]
    )
    return Outcome(
        rule=o.rule,
        count=o.count,
        total=o.total,
        members=o.members,
        # The text's own reading of NQ-Open's C3 is a recorded reading (readings.csv),
        # not a counting rule: the ledger evaluates the claim under it.
        reason=f"the text names {' and '.join(C1_C3_NAMED_IN_TEXT)}; Table 1 has {detail}",
    )


@rule("c4", reads=("benchmarks.name", "benchmarks.c4"))
def c4(d) -> Outcome:
    o = _criteria(d, ["c4"], "Table 1 rows with C4 = ✓")
    na = int(d.benchmarks["c4"].astype(str).eq("n/a").sum())
    return Outcome(
        rule=o.rule,
        count=o.count,
        total=o.total,
        members=o.members,
        sensitivity=(
            Variant.of("C4 = ✓", o.count, o.total),
            Variant.of("C4 = ✓ or – (not applicable)", o.count + na, o.total),
        ),
    )


@rule("multiple-choice", reads=("benchmarks.answer_format", "benchmarks.name"))
def multiple_choice(d) -> Outcome:
    b = d.benchmarks
    fmt = b["answer_format"].astype(str)
    n = len(b)
    mc = fmt.eq("multiple-choice")
    mixed = fmt.eq("mixed")
    closed = fmt.isin(["multiple-choice", "classification", "yes-no"])
    variants = (
        Variant.of("answer format multiple-choice (project coding)", int(mc.sum()), n),
        Variant.of("multiple-choice or mixed", int((mc | mixed).sum()), n),
        Variant.of("closed answer set: multiple-choice, classification or yes-no", int(closed.sum()), n),
        Variant.of("closed answer set or mixed", int((closed | mixed).sum()), n),
    )
    return Outcome(
        rule="benchmarks whose answers are picked from listed options (answer_format = "
        "multiple-choice, project coding)",
        count=int(mc.sum()),
        total=n,
        sensitivity=variants,
        members=_names(b, mc),
    )


@rule("aleatoric-benchmarks", reads=("benchmarks.aleatoric_by_design", "benchmarks.name"))
def aleatoric_benchmarks(d) -> Outcome:
    b = d.benchmarks
    mask = _yes(b["aleatoric_by_design"])
    return Outcome(
        rule="Table 1 benchmarks designed to carry aleatoric uncertainty (project coding)",
        count=int(mask.sum()),
        total=len(b),
        members=_names(b, mask),
    )


@rule("wildchat-factual-qa")
def wildchat_factual_qa(d) -> Outcome:
    return Outcome(
        rule="share of WildChat queries that are factual QA",
        checkable=False,
        reason="an external figure from Zhao et al. (2024); the survey data holds no WildChat queries",
    )


# --------------------------------------------------------------------------- #
# §4 Sources of uncertainty
# --------------------------------------------------------------------------- #
def supervision_sets(p: pd.DataFrame) -> dict[str, pd.Series]:
    sup = p["supervision"].astype(str)
    raw = p["supervision_as_given"].astype(str)
    semi = raw.str.contains("半监督|semi", case=False)
    return {
        "supervised": sup.eq("supervised"),
        "supervised or mixed": sup.isin(["supervised", "mixed"]),
        "supervised, mixed or semi-supervised": sup.isin(["supervised", "mixed"]) | semi,
    }


@rule("supervised-shift", reads=SUPERVISION + ("papers.shift",))
def supervised_shift(d) -> Outcome:
    p = d.papers
    shift = _yes(p["shift"])
    variants = []
    for label, mask in supervision_sets(p).items():
        variants.append(
            Variant.of(f"shift = yes among papers coded {label}", int((mask & shift).sum()), int(mask.sum()))
        )
    primary = variants[0]
    return Outcome(
        rule=primary.rule,
        count=primary.count,
        total=primary.total,
        sensitivity=tuple(variants),
        members=tuple(p.loc[supervision_sets(p)["supervised"] & shift, "id"].astype(str)),
        reason="the paper counts over its full set of surveyed papers, of which the source annotates only part",
    )


@rule("supervised-papers", reads=SUPERVISION)
def supervised_papers(d) -> Outcome:
    p = d.papers
    variants = tuple(Variant.of(f"papers coded {k}", int(m.sum()), len(p)) for k, m in supervision_sets(p).items())
    return Outcome(rule=variants[0].rule, count=variants[0].count, sensitivity=variants,
                   members=tuple(p.loc[supervision_sets(p)["supervised"], "id"].astype(str)))


@rule("supervised-no-shift-almost-half", reads=SUPERVISION + ("papers.shift",))
def supervised_no_shift(d) -> Outcome:
    p = d.papers
    sup = supervision_sets(p)["supervised"]
    no = sup & ~_yes(p["shift"])
    share = no.sum() / max(int(sup.sum()), 1)
    return Outcome(
        rule="share of supervised papers not tested under shift is between 40% and 60% ('almost half')",
        count=int(no.sum()),
        total=int(sup.sum()),
        holds=bool(0.4 <= share <= 0.6),
    )


# --------------------------------------------------------------------------- #
# §5 and appendix: metrics and human studies
# --------------------------------------------------------------------------- #
@rule("ece-users", reads=METRICS + NORMALIZATIONS + ("papers.id",))
def ece_users(d) -> Outcome:
    fam = ece_family(d.paper_metrics)
    n = len(d.papers)
    by_kind = ece_normalization_kinds(d)
    no_qualifier = fam["exact"] - by_kind.get("other", set())
    no_mistranslation = fam["exact"] - by_kind.get("mistranslation", set())
    variants = (
        Variant.of("canonical metric exactly 'ECE'", len(fam["exact"])),
        Variant.of("… not counting ECE reached by dropping a qualifier (the user's/listener's ECE)",
                   len(no_qualifier)),
        Variant.of("… not counting ECE recovered from a mistranslated name", len(no_mistranslation)),
        Variant.of("any metric named ECE (adaptive, class-wise, user ECE …), not smECE", len(fam["ece-named"])),
        Variant.of("any calibration-error metric other than smECE", len(fam["any-calibration-error"])),
    )
    return Outcome(
        rule=variants[0].rule,
        count=variants[0].count,
        sensitivity=variants,
        members=tuple(sorted(fam["exact"], key=lambda s: int(s[1:]))),
        reason=f"counted over the {n} annotated papers",
    )


@rule("smece-users", reads=METRICS + ("papers.id", "papers.citation"))
def smece_users(d) -> Outcome:
    m = d.paper_metrics
    users = sorted(set(m.loc[m["metric"].astype(str).eq("smECE"), "paper_id"]), key=lambda s: int(s[1:]))
    cites = d.papers.set_index("id").loc[users, "citation"].astype(str).tolist() if users else []
    return Outcome(
        rule="papers with a metric whose canonical name is 'smECE'",
        count=len(users),
        members=tuple(users),
        reason="users: " + (", ".join(f"{u} ({c})" for u, c in zip(users, cites)) or "none"),
    )


@rule("human-uplift", reads=("papers.id", "papers.human_study"))
def human_uplift(d) -> Outcome:
    p = d.papers
    yes = _yes(p["human_study"])
    return Outcome(
        rule="papers with a human uplift study (human_study = yes); 'rare' read as under a quarter",
        count=int(yes.sum()),
        total=len(p),
        holds=bool(yes.mean() < 0.25),
        members=tuple(p.loc[yes, "id"].astype(str)),
    )


STANDARD_METRICS = ("ECE", "Brier score", "AUROC")


@rule("standard-metrics-majority", reads=METRICS + ("papers.id",))
def standard_metrics_majority(d) -> Outcome:
    m, n = d.paper_metrics, len(d.papers)
    canon = m["metric"].astype(str)
    fam = ece_family(m)
    strict = set(m.loc[canon.isin(STANDARD_METRICS), "paper_id"])
    wide = strict | fam["any-calibration-error"] | set(m.loc[canon.str.startswith("AU"), "paper_id"])
    variants = (
        Variant.of("papers reporting ECE, Brier score or AUROC", len(strict), n, holds=len(strict) > n / 2),
        Variant.of("… or any calibration error or area-under-curve metric", len(wide), n, holds=len(wide) > n / 2),
    )
    return Outcome(
        rule=variants[0].rule + "; 'most' read as more than half",
        count=len(strict),
        total=n,
        holds=len(strict) > n / 2,
        sensitivity=variants,
    )


@rule("annotated-papers", reads=("papers.id",))
def annotated_papers(d) -> Outcome:
    ids = d.papers["id"].astype(str)
    nums = sorted(int(i[1:]) for i in ids)
    contiguous = nums == list(range(1, len(nums) + 1))
    return Outcome(
        rule="annotated papers in Appendix A (ids P1…Pn, contiguous)",
        count=len(ids),
        reason="ids are contiguous from P1" if contiguous else "ids are NOT contiguous",
    )


@rule("criteria-count")  # reads the header of Table 1, no cell
def criteria_count(d) -> Outcome:
    cols = [c for c in d.benchmarks.columns if re.fullmatch(r"c\d+", c)]
    return Outcome(rule="criterion columns (C1, C2, …) in Table 1", count=len(cols), members=tuple(c.upper() for c in cols))


@rule("annotation-questions")  # reads which columns and tables exist, no cell
def annotation_questions(d) -> Outcome:
    # (a) type, (b) datasets, (c) shift, (d) supervision, (e) metrics, (f) human study
    present = {
        "(a) uq_type": "uq_type" in d.papers,
        "(b) paper_datasets": len(d.paper_datasets) > 0,
        "(c) shift": "shift" in d.papers,
        "(d) supervision": "supervision" in d.papers,
        "(e) paper_metrics": len(d.paper_metrics) > 0,
        "(f) human_study": "human_study" in d.papers,
    }
    return Outcome(
        rule="annotation items (a)–(f) recorded for every paper", count=sum(present.values()),
        members=tuple(k for k, v in present.items() if v),
    )


def paper_tasks(d) -> dict[str, list[str]]:
    """Per annotated paper (in papers.csv order): the task (datasets.csv) of each of its datasets."""
    task = dict(zip(d.datasets["dataset"].tolist(), d.datasets["task"].tolist()))
    out: dict[str, list[str]] = {pid: [] for pid in d.papers["id"].tolist()}
    for pid, ds in zip(d.paper_datasets["paper_id"].tolist(), d.paper_datasets["dataset"].tolist()):
        out.setdefault(pid, []).append(task.get(ds))
    return out


def qa_share(d, categories: set[str], tasks: dict[str, list[str]] | None = None) -> pd.Series:
    """Per paper: the share of its datasets whose task (datasets.csv) is in *categories*."""
    tasks = paper_tasks(d) if tasks is None else tasks
    ids = d.papers["id"].tolist()
    shares = [sum(t in categories for t in tasks[i]) / len(tasks[i]) if tasks.get(i) else 0.0 for i in ids]
    return pd.Series(shares, index=pd.Index(ids, name="id"), dtype=float)


QA_TASKS = {"factual-qa", "open-book-qa", "medical-qa", "commonsense"}


@rule("qa-only-evaluations", reads=TASKS)
def qa_only_evaluations(d) -> Outcome:
    n = len(d.papers)
    tasks = paper_tasks(d)
    qa_r = QA_TASKS | {"reasoning"}
    only = [p for p, ts in tasks.items() if ts and all(t in QA_TASKS for t in ts)]
    counts = (
        ("papers evaluating ONLY on QA or commonsense datasets", len(only)),
        ("… counting reasoning tasks (BIG-bench style) as commonsense",
         sum(1 for ts in tasks.values() if ts and all(t in qa_r for t in ts))),
        ("papers with at least half of their datasets QA or commonsense",
         sum(1 for ts in tasks.values() if ts and 2 * sum(t in QA_TASKS for t in ts) >= len(ts))),
        ("papers with at least one QA or commonsense dataset",
         sum(1 for ts in tasks.values() if any(t in QA_TASKS for t in ts))),
    )
    variants = tuple(Variant.of(label, c, n, holds=c > n / 2) for label, c in counts)
    holding = [v.rule for v in variants if v.holds]
    return Outcome(
        rule=variants[0].rule + " (task of each dataset: project coding in datasets.csv); 'most' read as more than half",
        count=variants[0].count,
        total=n,
        holds=bool(len(only) > n / 2),
        sensitivity=variants,
        members=tuple(only),
        reason=("'most' holds under: " + "; ".join(holding)) if holding else "",
    )


NOT_CHECKABLE = {
    "two-surveys": "how the papers were collected is not recorded in the annotations",
    "folktexts-size": "an external figure about FolkTexts (Cruz et al., 2024)",
    "epic-sepsis": "an external finding (Wong et al., 2021)",
    "millions-users": "an external figure about LLM products",
    "smece-small-sample": "an external finding (Hansen et al., 2024); Part III of the book demonstrates it by simulation",
    "ece-small-eval-sets": "the annotations do not record evaluation-set sizes",
    "li-yang-2000": "the annotations do not record evaluation-set sizes",
    "ulmer-ranking": "an external table (Ulmer et al., 2024, Table 3)",
    "real-queries-not-mc": "an external finding (ShareGPT, WildChat)",
    "monthly-new-methods": "the annotations record years, not months, and no benchmark scores",
}


def _not_checkable(reason: str):
    def fn(d) -> Outcome:
        return Outcome(rule="—", checkable=False, reason=reason)

    return fn


for _cid, _reason in NOT_CHECKABLE.items():
    rule(_cid)(_not_checkable(_reason))
