"""HTML for the generated data-dictionary and annotated-papers pages."""
from __future__ import annotations

import re
from html import escape as e

import pandas as pd

from uqsurvey.survey.glossary import annotate, gloss_of


#: How the keys of a resource's ``provenance`` read on the data-dictionary page.
PROVENANCE_KEYS = {
    "source": "Source",
    "transcribed": "Transcribed from the source",
    "coded_by_project": "Coded by the project",
    "source_lacks": "Not stated by the source (project coding)",
    "method": "Method",
}
# A path to a file outside the repository (the project's working copy of the source),
# which means nothing to a reader: "folder/file.txt (what it is)" reads "what it is".
_LOCAL_PATH = re.compile(r"(?<![\w:/])(?:[\w.-]+/)+[\w.-]+\.(?:txt|pdf|md)\b\s*(?:\((?P<what>[^()]*)\))?")


def reader_text(text: str) -> str:
    """*text* without local file paths: a path followed by a parenthesised description
    becomes the description ("the Chinese machine translation of ...")."""
    return _LOCAL_PATH.sub(lambda m: (m.group("what") or "the source text"), text).strip()


def _provenance_html(prov, terms: dict[str, str]) -> str:
    if not prov:
        return ""
    if not isinstance(prov, dict):
        return f"<p><b>Provenance:</b> {annotate(reader_text(str(prov)), terms)}</p>"
    items = []
    for key, value in prov.items():
        name = PROVENANCE_KEYS.get(key, key.replace("_", " ").capitalize())
        if isinstance(value, (list, tuple)):
            shown = ", ".join(f"<code>{e(str(v))}</code>" for v in value) or "none"
        else:
            shown = annotate(reader_text(str(value)), terms)
        items.append(f"<dt>{e(name)}</dt><dd>{shown}</dd>")
    return f'<dl class="uq-provenance"><dt class="uq-provenance-title">Provenance</dt><dd><dl>{"".join(items)}</dl></dd></dl>'


def dictionary_html(package: dict, dictionary: dict[str, pd.DataFrame], *, glossary: dict[str, str] | None = None,
                    table_html=None) -> str:
    """One block per resource (anchor ``#table-<name>``): title, file, description,
    provenance, keys and the field table.

    Chinese quoted in a description or in the provenance is followed by its
    English gloss from *glossary* (:func:`uqsurvey.survey.glossary.glossary`).
    *table_html* renders a resource's field table (a DataFrame whose
    ``description`` column is HTML); the book passes its table helper.
    """
    terms = glossary or {}
    parts = []
    for res in package["resources"]:
        name = res["name"]
        schema = res["schema"]
        pk = schema.get("primaryKey")
        pk = ", ".join(pk) if isinstance(pk, list) else (pk or "—")
        fks = "; ".join(
            f"{', '.join(fk['fields'] if isinstance(fk['fields'], list) else [fk['fields']])} → "
            f"{fk['reference'].get('resource') or name}."
            f"{', '.join(fk['reference']['fields'] if isinstance(fk['reference']['fields'], list) else [fk['reference']['fields']])}"
            for fk in schema.get("foreignKeys") or []
        ) or "—"
        fields = dictionary[name].copy()
        fields["description"] = [annotate(str(t), terms) for t in fields["description"]]
        if table_html is None:
            table = fields.to_html(index=False, escape=False, classes="uq-dictionary", border=0)
        else:
            table = table_html(fields)
        parts.append(
            f'<section class="uq-resource" id="table-{e(name)}">'
            f'<h3><a class="headerlink" href="#table-{e(name)}">#</a> <code>{e(name)}</code> — {e(res.get("title", ""))}</h3>'
            f"<p><b>File:</b> <code>data/{e(res['path'])}</code>. <b>Primary key:</b> {e(pk)}. "
            f"<b>Links:</b> {e(fks)}.</p>"
            f"<p>{annotate(str(res.get('description', '')), terms)}</p>"
            + _provenance_html(res.get("provenance"), terms)
            + table
            + "</section>"
        )
    return "\n".join(parts)


def paper_entries_markdown(d, glossary: dict[str, str] | None = None) -> str:
    """MyST Markdown: one entry per annotated paper, with its fields and a citation
    role that sphinxcontrib-bibtex resolves against references.bib.  Each name
    normalised from the source's Chinese is followed by its English gloss from
    *glossary* (:func:`uqsurvey.survey.glossary.glossary`; required when a name
    is Chinese)."""
    terms = glossary or {}
    ds = d.paper_datasets
    ms = d.paper_metrics
    nz = d.normalizations
    out = []
    papers = d.papers.assign(_n=d.papers["id"].str[1:].astype(int)).sort_values("_n")
    for _, p in papers.iterrows():
        pid = p["id"]
        dsets = ds[ds["paper_id"] == pid]
        dl = ", ".join(
            f"{r.dataset}" + (f" → *{r.benchmark}* ({r.benchmark_match})" if pd.notna(r.benchmark) else "")
            for r in dsets.itertuples()
        )
        ml = ", ".join(f"{r.metric}" for r in ms[ms["paper_id"] == pid].itertuples())
        nn = nz[nz["paper_id"] == pid]
        norm = "; ".join(f"`{r.as_given}`{_md_gloss(r.as_given, terms)} → {r.canonical}" for r in nn.itertuples())
        lines = [
            f"(paper-{pid.lower()})=",
            f"**{pid}. {p['title']}** — {{cite:t}}`{p['bibtex_key']}`",
            "",
            f"- **UQ type:** {p['uq_type']} — {p['uq_type_text']}",
            f"- **Output form:** {p['output_form']}",
            f"- **Datasets:** {dl or '—'}",
            f"- **Metrics:** {ml or '—'}",
            f"- **Tested under shift:** {p['shift']} · **Supervision:** {p['supervision']} · "
            f"**Human uplift study:** {p['human_study']}",
        ]
        if isinstance(p.get("notes"), str) and p["notes"].strip():
            lines.append(f"- **Notes:** {p['notes']}")
        if norm:
            lines.append(f"- **Normalised from the source:** {norm}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def _md_gloss(text: str, terms: dict[str, str]) -> str:
    gloss = gloss_of(text, terms)
    return "" if gloss is None else f" (“{gloss}”)"


#: The columns of a class's table in :func:`readings_html`: the reading (its cell, the value
#: as coded and the alternative, its basis, the claims it touches), then the source and its
#: English gloss side by side, then why the cell is uncertain.
READINGS_COLUMNS = ["reading", "the source (as given)", "English gloss", "why it is uncertain"]


def readings_html(d, *, table_html=None) -> str:
    """The recorded readings of the source (``readings.csv``), one collapsible block per
    class of ambiguity (anchors ``#reading-<id>``): each reading's cell and basis, the
    value the table holds and the alternative and the claims it touches (linked to the
    ledger); the source quoted in Chinese beside its English gloss
    (``readings.evidence_en``); and why it is uncertain.

    *table_html* renders a class's table (a DataFrame with the
    :data:`READINGS_COLUMNS`, whose cells are HTML); the book passes its table helper.
    """
    from uqsurvey.survey import readings as rd
    from uqsurvey.survey.ledger import claims_using

    rs = rd.parse(d.tables.get(rd.RESOURCE))
    use = claims_using(rs)
    classes: dict[str, list] = {}
    for r in rs:
        classes.setdefault(r.ambiguity, []).append(r)
    parts = ['<div class="uq-readings">']
    for cls, items in classes.items():
        rows = []
        for r in items:
            claims = ", ".join(f'<a href="ledger.html#claim-{e(c)}">{e(c)}</a>' for c in use[r.id]) or "none (descriptive)"
            values = " → ".join(e(", ".join(v or "(empty)" for v in vals)) for vals in (r.primary, r.alternative))
            rows.append([
                f'<b id="reading-{e(r.id.lower())}">{e(r.id)}</b> {e(r.table)} · {e(r.row_key)} · '
                f"{e(', '.join(r.columns))}: {values} <i>({e(r.basis)})</i><br>claims: {claims}",
                f'<span lang="zh">{e(r.evidence)}</span>',
                e(r.evidence_en),
                e(r.why),
            ])
        frame = pd.DataFrame(rows, columns=READINGS_COLUMNS)
        shown = (frame.to_html(index=False, escape=False, border=0, classes="uq-readings-table")
                 if table_html is None else table_html(frame))
        parts.append(f"<details><summary><b>{e(cls)}</b> ({len(items)})</summary>{shown}</details>")
    parts.append("</div>")
    return "\n".join(parts)
