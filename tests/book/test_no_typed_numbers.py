"""No typed facts: every statistic, and every name the data decides, comes from code.

Numbers.  The scan removes front matter, code cells, fenced blocks, inline code,
math and roles (glue, cite, ref, ...), then looks for percentages, "N of M" and
counts next to papers, benchmarks, methods or studies.  Section and
recommendation labels (§3, R4, C1, P12, Table 1) are not statistics.

Names.  A sentence that says who uses a metric or which benchmarks meet a
criterion must be generated from the data (``uqsurvey.book.text``), or it goes
false when the data changes.  The scan looks, in the same prose, for the names
the data holds: annotated papers (their ids, and their citation keys in cite
roles) and benchmarks and datasets (spelling, case and hyphens aside for
benchmarks: "BIG-bench" is BIGBench).  A mention that the data does not decide
(a fact about a dataset, an example of a rule, a work cited for its argument) is
listed in :data:`NOT_DECIDED_BY_DATA` with the phrase that holds it and why.

Descriptions.  ``datapackage.json`` is read by the book (the data dictionary,
Part I): its titles and descriptions state no count and no id range.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import ROOT

WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|hundred"
)
NUM = rf"(?:\d[\d,]*(?:\.\d+)?|(?:{WORDS})(?:[- ](?:{WORDS}))?)"
PATTERNS = {
    "percentage": re.compile(rf"\b\d[\d,]*(?:\.\d+)?\s*(?:%|percent\b)", re.I),
    "N of M": re.compile(rf"\b{NUM}\s+(?:of|out of)\s+(?:the\s+)?{NUM}\b", re.I),
    "count of papers/benchmarks": re.compile(
        rf"\b{NUM}\s+(?:[A-Za-z-]+\s+){{0,3}}?(?:papers?|benchmarks?|methods?|studies|datasets?|metrics?|claims?|annotations?|entries)\b",
        re.I,
    ),
}


def without_code(text: str) -> str:
    """A MyST notebook without its front matter and code cells (roles kept)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", text, flags=re.S | re.M)  # code cells / fences
    return re.sub(r"^:{3,}.*?$", "", text, flags=re.M)  # colon-fence markers (content kept)


def prose(text: str) -> str:
    """The prose of a MyST notebook: what a reader reads that no code produced."""
    text = without_code(text)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", "", text, flags=re.S)  # math
    text = re.sub(r"\{[\w:-]+\}`[^`]*`", "", text)  # roles: glue, cite, ref, doc, ...
    text = re.sub(r"`[^`]*`", "", text)  # inline code
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"^\([\w-]+\)=\s*$", "", text, flags=re.M)  # MyST targets
    # labels, not statistics: Table 1, Section 3.2, §4, Part II, C1, R4, P12, arXiv ids, years
    text = re.sub(r"(?:\b(?:Tables?|Figures?|Sections?|Chapters?|Appendix|Part)\s+|§\s*)\d+(?:\.\d+)*", "", text)
    text = re.sub(r"\b[CRPN]\d+(?:[–-][CRPN]?\d+)?\b|\b\d{4}\.\d{4,5}\b|\b(?:19|20)\d{2}\b", "", text)
    return text


def typed_numbers(text: str) -> list[tuple[str, str]]:
    found = []
    for kind, pattern in PATTERNS.items():
        found += [(kind, m.group(0)) for m in pattern.finditer(prose(text))]
    return found


PAGES = sorted((ROOT / "chapters").glob("*.md")) + [ROOT / "intro.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_chapter_prose_types_no_statistics(page):
    assert typed_numbers(page.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "text",
    [
        "Only 6 of 22 benchmarks meet C1.",
        "That is 27.3% of them.",
        "We found 16 papers that use ECE.",
        "sixteen papers use ECE",
        "ten of nineteen supervised papers",
        "37 annotated papers",
        "15 multiple-choice benchmarks",
        "in two annotations the translation garbled it",
    ],
)
def test_scanner_catches_typed_statistics(text):
    assert typed_numbers(text) != []


@pytest.mark.parametrize(
    "text",
    [
        "Section §3 and recommendation R4; criterion C1; paper P12; Table 1.",
        "{glue:text}`c1_count` of {glue:text}`n_benchmarks` benchmarks meet C1.",
        "```{code-cell} python\nx = '16 papers'\n```\n",
        "The ECE is $\\sum_k 15$ bins.",
        "See {cite:t}`devic2025calibration`.",
        "Table 1 lists the benchmarks; Section 3.2 scores them on C1–C4.",
        "Devic et al. (2025) annotated papers P1–P37 (arXiv 2506.07461).",
    ],
)
def test_scanner_ignores_code_glue_and_labels(text):
    assert typed_numbers(text) == []


# --------------------------------------------------------------------------- #
# Names the data decides
# --------------------------------------------------------------------------- #
#: (page, phrase) -> why the names in the phrase are not decided by the data.  The phrase
#: must occur in the page's prose and contain the name; any other mention is an error.
NOT_DECIDED_BY_DATA = {
    ("ece_vs_smece.md", "Drawing on {cite:t}`blasiok2024smooth`, {cite:t}`hansen2024when` and "
                        "{cite:t}`ulmer2024calibrating`"):
        "works cited for their argument about smECE, not as a count of the survey",
    ("ecological_validity.md", "(MMLU law → MMLU, a BIG-bench task →\nBIG-bench)"):
        "examples of the subset/task matching rule, true of these datasets whatever the data holds",
    ("survey_data.md", "a subject of MMLU, a task of BIG-bench"):
        "examples of the subset/task matching rule",
    ("survey_data.md", '"natural questions" for the\ndataset Natural Questions'):
        "how the machine translation renders a name: a fact about the source text",
    ("survey_data.md", "P1 onwards"):
        "how Appendix A numbers its papers, not how many there are",
    ("metrics_and_human_studies.md", "{cite:t}`li2024graph` and\n{cite:t}`yang2024bayesian`"):
        "the works the paper's own sentence names as its examples (appendix), quoted as the paper's words",
    ("sources_of_uncertainty.md", "AmbigQA\n{cite:p}`min2020ambigqa`, the benchmark it names"):
        "the benchmark the paper's own sentence names (section 4.1), quoted as the paper's words",
    ("sources_of_uncertainty.md", "the SNLI and MNLI\nvalidation sets keep several annotator labels, and "
                                  "the paper itself names the five-class SST"):
        "facts about how these datasets were annotated and are scored, true whatever the project's coding",
}


@lru_cache(maxsize=1)
def data_names() -> dict[str, object]:
    """The names the data holds: paper ids and citation keys, benchmark and dataset names."""
    from uqsurvey.survey.data import load

    d = load(ROOT / "data")
    return {
        "paper ids": set(d.papers["id"].astype(str)),
        "paper keys": set(d.papers["bibtex_key"].astype(str)),
        "benchmarks": {_squash(n): n for n in d.benchmarks["name"].astype(str)},
        "datasets": set(d.datasets["dataset"].astype(str)) - set(d.benchmarks["name"].astype(str)),
    }


def _squash(name: str) -> str:
    return re.sub(r"[\s\-]", "", name).casefold()


def typed_names(text: str, names: dict | None = None) -> list[tuple[int, str, str]]:
    """Every (offset, kind, name) in the page's prose (code cells removed) naming data."""
    names = names or data_names()
    body = without_code(text)
    found: list[tuple[int, str, str]] = []
    for m in re.finditer(r"\{cite:[a-z]+\}`([^`]*)`", body):  # citation keys of annotated papers
        for key in m.group(1).split(","):
            if key.strip() in names["paper keys"]:
                found.append((m.start(), "annotated paper", key.strip()))
    plain = re.sub(r"\{[\w:-]+\}`[^`]*`|`[^`]*`|\$[^$\n]+\$", lambda m: " " * len(m.group(0)), body)
    plain = re.sub(r"\]\([^)]*\)", lambda m: " " * len(m.group(0)), plain)  # link targets
    for m in re.finditer(r"\bP[1-9][0-9]*\b", plain):
        if m.group(0) in names["paper ids"]:
            found.append((m.start(), "paper id", m.group(0)))
    words = list(re.finditer(r"\w(?:[\w./-]*\w)?", plain))
    for i in range(len(words)):
        for n in (1, 2, 3):
            if i + n > len(words):
                break
            start, end = words[i].start(), words[i + n - 1].end()
            phrase = plain[start:end]
            if "\n\n" in phrase:
                break
            key = _squash(phrase)
            if key in names["benchmarks"]:
                found.append((start, "benchmark", names["benchmarks"][key]))
            elif " ".join(phrase.split()) in names["datasets"]:
                found.append((start, "dataset", phrase))
    return sorted(set(found))


def undeclared_names(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    body = without_code(text)
    allowed = []
    for (name, phrase), _why in NOT_DECIDED_BY_DATA.items():
        if name == page.name:
            spans = [(m.start(), m.end()) for m in re.finditer(re.escape(phrase), body)]
            assert spans, f"{page.name}: the exempt phrase {phrase!r} is not in the page any more"
            allowed += spans
    out = []
    for at, kind, name in typed_names(text):
        if not any(a <= at < b for a, b in allowed):
            line = text[: text.index(body[at: at + 40])].count("\n") + 1 if body[at: at + 40] in text else "?"
            out.append(f"{page.name}:{line}: {kind} {name!r}: {' '.join(body[max(0, at - 60): at + 60].split())}")
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_chapter_prose_types_no_name_the_data_decides(page):
    assert undeclared_names(page) == []


SAMPLE_NAMES = {
    "paper ids": {"P13", "P2"},
    "paper keys": {"ulmer2024calibrating"},
    "benchmarks": {_squash(n): n for n in ("BIGBench", "NQ-Open", "Natural Questions", "AmbigQA")},
    "datasets": {"StrategyQA"},
}


@pytest.mark.parametrize(
    "text, name",
    [
        ("Only one annotated paper reports SmoothECE: {glue:text}`m`, which is {cite:t}`ulmer2024calibrating`.",
         "ulmer2024calibrating"),
        ("In the table as printed, NQ-Open fails C3.", "NQ-Open"),
        ("They name Natural Questions and NQ-Open.", "NQ-Open"),
        ("the single Other reasoning row, BIG-bench, counts", "BIGBench"),
        ("Both Natural\nQuestions and others meet it.", "Natural Questions"),
        ("Paper P13 is the only one.", "P13"),
        ("It evaluates on StrategyQA alone.", "StrategyQA"),
    ],
)
def test_name_scanner_catches_typed_names(text, name):
    assert name in [n for _, _, n in typed_names(text, SAMPLE_NAMES)]


@pytest.mark.parametrize(
    "text",
    [
        "{glue:md}`mh_smece_sentence:myst` (status: {glue:text}`s`).",
        "```{code-cell} python\nnamed = ['NQ-Open']\n```\n",
        "See [the row](../data/benchmarks.csv#NQ-Open) and `AmbigQA` in code.",
        "Recommendation R4, criteria C1 to C4, Table 1, section 3.2.",
        "The ambiguity is in P130 and in nothing else.",
    ],
)
def test_name_scanner_ignores_code_glue_and_links(text):
    assert typed_names(text, SAMPLE_NAMES) == []


# --------------------------------------------------------------------------- #
# The descriptor's text
# --------------------------------------------------------------------------- #
_NUMBER_WORDS = r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred"
#: Label ranges of ids: the data decides where they end.
_ID_RANGE = re.compile(r"\b[PN][0-9]+\s*(?:–|-|\.\.)\s*[PN]?[0-9]+\b")


def descriptor_numbers(text: str) -> list[str]:
    """Counts and id ranges in a title or description of ``datapackage.json``.  Quoted
    examples ('6/22 (27.3%)'), labels (Table 1, C1–C4, N001), "1-based" and the Table 1
    glyph 7 are not counts."""
    found = _ID_RANGE.findall(text)
    t = re.sub(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"", "", text)
    t = prose(t)
    t = re.sub(r"\b1-based\b|✓ yes, 7 no|\bglyph 7\b", "", t)
    found += re.findall(rf"\d+(?:[.,]\d+)*|\b(?:{_NUMBER_WORDS})\b", t, flags=re.I)
    return found


def descriptor_texts(node, path: str = ""):
    """(JSON path, text) of every title, description and method the book shows."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in ("licenses", "sources"):
                yield from descriptor_texts(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from descriptor_texts(v, f"{path}[{i}]")
    elif isinstance(node, str) and path.rsplit(".", 1)[-1] in ("title", "description", "method", "summaryLabel"):
        yield path, node


def test_descriptor_text_states_no_counts():
    pkg = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    found = {path: descriptor_numbers(text) for path, text in descriptor_texts(pkg)}
    assert {path: n for path, n in found.items() if n} == {}


@pytest.mark.parametrize("text", [
    "Annotated LLM UQ method papers (Appendix A, P1–P37)",
    "The paper says 40 papers were analysed; the source annotates 37 and the other three are not invented.",
    "Table 1: the 22 benchmarks and criteria C1–C4",
    "Row number in Table 1 (1..22), table order.",
    "Paper id as numbered in Appendix A (P1..P37).",
])
def test_descriptor_scanner_catches_counts(text):
    assert descriptor_numbers(text) != []


@pytest.mark.parametrize("text", [
    "Table 1 of the paper, row for row in table order, plus columns the project codes itself.",
    "C1: the benchmark has a meaningful connection to a real-world task (✓ yes, 7 no, - n/a).",
    "paper_value keeps the paper's own display (e.g. '6/22 (27.3%)')",
    "1-based order of the dataset within the paper's annotation (b).",
    "Row id N001, N002, ...",
    "One row per method paper annotated in Appendix A.",
])
def test_descriptor_scanner_ignores_labels_and_examples(text):
    assert descriptor_numbers(text) == []
