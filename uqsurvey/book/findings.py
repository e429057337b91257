"""Findings first: the front page's key findings and the finding that opens a chapter.

* :func:`key_findings_html` -- the block at the top of the front page: the
  ledger's counts by status (every status present, whatever the vocabulary),
  every claim that differs with the paper's value, the recomputed value and a
  link to its ledger entry, every claim reproduced only under a recorded reading
  (with the readings or rule that reach it), and the headline of each demonstration
  (:mod:`uqsurvey.demos.headlines`).
* :func:`claims_finding_html` -- the finding that opens a chapter of Part I or
  II: what the ledger says about the claims the chapter checks.

Everything is generated from the ledger and the demonstrations; nothing is
typed.  The HTML carries the class ``uq-findings`` / ``uq-finding`` (styled by
``_static/uq-reading.css``; the browser test looks for it in each page's
first screen).  The status badges are the ledger's own
(:func:`uqsurvey.book.ledger_page.badge`, ``uq-badge`` with ``data-uq-status``,
styled by ``_static/uq-ledger.css``): one badge, the same on every page.
"""
from __future__ import annotations

from html import escape
from typing import Iterable

from uqsurvey.book.ledger_page import status_counts, status_counts_html
from uqsurvey.survey.ledger import anchor, reaches_label

__all__ = ["key_findings_html", "claims_finding_html", "STATUS_VERB"]


def _differs_items(results, ledger: str) -> list[str]:
    return [
        f'<li><a href="{escape(ledger)}#{anchor(r.id)}" title="{escape(str(r.statement), quote=True)}">'
        f"{escape(r.id)}</a>: {escape(str(r.paper_value))} → {escape(str(r.recomputed_value))}</li>"
        for r in results if r.status == "differs"
    ]


def _under_reading_items(results, ledger: str) -> list[str]:
    """Each claim reproduced only under a recorded reading or another counting rule: its
    anchor, and what reaches the paper's number (reading ids, or "another counting rule")."""
    out = []
    for r in results:
        if r.status != "reproduced-under-reading":
            continue
        how = reaches_label(r)
        out.append(f'<a href="{escape(ledger)}#{anchor(r.id)}" title="{escape(str(r.statement), quote=True)}">'
                   f"{escape(r.id)}</a>" + (f" ({escape(how)})" if how and how != "—" else ""))
    return out


def key_findings_html(results: Iterable, headlines: Iterable, *, root: str = "") -> str:
    """The front page's key findings (*root*: the path from the page to the book's root)."""
    results = list(results)
    ledger = f"{root}chapters/ledger.html"
    differs = _differs_items(results, ledger)
    parts = [
        '<section class="uq-findings" aria-labelledby="uq-key-findings">',
        '<h2 id="uq-key-findings">Key findings</h2>',
        f'<div class="uq-findings-counts"><p>The <a href="{escape(ledger)}">ledger</a> recomputes '
        f'{len(results)} claims of the paper (each badge opens it filtered to that status):</p>'
        f'{status_counts_html(results, ledger)}</div>',
    ]
    if differs:
        parts.append("<p>Claims that differ (the paper's value → the recomputed value):</p>"
                     f'<ul class="uq-findings-columns">{"".join(differs)}</ul>')
    under = _under_reading_items(results, ledger)
    if under:
        parts.append("<p>Reproduced only under a recorded reading of the source or another counting rule: "
                     + ", ".join(under) + ".</p>")
    items = [f'<li><a href="{escape(root + h.chapter)}.html">{escape(h.title)}</a>: {escape(h.text)}</li>'
             for h in headlines]
    if items:
        parts.append(f'<p>What the demonstrations show:</p><ul>{"".join(items)}</ul>')
    parts.append("</section>")
    return "".join(parts)


#: How a count of claims with a status reads in a sentence ("5 differ").
#: (one, several).
STATUS_VERB = {
    "reproduced": ("reproduces", "reproduce"),
    "reproduced-under-reading": ("reproduces under a recorded reading", "reproduce under a recorded reading"),
    "differs": ("differs", "differ"),
    "project-coded": ("rests on the project's own coding", "rest on the project's own coding"),
    "not-checkable": ("cannot be checked from the data", "cannot be checked from the data"),
}


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def claims_finding_html(results: Iterable, *, ledger: str = "ledger.html", what: str = "this chapter",
                        list_differs: bool = True, verb: str = "checks") -> str:
    """The finding that opens a chapter: how many of the claims it checks (*verb*: how
    *what* uses them) reproduce, which differ (with both values and a link to *ledger*,
    unless ``list_differs`` is false), and how many cannot be checked."""
    results = list(results)
    if not results:
        raise ValueError("claims_finding_html needs at least one ledger entry")
    counts = status_counts(results)
    said = _and([f"{n} {STATUS_VERB[s][n != 1]}" for s, n in counts.items()])
    differs = [f'<a href="{escape(ledger)}#{anchor(r.id)}"><code>{escape(r.id)}</code></a> '
               f"(the paper: {escape(str(r.paper_value))}; recomputed: {escape(str(r.recomputed_value))})"
               for r in results if r.status == "differs"]
    text = f"<b>Finding.</b> Of the {len(results)} numbers of the paper that {escape(what)} {escape(verb)}, {escape(said)}."
    if differs and list_differs:
        text += " Differing: " + "; ".join(differs) + "."
    return f'<div class="uq-finding"><p>{text}</p></div>'
