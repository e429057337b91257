"""The claim rules and the reproduction ledger.

Expected values are hand counts made by reading the source (Table 1 and
Appendix A of the translated paper), written here as literals with the rows
they come from -- not values computed by the rules under test.
"""
from __future__ import annotations

import json
import re

import pytest
from conftest import run_cli

from uqsurvey.survey.ledger import (
    RULES, STATUSES, ClaimResult, anchor, check_registry, evaluate, variant_matches_paper,
)
from uqsurvey.survey.rules import QA_TASKS, qa_share


def test_registry_and_claims_csv_have_no_orphans(d):
    assert check_registry(d) == []
    assert set(RULES) == set(d.claims["id"])


def test_registry_reports_orphans_on_both_sides(d):
    import copy

    broken = copy.copy(d)
    broken.tables = dict(d.tables)
    broken.tables["claims"] = d.claims[d.claims["id"] != "c1"].copy()
    extra = d.claims.iloc[[0]].copy()
    extra["id"] = "no-such-claim"
    import pandas as pd

    broken.tables["claims"] = pd.concat([broken.tables["claims"], extra])
    problems = check_registry(broken)
    assert "claim 'no-such-claim' in claims.csv has no rule" in problems
    assert "rule 'c1' has no row in claims.csv" in problems
    with pytest.raises(KeyError, match="no-such-claim"):
        evaluate(broken)


# --- Table 1, hand-counted from the printed table (✓ = yes, 7 = no, - = n/a) ---
# C1 ✓: Natural Questions, WebQA, IMDB, AGNews, Yelp Reviews, NQ-Open
# C1 and C2 ✓: Natural Questions, IMDB, AGNews, Yelp Reviews, NQ-Open
# C3 ✓: TriviaQA, Natural Questions, MMLU, CoQA, SciQ, BIGBench, AmbigQA, BioASQ, MedMCQA
# C1, C2, C3 ✓: Natural Questions only (NQ-Open has C3 = 7)
@pytest.mark.parametrize(
    "cid, count, total, status",
    [
        ("c1", 6, 22, "reproduced"),
        ("c1-c2", 5, 22, "reproduced"),
        ("c3", 9, 22, "reproduced"),
        ("c1-c3", 1, 22, "reproduced-under-reading"),  # the text's reading of NQ-Open's C3 (readings.csv)
        ("c4", 0, 22, "reproduced"),
        ("benchmarks-analyzed", 22, None, "reproduced"),
        ("aleatoric-benchmarks", 1, 22, "project-coded"),  # rests on aleatoric_by_design
    ],
)
def test_table1_claims(ledger, cid, count, total, status):
    r = ledger[cid]
    assert (r.recomputed_count, r.recomputed_total, r.status) == (count, total, status)


def test_c1_value_string_and_members(ledger):
    r = ledger["c1"]
    assert r.recomputed_value == "6/22 (27.3%)"
    assert set(r.members) == {"Natural Questions", "WebQA", "IMDB", "AGNews", "Yelp Reviews", "NQ-Open"}
    assert ledger["c1-c3"].members == ["Natural Questions"]


def test_qa_or_commonsense_sensitivity(ledger):
    # Categories: Factual QA 7, Open-book QA 2, MedicalQA 2, Commonsense 5 -> 16;
    # + Other reasoning (BIGBench) -> 17 (the paper's number); + Math (GSM8K) -> 18.
    r = ledger["qa-or-commonsense"]
    assert r.recomputed_count == 16 and r.status == "reproduced-under-reading"
    counts = [v["count"] for v in r.sensitivity]
    assert counts[:3] == [16, 17, 18]
    assert "Other reasoning" in r.reason


def test_multiple_choice_sensitivity(ledger):
    # Project coding: MC = MMLU, SciQ, CommonSenseQA, SWAG, HellaSwag, MedMCQA (6);
    # classification = SST, IMDB, AGNews, Yelp, MNLI, SNLI (6); mixed = TruthfulQA,
    # BIGBench, BioASQ (3).  6 + 6 + 3 = 15, the paper's number.
    r = ledger["multiple-choice"]
    by_rule = {v["rule"]: v["count"] for v in r.sensitivity}
    assert list(by_rule.values()) == [6, 9, 12, 15]
    assert r.recomputed_count == 6 and set(r.members) == {
        "MMLU", "SciQ", "CommonSenseQA", "SWAG", "HellaSwag", "MedMCQA"}
    assert (r.status, r.verdict, r.project_columns) == ("project-coded", "reproduced-under-reading",
                                                        ["benchmarks.answer_format"])
    assert "closed answer set or mixed" in r.reason


def test_qa_only_evaluations(d, ledger):
    share = qa_share(d, QA_TASKS)
    # From Appendix A: P2 evaluates on CoQA, TriviaQA, Natural Questions (all QA);
    # P1 adds GSM8K, SVAMP and BIG-bench tasks; P7 uses newstest14 and LibriSpeech only.
    assert share["P2"] == 1.0 and 0 < share["P1"] < 1 and share["P7"] == 0.0
    r = ledger["qa-only-evaluations"]
    counts = [v["count"] for v in r.sensitivity]
    assert counts == sorted(counts) and r.recomputed_count == counts[0]
    assert r.status == "project-coded" and r.project_columns == ["datasets.task"]
    assert r.verdict == ("reproduced" if r.recomputed_count > 37 / 2 else "reproduced-under-reading")


def test_supervised_shift(ledger):
    # Supervised (18): P12-P23, P30, P31, P33, P34, P36, P37; under shift (9):
    # P12, P14, P18, P19, P30, P31, P33, P34, P37.  Mixed: P10 (shift yes), P24 (no).
    r = ledger["supervised-shift"]
    assert (r.recomputed_count, r.recomputed_total) == (9, 18)
    assert set(r.members) == {"P12", "P14", "P18", "P19", "P30", "P31", "P33", "P34", "P37"}
    assert [(v["count"], v["total"]) for v in r.sensitivity][:2] == [(9, 18), (10, 20)]
    # Read P10 ("有监督和无监督", shift "是") as supervised: 19 papers, 10 under shift.
    assert r.status == "reproduced-under-reading" and r.reaches_paper["readings"] == ["R001"]
    assert ledger["supervised-papers"].recomputed_count == 18
    assert ledger["supervised-no-shift-almost-half"].status == "reproduced"


def test_metric_claims(ledger):
    # ECE (canonical) in P1, P10, P12, P13, P14, P16, P18, P21, P24, P29, P30, P32, P33,
    # P34, P35, P37 = 16.  smECE: P13 (Ulmer et al., 2024) only.
    r = ledger["ece-users"]
    assert r.recomputed_count == 16 and r.status == "reproduced"
    assert set(r.members) == {f"P{i}" for i in (1, 10, 12, 13, 14, 16, 18, 21, 24, 29, 30, 32, 33, 34, 35, 37)}
    # Reached only through a normalisation: P37 "用户的 ECE" (the user's ECE, qualifier dropped)
    # -> 15 without it; P10 and P33 "电子与计算机工程" (Electrical and Computer Engineering) and
    # P18 "期望分类误差（ECE）" (expected classification error) are mistranslations -> 13 without them.
    assert [v["count"] for v in r.sensitivity][:3] == [16, 15, 13]
    s = ledger["smece-users"]
    assert (s.recomputed_count, s.members, s.status) == (1, ["P13"], "reproduced")


def test_human_uplift(ledger):
    # (f) answered yes: P21 and P37.
    r = ledger["human-uplift"]
    assert (r.recomputed_count, r.recomputed_total, set(r.members)) == (2, 37, {"P21", "P37"})
    assert r.status == "reproduced"


def test_benchmarks_used_by_two_papers(ledger):
    # Used by fewer than two annotated papers: NQ-Open, AmbigQA (none); SST, AGNews,
    # Yelp Reviews, BioASQ, MedMCQA (one each) -> 22 - 7 = 15.
    r = ledger["benchmarks-min-two-papers"]
    assert (r.recomputed_count, r.recomputed_total, r.status) == (15, 22, "differs")
    assert "OpenBookQA" in r.members and "SVAMP" in r.members


def test_the_gap_is_reported_not_filled(ledger):
    r = ledger["papers-analyzed"]
    assert (r.recomputed_count, r.status) == (37, "differs")
    assert ledger["annotated-papers"].status == "reproduced"


def test_not_checkable_claims_carry_a_reason(ledger):
    nc = [r for r in ledger.values() if r.status == "not-checkable"]
    assert "wildchat-factual-qa" in {r.id for r in nc}
    assert all(r.reason and r.recomputed_count is None and r.recomputed_value == "n/a" for r in nc)


def test_statuses_are_known_and_anchors_unique(ledger):
    assert {r.status for r in ledger.values()} <= set(STATUSES)
    anchors = [anchor(cid) for cid in ledger]  # the page itself: tests/book/test_ledger_page.py
    assert len(set(anchors)) == len(ledger) and all(re.fullmatch(r"claim-[a-z0-9-]+", a) for a in anchors)


def test_dataset_tasks_agree_with_table1_categories(d):
    cat_to_task = {
        "Factual QA": "factual-qa", "Open-book QA": "open-book-qa", "MedicalQA": "medical-qa",
        "Commonsense": "commonsense", "Other reasoning": "reasoning", "Math": "math",
        "Sentiment Analysis": "classification", "Topic Classification": "classification",
    }
    tasks = d.datasets.set_index("dataset")["task"].astype(str)
    for _, b in d.benchmarks.iterrows():
        if b["name"] in tasks.index:
            assert tasks[b["name"]] == cat_to_task[b["category"]], b["name"]
    assert set(d.paper_datasets["dataset"]) == set(d.datasets["dataset"])


def _cli(*args):
    return run_cli("claims", *args)


def test_cli_json_has_the_documented_fields(ledger):
    out = _cli("--format", "json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == list(ledger)
    keys = {"id", "section", "statement", "paper_value", "recomputed_value", "recomputed_count",
            "recomputed_total", "status", "verdict", "project_columns", "rule", "reason", "sensitivity",
            "readings", "reaches_paper", "enumeration", "book_version", "book_commit", "book_date"}
    assert all(set(r) == keys for r in rows)
    assert len({(r["book_commit"], r["book_date"]) for r in rows}) == 1  # one version for the whole ledger
    c1 = next(r for r in rows if r["id"] == "c1")
    assert (c1["recomputed_value"], c1["recomputed_count"], c1["recomputed_total"]) == ("6/22 (27.3%)", 6, 22)
    mc = next(r for r in rows if r["id"] == "multiple-choice")
    assert {"rule", "count", "total", "value"} == set(mc["sensitivity"][0])  # unchanged, for compatibility
    assert {"readings", "rule", "count", "total", "value", "matches_paper"} == set(mc["readings"][0])
    assert mc["readings"][0]["readings"] == [] and mc["readings"][0]["value"] == "6/22 (27.3%)"
    shift = next(r for r in rows if r["id"] == "supervised-shift")
    assert shift["reaches_paper"]["readings"] == ["R001"] and shift["reaches_paper"]["value"] == "10/19 (52.6%)"


@pytest.mark.parametrize("fmt, marker", [("csv", "id,section,statement"), ("markdown", "| id | section |")])
def test_cli_other_formats(fmt, marker):
    out = _cli("--format", fmt)
    assert out.returncode == 0 and out.stdout.startswith(marker)
    # Both show the reading that reaches the paper's number (P10 read as supervised).
    line = next(x for x in out.stdout.splitlines() if x.startswith(("supervised-shift,", "| supervised-shift |")))
    assert "R001 (papers P10 supervision: mixed → supervised)" in line


def test_cli_reports_invalid_data(tmp_path):
    import shutil

    from uqsurvey.survey.data import default_data_dir

    shutil.copytree(default_data_dir(), tmp_path / "data")
    p = tmp_path / "data" / "benchmarks.csv"
    p.write_text(p.read_text(encoding="utf-8").replace(",Factual QA,no,", ",Factual QA,maybe,", 1), encoding="utf-8")
    out = _cli("--data", str(tmp_path / "data"))
    assert out.returncode == 1 and "benchmarks.csv:2:c1:" in out.stderr


def _result(paper_value: str) -> ClaimResult:
    return ClaimResult(id="x", section="3", statement="", paper_value=paper_value, recomputed_value="",
                       recomputed_count=None, recomputed_total=None, status="differs", rule="", reason="")


@pytest.mark.parametrize("paper, variant, expected", [
    ("6/22", {"count": 6, "total": 22}, True),
    ("6/22", {"count": 6, "total": None}, True),   # a variant without a total matches on the count
    ("6/22", {"count": 6, "total": 20}, False),
    ("6/22", {"count": 5, "total": 22}, False),
    ("16", {"count": 16, "total": 37}, True),      # the paper gives no total
    ("most", {"count": 16, "total": 37}, False),   # qualitative: nothing to match
    ("6/22", {"count": None, "total": 22}, False),
])
def test_variant_matches_paper(paper, variant, expected):
    assert variant_matches_paper(variant, _result(paper)) is expected


def test_sensitivity_marks_the_rule_that_gives_the_papers_number(ledger):
    # multiple-choice: the paper says 15/22; of the hand counts 6, 9, 12, 15 above, only the
    # last reading ("closed answer set or mixed") gives it -- in the ledger and in the book's table.
    from uqsurvey.book import sensitivity_frame

    r = ledger["multiple-choice"]
    assert [v["rule"] for v in r.sensitivity if variant_matches_paper(v, r)] == ["closed answer set or mixed"]
    assert sensitivity_frame(r)["matches the paper"].tolist() == ["", "", "", "yes"]


# --- Claims from the prose (rules_text), hand-counted from the source ---
def test_claims_that_name_examples(ledger):
    # §3.2: CommonsenseQA and TriviaQA "fail C1" -- Table 1 rows "7 - …"; StrategyQA has no row.
    assert (ledger["c1-examples"].recomputed_value, ledger["c1-examples"].status) == ("2/2 (100.0%)", "reproduced")
    s = ledger["c1-example-strategyqa"]
    assert s.recomputed_value == "n/a" and s.reaches_paper["readings"] == ["R016"]  # P1:2 as a BIG-bench task
    # WebQA "✓ 7 7 7", GSM8K "7 - 7 7".
    assert ledger["c2-example-webqa"].members == ["WebQA"] and ledger["c3-example-gsm8k"].members == ["GSM8K"]
    # §2 cites as unsupervised P1, P2, P3, P4, P7 (coded unsupervised) and P24, P10 (coded mixed);
    # Yang et al. (2024c) is not annotated.
    u = ledger["unsupervised-examples"]
    assert (u.recomputed_count, u.recomputed_total, u.status) == (5, 7, "reproduced-under-reading")
    assert u.reaches_paper["readings"] == ["R002", "R004"] and "Yang et al., 2024c" in u.reason
    # P12 "ECE, AUROC, Brier" and P14 "期望校准误差" (expected calibration error).
    assert ledger["li-yang-ece"].members == ["P12", "P14"]


def test_claims_that_rank_by_popularity(ledger):
    # GSM8K: P1, P8, P10, P19, P29, P35 (6); more papers use TriviaQA (18) and CoQA (7: P2, P3,
    # P4, P12, P23, P26, P31) -> rank 3, "one of the most popular".
    g = ledger["gsm8k-popular"]
    assert (g.recomputed_count, set(g.members), g.status) == (3, {"TriviaQA", "CoQA"}, "reproduced")
    # The five most used datasets: TriviaQA 18, CoQA 7, then GSM8K, Natural Questions (P2, P5,
    # P6, P19, P20, P27) and TruthfulQA (P17, P21, P23, P24, P26, P37) with 6 each; GSM8K is math.
    p = ledger["popular-datasets-qa"]
    assert p.members == ["TriviaQA", "CoQA", "GSM8K", "Natural Questions", "TruthfulQA"]
    assert (p.recomputed_count, p.recomputed_total, p.verdict) == (4, 5, "reproduced-under-reading")
    assert p.reaches_primary_rule["readings"] == ["R053"]  # GSM8K read as QA, as §4.1 does
    assert ledger["ece-most-popular"].status == "reproduced"


def test_the_papers_own_lists(ledger):
    # R1–R3 in §3.3, R4–R5 in §4.2, R6–R8 in §5.2; De Vries et al.'s five ways in §3.
    counts = {c: ledger[c].recomputed_count for c in
              ("recommendations", "shift-recommendations", "metric-directions", "devries-ways",
               "three-practices", "uncertainty-types", "method-classes", "alternative-views")}
    assert counts == {"recommendations": 8, "shift-recommendations": 2, "metric-directions": 3,
                      "devries-ways": 5, "three-practices": 3, "uncertainty-types": 3,
                      "method-classes": 3, "alternative-views": 2}
    assert ledger["shift-recommendations"].members == ["R4", "R5"]
    assert all(ledger[c].status == "reproduced" for c in counts)
