"""Rules for the claims the paper makes in its prose: the lists it enumerates, the
examples it names and the rankings it states.

Each rule registers itself with :func:`uqsurvey.survey.ledger.rule`, like the
rules of :mod:`uqsurvey.survey.rules` (which holds the counts of Table 1 and
Appendix A).  A paper the prose cites is found by its citation in
``papers.csv``; a cited work that Appendix A does not annotate is named in the
rule's reason, never invented.
"""
from __future__ import annotations

from collections import Counter

import pandas as pd

from uqsurvey.survey.ledger import Outcome, Variant, rule
from uqsurvey.survey.rules import (
    BENCHMARK_USE,
    METRICS,
    QA_TASKS,
    STANDARD_METRICS,
    STRICT,
    TASKS,
    WITH_SUBSETS,
    INCLUSIVE,
    benchmark_usage,
    paper_tasks,
    qa_share,
)

ENUMERATIONS = ("enumerations.list", "enumerations.label", "enumerations.section")


# --------------------------------------------------------------------------- #
# The paper's own lists (enumerations.csv)
# --------------------------------------------------------------------------- #
def _listed(d, name: str, section: str | None = None, what: str = "") -> Outcome:
    e = d.enumerations
    rows = e[e["list"].astype(str).eq(name)]
    if section is not None:
        rows = rows[rows["section"].astype(str).eq(section)]
    where = f" in §{section}" if section else ""
    return Outcome(
        rule=f"items of the list '{name}'{where} that the paper enumerates (enumerations.csv){what}",
        count=len(rows),
        members=tuple(rows["label"].astype(str)),
    )


for _cid, _list, _section in (
    ("three-practices", "practices", None),
    ("uncertainty-types", "uncertainty-types", None),
    ("method-classes", "method-classes", None),
    ("devries-ways", "devries-ways", None),
    ("recommendations", "recommendations", None),
    ("shift-recommendations", "recommendations", "4.2"),
    ("metric-directions", "recommendations", "5.2"),
    ("alternative-views", "alternative-views", None),
):
    rule(_cid, reads=ENUMERATIONS)(lambda d, _l=_list, _s=_section: _listed(d, _l, _s))


# --------------------------------------------------------------------------- #
# Papers the prose cites as examples of a class of methods (§2)
# --------------------------------------------------------------------------- #
def _cited(d, citations: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]]:
    """The annotated papers with these citations, and the citations Appendix A lacks."""
    p = d.papers
    cite = p["citation"].astype(str)
    found = p[cite.isin(citations)]
    missing = [c for c in citations if c not in set(cite)]
    return found, missing


def _cited_with(d, citations: tuple[str, ...], column: str, values: tuple[str, ...], label: str) -> Outcome:
    found, missing = _cited(d, citations)
    ok = found[found[column].astype(str).isin(values)]
    other = found[~found[column].astype(str).isin(values)]
    reason = []
    if missing:
        reason.append("not annotated in Appendix A: " + "; ".join(missing))
    if len(other):
        reason.append("coded otherwise: " + ", ".join(f"{i} ({v})" for i, v in zip(other["id"], other[column].astype(str))))
    return Outcome(
        rule=f"cited papers annotated in Appendix A whose {column} is {label}",
        count=len(ok), total=len(found), members=tuple(ok["id"].astype(str)), reason="; ".join(reason),
    )


UNSUPERVISED_CITED = ("Xiong et al., 2023", "Lin et al., 2024", "Kuhn et al., 2023", "Duan et al., 2023",
                      "Malinin and Gales, 2021", "Tian et al., 2023", "Kadavath et al., 2022", "Yang et al., 2024c")
SUPERVISED_CITED = ("Li et al., 2024", "Ulmer et al., 2024", "Chen et al., 2024", "Detommaso et al., 2024",
                    "Mielke et al., 2022")
GENERATION_CITED = ("Quach et al., 2024", "Jiang et al., 2025", "Cherian et al., 2024", "Wang et al., 2025b")
CITED = ("papers.id", "papers.citation")


@rule("unsupervised-examples", reads=CITED + ("papers.supervision",))
def unsupervised_examples(d) -> Outcome:
    return _cited_with(d, UNSUPERVISED_CITED, "supervision", ("unsupervised",), "unsupervised")


@rule("supervised-examples", reads=CITED + ("papers.supervision",))
def supervised_examples(d) -> Outcome:
    return _cited_with(d, SUPERVISED_CITED, "supervision", ("supervised",), "supervised")


@rule("conformal-examples", reads=CITED + ("papers.uq_type",))
def conformal_examples(d) -> Outcome:
    return _cited_with(d, GENERATION_CITED, "uq_type", ("linguistic-expression",),
                       "linguistic-expression (the output itself is changed; project coding)")


@rule("li-yang-ece", reads=CITED + METRICS)
def li_yang_ece(d) -> Outcome:
    found, missing = _cited(d, ("Li et al., 2024", "Yang et al., 2024b"))
    m = d.paper_metrics
    ece = set(m.loc[m["metric"].astype(str).eq("ECE"), "paper_id"].astype(str))
    ok = [i for i in found["id"].astype(str) if i in ece]
    return Outcome(rule="of the two cited papers, those with a metric whose canonical name is 'ECE'",
                   count=len(ok), total=len(found), members=tuple(ok),
                   reason=("not annotated: " + "; ".join(missing)) if missing else "")


# --------------------------------------------------------------------------- #
# Table 1 rows the prose names as examples (§3.2, §4.1)
# --------------------------------------------------------------------------- #
def _rows_with(d, names: tuple[str, ...], test: dict[str, str], label: str) -> Outcome:
    b = d.benchmarks.set_index(d.benchmarks["name"].astype(str))
    present = [n for n in names if n in b.index]
    ok = [n for n in present if all(str(b.at[n, c]) == v for c, v in test.items())]
    missing = [n for n in names if n not in b.index]
    return Outcome(rule=label, count=len(ok), total=len(present), members=tuple(ok),
                   reason=("no Table 1 row: " + ", ".join(missing)) if missing else "")


@rule("c1-examples", reads=("benchmarks.name", "benchmarks.c1"))
def c1_examples(d) -> Outcome:
    return _rows_with(d, ("CommonSenseQA", "TriviaQA"), {"c1": "no"},
                      "of the benchmarks the text names as failing C1 that Table 1 lists, those with C1 = ✗")


@rule("c1-example-strategyqa", reads=("benchmarks.name", "benchmarks.c1", "paper_datasets.dataset")
      + BENCHMARK_USE)
def c1_example_strategyqa(d) -> Outcome:
    """StrategyQA has no Table 1 row; it is checkable only through a Table 1
    benchmark an annotation counts it as (exact, alias or subset)."""
    b = d.benchmarks.set_index(d.benchmarks["name"].astype(str))
    label = "StrategyQA's C1 in Table 1, directly or through the benchmark Appendix A counts it as"
    if "StrategyQA" in b.index:
        row = "StrategyQA"
    else:
        ds = d.paper_datasets
        hit = ds[ds["dataset"].astype(str).eq("StrategyQA") & ds["benchmark"].notna()
                 & ds["benchmark_match"].astype(str).isin(WITH_SUBSETS)]
        if not len(hit):
            return Outcome(rule=label, checkable=False,
                           reason="Table 1 has no StrategyQA row (only P1 evaluates on it, below footnote 2's "
                                  "threshold), and no annotation counts it as a Table 1 benchmark")
        row = str(hit["benchmark"].iloc[0])
    fails = str(b.at[row, "c1"]) == "no"
    return Outcome(rule=label, count=int(fails), total=1, members=(row,) if fails else (),
                   reason=f"judged through the row {row}" if row != "StrategyQA" else "")


@rule("c2-example-webqa", reads=("benchmarks.name", "benchmarks.c1", "benchmarks.c2"))
def c2_example_webqa(d) -> Outcome:
    return _rows_with(d, ("WebQA",), {"c1": "yes", "c2": "no"}, "WebQA has C1 = ✓ and C2 = ✗")


@rule("c3-example-gsm8k", reads=("benchmarks.name", "benchmarks.c3"))
def c3_example_gsm8k(d) -> Outcome:
    return _rows_with(d, ("GSM8K",), {"c3": "no"}, "GSM8K has C3 = ✗")


@rule("single-answer-examples", reads=("benchmarks.name", "benchmarks.aleatoric_by_design"))
def single_answer_examples(d) -> Outcome:
    return _rows_with(d, ("GSM8K", "MMLU", "TriviaQA"), {"aleatoric_by_design": "no"},
                      "of GSM8K, MMLU and TriviaQA, those not built to carry aleatoric uncertainty "
                      "(aleatoric_by_design = no, project coding)")


# --------------------------------------------------------------------------- #
# Rankings by popularity
# --------------------------------------------------------------------------- #
def _rank(usage: pd.Series, name: str) -> int:
    """1 + the number of entries used by more papers than *name* (ties share the better rank)."""
    return 1 + int((usage > usage.get(name, 0)).sum())


@rule("gsm8k-popular", reads=BENCHMARK_USE + ("benchmarks.name",))
def gsm8k_popular(d) -> Outcome:
    variants = []
    for label, matches in (("exact name, alias or subset", WITH_SUBSETS), ("exact name or alias", STRICT),
                           ("+ ambiguous mappings", INCLUSIVE)):
        use = benchmark_usage(d.paper_datasets, matches)
        use = use.reindex(d.benchmarks["name"].astype(str), fill_value=0)
        r = _rank(use, "GSM8K")
        variants.append(Variant.of(f"GSM8K's rank among Table 1 benchmarks by annotated papers using it "
                                   f"({label}); 'one of the most popular' read as among the top five", r, holds=r <= 5))
    use = benchmark_usage(d.paper_datasets, WITH_SUBSETS).reindex(d.benchmarks["name"].astype(str), fill_value=0)
    r3 = _rank(use, "GSM8K")
    variants.append(Variant.of("… read as among the top three", r3, holds=r3 <= 3))
    first = variants[0]
    ahead = sorted(use[use > use.get("GSM8K", 0)].index)
    return Outcome(rule=first.rule, count=first.count, holds=first.holds, sensitivity=tuple(variants),
                   members=tuple(ahead), reason="used by more annotated papers: " + (", ".join(ahead) or "none"))


TOP = 5


def _top(usage: dict[str, int], k: int) -> list[str]:
    """The *k* most used entries, ties at the cut included, most used first (then by name)."""
    ordered = sorted(usage, key=lambda n: (-usage[n], n))
    if not ordered:
        return []
    cut = usage[ordered[min(k, len(ordered)) - 1]]
    return [n for n in ordered if usage[n] >= cut]


@rule("popular-datasets-qa", reads=TASKS)
def popular_datasets_qa(d) -> Outcome:
    pairs = set(zip(d.paper_datasets["dataset"].tolist(), d.paper_datasets["paper_id"].tolist()))
    use = Counter(ds for ds, _ in pairs)
    task = dict(zip(d.datasets["dataset"].tolist(), d.datasets["task"].tolist()))

    def qa(names):
        return [n for n in names if task.get(n) in QA_TASKS]

    top, top3 = _top(use, TOP), _top(use, 3)
    variants = (
        Variant.of(f"QA datasets among the {TOP} datasets most annotated papers use (ties included); "
                   "holds when all are", len(qa(top)), len(top), holds=len(qa(top)) == len(top)),
        Variant.of("… among the 3 most used; holds when all are", len(qa(top3)), len(top3),
                   holds=len(qa(top3)) == len(top3)),
        Variant.of(f"… among the {TOP} most used; holds when most are", len(qa(top)), len(top),
                   holds=len(qa(top)) > len(top) / 2),
    )
    others = [f"{n} ({task.get(n)})" for n in top if n not in qa(top)]
    return Outcome(rule=variants[0].rule + " (task: project coding in datasets.csv)", count=variants[0].count,
                   total=variants[0].total, holds=variants[0].holds, sensitivity=variants, members=tuple(top),
                   reason=("not QA: " + ", ".join(others)) if others else "")


@rule("ece-most-popular", reads=METRICS)
def ece_most_popular(d) -> Outcome:
    m = d.paper_metrics
    ce = m[m["metric_family"].astype(str).eq("calibration-error")]
    use = ce.groupby(ce["metric"].astype(str))["paper_id"].nunique()
    ece = int(use.get("ECE", 0))
    rest = use.drop("ECE", errors="ignore")
    runner = rest.max() if len(rest) else 0
    nxt = sorted(rest[rest == runner].index) if len(rest) else []
    return Outcome(rule="papers using ECE, against the next most used calibration-error metric; "
                        "holds when ECE is used by the most papers",
                   count=ece, holds=ece > runner, members=tuple(nxt),
                   reason=f"next: {', '.join(nxt) or 'none'} ({int(runner)} papers)")


# --------------------------------------------------------------------------- #
# Other quantified statements
# --------------------------------------------------------------------------- #
@rule("aleatoric-methods-rare", reads=BENCHMARK_USE + ("benchmarks.name", "benchmarks.aleatoric_by_design",
                                                       "papers.id"))
def aleatoric_methods_rare(d) -> Outcome:
    b = d.benchmarks
    alea = set(b.loc[b["aleatoric_by_design"].astype(str).eq("yes"), "name"].astype(str))
    ds = d.paper_datasets
    n = len(d.papers)
    variants = []
    for label, matches in (("exact, alias or subset", WITH_SUBSETS), ("+ ambiguous mappings", INCLUSIVE)):
        rows = ds[ds["benchmark"].astype("string").isin(alea) & ds["benchmark_match"].astype(str).isin(matches)]
        k = rows["paper_id"].nunique()
        variants.append(Variant.of(f"papers evaluating on a Table 1 benchmark built to carry aleatoric uncertainty "
                                   f"({label}); 'most fail' read as fewer than half", k, n, holds=k < n / 2))
    users = ds[ds["benchmark"].astype("string").isin(alea)]["paper_id"].astype(str).unique()
    return Outcome(rule=variants[0].rule + " (aleatoric_by_design: project coding)", count=variants[0].count,
                   total=n, holds=variants[0].holds, sensitivity=tuple(variants), members=tuple(sorted(users)),
                   reason="datasets outside Table 1 carry no aleatoric coding")


@rule("standard-metrics-on-qa", reads=METRICS + TASKS)
def standard_metrics_on_qa(d) -> Outcome:
    m, n = d.paper_metrics, len(d.papers)
    std = set(m.loc[m["metric"].astype(str).isin(STANDARD_METRICS), "paper_id"].astype(str))
    share = qa_share(d, QA_TASKS, paper_tasks(d))
    variants = tuple(
        Variant.of(label, k, n, holds=k > n / 2)
        for label, k in (
            ("papers reporting ECE, Brier score or AUROC with at least half of their datasets QA or commonsense",
             sum(1 for p in std if share.get(p, 0) >= 0.5)),
            ("… with only QA or commonsense datasets", sum(1 for p in std if share.get(p, 0) == 1.0)),
            ("… with at least one QA or commonsense dataset", sum(1 for p in std if share.get(p, 0) > 0)),
        )
    )
    first = variants[0]
    return Outcome(rule=first.rule + " (task: project coding); 'most' read as more than half", count=first.count,
                   total=n, holds=first.holds, sensitivity=variants)
