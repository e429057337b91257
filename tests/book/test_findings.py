"""The findings that open the front page and the chapters (uqsurvey.book.findings):
counts by status for any status vocabulary, every differing claim with both values and
its ledger anchor, and sentences that agree in number."""
from __future__ import annotations

import re

import pytest

from uqsurvey.book.findings import claims_finding_html, key_findings_html
from uqsurvey.book.ledger_page import badge, status_counts
from uqsurvey.demos.headlines import Headline
from uqsurvey.survey.ledger import ClaimResult


def claim(i, status, paper="17", recomputed="16/22 (72.7%)"):
    return ClaimResult(id=i, section="3", statement=f"statement of {i}", paper_value=paper,
                       recomputed_value=recomputed, recomputed_count=None, recomputed_total=None,
                       status=status, rule="r", reason="why")


RESULTS = [claim("a", "reproduced"), claim("b", "differs", "10/19", "9/18 (50.0%)"), claim("c", "not-checkable"),
           claim("d", "reproduced-under-reading"), claim("e", "project-coded"), claim("f", "differs")]


def test_counts_keep_every_status_in_a_stable_order():
    from uqsurvey.survey.figures import STATUS_COLORS

    counts = status_counts(RESULTS)
    assert counts == {"reproduced": 1, "reproduced-under-reading": 1, "differs": 2, "project-coded": 1,
                      "not-checkable": 1}
    assert list(counts) == list(STATUS_COLORS)  # the vocabulary's order, whatever the input order
    assert list(status_counts(RESULTS[::-1])) == list(STATUS_COLORS)


def test_a_status_outside_the_vocabulary_is_an_error_not_dropped():
    future = RESULTS + [claim("g", "a-future-status")]
    with pytest.raises(KeyError, match="unknown status 'a-future-status'"):
        status_counts(future)
    with pytest.raises(KeyError, match="a-future-status"):
        key_findings_html(future, [])


def test_key_findings_name_every_differing_claim_with_both_values_and_a_link():
    heads = [Headline("chapters/demo_x", "Demo X", "It shows 3.5%.", {})]
    html = key_findings_html(RESULTS, heads)
    assert html.startswith('<section class="uq-findings"')
    for r in RESULTS:
        if r.status == "differs":
            assert re.search(rf'<a href="chapters/ledger.html#claim-{r.id}"[^>]*>{r.id}</a>: '
                             rf"{re.escape(r.paper_value)} → {re.escape(r.recomputed_value)}</li>", html)
    assert html.count("<li>") == 2 + 1
    assert '<a href="chapters/demo_x.html">Demo X</a>: It shows 3.5%.' in html
    for s, n in status_counts(RESULTS).items():  # the ledger's badges, each opening the filtered ledger
        assert (f'<a class="uq-badge-link" href="chapters/ledger.html?status={s}#uq-ledger-filter">'
                f"{badge(s, n)}</a>") in html
    assert html.count('class="uq-badge"') == 5
    assert "recomputes 6 claims" in html


def test_key_findings_name_each_claim_reproduced_only_under_a_reading_and_what_reaches_it():
    by_reading = claim("d", "reproduced-under-reading")
    by_reading.reaches_paper = {"readings": ["R001", "R002"], "rule": "r", "count": 17, "total": 22,
                                "value": "17/22 (77.3%)", "matches_paper": True}
    by_rule = claim("h", "reproduced-under-reading")
    by_rule.reaches_paper = {"readings": [], "rule": "another rule", "count": 17, "total": 22,
                             "value": "17/22 (77.3%)", "matches_paper": True}
    html = key_findings_html([claim("a", "reproduced"), by_reading, by_rule], [])
    assert ("Reproduced only under a recorded reading of the source or another counting rule: "
            '<a href="chapters/ledger.html#claim-d" title="statement of d">d</a> (R001+R002), '
            '<a href="chapters/ledger.html#claim-h" title="statement of h">h</a> (another counting rule).') in html
    assert "Reproduced only" not in key_findings_html([claim("a", "reproduced")], [])


def test_no_differing_claim_no_list():
    html = key_findings_html([claim("a", "reproduced")], [])
    assert "Claims that differ" not in html and "demonstrations" not in html


def test_chapter_finding_agrees_in_number():
    one = claims_finding_html([claim("a", "reproduced"), claim("b", "differs")])
    assert "Of the 2 numbers of the paper that this chapter checks, 1 reproduces and 1 differs." in one
    assert '<a href="ledger.html#claim-b"><code>b</code></a> (the paper: 17; recomputed: 16/22 (72.7%))' in one
    many = claims_finding_html(RESULTS, list_differs=False, what="the ledger")
    assert ("Of the 6 numbers of the paper that the ledger checks, 1 reproduces, 1 reproduces under a recorded "
            "reading, 2 differ, 1 rests on the project&#x27;s own coding and 1 cannot be checked from the data.") in many
    assert "Differing" not in many
    cited = claims_finding_html(RESULTS[:2], what="the review", verb="rests on")
    assert "Of the 2 numbers of the paper that the review rests on, 1 reproduces and 1 differs." in cited
    assert many.startswith('<div class="uq-finding">')
