"""The built book reads well (static checks of the HTML; the browser checks are in
test_browser_reading.py): every figure is numbered and captioned, matplotlib figures
are SVG, no raw pandas table is left, every table scrolls in its own container, no
code that computes a number or makes a figure or table is removed (only folded),
and every Chinese quotation has its English gloss."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import ROOT, toc_pages

pytestmark = pytest.mark.build

#: Tables written by code outside the table helper, with who owns them.
KNOWN_OTHER_TABLES = {
    "uq-sensitivity": "per-claim tables of the ledger entries (uqsurvey.book.ledger_page.ledger_html)",
    "uq-ledger-summary": "the ledger's summary and the review checklist's cited claims "
                         "(uqsurvey.book.ledger_page; on a phone each row is a card, _static/uq-ledger.css)",
}

#: A removed cell that only shows a section's links back to the ledger: navigation, not a result.
SECTION_LINKS = re.compile(r'^display\(HTML\(section_links_html\("[a-z0-9-]+", results, data\)\)\)$')


class Page(HTMLParser):
    """The elements of a page that matter here, each with its ancestors."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.images, self.charts, self.tables, self.captions, self.cells = [], [], [], [], []
        self.text_in: dict[int, str] = {}
        self._caption = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag in ("img", "meta", "link", "br", "hr", "input", "source"):
            self._element(tag, a)
            return
        self.stack.append((tag, a))
        self._element(tag, a)
        if tag == "figcaption":
            self._caption = [len(self.stack), ""]

    def _element(self, tag, a):
        anc = list(self.stack)
        if tag == "img":
            self.images.append((a, anc))
        elif tag == "div" and a.get("id", "").startswith("altair-viz-"):
            self.charts.append((a, anc))
        elif tag == "table":
            self.tables.append((a, anc))
        elif tag == "div" and "cell" in a.get("class", "").split():
            self.cells.append(a)

    def handle_data(self, data):
        if self._caption is not None:
            self._caption[1] += data

    def handle_endtag(self, tag):
        if self._caption is not None and tag == "figcaption" and len(self.stack) == self._caption[0]:
            self.captions.append(self._caption[1])
            self._caption = None
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break


def classes(a: dict) -> set[str]:
    return set(a.get("class", "").split())


def parse(html_dir, docname) -> tuple[Page, str]:
    text = (html_dir / f"{docname}.html").read_text(encoding="utf-8")
    main = text[text.index('<article class="bd-article"'):text.index("</article>") + len("</article>")]
    p = Page()
    p.feed(main)
    return p, main


@pytest.fixture(scope="module")
def html(built_book):
    assert built_book["returncode"] == 0, "the book did not build; see test_book_build"
    return built_book["html"]


def in_numbered_figure(ancestors) -> bool:
    return any(tag == "figure" for tag, _ in ancestors)


@pytest.mark.parametrize("docname", toc_pages())
def test_every_figure_is_numbered_and_captioned(html, docname):
    page, main = parse(html, docname)
    figures = main.count("<figure")
    numbers = re.findall(r'<span class="caption-number">Fig\. (\d+) </span>', main)
    assert len(numbers) == figures, f"{docname}: {figures} figures, {len(numbers)} numbered captions"
    for what, items in (("image", page.images), ("chart", page.charts)):
        loose = [a.get("src") or a.get("id") for a, anc in items if not in_numbered_figure(anc)]
        assert loose == [], f"{docname}: {what}s without a numbered caption: {loose}"
    assert all(c.strip() for c in page.captions), f"{docname}: an empty caption"


def test_figure_numbers_are_unique_and_consecutive(html):
    numbers = []
    for docname in toc_pages():
        numbers += [int(n) for n in re.findall(r'<span class="caption-number">Fig\. (\d+) </span>',
                                               (html / f"{docname}.html").read_text(encoding="utf-8"))]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 20


@pytest.mark.parametrize("docname", toc_pages())
def test_matplotlib_figures_are_svg(html, docname):
    page, _ = parse(html, docname)
    for a, _ in page.images:
        assert a["src"].endswith(".svg"), f"{docname}: {a['src']} is not SVG"


@pytest.mark.parametrize("docname", toc_pages())
def test_no_raw_pandas_table_and_every_table_scrolls(html, docname):
    page, main = parse(html, docname)
    assert 'class="dataframe' not in main, "pandas to_html output"
    assert not re.search(r"#T_[0-9a-f_]+", main), "a pandas Styler"
    assert not re.search(r'class="(?:index_name|blank|row_heading|col_heading)', main), "an index-name row"
    assert not re.search(r"<td[^>]*>\s*(?:True|False|nan|None)\s*</td>", main), "a raw boolean or missing value"
    for a, anc in page.tables:
        cls = classes(a)
        if cls & set(KNOWN_OTHER_TABLES):
            continue
        assert "uq-table" in cls, f"{docname}: a table not made by uqsurvey.book.tables.table: {a}"
        assert any("uq-table-scroll" in classes(x) for _, x in anc), f"{docname}: a table outside a scroll container"
    for head in re.findall(r"<thead>(.*?)</thead>", main, flags=re.S):
        assert head.count("<tr") == 1, f"{docname}: a table with several header rows"


@pytest.mark.parametrize("docname", toc_pages())
def test_code_that_computes_or_draws_is_folded_not_removed(docname):
    """A removed cell may only import, set the style or glue plain settings (no tables,
    figures or computed numbers); everything else is folded (hide-input).  A cell that
    shows only the book's own identity (its addresses, the clone command, a citation
    line: everything it imports from the package is :mod:`uqsurvey.book.meta`) is
    plumbing, not a result; so is a cell that only shows a section's links back to the
    ledger (:func:`uqsurvey.book.ledger_page.section_links_html`)."""
    import jupytext

    path = ROOT / f"{docname}.md"
    if not path.exists():
        pytest.skip("not a notebook page")
    for cell in jupytext.read(path).cells:
        if cell.cell_type != "code" or "remove-input" not in cell.metadata.get("tags", []):
            continue
        src = cell.source
        if SECTION_LINKS.match(src.strip()):
            continue
        imported = re.findall(r"^\s*(?:from|import)\s+(uqsurvey[\w.]*)", src, flags=re.M)
        if imported and set(imported) == {"uqsurvey.book.meta"}:
            continue
        assert not re.search(r"\b(?:table|figure_\w+|display|evaluate|glue_claims|sweep|experiment|comparison)\(",
                             src), f"{docname}: a removed cell computes or shows something:\n{src}"
        assert "mystnb" not in cell.metadata, f"{docname}: a removed cell makes a figure"


# --------------------------------------------------------------------------- #
# English first: every Chinese quotation has a gloss
# --------------------------------------------------------------------------- #
IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")


def test_data_dictionary_glosses_every_chinese_quotation(html):
    """Every Chinese phrase quoted in the descriptor is glossed on the page, each gloss
    right beside its quotation."""
    from uqsurvey.survey.data import load
    from uqsurvey.survey.docs import reader_text
    from uqsurvey.survey.glossary import glossary, unglossed

    d = load()
    terms = glossary(d)

    def strings(node):
        if isinstance(node, dict):
            for v in node.values():
                yield from strings(v)
        elif isinstance(node, list):
            for v in node:
                yield from strings(v)
        elif isinstance(node, str):
            yield node

    left = {t: unglossed(reader_text(t), terms) for t in strings(d.package)}
    assert {t: u for t, u in left.items() if u} == {}
    _, main = parse(html, "chapters/data_dictionary")
    quotes = re.findall(r'<span lang="zh">([^<]*)</span>(.{0,40})', main)
    assert quotes and all(after.startswith(' <span class="uq-gloss">(“') for _, after in quotes)
    outside = re.sub(r'<span lang="zh">[^<]*</span>', "", main)
    outside = re.sub(r'<div class="highlight.*?</pre>', "", outside, flags=re.S)  # folded code
    assert not IDEOGRAPH.search(re.sub(r"<[^>]+>", "", outside)), "Chinese outside a glossed quotation"


def test_annotated_papers_gloss_every_normalised_name(html):
    _, main = parse(html, "chapters/annotated_papers")
    names = re.findall(r'<code class="docutils literal notranslate"><span class="pre">([^<]*)</span></code>(.{0,12})', main)
    chinese = [(n, after) for n, after in names if IDEOGRAPH.search(n)]
    assert len(chinese) >= 40
    assert all(after.startswith(" (“") for _, after in chinese), [c for c in chinese if not c[1].startswith(" (“")]


def test_tables_of_quotations_carry_their_gloss():
    from uqsurvey.survey import figures as sf
    from uqsurvey.survey.data import load
    from uqsurvey.survey.glossary import has_chinese

    t = sf.table_human_studies(load())
    for given, gloss in zip(t["annotation (as given)"], t["annotation (English gloss)"]):
        assert not has_chinese(given) or (gloss and not has_chinese(gloss))


def test_every_chinese_as_given_value_is_in_the_glossary():
    from uqsurvey.survey.data import load
    from uqsurvey.survey.glossary import glossary, has_chinese

    d = load()
    terms = glossary(d)
    quoted = set(d.normalizations["as_given"].astype(str))
    for col in ("shift_as_given", "supervision_as_given", "human_study_as_given"):
        quoted |= set(d.papers[col].astype(str))
    quoted |= set(d.paper_datasets["dataset_as_given"].astype(str)) | set(d.paper_metrics["metric_as_given"].astype(str))
    missing = sorted(t for t in quoted if has_chinese(t) and t.strip() not in terms)
    assert missing == []


def test_readings_of_the_source_show_each_quotation_beside_its_gloss():
    """Part I's "Readings of the source": every recorded reading is a row of a table made
    by the table helper, its anchor first, the source's Chinese in one cell and, in the
    next, its English gloss (readings.evidence_en) with no Chinese left in it."""
    from html import escape

    from uqsurvey.book.tables import table
    from uqsurvey.survey.data import load
    from uqsurvey.survey.docs import READINGS_COLUMNS, readings_html

    d = load()
    html = readings_html(d, table_html=lambda f: table(f, fold=False, html_columns=list(f.columns)).html)
    assert html.count('<table class="uq-table">') == d.readings["ambiguity"].nunique()
    assert all(f"<th scope=\"col\" class=\"uq-wrap\">{c}</th>" in html for c in READINGS_COLUMNS)
    body = [r for r in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S) if "<td" in r]
    assert len(body) == len(d.readings)
    glosses = dict(zip(d.readings["id"], d.readings["evidence_en"]))
    for r in body:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)
        rid = re.search(r'<b id="reading-(r\d+)">', cells[0]).group(1).upper()
        assert cells[1].startswith('<span lang="zh">')
        gloss = re.sub(r"<[^>]+>", "", cells[2])
        assert gloss and not IDEOGRAPH.search(gloss), rid
        assert cells[2] == escape(glosses[rid]), rid
