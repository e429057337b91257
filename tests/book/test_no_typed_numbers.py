"""No typed numbers: every statistic in a chapter's prose comes from code.

The scan removes front matter, code cells, fenced blocks, inline code, math
and roles (glue, cite, ref, ...), then looks for percentages, "N of M" and
counts next to papers, benchmarks, methods or studies.  Section and
recommendation labels (§3, R4, C1, P12, Table 1) are not statistics.
"""
from __future__ import annotations

import re
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


def prose(text: str) -> str:
    """The prose of a MyST notebook: what a reader reads that no code produced."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # front matter
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", text, flags=re.S | re.M)  # code cells / fences
    text = re.sub(r"^:{3,}.*?$", "", text, flags=re.M)  # colon-fence markers (content kept)
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
