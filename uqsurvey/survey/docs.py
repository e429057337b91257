"""HTML for the generated data-dictionary and annotated-papers pages."""
from __future__ import annotations

from html import escape as e

import pandas as pd


def dictionary_html(package: dict, dictionary: dict[str, pd.DataFrame]) -> str:
    """One block per resource (anchor ``#table-<name>``): title, file, description,
    provenance, keys and the field table."""
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
        prov = res.get("provenance", "")
        if isinstance(prov, dict):
            prov = "; ".join(f"{k}: {v}" for k, v in prov.items())
        table = dictionary[name].to_html(index=False, escape=True, classes="uq-dictionary", border=0)
        parts.append(
            f'<section class="uq-resource" id="table-{e(name)}">'
            f'<h3><a class="headerlink" href="#table-{e(name)}">#</a> <code>{e(name)}</code> — {e(res.get("title", ""))}</h3>'
            f"<p><b>File:</b> <code>data/{e(res['path'])}</code>. <b>Primary key:</b> {e(pk)}. "
            f"<b>Links:</b> {e(fks)}.</p>"
            f"<p>{e(res.get('description', ''))}</p>"
            + (f"<p><b>Provenance:</b> {e(str(prov))}</p>" if prov else "")
            + table
            + "</section>"
        )
    return "\n".join(parts)


def paper_entries_markdown(d) -> str:
    """MyST Markdown: one entry per annotated paper, with its fields and a citation
    role that sphinxcontrib-bibtex resolves against references.bib."""
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
        norm = "; ".join(f"`{r.as_given}` → {r.canonical}" for r in nn.itertuples())
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


def readings_html(d) -> str:
    """The recorded readings of the source (``readings.csv``), one collapsible block per
    class of ambiguity: each reading's cell, the value the table holds and the
    alternative, the source quoted in Chinese with its gloss, why it is uncertain and
    the claims it touches."""
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
            values = " → ".join(e(", ".join(v or "(empty)" for v in vals)) for vals in (r.primary, r.alternative))
            claims = ", ".join(f'<a href="ledger.html#claim-{e(c)}">{e(c)}</a>' for c in use[r.id]) or "none (descriptive)"
            rows.append(
                f'<tr id="reading-{e(r.id.lower())}"><td><b>{e(r.id)}</b></td>'
                f"<td>{e(r.table)} · {e(r.row_key)} · {e(', '.join(r.columns))}<br>{values}<br>"
                f"<i>{e(r.basis)}</i></td>"
                f'<td><span lang="zh">{e(r.evidence)}</span><br>{e(r.evidence_en)}</td>'
                f"<td>{e(r.why)}</td><td>{claims}</td></tr>"
            )
        parts.append(
            f"<details><summary><b>{e(cls)}</b> ({len(items)})</summary>"
            '<table class="uq-readings-table"><thead><tr><th>reading</th><th>cell, as coded → alternative</th>'
            "<th>the source, and its gloss</th><th>why it is uncertain</th><th>claims it touches</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></details>"
        )
    parts.append("</div>")
    return "\n".join(parts)
