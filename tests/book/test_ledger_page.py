"""The ledger page's parts, without a build: badges and their colours, the "why" as
sentences, the citation line, the claim -> section map, and the exports' version and
integers.  (The built page, its links both ways and the filter in a browser are tested
in test_ledger_build.py and test_browser.py.)"""
from __future__ import annotations

import csv
import io
import json
import re
from html import escape

import pytest
from conftest import ROOT

from uqsurvey.book import ledger_page as L
from uqsurvey.survey.figures import STATUS_COLORS
from uqsurvey.survey.ledger import STATUS_MEANING, STATUSES, evaluate, to_csv, to_json

VOCABULARY = ("reproduced", "reproduced-under-reading", "differs", "project-coded", "not-checkable")
VERSION = {"version": "abc123def456", "commit": "abc123def456", "date": "2026-01-02"}


# --------------------------------------------------------------------------- #
# Badges: one per status of issue 12's vocabulary, one colour each
# --------------------------------------------------------------------------- #
def test_every_status_has_a_badge_a_colour_and_a_css_rule():
    assert tuple(L.STATUS_LABEL) == VOCABULARY
    assert set(STATUS_COLORS) == set(VOCABULARY) and len(set(STATUS_COLORS.values())) == len(VOCABULARY)
    assert set(STATUSES) <= set(VOCABULARY) and set(STATUS_MEANING) == set(STATUSES)
    css = (ROOT / "_static" / "uq-ledger.css").read_text(encoding="utf-8")
    rules = dict(re.findall(r'\[data-uq-status="([a-z-]+)"\]\s*\{\s*--uq-status:\s*(#[0-9A-Fa-f]{6});', css))
    assert {k: v.upper() for k, v in rules.items()} == {k: v.upper() for k, v in STATUS_COLORS.items()}
    for status in VOCABULARY:
        html = L.badge(status, 3)
        assert f'data-uq-status="{status}"' in html and L.STATUS_LABEL[status][1] in html and ">3<" in html
    with pytest.raises(KeyError, match="unknown status 'agrees'"):
        L.badge("agrees")


def test_status_counts_follow_the_vocabulary_and_skip_empty_statuses(ledger):
    counts = L.status_counts(ledger.values())
    assert list(counts) == [s for s in VOCABULARY if s in counts]
    assert sum(counts.values()) == len(ledger) and all(n > 0 for n in counts.values())
    html = L.status_counts_html(ledger.values(), "chapters/ledger.html")
    assert html.count('href="chapters/ledger.html?status=') == len(counts)


# --------------------------------------------------------------------------- #
# The "why" as sentences
# --------------------------------------------------------------------------- #
def test_why_is_written_as_sentences(ledger):
    # c1: 6 of 22 rows have C1 = yes (tests/survey/test_claims.py counts them by hand).
    assert L.why_sentences(ledger["c1"]) == ("The data gives the paper's number, 6/22 (27.3%), on the primary "
                                             "reading of the source, under the rule “Table 1 rows with C1 = ✓”.")
    # qa-or-commonsense: 16 by category; BIG-bench ("Other reasoning") brings it to the paper's 17, and so
    # does the recorded reading R037 under the primary rule.
    assert L.why_sentences(ledger["qa-or-commonsense"]) == (
        "Under the rule “category contains 'QA' or is 'Commonsense'”, the data gives 16/22 (72.7%) on the primary "
        "reading of the source; the paper states 17. The paper's number is reached with the rule '… or 'Other "
        "reasoning' (BIG-bench)' on the primary reading. Under the primary rule, it is reached under the "
        "reading R037.")
    # supervised-papers: 18 coded supervised; P10 is coded mixed, and reading R001 (P10 supervised) gives 19.
    assert L.why_sentences(ledger["supervised-papers"]) == (
        "Under the rule “papers coded supervised”, the data gives 18 on the primary reading of the source; the "
        "paper states 19. The paper's number is reached with the primary rule under the reading R001 (papers P10 "
        "supervision: mixed → supervised).")
    # benchmarks-min-two-papers: no reading reaches it; the sentence says how many were combined.
    why = L.why_sentences(ledger["benchmarks-min-two-papers"])
    assert "No recorded reading of the source and no named counting rule gives the paper's number: " in why
    assert ledger["benchmarks-min-two-papers"].enumeration + "." in why
    # papers-analyzed: no reading touches it, no other rule
    assert ("No recorded reading touches the claim's inputs, and no other counting rule is recorded."
            in L.why_sentences(ledger["papers-analyzed"]))
    # a project-coded entry names the column and keeps its verdict
    assert L.why_sentences(ledger["multiple-choice"]).startswith(
        "The verdict rests on benchmarks.answer_format, a coding the project added; the source does not state it. "
        "On that coding, the claim is reproduced under a reading. Under the rule")
    assert "The paper's number is reached with the rule 'closed answer set or mixed' on the primary reading." in \
        L.why_sentences(ledger["multiple-choice"])
    assert L.why_sentences(ledger["human-uplift"]).startswith(
        "The paper's qualitative statement (“rare”) holds in the data on the primary reading of the source: "
        "2/37 (5.4%) under the rule")
    assert L.why_sentences(ledger["wildchat-factual-qa"]) == (
        "The data cannot check this claim: an external figure from Zhao et al. (2024); the survey data holds no "
        "WildChat queries.")
    for r in ledger.values():
        why = L.why_sentences(r)
        assert why[0].isupper() and why.endswith("."), r.id
        # never the joined machine string of evaluate()
        assert "verdict on that coding:" not in why and "; under the primary rule, under" not in why, r.id
        if r.status == "reproduced-under-reading":
            assert r.reaches_text and r.reaches_text in why, r.id
        if r.status == "project-coded":
            assert all(c in why for c in r.project_columns), r.id


def test_the_readings_table_names_the_reading_that_reaches_the_paper(ledger, d):
    r = ledger["supervised-shift"]
    labels = {"R001": "R001 (papers P10 supervision: mixed → supervised)"}
    html = L.readings_html(r, labels)
    assert html.startswith('<details class="uq-readings"><summary>Under the recorded readings: '
                           f"{escape(r.enumeration)}</summary>")
    # the row of the primary reading, and R001 giving the paper's 10/19 (tests/survey/test_claims.py)
    assert "<tr><td>shift = yes among papers coded supervised</td><td>9/18 (50.0%)</td><td>primary reading</td>" in html
    assert ('<td>10/19 (52.6%)</td><td><abbr title="R001 (papers P10 supervision: mixed → supervised)">R001</abbr>'
            "</td><td>= paper</td>") in html
    assert L.readings_html(ledger["c1"]) == ""  # no reading touches C1
    entries = L.ledger_html([r, ledger["multiple-choice"]], d, identity={"book_url": None}, version=VERSION)
    assert "<p><b>Paper's number reached by:</b> the primary rule under the reading R001 (papers P10" in entries
    assert ("<p><b>Project coding:</b> rests on <code>benchmarks.answer_format</code>, which the source does not "
            'state; verdict on that coding: <span class="uq-badge" data-uq-status="reproduced-under-reading"') in entries
    summary = L.summary_html([r, ledger["c1"], ledger["papers-analyzed"]])
    assert re.findall(r'<span class="uq-reached">([^<]*)<', summary) == ["paper's number: R001"]  # c1: none


def test_sentence():
    assert L.sentence("'most' holds under: a; b") == "'Most' holds under: a; b."
    assert L.sentence("done.") == "Done." and L.sentence("  ") == ""


# --------------------------------------------------------------------------- #
# Citing a claim
# --------------------------------------------------------------------------- #
def test_cite_line_with_and_without_the_books_url(ledger):
    r = ledger["c1"]
    published = L.cite_parts(r, {"book_url": "https://books.example.org/uq"}, VERSION)
    assert published["url"] == published["where"] == "https://books.example.org/uq/chapters/ledger.html#claim-c1"
    assert published["text"] == (
        "Six of the 22 benchmarks are grounded in a real-world application (C1) (Devic et al., 2025, §3.2; paper: "
        "6/22 (27.3%); ledger: 6/22 (27.3%), reproduced), recomputed in *From Calibration to Collaboration: an "
        "executable companion*, version abc123def456 (built 2026-01-02), "
        "https://books.example.org/uq/chapters/ledger.html#claim-c1.")
    local = L.cite_parts(r, {"book_url": None}, VERSION)
    assert local["url"] is None and local["where"] == "local build, chapters/ledger.html#claim-c1"
    assert local["text"].endswith("(built 2026-01-02), local build, chapters/ledger.html#claim-c1.")
    html = L.cite_html(r, {"book_url": None}, VERSION)
    assert 'href="#claim-c1"' in html and "commit <code>abc123def456</code>, built 2026-01-02" in html


def test_stamps_are_filled_when_the_page_is_written(ledger):
    from uqsurvey.book.meta import DEFERRED_IDENTITY, STAMP, fill_stamps

    html = L.cite_html(ledger["c4"], DEFERRED_IDENTITY, STAMP)
    assert "abc123def456" not in html and "@@uq-version@@" in html and "@@uq-href@@/chapters/" in html
    local = fill_stamps(html, VERSION, {"book_url": None}, "chapters/ledger")
    assert 'href="ledger.html#claim-c4">local build, chapters/ledger.html#claim-c4</a>' in local
    assert local.endswith("version abc123def456 (built 2026-01-02), local build, chapters/ledger.html#claim-c4."
                          "</pre></div></div>")
    assert "@@uq-" not in local
    published = fill_stamps(html, VERSION, {"book_url": "https://b.example.org/uq"}, "chapters/ledger")
    url = "https://b.example.org/uq/chapters/ledger.html#claim-c4"
    assert f'href="{url}">{url}</a>' in published and published.count(url) == 3 and "@@uq-" not in published
    # a stamp on another page links relatively from there
    assert fill_stamps("@@uq-href@@/chapters/ledger.html#claim-c1", VERSION, {"book_url": None}, "intro") == \
        "chapters/ledger.html#claim-c1"


def test_book_identity_reads_the_environment_then_the_config(tmp_path):
    from uqsurvey.book.meta import book_identity

    (tmp_path / "_config.yml").write_text("html:\n  baseurl: https://conf.example.org/b/\n", encoding="utf-8")
    assert book_identity(tmp_path, {}) == {"book_url": "https://conf.example.org/b", "repository_url": None}
    assert book_identity(tmp_path, {"UQSURVEY_BOOK_URL": "https://env.example.org"}) == {
        "book_url": "https://env.example.org", "repository_url": None}
    # the sources configure no URL: a local build
    assert book_identity(ROOT, {}) == {"book_url": None, "repository_url": None}
    with pytest.raises(ValueError, match="environment variable UQSURVEY_BOOK_URL must be an absolute"):
        book_identity(tmp_path, {"UQSURVEY_BOOK_URL": "example.org"})


# --------------------------------------------------------------------------- #
# Claim -> chapter section
# --------------------------------------------------------------------------- #
_LABEL = re.compile(r"^\(([a-z0-9]+(?:-[a-z0-9]+)*)\)=\s*$")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$")


def chapter_sections(pages) -> dict[str, tuple[str, str]]:
    """``label -> (page, title)`` for every MyST label ``(label)=`` in *pages*, read from the
    sources: the heading after the label, or the bold lead (``R5``) of a paragraph."""
    out: dict[str, tuple[str, str]] = {}
    for page in sorted(set(pages)):
        lines = (ROOT / f"{page}.md").read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = _LABEL.match(line)
            if m:
                nxt = next((x for x in lines[i + 1:] if x.strip()), "")
                h, lead = _HEADING.match(nxt), re.search(r"\*\*(R\d+)\.?\*\*", nxt)
                out[m.group(1)] = (page, h.group(1) if h else lead.group(1) if lead else m.group(1))
    return out


def test_every_mapped_section_exists_and_links_back_in_its_page(d):
    sections = L.claim_sections(d)
    assert sections and set(sections) <= set(d.claims["id"])
    titles = chapter_sections({p for p, _ in sections.values()})
    for cid, (page, label) in sections.items():
        assert titles.get(label, (None,))[0] == page, (cid, page, label)
        source = (ROOT / f"{page}.md").read_text(encoding="utf-8")
        assert f'section_links_html("{label}"' in source, (page, label)
    assert titles["ev-criteria"] == ("chapters/ecological_validity", "Do the benchmarks reflect real use? (§3.2)")
    assert titles["rec-r5"][1] == "R5"
    # the ledger names a section by the title Sphinx gives it when the page is written (a stamp),
    # and a recommendation's paragraph label by its number
    from uqsurvey.book.meta import label_title

    assert label_title("rec-r5", None) == "R5" and label_title("ev-criteria", "Do X? (§3.2)") == "Do X? (§3.2)"


def test_section_links_block_lists_the_sections_claims(ledger, d):
    html = L.section_links_html("ev-criteria", ledger.values(), d)
    ids = re.findall(r'href="ledger.html#claim-([a-z0-9-]+)"', html)
    assert ids == ["criteria-count", "c1", "c1-c2", "c3", "c1-c3", "c4"]  # claims.csv order
    with pytest.raises(KeyError, match="no claim in claim_sections.csv is discussed in section 'nowhere'"):
        L.section_links_html("nowhere", ledger.values(), d)


def test_section_groups():
    assert L.section_groups("3.2") == ["§3"]
    assert L.section_groups("Abstract; 1.1; 6") == ["Abstract", "§1", "§6"]
    assert L.section_groups("3 (footnote 2)") == ["§3"]
    assert L.section_groups("Appendix (ECE vs smECE)") == ["Appendix"]
    assert L.section_groups("3; Table 1") == ["§3", "Table 1"]


def test_summary_and_entries_carry_the_filter_attributes(ledger, d):
    results = list(ledger.values())
    summary = L.summary_html(results)
    assert summary.count("<tr data-uq-item") == len(results)
    assert "Six of the 22 benchmarks are grounded in a real-world application (C1)." in summary
    first_cells = re.findall(r"<tr data-uq-item[^>]*><td class=\"([a-z-]+)\"", summary)
    assert set(first_cells) == {"uq-col-status"}  # status first
    entries = L.ledger_html(results, d, identity={"book_url": None}, version=VERSION)
    for r in results:
        assert entries.count(f'id="claim-{r.id}"') == 1
    assert entries.count('class="uq-cite"') == len(results)
    # a section's title is a stamp until the page is written, then Sphinx's title for the label
    assert '<a href="ecological_validity.html#ev-criteria">@@uq-title:ev-criteria@@</a>' in entries
    from uqsurvey.book.meta import fill_stamps

    titles = {"ev-criteria": "Do the benchmarks reflect real use? (§3.2)"}
    written = fill_stamps(entries, {"version": "v", "commit": "c", "date": "d"}, {"book_url": None}, "chapters/ledger",
                          titles=titles.get)
    assert '<a href="ecological_validity.html#ev-criteria">Do the benchmarks reflect real use? (§3.2)</a>' in written
    assert "@@uq-title:" not in written
    form = L.filter_html(results)
    assert form.count('name="status"') == len(L.status_counts(results))
    assert '<option value="§3">§3</option>' in form and "hidden" in form


# --------------------------------------------------------------------------- #
# Exports: the version, and integers as integers
# --------------------------------------------------------------------------- #
def test_csv_carries_the_version_and_prints_integers(ledger):
    text = to_csv(list(ledger.values()), VERSION)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[-3:] == ["book_version", "book_commit", "book_date"]
    assert {(r["book_version"], r["book_commit"], r["book_date"]) for r in rows} == {
        ("abc123def456", "abc123def456", "2026-01-02")}
    by_id = {r["id"]: r for r in rows}
    assert by_id["papers-analyzed"]["recomputed_count"] == "37" and by_id["papers-analyzed"]["recomputed_total"] == ""
    assert (by_id["c1"]["recomputed_count"], by_id["c1"]["recomputed_total"]) == ("6", "22")
    assert ".0," not in text


def test_json_carries_the_version(ledger):
    rows = json.loads(to_json(list(ledger.values()), VERSION))
    assert all((r["book_version"], r["book_commit"], r["book_date"]) == ("abc123def456", "abc123def456", "2026-01-02")
               for r in rows)
    c1 = next(r for r in rows if r["id"] == "c1")
    assert c1["recomputed_count"] == 6 and isinstance(c1["recomputed_count"], int)
