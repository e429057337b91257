"""Reading the book in headless Chromium (issue 15, the content side): no image is
shrunk into illegibility at desktop or phone width, each page's first screen names a
finding, chart text is legible, untruncated and never overlaps, and a table wider
than the column scrolls inside its own container.

The server and the browser are the fixtures of test_browser.py (one harness)."""
from __future__ import annotations

import pytest

from conftest import toc_pages
from test_browser import browser, server  # noqa: F401  (fixtures of the one browser harness)

pytestmark = [pytest.mark.browser, pytest.mark.build]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 412, "height": 900}

#: Pages whose first screen is reference material, not a result: they name no finding.
NO_FINDING = {
    "chapters/how_to_cite": "front matter: how to cite the book",
    "chapters/data_dictionary": "reference: the schema of the data package",
    "chapters/bibliography": "reference: the works cited",
}


def open_at(browser, url: str, viewport: dict):  # noqa: F811
    context = browser.new_context(viewport=viewport)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                  else r.abort())
    page = context.new_page()
    page.goto(url, wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=15000)
    except Exception:  # a page that keeps a connection open is still checked
        pass
    page.wait_for_function("""() => [...document.querySelectorAll('div[id^="altair-viz-"]')]
                                    .every(d => d.querySelector('svg, canvas, .error'))""", timeout=20000)
    return page


IMAGES_JS = """() => [...document.querySelectorAll('article.bd-article img')].map(i => ({
    src: i.src.split('/').pop(), natural: i.naturalWidth,
    shown: i.getBoundingClientRect().width, loaded: i.complete && i.naturalWidth > 0}))"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "412"])
@pytest.mark.parametrize("docname", toc_pages())
def test_images_are_not_shrunk_into_illegibility(server, browser, docname, viewport):  # noqa: F811
    """Each image is shown at no less than 45% of its intrinsic width (a 2x image shown
    at half size passes; SVG figures are drawn at the column's width)."""
    page = open_at(browser, f"{server}/{docname}.html", viewport)
    try:
        images = page.evaluate(IMAGES_JS)
    finally:
        page.context.close()
    assert all(i["loaded"] for i in images), [i for i in images if not i["loaded"]]
    small = [i for i in images if i["shown"] < 0.45 * i["natural"]]
    assert small == [], f"{docname} at {viewport['width']} px: shrunk images {small}"


FINDING_JS = """() => [...document.querySelectorAll('article.bd-article .uq-finding, article.bd-article .uq-findings')]
  .map(e => ({top: e.getBoundingClientRect().top + window.scrollY, text: e.innerText}))"""


@pytest.mark.parametrize("docname", [d for d in toc_pages() if d not in NO_FINDING])
def test_first_screen_names_a_finding(server, browser, docname):  # noqa: F811
    """A finding is an element of class uq-finding (uq-findings on the front page)
    holding a number; one must start within the first 1366 x 768 screen."""
    page = open_at(browser, f"{server}/{docname}.html", DESKTOP)
    try:
        found = page.evaluate(FINDING_JS)
    finally:
        page.context.close()
    first = [f for f in found if f["top"] < DESKTOP["height"] and any(ch.isdigit() for ch in f["text"])]
    assert first, f"{docname}: no finding in the first screen; findings at {[round(f['top']) for f in found]}"


def test_front_page_shows_all_its_findings_without_scrolling(server, browser):  # noqa: F811
    from uqsurvey.survey.data import load
    from uqsurvey.survey.ledger import evaluate

    page = open_at(browser, f"{server}/index.html", DESKTOP)
    try:
        box = page.evaluate("""() => { const r = document.querySelector('.uq-findings').getBoundingClientRect();
                                       return {top: r.top, bottom: r.bottom}; }""")
        text = page.inner_text(".uq-findings")
        links = page.evaluate("() => [...document.querySelectorAll('.uq-findings a')].map(a => a.getAttribute('href'))")
    finally:
        page.context.close()
    assert box["bottom"] <= DESKTOP["height"], f"the key findings end at {box['bottom']:.0f} px"
    for r in evaluate(load()):
        if r.status == "differs":
            assert r.id in text and r.recomputed_value in text and f"chapters/ledger.html#claim-{r.id}" in links


CHART_TEXT_JS = """() => [...document.querySelectorAll('div[id^="altair-viz-"] svg')].map(svg => {
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim());
  const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize));
  const truncated = texts.map(t => t.textContent).filter(s => s.endsWith('…'));
  const overlaps = [];
  for (const g of svg.querySelectorAll('g.role-axis-label')) {
    const boxes = [...g.querySelectorAll('text')].filter(t => t.textContent.trim() &&
        getComputedStyle(t).opacity !== '0').map(t => ({s: t.textContent, r: t.getBoundingClientRect()}));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) overlaps.push(boxes[i].s + ' / ' + boxes[j].s);
    }
  }
  return {id: svg.closest('div[id^="altair-viz-"]').id, smallest: Math.min(...sizes), truncated, overlaps};
})"""

CHART_PAGES = ["chapters/explorer", "chapters/ecological_validity", "chapters/metrics_and_human_studies",
               "chapters/ece_vs_smece", "chapters/ledger"]


@pytest.mark.parametrize("docname", CHART_PAGES)
def test_chart_text_is_legible_untruncated_and_does_not_overlap(server, browser, docname):  # noqa: F811
    page = open_at(browser, f"{server}/{docname}.html", DESKTOP)
    try:
        charts = page.evaluate(CHART_TEXT_JS)
        if docname == "chapters/ece_vs_smece":  # every view of the interactive chart
            select = page.locator('div[id^="altair-viz-"] .vega-bindings select')
            for i in range(select.count()):
                for value in select.nth(i).evaluate("s => [...s.options].map(o => o.value)"):
                    select.nth(i).select_option(value)
                    page.wait_for_timeout(150)
                    charts += page.evaluate(CHART_TEXT_JS)
    finally:
        page.context.close()
    assert charts
    for c in charts:
        assert c["smallest"] >= 11, c
        assert c["truncated"] == [], c
        assert c["overlaps"] == [], c


TABLES_JS = """() => [...document.querySelectorAll('article.bd-article table')].map(t => {
  const box = t.closest('.uq-table-scroll');
  return {cls: t.className, wide: t.getBoundingClientRect().width > (box || t.parentElement).clientWidth + 1,
          boxed: !!box, scrolls: box ? getComputedStyle(box).overflowX : null,
          fits: (box || t).getBoundingClientRect().right <= document.documentElement.clientWidth + 1};
})"""


@pytest.mark.parametrize("docname", [d for d in toc_pages() if d.startswith("chapters/")])
def test_wide_tables_scroll_in_their_own_container_on_a_phone(server, browser, docname):  # noqa: F811
    page = open_at(browser, f"{server}/{docname}.html", PHONE)
    try:
        tables = page.evaluate(TABLES_JS)
    finally:
        page.context.close()
    for t in tables:
        if "uq-table" not in t["cls"].split():
            continue
        assert t["boxed"] and t["scrolls"] == "auto" and t["fits"], (docname, t)


ZOOM_JS = """() => [...document.querySelectorAll('article.bd-article figure img')].map(i => {
    const box = i.closest('.uq-zoom');
    return {src: i.src.split('/').pop(), natural: i.naturalWidth, shown: i.getBoundingClientRect().width,
            zoomable: !!box && box.classList.contains('uq-zoomable'),
            hint: box && box.nextElementSibling ? box.nextElementSibling.innerText : ''};
})"""


@pytest.mark.parametrize("docname", ["chapters/demo_shift", "chapters/ecological_validity"])
def test_a_figure_shrunk_on_a_phone_enlarges_on_tap_and_scrolls_in_its_own_box(server, browser, docname):  # noqa: F811
    """On a phone a figure drawn for the desktop column is shrunk, its text with it: a tap
    shows it at its own size (text at the plot style's size) inside a box that scrolls
    sideways, without widening the page; a second tap fits it again.  At 1366 px no figure
    is shrunk, so none offers it."""
    page = open_at(browser, f"{server}/{docname}.html", DESKTOP)
    try:
        assert not any(f["zoomable"] for f in page.evaluate(ZOOM_JS))
    finally:
        page.context.close()
    page = open_at(browser, f"{server}/{docname}.html", PHONE)
    try:
        figures = page.evaluate(ZOOM_JS)
        shrunk = [f for f in figures if f["shown"] < 0.8 * f["natural"]]
        assert shrunk and all(f["zoomable"] and "Tap the figure" in f["hint"] for f in shrunk)
        img = page.locator(".uq-zoom.uq-zoomable img").first
        img.scroll_into_view_if_needed()
        img.click()
        state = page.evaluate("""() => { const b = document.querySelector('.uq-zoom.uq-zoomed'), i = b.querySelector('img');
            return {shown: i.getBoundingClientRect().width, natural: i.naturalWidth, box: b.getBoundingClientRect().width,
                    scroll: b.scrollWidth, page: document.documentElement.scrollWidth, expanded: i.getAttribute('aria-expanded')}; }""")
        assert abs(state["shown"] - state["natural"]) <= 1 and state["expanded"] == "true"
        assert state["box"] <= PHONE["width"] and state["scroll"] >= state["natural"] - 1
        assert state["page"] <= PHONE["width"], "the enlarged figure widened the page"
        img.press("Enter")  # the keyboard works too: back to the screen's width
        assert page.evaluate("document.querySelectorAll('.uq-zoomed').length") == 0
        assert img.bounding_box()["width"] < 0.8 * state["natural"]
    finally:
        page.context.close()
