"""The ledger in headless Debian Chromium: the filter changes what is shown, the badges
are styled (each status its own colour), a phone shows the status column, and a
claim's citation line leads to its anchor.  Served on 127.0.0.1; no other host."""
from __future__ import annotations

import pytest
from test_browser import browser, open_page, server  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.build]


@pytest.fixture(scope="module")
def ledger():
    from uqsurvey.survey.data import load
    from uqsurvey.survey.ledger import evaluate

    return evaluate(load())


def visible_entries(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('section.uq-claim')]
                 .filter(s => s.offsetParent !== null).map(s => s.id.replace('claim-', ''))""")


def visible_rows(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('table.uq-ledger-summary tbody tr')].filter(r => r.offsetParent !== null).length")


def test_filter_by_status_and_section_changes_what_is_shown(server, browser, ledger):  # noqa: F811
    from uqsurvey.book.ledger_page import section_groups

    differs = [r.id for r in ledger if r.status == "differs"]
    differs_s3 = [r.id for r in ledger if r.status == "differs" and "§3" in section_groups(r.section)]
    assert len(ledger) > len(differs) > len(differs_s3) > 0
    page, record = open_page(browser, f"{server}/chapters/ledger.html")
    try:
        form = page.locator("form.uq-filter")
        assert form.is_visible()
        assert len(visible_entries(page)) == len(ledger) and visible_rows(page) == len(ledger)
        for box in form.locator('input[name="status"]').all():
            if box.get_attribute("value") != "differs":
                box.uncheck()
        assert visible_entries(page) == differs and visible_rows(page) == len(differs)
        assert page.locator(".uq-filter-count").inner_text() == f"Showing {len(differs)} of {len(ledger)} claims."
        form.locator('select[name="section"]').select_option("§3")
        assert visible_entries(page) == differs_s3 and visible_rows(page) == len(differs_s3)
    finally:
        page.context.close()
    assert record["console"] == [] and record["pageerror"] == [] and record["foreign"] == []


def test_a_link_with_a_status_opens_the_filtered_ledger(server, browser, ledger):  # noqa: F811
    differs = [r.id for r in ledger if r.status == "differs"]
    page, record = open_page(browser, f"{server}/intro.html")
    try:
        page.locator('p.uq-status-counts a[href*="status=differs"]').click()
        page.wait_for_load_state("load")
        assert page.url.endswith("chapters/ledger.html?status=differs#uq-ledger-filter")
        assert visible_entries(page) == differs
    finally:
        page.context.close()
    assert record["console"] == [] and record["pageerror"] == []


def test_badges_are_styled_one_colour_per_status(server, browser, ledger):  # noqa: F811
    from uqsurvey.survey.figures import STATUS_COLORS

    def rgb(hex_: str) -> str:
        h = hex_.lstrip("#")
        return "rgb({}, {}, {})".format(*(int(h[i:i + 2], 16) for i in (0, 2, 4)))

    present = sorted({r.status for r in ledger})
    assert len(present) >= 3
    for path in ("chapters/ledger.html", "chapters/review_checklist.html", "intro.html"):
        page, _record = open_page(browser, f"{server}/{path}")
        try:
            styles = page.evaluate(
                """() => Object.fromEntries([...document.querySelectorAll('span.uq-badge[data-uq-status]')].map(b => {
                       const s = getComputedStyle(b);
                       return [b.dataset.uqStatus, {bg: s.backgroundColor, border: s.borderTopColor,
                                                    radius: s.borderTopLeftRadius}];
                   }))""")
        finally:
            page.context.close()
        assert styles, path
        for status, style in styles.items():
            assert style["border"] == rgb(STATUS_COLORS[status]), (path, status, style)
            assert style["bg"] not in ("rgba(0, 0, 0, 0)", "transparent") and style["radius"] != "0px"
        if path == "chapters/ledger.html":
            assert set(styles) == set(present)
            backgrounds = [styles[s]["bg"] for s in present]
            assert len(set(backgrounds)) == len(present), backgrounds  # the computed colour differs


def test_on_a_phone_the_status_is_visible(server, browser, ledger):  # noqa: F811
    context = browser.new_context(viewport={"width": 412, "height": 915}, device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(f"{server}/chapters/ledger.html", wait_until="load")
        page.locator("table.uq-ledger-summary").scroll_into_view_if_needed()
        for row in page.locator("table.uq-ledger-summary tbody tr").all()[:5]:
            box = row.locator("td.uq-col-status .uq-badge").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 412, box
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 412, width  # no sideways scrolling of the page
    finally:
        context.close()


def test_a_citation_line_leads_to_its_claim(server, browser):  # noqa: F811
    page, record = open_page(browser, f"{server}/chapters/ledger.html")
    try:
        where = page.locator("#claim-c1-c3 a.uq-cite-url").inner_text()
        path = where.removeprefix("local build, ")
        assert path == "chapters/ledger.html#claim-c1-c3"
        page.goto(f"{server}/{path}", wait_until="load")
        assert page.evaluate("() => location.hash") == "#claim-c1-c3"
        target = page.locator("#claim-c1-c3")
        assert target.is_visible() and target.evaluate("e => e.getBoundingClientRect().top") < 300
    finally:
        page.context.close()
    assert record["console"] == [] and record["pageerror"] == []
