"""The ledger as a reviewer's tool: the HTML of the book's ledger page and of the
ledger links in the chapters.

Everything here presents a :class:`~uqsurvey.survey.ledger.ClaimResult`; nothing
recomputes a claim.

* :func:`badge` -- the status badge, the same on every page that shows a status
  (styled by ``_static/uq-ledger.css`` with the colours of
  :data:`uqsurvey.survey.figures.STATUS_COLORS`);
* :func:`why_sentences` -- the "why" of an entry, written as sentences from the
  structured outcome (status and verdict, values, the project's coding it rests on,
  the smallest recorded reading or counting rule that reaches the paper's number,
  the rule's own remark);
* :func:`readings_html` -- the claim under the recorded readings of the source
  (``data/readings.csv``): each distinct value with the smallest set of readings
  that gives it;
* :func:`cite_parts` -- the "cite this claim" line: the URL of the claim's
  anchor (absolute when the book's URL is configured, else relative and marked
  "local build"), the version and a one-line citation;
* :func:`filter_html`, :func:`summary_html`, :func:`ledger_html` -- the ledger
  page: a filter by status and by section of the paper (plain JavaScript in
  ``_static/uq-ledger.js``, no network), the summary table and one entry per claim;
* :func:`section_links_html` -- the block at the end of a chapter section that
  links back to the ledger entries of the claims it discusses;
* :func:`claim_sections` -- the map claim id -> chapter
  section (``data/claim_sections.csv``) and the sections' titles (read from the
  chapters' MyST labels).
"""
from __future__ import annotations

import posixpath
import re
from html import escape
from pathlib import Path

from uqsurvey.book.meta import (
    DEFERRED_IDENTITY, HREF_STAMP, LOCAL_BUILD, ROOT, book_identity, book_link, book_version, cite_text, citation,
)
from uqsurvey.survey import readings as rd
from uqsurvey.survey.ledger import STATUS_MEANING, STATUSES, anchor, reaches_label, variant_matches_paper

#: The page that holds the ledger (a docname, without ``.html``).
LEDGER_PAGE = "chapters/ledger"

#: Symbol and words of every status of the vocabulary (issue 12).  The symbol
#: keeps the badge readable without colour.
STATUS_LABEL: dict[str, tuple[str, str]] = {
    "reproduced": ("✔", "reproduced"),
    "reproduced-under-reading": ("≈", "reproduced under a reading"),
    "differs": ("≠", "differs"),
    "project-coded": ("◐", "project-coded"),
    "not-checkable": ("?", "not checkable"),
}


# --------------------------------------------------------------------------- #
# Badges and counts
# --------------------------------------------------------------------------- #
def badge(status: str, count: int | None = None) -> str:
    """``<span class="uq-badge" data-uq-status="...">≠ differs</span>`` (with a count if given)."""
    if status not in STATUS_LABEL:
        raise KeyError(f"unknown status {status!r}; known: {', '.join(STATUS_LABEL)}")
    symbol, words = STATUS_LABEL[status]
    n = f' <span class="uq-badge-count">{count}</span>' if count is not None else ""
    return (f'<span class="uq-badge" data-uq-status="{status}" title="{escape(STATUS_MEANING.get(status, words))}">'
            f'<span aria-hidden="true">{symbol}</span>&nbsp;{words}{n}</span>')  # symbol stays with the word


def status_counts(results) -> dict[str, int]:
    """Claims per status, in the order of the vocabulary; statuses with no claim left out."""
    counts = {s: sum(r.status == s for r in results) for s in STATUS_LABEL}
    return {s: n for s, n in counts.items() if n}


def status_counts_html(results, ledger_href: str = "") -> str:
    """One badge per status with its count, each linking to the ledger filtered to it
    (``ledger_href`` is the ledger page relative to the page that shows the line;
    empty for the ledger page itself)."""
    items = [f'<a class="uq-badge-link" href="{ledger_href}?status={s}#uq-ledger-filter">{badge(s, n)}</a>'
             for s, n in status_counts(results).items()]
    return f'<p class="uq-status-counts">{" ".join(items)}</p>'


def legend_html() -> str:
    """The statuses the ledger uses, each with its badge and meaning."""
    rows = "".join(f"<li>{badge(s)}: {escape(STATUS_MEANING[s])}</li>" for s in STATUSES)
    return f'<ul class="uq-legend">{rows}</ul>'


# --------------------------------------------------------------------------- #
# The "why", as sentences
# --------------------------------------------------------------------------- #
def sentence(text: str) -> str:
    """*text* as a sentence: capital first letter, final full stop."""
    text = text.strip()
    if not text:
        return ""
    first = next((i for i, ch in enumerate(text) if ch.isalpha()), 0)
    text = text[:first] + text[first].upper() + text[first + 1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _reading_ids(ids) -> str:
    return " + ".join(ids)


def why_sentences(result) -> str:
    """Why the claim has its status, in plain sentences, from the structured outcome.

    Reads ``status`` and ``verdict`` (the status before project-coded), ``paper_value``,
    ``recomputed_value``, ``rule``, ``holds``, ``reaches_paper`` / ``reaches_text`` (the
    smallest recorded reading and counting rule that give the paper's number),
    ``reaches_primary_rule``, ``project_columns``, ``relevant_readings``,
    ``enumeration``, ``sensitivity`` and ``note`` (the rule's own remark); never the
    joined ``reason`` string.
    """
    r = result
    verdict = r.verdict or r.status
    qualitative = r.holds is not None
    out: list[str] = []
    if r.status == "project-coded":
        cols = ", ".join(r.project_columns)
        out.append(f"The verdict rests on {cols}, a coding the project added; the source does not state it. "
                   f"On that coding, the claim is {STATUS_LABEL[verdict][1]}.")
    if verdict == "not-checkable":
        out.append(sentence(f"the data cannot check this claim: {r.note}" if r.note else
                            "the data cannot check this claim"))
        return " ".join(out)
    primary = "on the primary reading of the source"
    if verdict == "reproduced":
        if qualitative:
            out.append(f"The paper's qualitative statement (“{r.paper_value}”) holds in the data {primary}: "
                       f"{r.recomputed_value} under the rule “{r.rule}”.")
        else:
            out.append(f"The data gives the paper's number, {r.recomputed_value}, {primary}, "
                       f"under the rule “{r.rule}”.")
    else:
        if r.recomputed_value == "n/a":
            out.append(f"The primary reading of the source cannot be checked under the rule “{r.rule}”; "
                       f"the paper states {r.paper_value}.")
        elif qualitative:
            out.append(f"The paper's qualitative statement (“{r.paper_value}”) does not hold in the data {primary}: "
                       f"{r.recomputed_value} under the rule “{r.rule}”.")
        else:
            out.append(f"Under the rule “{r.rule}”, the data gives {r.recomputed_value} {primary}; "
                       f"the paper states {r.paper_value}.")
        what = "the statement holds" if qualitative else "the paper's number is reached"
        if verdict == "reproduced-under-reading" and r.reaches_text:
            out.append(sentence(f"{what} with {r.reaches_text}"))
            prim = r.reaches_primary_rule
            if prim and r.reaches_paper and prim["readings"] and prim != r.reaches_paper:
                n = len(prim["readings"])
                out.append(f"Under the primary rule, it is reached under the reading{'s' if n > 1 else ''} "
                           f"{_reading_ids(prim['readings'])}.")
        else:
            if r.relevant_readings:
                gives = "makes it hold" if qualitative else "gives the paper's number"
                out.append(f"No recorded reading of the source and no named counting rule {gives}: "
                           f"{r.enumeration}.")
            else:
                n = len([v for v in r.sensitivity if v["rule"] != r.rule])
                rules = ("no other counting rule is recorded" if not n else
                         "the one other named counting rule does not give it either" if n == 1 else
                         f"none of the {n} other named counting rules gives it")
                out.append(sentence(f"no recorded reading touches the claim's inputs, and {rules}"))
    if r.note:
        out.append(sentence(r.note))
    return " ".join(out)


# --------------------------------------------------------------------------- #
# Citing one claim
# --------------------------------------------------------------------------- #
def claim_path(claim_id: str) -> str:
    """The claim's anchor, relative to the book's root: ``chapters/ledger.html#claim-<id>``."""
    return f"{LEDGER_PAGE}.html#{anchor(claim_id)}"


def cite_parts(result, identity: dict | None = None, version: dict | None = None, cff: dict | None = None) -> dict:
    """The "cite this claim" line of one entry.

    Returns ``path`` (relative to the book's root), ``url`` (absolute, or ``None``
    in a local build), ``where`` (the URL, or ``"local build, <path>"``),
    ``version``, ``commit``, ``date`` and ``text``: a one-line citation with the
    claim, the paper's and the recomputed value, the status, the book's title,
    version and the anchor's URL.  The book page passes
    :data:`~uqsurvey.book.meta.DEFERRED_IDENTITY` and :data:`~uqsurvey.book.meta.STAMP`:
    URL and version are then stamps that the build fills in when it writes the page.
    """
    identity = book_identity() if identity is None else identity
    version = book_version() if version is None else version
    path = claim_path(result.id)
    url = book_link(path, identity) if identity.get("book_url") else None
    section = ("§" if result.section[:1].isdigit() else "") + result.section
    what = (f"{result.statement.rstrip('.')} (Devic et al., 2025, {section}; paper: {result.paper_value}; "
            f"ledger: {result.recomputed_value}, {STATUS_LABEL[result.status][1]})")
    return {
        "path": path,
        "url": url,
        "where": url or f"{LOCAL_BUILD}, {path}",
        "version": version["version"],
        "commit": version["commit"],
        "date": version["date"],
        "text": cite_text(what, path, cff=cff or citation(), version=version, identity=identity),
    }


def cite_html(result, identity: dict | None = None, version: dict | None = None, cff: dict | None = None) -> str:
    c = cite_parts(result, identity, version, cff)
    deferred = DEFERRED_IDENTITY["book_url"]
    href = c["url"].replace(deferred, HREF_STAMP) if c["url"] else f"#{anchor(result.id)}"
    return (
        '<div class="uq-cite"><p><b>Cite this claim:</b> '
        f'<a class="uq-cite-url" href="{escape(href)}">{escape(c["where"])}</a> · version '
        f'<code>{escape(c["version"])}</code> (commit <code>{escape(c["commit"])}</code>, built {escape(c["date"])})</p>'
        f'<div class="highlight"><pre class="uq-cite-text">{escape(c["text"])}</pre></div></div>'
    )


# --------------------------------------------------------------------------- #
# Claim -> chapter section, and back
# --------------------------------------------------------------------------- #
def claim_sections(d) -> dict[str, tuple[str, str]]:
    """``claim id -> (page, label)`` from ``data/claim_sections.csv``."""
    t = d.tables.get("claim_sections")
    if t is None:
        return {}
    return {str(r.claim_id): (str(r.page), str(r.label)) for r in t.itertuples(index=False)}


#: A section's title in an executed cell: ``@@uq-title:<label>@@``, filled when the page is
#: written from the label's section title as Sphinx knows it (``_ext/book_version.py``), so a
#: cached ledger never shows an old title and never reads the chapters' sources.
TITLE_STAMP = "@@uq-title:{label}@@"


def href(target_page: str, from_page: str, fragment: str = "") -> str:
    """A relative link from *from_page* to *target_page* (docnames), with ``#fragment``."""
    rel = posixpath.relpath(f"{target_page}.html", posixpath.dirname(from_page) or ".")
    return rel + (f"#{fragment}" if fragment else "")


def section_links_html(label: str, results, d) -> str:
    """The block that ends a chapter section: the ledger entries of the claims it discusses."""
    mapped = {cid: pl for cid, pl in claim_sections(d).items() if pl[1] == label}
    if not mapped:
        raise KeyError(f"no claim in claim_sections.csv is discussed in section {label!r}")
    page = next(iter(mapped.values()))[0]
    items = []
    for r in results:
        if r.id in mapped:
            link = href(LEDGER_PAGE, page, anchor(r.id))
            items.append(f'<li>{badge(r.status)} <a href="{link}"><code>{escape(r.id)}</code></a>: '
                         f'paper {escape(r.paper_value)}, recomputed {escape(r.recomputed_value)}</li>')
    return ('<div class="uq-ledger-links"><p><b>In the reproduction ledger</b> (rule, status, why, how to cite):</p>'
            f'<ul>{"".join(items)}</ul></div>')


# --------------------------------------------------------------------------- #
# The ledger page
# --------------------------------------------------------------------------- #
def section_groups(section: str) -> list[str]:
    """The parts of the paper a claim's ``section`` names, for the filter:
    ``"3.2"`` -> ``["§3"]``, ``"Abstract; 1.1; 6"`` -> ``["Abstract", "§1", "§6"]``,
    ``"Appendix (ECE vs smECE)"`` -> ``["Appendix"]``."""
    groups: list[str] = []
    for part in str(section).split(";"):
        part = part.strip()
        m = re.match(r"(\d+)", part)
        g = f"§{m.group(1)}" if m else ("Appendix" if part.startswith("Appendix") else part)
        if g and g not in groups:
            groups.append(g)
    return groups


def _group_order(g: str) -> tuple:
    m = re.match(r"§(\d+)", g)
    return (1, int(m.group(1)), "") if m else ((0, 0, g) if g == "Abstract" else (2, 0, g))


def _item_attrs(r) -> str:
    groups = "|".join(section_groups(r.section))
    return f'data-uq-item data-uq-status="{r.status}" data-uq-sections="|{escape(groups)}|"'


def filter_html(results) -> str:
    """The filter: one checkbox per status present (with its badge and count) and a
    select of the paper's sections.  Hidden until ``uq-ledger.js`` runs, so a page
    without JavaScript simply shows every claim."""
    counts = status_counts(results)
    boxes = "".join(
        f'<label class="uq-filter-status"><input type="checkbox" name="status" value="{s}" checked> {badge(s, n)}</label>'
        for s, n in counts.items()
    )
    groups = sorted({g for r in results for g in section_groups(r.section)}, key=_group_order)
    options = "".join(f'<option value="{escape(g)}">{escape(g)}</option>' for g in groups)
    return (
        '<form class="uq-filter" id="uq-ledger-filter" hidden aria-label="Filter the ledger">'
        f'<fieldset><legend>Status</legend>{boxes}</fieldset>'
        '<label class="uq-filter-section">Section of the paper '
        f'<select name="section"><option value="">all</option>{options}</select></label>'
        f'<p class="uq-filter-count" aria-live="polite" data-total="{len(results)}"></p>'
        "</form>"
    )


def summary_html(results) -> str:
    """The summary table: status first (visible on a phone), the claim's statement
    (linked to its entry), the section, the paper's and the recomputed value and, below
    it, what reaches the paper's number when the primary reading and rule do not."""
    rows = []
    for r in results:
        sec = ("§" if r.section[:1].isdigit() else "") + r.section
        rows.append(
            f"<tr {_item_attrs(r)}>"
            f'<td class="uq-col-status">{badge(r.status)}</td>'
            f'<td class="uq-col-claim"><a href="#{anchor(r.id)}">{escape(r.statement)}</a> '
            f'<code class="uq-id">{escape(r.id)}</code></td>'
            f'<td class="uq-col-section" data-label="section">{escape(sec)}</td>'
            f'<td class="uq-col-paper" data-label="paper">{escape(r.paper_value)}</td>'
            f'<td class="uq-col-recomputed" data-label="recomputed">{escape(r.recomputed_value)}{_reached(r)}</td></tr>'
        )
    return (
        '<table class="uq-ledger-summary"><thead><tr><th>status</th><th>claim</th><th>section</th>'
        f'<th>paper</th><th>recomputed</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _reached(r) -> str:
    """Below the recomputed value, what reaches the paper's number when the primary
    reading and rule do not (:func:`~uqsurvey.survey.ledger.reaches_label`)."""
    if not r.reaches_paper or (not r.reaches_paper["readings"] and r.reaches_paper["rule"] == r.rule):
        return ""
    return f'<span class="uq-reached">paper\'s number: {escape(reaches_label(r))}</span>'



def _sensitivity_html(r) -> str:
    if not r.sensitivity:
        return ""
    rows = "".join(
        f"<tr><td>{escape(v['rule'])}</td><td>{escape(v['value'])}</td>"
        f"<td>{'= paper' if variant_matches_paper(v, r) else ''}</td></tr>"
        for v in r.sensitivity
    )
    return ('<table class="uq-sensitivity"><thead><tr><th>counting rule</th><th>value</th><th></th>'
            f"</tr></thead><tbody>{rows}</tbody></table>")


def _ids_html(ids, labels: dict[str, str]) -> str:
    """Reading ids, each with its change as a tooltip: ``R001 + R004``."""
    if not ids:
        return "primary reading"
    return " + ".join(f'<abbr title="{escape(labels[i])}">{escape(i)}</abbr>' if i in labels else escape(i)
                      for i in ids)


def readings_html(r, labels: dict[str, str] | None = None) -> str:
    """The claim under the recorded readings that touch its inputs: how they were
    combined (the enumeration), then each distinct value per counting rule with the
    smallest set of readings that gives it, the paper's number marked; folded."""
    if not r.relevant_readings:
        return ""
    labels = labels or {}
    rows = "".join(
        f"<tr><td>{escape(v['rule'])}</td><td>{escape(v['value'])}</td>"
        f"<td>{_ids_html(v['readings'], labels)}</td><td>{'= paper' if v['matches_paper'] else ''}</td></tr>"
        for v in r.readings
    )
    used = "; ".join(escape(labels.get(i, i)) for i in r.relevant_readings)
    return (f'<details class="uq-readings"><summary>Under the recorded readings: {escape(r.enumeration)}</summary>'
            '<table class="uq-sensitivity"><thead><tr><th>counting rule</th><th>value</th>'
            f"<th>smallest set of readings</th><th></th></tr></thead><tbody>{rows}</tbody></table>"
            f'<p class="uq-readings-used"><b>The readings:</b> {used}</p></details>')


def ledger_html(results, d=None, identity: dict | None = None, version: dict | None = None,
                root: str | Path = ROOT) -> str:
    """One entry per claim, each with its stable anchor ``#claim-<id>``, its badge,
    the "why" as sentences, the project's coding it rests on, the smallest reading
    that reaches the paper's number, the claim under the recorded readings
    (:func:`readings_html`), the chapter section that discusses it and its citation."""
    sections = claim_sections(d) if d is not None else {}
    identity = book_identity(root) if identity is None else identity
    version = book_version(root) if version is None else version
    cff = citation(Path(root) / "CITATION.cff")
    labels = {x.id: x.label() for x in rd.parse(d.tables.get(rd.RESOURCE))} if d is not None else {}
    parts = ['<div class="uq-ledger">']
    for r in results:
        members = f"<p><b>Counted:</b> {escape(', '.join(r.members))}</p>" if r.members else ""
        reach = (f"<p><b>Paper's number reached by:</b> {escape(r.reaches_text)}</p>"
                 if r.reaches_text and r.status != "reproduced" else "")
        coded = (f"<p><b>Project coding:</b> rests on <code>{escape(', '.join(r.project_columns))}</code>, which "
                 f"the source does not state; verdict on that coding: {badge(r.verdict)}</p>"
                 if r.status == "project-coded" and r.verdict else "")
        discussed = ""
        if r.id in sections:
            page, label = sections[r.id]
            discussed = (f'<p class="uq-discussed"><b>Discussed in:</b> '
                         f'<a href="{href(page, LEDGER_PAGE, label)}">{TITLE_STAMP.format(label=label)}</a></p>')
        sec = ("§" if r.section[:1].isdigit() else "") + r.section
        parts.append(
            f'<section class="uq-claim" id="{anchor(r.id)}" {_item_attrs(r)}>'
            f'<h3>{badge(r.status)} <code>{escape(r.id)}</code>'
            f'<a class="headerlink" href="#{anchor(r.id)}" title="Link to this claim">#</a></h3>'
            f"<p>{escape(r.statement)} <i>({escape(sec)})</i></p>"
            f"<p><b>Paper:</b> {escape(r.paper_value)} &nbsp; <b>Recomputed:</b> {escape(r.recomputed_value)}</p>"
            f"<p><b>Rule:</b> {escape(r.rule)}</p><p><b>Why:</b> {escape(why_sentences(r))}</p>"
            f"{coded}{reach}{members}{_sensitivity_html(r)}{readings_html(r, labels)}{discussed}"
            f"{cite_html(r, identity, version, cff)}</section>"
        )
    parts.append("</div>")
    return "\n".join(parts)
