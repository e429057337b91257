"""Tables behind the survey figures and the explorer, against hand counts from the source."""
from __future__ import annotations

import pytest

from uqsurvey.survey import explorer, figures as sf


def test_criteria_counts_match_table1_by_hand(d):
    # Counted in the printed Table 1 (✓ / 7 / -), row by row.
    c = sf.criteria_counts(d.benchmarks)
    assert c.loc["C1 real-world task"].tolist() == [6, 16, 0]
    assert c.loc["C2 realistic inputs"].tolist() == [5, 1, 16]  # only WebQA has C2 = 7
    assert c.loc["C3 hard for people"].tolist() == [9, 13, 0]
    assert c.loc["C4 stakes"].tolist() == [0, 21, 1]  # TruthfulQA is the only '-'


def test_table1_symbols(d):
    t = sf.table_1(d.benchmarks)
    nq_open = t.set_index("Benchmark").loc["NQ-Open"]
    assert [nq_open[c] for c in ("C1", "C2", "C3", "C4")] == ["✓", "✓", "✗", "✗"]
    assert t["Benchmark"].iloc[0] == "TriviaQA" and t["Benchmark"].iloc[-1] == "MedMCQA"


def test_category_counts(d):
    cc = sf.category_counts(d.benchmarks).set_index("category")["benchmarks"]
    assert cc["Factual QA"] == 7 and cc["Commonsense"] == 5 and cc["Sentiment Analysis"] == 3
    assert cc.sum() == 22


def test_supervision_by_shift(d):
    t = sf.table_supervision_shift(d)
    assert t.loc["supervised"].tolist() == [9, 9, 0, 18]
    assert t.loc["mixed"].tolist() == [1, 1, 0, 2]
    assert t.loc["total", "total"] == 37


def test_paper_benchmark_grid(d):
    long = sf.paper_benchmark_long(d)
    assert len(long) == 37 * 22
    # TriviaQA is evaluated by 18 annotated papers (hand count in tests/survey/test_data.py).
    assert long[(long["benchmark"] == "TriviaQA") & long["used"]]["paper_id"].nunique() == 18
    # P1 reaches BIG-bench only through its three BIG-bench tasks (a subset mapping).
    p1 = long[(long["paper_id"] == "P1") & (long["benchmark"] == "BIGBench")].iloc[0]
    assert p1["used"] and p1["match"] == "subset"


def test_outside_table1(d):
    t = sf.table_outside_table_1(d).set_index("dataset")
    assert t.loc["OpenBookQA", "n"] == 5 and t.loc["SVAMP", "papers"] == "P1, P5, P8"


def test_explorer_filter_reference(d):
    long = explorer.papers_long(d)
    assert explorer.filter_papers(long) == [f"P{i}" for i in range(1, 38)]
    assert explorer.filter_papers(long, human_study="yes") == ["P21", "P37"]
    assert len(explorer.filter_papers(long, benchmark="TriviaQA")) == 18
    both = explorer.filter_papers(long, benchmark="TriviaQA", metric="ECE")
    assert set(both) <= set(explorer.filter_papers(long, metric="ECE"))
    with pytest.raises(ValueError, match="unknown filter"):
        explorer.filter_papers(long, colour="red")
