"""Sentences the data decides (uqsurvey.book.text) follow the data: agreement, lists and
verdicts are generated, and a change of the data changes the sentence's subject.

The hand-written expectations name the papers by reading data/papers.csv (P13 is
Ulmer et al., 2024; P5 is Nikitin et al., 2024) and Table 1 (NQ-Open has C3 = 7, i.e. no).
"""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from uqsurvey.book.text import (
    count_noun,
    criteria_sentence,
    join_words,
    paper_names,
    papers_sentence,
    status_phrase,
)
from uqsurvey.survey.data import load
from uqsurvey.survey.ledger import evaluate, evaluate_one
from uqsurvey.survey.rules import C1_C3_NAMED_IN_TEXT

DATA = ROOT / "data"


@pytest.fixture(scope="module")
def d():
    return load(DATA)


def smece_sentence(data, cite: bool = False) -> str:
    """The chapter's sentence, built as metrics_and_human_studies.md builds it (from the
    ledger's smece-users entry; evaluated alone, as ``evaluate`` evaluates each entry,
    so that edited data does not pay for the whole ledger)."""
    entry = evaluate_one(data.claims.set_index("id", drop=False).loc["smece-users"], data)
    return papers_sentence(data.papers, entry.members, what="SmoothECE", cite=cite)


def edit_metrics(tmp_path: Path, fn) -> Path:
    """A copy of the data whose paper_metrics.csv rows pass through *fn*."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    path = copy / "paper_metrics.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(fn(rows))
    path.write_text(buf.getvalue(), encoding="utf-8")
    return copy


def move_smece_to(paper: str):
    """Replace P13's smECE row by the same metric reported by *paper* (its next position)."""
    def fn(rows):
        head, body = rows[0], rows[1:]
        smece = next(r for r in body if r[0] == "P13" and r[3] == "smECE")
        body.remove(smece)
        position = 1 + max(int(r[1]) for r in body if r[0] == paper)
        body.append([paper, str(position), *smece[2:]])
        return [head, *body]
    return fn


def test_count_noun_and_join_words():
    assert [count_noun(n, "paper") for n in (0, 1, 2, 12, 13)] == [
        "no paper", "one paper", "two papers", "twelve papers", "13 papers"]
    assert count_noun(2, "study", "studies") == "two studies"
    assert [join_words(x) for x in ([], ["A"], ["A", "B"], ["A", "B", "C"])] == ["", "A", "A and B", "A, B and C"]
    with pytest.raises(ValueError):
        count_noun(-1, "paper")


def test_paper_names(d):
    assert paper_names(d.papers, ["P13"]) == ["P13 {cite:p}`ulmer2024calibrating`"]
    assert paper_names(d.papers, ["P13"], cite=False) == ["P13 (Ulmer et al., 2024)"]
    assert paper_names(d.papers, ["P13"], cite=False, with_ids=False) == ["Ulmer et al. (2024)"]
    assert paper_names(d.papers, ["P13"], with_ids=False) == ["{cite:t}`ulmer2024calibrating`"]
    with pytest.raises(KeyError, match="P99"):
        paper_names(d.papers, ["P99"])


@pytest.mark.parametrize("ids, expected", [
    ([], "No annotated paper reports SmoothECE."),
    (["P13"], "One annotated paper reports SmoothECE: P13 (Ulmer et al., 2024)."),
    (["P5", "P13"], "Two annotated papers report SmoothECE: P5 (Nikitin et al., 2024) and P13 (Ulmer et al., 2024)."),
])
def test_papers_sentence_agrees_with_its_list(d, ids, expected):
    assert papers_sentence(d.papers, ids, what="SmoothECE", cite=False) == expected


def test_the_smece_sentence_on_the_real_data(d):
    assert smece_sentence(d) == "One annotated paper reports SmoothECE: P13 (Ulmer et al., 2024)."
    assert smece_sentence(d, cite=True) == "One annotated paper reports SmoothECE: P13 {cite:p}`ulmer2024calibrating`."


def test_replacing_p13s_smece_row_changes_the_subject(tmp_path):
    moved = load(edit_metrics(tmp_path, move_smece_to("P5")))
    assert smece_sentence(moved) == "One annotated paper reports SmoothECE: P5 (Nikitin et al., 2024)."
    assert "Ulmer" not in smece_sentence(moved) and "P13" not in smece_sentence(moved)


def test_deleting_p13s_smece_row_leaves_no_subject(tmp_path):
    gone = load(edit_metrics(tmp_path, lambda rows: [r for r in rows if not (r[0] == "P13" and r[3] == "smECE")]))
    assert smece_sentence(gone) == "No annotated paper reports SmoothECE."


def test_the_c1_c3_sentence_follows_table_1(d, tmp_path):
    assert criteria_sentence(d.benchmarks, C1_C3_NAMED_IN_TEXT, ["c1", "c2", "c3"]) == \
        "In the table as printed, NQ-Open fails C3."
    b = d.benchmarks.copy()
    b.loc[b["name"].eq("NQ-Open"), "c3"] = "yes"
    assert criteria_sentence(b, C1_C3_NAMED_IN_TEXT, ["c1", "c2", "c3"]) == \
        "In the table as printed, Natural Questions and NQ-Open both meet C1, C2 and C3."
    b.loc[b["name"].eq("Natural Questions"), ["c1", "c2"]] = ["no", "n/a"]
    assert criteria_sentence(b, C1_C3_NAMED_IN_TEXT, ["c1", "c2", "c3"]) == (
        "In the table as printed, Natural Questions fails C1 and is marked not applicable on C2.")
    assert criteria_sentence(b, ["Natural Questions", "WikiQA"], ["c3"]) == \
        "In the table as printed, WikiQA is not in the table."


def test_status_phrase(d):
    ledger = {r.id: r for r in evaluate(d)}
    assert status_phrase(ledger["human-uplift"], "yes", "no") == "yes"  # "rare" holds in the data
    assert status_phrase(ledger["c1-c3"], "yes", "no") == "no"  # only the text's reading of NQ-Open's C3 gives 2
    # project-coded entries are judged by the verdict they keep
    assert ledger["aleatoric-benchmarks"].status == "project-coded"
    assert status_phrase(ledger["aleatoric-benchmarks"], "yes", "no") == "yes"
    assert ledger["qa-only-evaluations"].verdict == "reproduced-under-reading"
    assert status_phrase(ledger["qa-only-evaluations"], "yes", "no") == "no"
    assert status_phrase(ledger["wildchat-factual-qa"], "yes", "no") == "the data cannot say"
