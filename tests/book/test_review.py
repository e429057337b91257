"""``python -m uqsurvey review``: three hand-written submissions, every class of bad
input, the links, and the one small-sample threshold.

The expected statements are checked by hand against the data; the rows they rest on
are cited in the comments (file, line as in ``grep -n``).
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

from uqsurvey import cli
from uqsurvey.book import review as R
from uqsurvey.survey.ledger import evaluate

LINK = re.compile(r"\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def results(d):
    return evaluate(d)


def run(tmp_path, text: str, *args: str, capsys=None):
    path = tmp_path / "submission.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    status = cli.main(["review", str(path), *args])
    out, err = capsys.readouterr()
    return status, out, err, path


def bullets(out: str) -> dict[str, str]:
    """The review's statements by their bold topic."""
    found = {}
    for line in out.splitlines():
        m = re.match(r"- \*\*(.+?)\.\*\* (.*)", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


# --------------------------------------------------------------------------- #
# Three hand-written submissions
# --------------------------------------------------------------------------- #
SUBMISSION_A = """\
    benchmarks: [TriviaQA, CSQA, NQ-Open, mmlu]
    metrics: [ECE, Brier score]
    evaluation_set_sizes: {TriviaQA: 11313, CSQA: 1221, NQ-Open: 3610}
    distribution_shift: true
    aleatoric: false
    human_study: false
"""


def test_submission_a_table1_names_an_alias_and_small_ece_sets(tmp_path, capsys):
    status, out, err, _ = run(tmp_path, SUBMISSION_A, capsys=capsys)
    assert status == 0 and err == ""
    s = bullets(out)
    assert list(s) == ["Benchmarks against Table 1", "ECE on small evaluation sets", "Aleatoric uncertainty",
                       "No human study"]  # distribution_shift: true -> no shift statement
    t1 = s["Benchmarks against Table 1"]
    # CSQA: paper_datasets.csv:32 (P8, CSQA -> CommonSenseQA, alias); normalizations.csv:42 (N041, abbreviation).
    assert ("CSQA (as CommonSenseQA: recorded as another name of CommonSenseQA for P8 in paper_datasets.csv; "
            "normalizations.csv N041: abbreviation)") in t1
    # 'mmlu' is Table 1's MMLU up to letter case (benchmarks.csv:4).
    assert "Table 1 judges TriviaQA, CSQA (as CommonSenseQA" in t1 and ", NQ-Open and mmlu." in t1
    # benchmarks.csv C1: TriviaQA no (:2), CommonSenseQA no (:12), NQ-Open yes (:16), MMLU no (:4);
    # 16 of 22 rows have C1 = no (the ledger's c1 is 6/22).
    assert ("C1 (the benchmark has a meaningful connection to a real-world task) fails for TriviaQA, CSQA and mmlu, "
            "as it does for 16 of Table 1's 22 benchmarks ([ledger: c1, reproduced](chapters/ledger.html#claim-c1))") in t1
    assert "C2 (" not in t1  # NQ-Open, the one that meets C1, also meets C2 (benchmarks.csv:16)
    # C3: CommonSenseQA no, NQ-Open no; TriviaQA yes, MMLU yes; 13 of 22 rows have C3 = no (c3 is 9/22).
    assert "C3 (people find the benchmark challenging or it requires notable effort) fails for CSQA and NQ-Open, " \
           "as it does for 13 of Table 1's 22 benchmarks" in t1
    # C4 = no in all 22 rows.
    assert "C4 (undesirable events may occur due to bad decisions) fails for all of them, as it does for all 22 " \
           "of Table 1's benchmarks ([ledger: c4, reproduced](chapters/ledger.html#claim-c4))" in t1
    ece = s["ECE on small evaluation sets"]
    # 1,221 and 3,610 are under 5,000; TriviaQA's 11,313 is not; mmlu has no size.
    assert ("The submission reports ECE on evaluation sets of fewer than 5,000 examples (CSQA: 1,221 and "
            "NQ-Open: 3,610) and without giving the evaluation-set size of mmlu.") in ece
    assert "TriviaQA: 11,313" not in ece
    # ece-users 16 (papers with canonical metric ECE), smece-users 1 (P13), of 37 papers.
    assert "16 of the 37 annotated papers report ECE" in ece and "1 reports smECE" in ece
    assert "[recommendation](chapters/ece_vs_smece.html#rec-smece)" in ece
    # aleatoric_by_design = yes only for AmbigQA (benchmarks.csv:17).
    alea = s["Aleatoric uncertainty"]
    assert alea.startswith("The submission does not model aleatoric uncertainty, and none of its benchmarks")
    assert "1 of Table 1's 22 benchmarks is (AmbigQA;" in alea
    # aleatoric_by_design is the project's coding (provenance.source_lacks): the statement and its link say so
    assert ("By this project's coding, 1 of Table 1's 22 benchmarks is (AmbigQA; [ledger: aleatoric-benchmarks, "
            "project-coded (benchmarks.aleatoric_by_design)](chapters/ledger.html#claim-aleatoric-benchmarks))") in alea
    # the small-sample mark is an external finding: not checkable, and said to be the paper's report
    assert ("The paper reports, from outside the survey, that below 5,000 examples binned ECE is unstable ([ledger: "
            "smece-small-sample, not checkable from the survey data](chapters/ledger.html#claim-smece-small-sample))"
            ) in ece
    # human_study = yes for 2 of the 37 papers -> 35 without.
    assert "like 35 of the 37 annotated papers" in s["No human study"]


SUBMISSION_B = """\
    title: Ambiguity test
    benchmarks: [NQ, SciQA, MMLU (law), StrategyQA, ChaosNLI, AmbigQA]
    metrics: [AUROC, Expected Calibration Error, SmoothECE]
    evaluation_set_sizes:
      AmbigQA: 2002
    distribution_shift: false
    aleatoric: true
    human_study: true
"""


def test_submission_b_unknown_ambiguous_and_subset_names_are_never_guessed(tmp_path, capsys):
    status, out, err, _ = run(tmp_path, SUBMISSION_B, capsys=capsys)
    assert status == 0 and err == ""
    assert "for “Ambiguity test”:" in out.splitlines()[0]
    s = bullets(out)
    # aleatoric: true with AmbigQA (aleatoric by design), human_study: true -> neither statement.
    assert list(s) == ["Benchmarks against Table 1", "Not judged by Table 1", "ECE on small evaluation sets",
                       "No distribution-shift evaluation"]
    t1 = s["Benchmarks against Table 1"]
    # MMLU (law): paper_datasets.csv:8 (P1, MMLU-法律 -> MMLU (law), subset of MMLU).
    assert ("Table 1 judges MMLU (law) (as MMLU, which Table 1 judges as a whole: recorded as a subset or task of "
            "MMLU for P1 in paper_datasets.csv) and AmbigQA.") in t1
    # MMLU and AmbigQA: C1 no, C3 yes, C4 no (benchmarks.csv:4, :17).
    assert "C1 (the benchmark has a meaningful connection to a real-world task) fails for all of them" in t1
    assert "C3 (" not in t1 and "C4 (undesirable events may occur due to bad decisions) fails for all of them" in t1
    other = s["Not judged by Table 1"]
    # NQ: paper_datasets.csv:23 (P5, ambiguous between Natural Questions and NQ-Open), although
    # normalizations.csv reads NQ as Natural Questions (N036): the ambiguity wins, nothing is guessed.
    assert "NQ is ambiguous: recorded as ambiguous for P5 in paper_datasets.csv: “Ambiguous between Natural " \
           "Questions and NQ-Open" in other
    # SciQA: paper_datasets.csv:83 (P24, ambiguous).
    assert "SciQA is ambiguous: recorded as ambiguous for P24 in paper_datasets.csv: “Spelled SciQA" in other
    # StrategyQA: paper_datasets.csv:3 (P1, benchmark empty, none); datasets.csv has it.
    assert "StrategyQA is a dataset of the survey (datasets.csv: StrategyQA) but not in Table 1" in other
    assert "ChaosNLI is unknown to the survey data" in other
    assert "These benchmarks have no C1–C4 judgement in the book" in other
    ece = s["ECE on small evaluation sets"]
    # 'Expected Calibration Error' is ECE, 'SmoothECE' is smECE; AmbigQA's 2,002 < 5,000; five sizes missing.
    assert ("reports ECE (as “Expected Calibration Error”) on evaluation sets of fewer than 5,000 examples "
            "(AmbigQA: 2,002) and without giving the evaluation-set size of NQ, SciQA, MMLU (law), StrategyQA and "
            "ChaosNLI.") in ece
    assert "It also reports smECE (SmoothECE); the book recommends a bootstrap interval for both" in ece
    # 9 of the 18 papers coded supervised have shift != yes (the ledger's supervised-no-shift-almost-half).
    assert ("like 9 of the 18 supervised papers annotated in the survey ([ledger: supervised-no-shift-almost-half, "
            "reproduced]"
            "(chapters/ledger.html#claim-supervised-no-shift-almost-half))") in s["No distribution-shift evaluation"]


SUBMISSION_C = """\
    benchmarks: [natural questions]
    metrics: [AUROC, smECE]
    evaluation_set_sizes: {natural questions: 7830}
    distribution_shift: true
    aleatoric: true
    human_study: true
"""


def test_submission_c_only_what_the_survey_flags(tmp_path, capsys):
    status, out, err, _ = run(tmp_path, SUBMISSION_C, capsys=capsys)
    assert status == 0 and err == ""
    s = bullets(out)
    # Natural Questions: C1, C2, C3 yes, C4 no (benchmarks.csv:3); smECE only -> no ECE statement;
    # aleatoric: true but Natural Questions is not aleatoric by design -> the aleatoric statement stays.
    assert list(s) == ["Benchmarks against Table 1", "Aleatoric uncertainty"]
    t1 = s["Benchmarks against Table 1"]
    assert "Table 1 judges natural questions." in t1
    assert "C1 (" not in t1 and "C2 (" not in t1 and "C3 (" not in t1
    assert "C4 (undesirable events may occur due to bad decisions) fails for natural questions, as it does for " \
           "all 22 of Table 1's benchmarks" in t1
    assert s["Aleatoric uncertainty"].startswith("The submission models aleatoric uncertainty, and none of its "
                                                 "benchmarks is in Table 1 as built to carry it.")


def test_every_statement_cites_the_book(tmp_path, capsys):
    for text in (SUBMISSION_A, SUBMISSION_B, SUBMISSION_C):
        _status, out, _err, _ = run(tmp_path, text, capsys=capsys)
        for topic, statement in bullets(out).items():
            assert LINK.search(statement), topic
            for sentence_links in LINK.findall(statement):
                assert re.fullmatch(r"chapters/[a-z_]+\.html#[a-z0-9-]+", sentence_links), sentence_links


# --------------------------------------------------------------------------- #
# Links: relative by default, absolute when the book's URL is known
# --------------------------------------------------------------------------- #
def test_base_url_option_and_environment_make_links_absolute(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("UQSURVEY_BOOK_URL", raising=False)
    _s, out, _e, path = run(tmp_path, SUBMISSION_C, "--base-url", "https://books.example.org/uq/", capsys=capsys)
    links = LINK.findall(out)
    assert links and all(u.startswith("https://books.example.org/uq/chapters/") for u in links)
    monkeypatch.setenv("UQSURVEY_BOOK_URL", "https://env.example.org/book")
    assert cli.main(["review", str(path)]) == 0
    links = LINK.findall(capsys.readouterr().out)
    assert links and all(u.startswith("https://env.example.org/book/chapters/") for u in links)
    # the option wins over the environment
    assert cli.main(["review", str(path), "--base-url", "https://opt.example.org"]) == 0
    assert "](https://opt.example.org/chapters/ledger.html#claim-c4)" in capsys.readouterr().out


def test_a_relative_base_url_is_a_usage_error(tmp_path, capsys):
    status, out, err, _ = run(tmp_path, SUBMISSION_C, "--base-url", "/book/", capsys=capsys)
    assert status == 2 and out == ""
    assert "argument --base-url: must be an absolute http(s) URL, got '/book/'" in err


def test_a_bad_url_in_the_environment_is_named(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("UQSURVEY_BOOK_URL", "book.example.org")
    status, out, err, _ = run(tmp_path, SUBMISSION_C, capsys=capsys)
    assert status == 1 and out == ""
    assert err.strip() == "environment variable UQSURVEY_BOOK_URL must be an absolute http(s) URL, got 'book.example.org'"


def test_relative_links_for_a_book_page():
    link = R.relative_links("chapters/review_checklist")
    assert link("chapters/ledger.html#claim-c1") == "ledger.html#claim-c1"
    assert R.relative_links("intro")("chapters/ledger.html#claim-c1") == "chapters/ledger.html#claim-c1"


# --------------------------------------------------------------------------- #
# Bad input: every problem named by its field, exit 1, no review, no traceback
# --------------------------------------------------------------------------- #
GOOD = {"benchmarks": "[TriviaQA]", "metrics": "[ECE]", "evaluation_set_sizes": "{TriviaQA: 100}",
        "distribution_shift": "false", "aleatoric": "false", "human_study": "false"}


def yaml_of(fields: dict[str, str]) -> str:
    return "".join(f"{k}: {v}\n" for k, v in fields.items())


@pytest.mark.parametrize("text, messages", [
    # unknown key (with a suggestion)
    (yaml_of({**GOOD, "benchmark": "[MMLU]"}), ["unknown field 'benchmark'; did you mean 'benchmarks'?"]),
    (yaml_of({**GOOD, "venue": "ICML"}), ["unknown field 'venue'; known fields: title, benchmarks, metrics"]),
    # missing required field
    (yaml_of({k: v for k, v in GOOD.items() if k != "human_study"}),
     ["missing required field 'human_study' (true or false)"]),
    # wrong types
    (yaml_of({**GOOD, "benchmarks": "TriviaQA"}),
     ["field 'benchmarks' must be a list of dataset names, got 'TriviaQA' (text)"]),
    (yaml_of({**GOOD, "metrics": "[ECE, 15]"}), ["field 'metrics', item 2: must be a name (text), got 15 (a number)"]),
    (yaml_of({**GOOD, "human_study": "'no'"}), ["field 'human_study' must be true or false, got 'no' (text)"]),
    (yaml_of({**GOOD, "aleatoric": "1"}), ["field 'aleatoric' must be true or false, got 1 (a number)"]),
    (yaml_of({**GOOD, "evaluation_set_sizes": "[100]"}),
     ["field 'evaluation_set_sizes' must be a mapping of benchmark name to number of examples, got a list"]),
    (yaml_of({**GOOD, "evaluation_set_sizes": "{TriviaQA: large}"}),
     ["field 'evaluation_set_sizes', 'TriviaQA': must be a whole number of examples, got 'large' (text)"]),
    (yaml_of({**GOOD, "evaluation_set_sizes": "{TriviaQA: 2000.5}"}),
     ["field 'evaluation_set_sizes', 'TriviaQA': must be a whole number of examples, got 2000.5 (a number)"]),
    (yaml_of({**GOOD, "evaluation_set_sizes": "{TriviaQA: true}"}),
     ["field 'evaluation_set_sizes', 'TriviaQA': must be a whole number of examples, got true (true/false)"]),
    (yaml_of({**GOOD, "title": "[a, b]"}), ["field 'title' must be text, got a list"]),
    # negative and zero sizes; a size for a benchmark not listed
    (yaml_of({**GOOD, "evaluation_set_sizes": "{TriviaQA: -5}"}),
     ["field 'evaluation_set_sizes', 'TriviaQA': a size cannot be negative, got -5"]),
    (yaml_of({**GOOD, "evaluation_set_sizes": "{TriviaQA: 0}"}),
     ["field 'evaluation_set_sizes', 'TriviaQA': a size must be at least 1, got 0"]),
    (yaml_of({**GOOD, "evaluation_set_sizes": "{MMLU: 100}"}),
     ["field 'evaluation_set_sizes', 'MMLU': not one of the names in 'benchmarks'"]),
    # a name listed twice, an empty name
    (yaml_of({**GOOD, "benchmarks": "[TriviaQA, triviaqa]"}), ["field 'benchmarks': 'triviaqa' is listed twice"]),
    (yaml_of({**GOOD, "benchmarks": "[TriviaQA, ' ']"}), ["field 'benchmarks', item 2: empty name"]),
    # bad YAML, a field given twice, an empty file, a list at the top
    ("benchmarks: [TriviaQA\nmetrics: [ECE]\n", ["not valid YAML (line 2, column 8)"]),
    (yaml_of(GOOD) + "metrics: [AUROC]\n", ["not valid YAML (line 7, column 1): field 'metrics' appears twice "
                                            "(first on line 2)"]),
    ("", ["the file is empty; expected the fields title, benchmarks, metrics"]),
    ("- TriviaQA\n- MMLU\n", ["expected a mapping of fields at the top level, got a list"]),
])
def test_bad_input_is_named_exit_1_and_no_review(tmp_path, capsys, text, messages):
    path = tmp_path / "submission.yaml"
    path.write_text(text, encoding="utf-8")
    status = cli.main(["review", str(path)])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert "Traceback" not in err
    for message in messages:
        assert message in err, err
    assert all(line.startswith(f"{path}: ") for line in err.splitlines())


def test_every_problem_is_reported_at_once(tmp_path, capsys):
    text = yaml_of({**{k: v for k, v in GOOD.items() if k != "metrics"}, "metric": "[ECE]",
                    "evaluation_set_sizes": "{TriviaQA: -1}", "aleatoric": "maybe"})
    status, out, err, _ = run(tmp_path, text, capsys=capsys)
    assert status == 1 and out == ""
    assert len(err.strip().splitlines()) == 4, err  # unknown 'metric', missing 'metrics', 'aleatoric', size


def test_a_missing_file(tmp_path, capsys):
    assert cli.main(["review", str(tmp_path / "nope.yaml")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == f"{tmp_path / 'nope.yaml'}: no such file"


def test_the_module_entry_prints_the_same_review(tmp_path, capsys):
    path = tmp_path / "submission.yaml"
    path.write_text(textwrap.dedent(SUBMISSION_C), encoding="utf-8")
    assert cli.main(["review", str(path)]) == 0
    in_process = capsys.readouterr().out
    proc = subprocess.run([sys.executable, "-m", "uqsurvey", "review", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**__import__("os").environ,
                                                                           "UQSURVEY_BOOK_URL": ""})
    assert proc.returncode == 0 and proc.stderr == "" and proc.stdout == in_process


# --------------------------------------------------------------------------- #
# One threshold, and the example the book runs
# --------------------------------------------------------------------------- #
def test_a_cited_claim_carries_its_status(results):
    """The link to a ledger entry says its status, and what a reviewer quoting the base rate
    must know besides; the labels follow the ledger (a claim whose status changes changes them)."""
    from dataclasses import replace

    led = {r.id: r for r in results}
    assert R.claim_label(led["c1"]) == "ledger: c1, reproduced"
    # P10 is coded mixed; reading it as supervised (R001) gives the paper's 19 (tests/survey/test_claims.py)
    assert R.claim_label(led["supervised-papers"]) == (
        "ledger: supervised-papers, reproduced under a reading (the paper states 19)")
    assert R.claim_label(led["multiple-choice"]) == (
        "ledger: multiple-choice, project-coded (benchmarks.answer_format; the paper states 15/22 (68.2%))")
    assert R.claim_label(led["wildchat-factual-qa"]) == "ledger: wildchat-factual-qa, not checkable from the survey data"
    assert R.claim_label(replace(led["c1"], status="differs", verdict="differs")) == (
        "ledger: c1, differs (the paper states 6/22 (27.3%))")


def test_the_small_sample_threshold_is_one_number(d):
    from uqsurvey.demos import ece_vs_smece

    paper = d.claims.set_index("id").loc["smece-small-sample"]
    assert R.SMALL_EVALUATION_SET is ece_vs_smece.STABILITY_MARK
    assert R.SMALL_EVALUATION_SET == int(paper["paper_count"]) == 5000  # the paper's "<5k" (claims.csv)


def test_the_worked_example_is_valid_and_flags_small_ece_sets(capsys):
    assert cli.main(["review", str(ROOT / "examples" / "submission.yaml")]) == 0
    s = bullets(capsys.readouterr().out)
    assert "ECE on small evaluation sets" in s and "Not judged by Table 1" in s
    # NaturalQA: paper_datasets.csv:61 (P19, alias of Natural Questions), normalizations.csv:56 (N055).
    assert "NaturalQA (as Natural Questions: recorded as another name of Natural Questions for P19" in \
           s["Benchmarks against Table 1"]
