"""The built book as a reviewer's tool (static HTML): every ledger entry links to the
chapter section that discusses it and that section links back; every claim's citation
line resolves to its anchor; every link the review command prints resolves to an anchor
of the built book; the review page shows the worked example."""
from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from conftest import ROOT

pytestmark = pytest.mark.build


def soup_of(path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def ids_of(path) -> set[str]:
    return {t.get("id") for t in soup_of(path).find_all(id=True)}


@pytest.fixture(scope="module")
def html(built_book):
    assert built_book["returncode"] == 0, "the book did not build; see test_book_build"
    return built_book["html"]


@pytest.fixture(scope="module")
def data():
    from uqsurvey.survey.data import load

    return load()


def test_ledger_entries_and_chapter_sections_link_both_ways(html, data):
    from uqsurvey.book.ledger_page import claim_sections

    ledger = soup_of(html / "chapters" / "ledger.html")
    sections = claim_sections(data)
    assert len(sections) >= 25
    pages: dict = {}
    for cid, (page, label) in sections.items():
        entry = ledger.find(id=f"claim-{cid}")
        assert entry is not None, cid
        forward = [a["href"] for a in entry.select("p.uq-discussed a")]
        target = html / f"{page}.html"
        rel = target.relative_to(html / "chapters") if page.startswith("chapters/") else None
        assert forward == [f"{rel.as_posix()}#{label}"], (cid, forward)
        if page not in pages:
            pages[page] = soup_of(target)
        chapter = pages[page]
        assert chapter.find(id=label) is not None, (page, label)
        # the link names the section by its title in the built chapter (no stamp left)
        text = entry.select_one("p.uq-discussed a").get_text(" ", strip=True)
        assert text and "@@" not in text, (cid, text)
        heading = chapter.find(id=label)
        heading = heading if heading.name == "section" else heading.find_parent("section")
        title = heading.find(["h1", "h2", "h3", "h4"]).get_text(" ", strip=True).rstrip("#").strip() if heading else ""
        assert text == title or label.startswith("rec-"), (cid, text, title)
        back = {a["href"] for a in chapter.select(".uq-ledger-links a")}
        assert f"ledger.html#claim-{cid}" in back, (page, cid)


def test_every_claim_has_a_citation_line_that_resolves(html, data):
    from uqsurvey.book.meta import book_version

    ledger = soup_of(html / "chapters" / "ledger.html")
    ledger_ids = ids_of(html / "chapters" / "ledger.html")
    commit = book_version(ROOT)["commit"]
    for cid in data.claims["id"]:
        cite = ledger.find(id=f"claim-{cid}").select_one(".uq-cite")
        assert cite is not None, cid
        where = cite.select_one("a.uq-cite-url")
        text = cite.select_one("pre.uq-cite-text").get_text()
        # a local build: "local build, <path>"; the link is the anchor, relative to the page
        assert "@@uq-" not in cite.decode()  # every stamp filled in
        assert where.get_text() == f"local build, chapters/ledger.html#claim-{cid}"
        assert where["href"] == f"ledger.html#claim-{cid}"
        path, _, fragment = where.get_text().removeprefix("local build, ").partition("#")
        assert (html / path).exists() and fragment in ledger_ids
        assert text.endswith(f"local build, chapters/ledger.html#claim-{cid}.") and commit in cite.get_text()


def test_summary_shows_each_claims_statement_and_badge(html, data):
    ledger = soup_of(html / "chapters" / "ledger.html")
    rows = ledger.select("table.uq-ledger-summary tbody tr")
    assert len(rows) == len(data.claims)
    statements = [r.select_one("td.uq-col-claim a").get_text() for r in rows]
    assert statements == list(data.claims["statement"])
    assert all(r.select_one("td.uq-col-status .uq-badge") for r in rows)


def test_front_page_and_review_page_show_the_same_badges(html):
    for page in ("intro.html", "chapters/ledger.html", "chapters/review_checklist.html",
                 "chapters/ecological_validity.html"):
        badges = soup_of(html / page).select("span.uq-badge[data-uq-status]")
        assert badges, page
    front = soup_of(html / "intro.html").select("p.uq-status-counts a")
    assert front and all(urlparse(a["href"]).path == "chapters/ledger.html" for a in front)


def review_links(args: list[str]) -> list[str]:
    import contextlib
    import io

    from uqsurvey import cli

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["review", *args]) == 0
    return re.findall(r"\]\(([^)]+)\)", out.getvalue())


@pytest.mark.parametrize("submission", ["examples/submission.yaml", "tests/book/test_review.py"])
def test_every_link_of_the_review_resolves_in_the_built_book(html, submission, tmp_path, monkeypatch):
    monkeypatch.delenv("UQSURVEY_BOOK_URL", raising=False)
    if submission.endswith(".py"):  # the three hand-written submissions of test_review.py
        import test_review

        paths = []
        for i, text in enumerate((test_review.SUBMISSION_A, test_review.SUBMISSION_B, test_review.SUBMISSION_C)):
            p = tmp_path / f"s{i}.yaml"
            p.write_text(__import__("textwrap").dedent(text), encoding="utf-8")
            paths.append(p)
    else:
        paths = [ROOT / submission]
    ids: dict = {}
    for path in paths:
        links = review_links([str(path)])
        assert links
        for link in links:
            target, _, fragment = link.partition("#")
            page = html / target
            assert page.exists(), link
            ids.setdefault(page, ids_of(page))
            assert fragment in ids[page], link
        # the same links, absolute: only the base changes
        base = "https://books.example.org/uq"
        assert review_links([str(path), "--base-url", base]) == [f"{base}/{link}" for link in links]


def test_review_page_runs_the_worked_example(html):
    page = soup_of(html / "chapters" / "review_checklist.html")
    text = page.get_text()
    assert "python -m uqsurvey review SUBMISSION.yaml" in text
    rendered = page.select_one("div.uq-review")
    assert rendered is not None and rendered.select("li")
    hrefs = [a["href"] for a in rendered.select("a")]
    assert hrefs and all(re.fullmatch(r"[a-z_]+\.html#[a-z0-9-]+", h) for h in hrefs), hrefs
    assert "field 'evaluation_set_sizes', 'MMLU': a size cannot be negative" in text  # the bad-input example
