"""Interactive, offline views of the survey data for the book's explorer page.

The charts are Altair specifications with their (small) data inlined; the
filters are Vega-Lite parameters bound to drop-down menus, so they work in the
built HTML with no kernel and no network.  They render as SVG so that a
browser test can count the marks a filter leaves.
"""
from __future__ import annotations

import pandas as pd

from uqsurvey import plots

ANY = "(any)"
#: The coded fields shown as the explorer's three cells per paper.
CELLS = ("supervision", "shift", "human_study")
FILTERS = {
    "benchmark": "Table 1 benchmark",
    "metric": "metric",
    "supervision": "supervision",
    "shift": "tested under shift",
    "human_study": "human uplift study",
}


def _order(ids) -> list[str]:
    return sorted(set(ids), key=lambda s: int(str(s)[1:]))


def papers_long(d) -> pd.DataFrame:
    """One row per (paper, Table 1 benchmark or none, canonical metric).

    Filtering this table on any combination of the five fields and keeping the
    distinct papers gives exactly the papers that satisfy every filter.
    """
    p = d.papers.copy()
    ds = d.paper_datasets
    b = (
        ds[ds["benchmark"].notna()][["paper_id", "benchmark"]]
        .astype(str)
        .drop_duplicates()
    )
    m = d.paper_metrics[["paper_id", "metric"]].astype(str).drop_duplicates()
    base = pd.DataFrame(
        {
            "id": p["id"].astype(str),
            "citation": p["citation"].astype(str),
            "title": p["title"].astype(str),
            "uq_type": p["uq_type"].astype(str),
            "supervision": p["supervision"].astype(str),
            "shift": p["shift"].astype(str),
            "human_study": p["human_study"].astype(str),
        }
    )
    lists = {
        "benchmarks": b.groupby("paper_id")["benchmark"].agg(", ".join),
        "metrics": m.groupby("paper_id")["metric"].agg(", ".join),
        "datasets": ds.groupby("paper_id")["dataset"].agg(lambda s: ", ".join(map(str, s))),
    }
    for k, s in lists.items():
        base[k] = base["id"].map(s).fillna("—")
    out = base.merge(b.rename(columns={"paper_id": "id"}), on="id", how="left")
    out = out.merge(m.rename(columns={"paper_id": "id"}), on="id", how="left")
    out["benchmark"] = out["benchmark"].fillna("(none)")
    out["metric"] = out["metric"].fillna("(none)")
    out["order"] = out["id"].str[1:].astype(int)
    out["label"] = out["id"] + " · " + out["citation"]
    return out.reset_index(drop=True)


def filter_papers(long: pd.DataFrame, **selected: str) -> list[str]:
    """The paper ids the explorer shows for the given selections (reference
    implementation of the chart's filter, used by the tests)."""
    mask = pd.Series(True, index=long.index)
    for field, value in selected.items():
        if field not in FILTERS:
            raise ValueError(f"unknown filter {field!r}; expected one of {sorted(FILTERS)}")
        if value not in (None, ANY):
            mask &= long[field].astype(str).eq(value)
    return _order(long.loc[mask, "id"])


def figure_explorer(d):
    """Papers as rows of coloured cells (supervision, shift, human study), filtered
    by five drop-downs; hover a row for its citation, benchmarks and metrics."""
    import altair as alt

    from uqsurvey.survey.figures import VALUE_COLORS

    long = papers_long(d)
    params = []
    for field, label in FILTERS.items():
        options = [ANY] + sorted(set(long[field]) - {"(none)"})
        params.append(
            alt.param(
                name=f"pick_{field}",
                value=ANY,
                bind=alt.binding_select(options=options, name=f"{label}: "),
            )
        )
    cond = " && ".join(f"(pick_{f} == '{ANY}' || datum.{f} == pick_{f})" for f in FILTERS)
    value_color = alt.Scale(domain=list(VALUE_COLORS), range=list(VALUE_COLORS.values()))
    tooltip = plots.tooltip("id", "citation", "title", "uq_type", "benchmarks", "metrics", "supervision", "shift",
                            "human_study")
    column_names = " : ".join(f"datum.label == '{f}' ? '{plots.label(f)}'" for f in CELLS) + " : datum.label"
    base = (
        alt.Chart(long)
        .add_params(*params)
        .transform_filter(cond)
        .transform_aggregate(
            n="count()",
            groupby=["id", "order", "label", "citation", "title", "uq_type", "supervision", "shift", "human_study",
                     "benchmarks", "metrics"],
        )
        .transform_fold(list(CELLS), as_=["field", "value"])
    )
    cells = base.mark_rect(stroke="white").encode(
        x=alt.X("field:N", title=None, sort=list(CELLS),
                axis=alt.Axis(labelAngle=0, orient="top", labelExpr=column_names)),
        y=alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None),
        color=alt.Color("value:N", scale=value_color, title="coded value"),
        tooltip=tooltip,
    ).properties(width=300, height=alt.Step(17))
    count = (
        alt.Chart(long)
        .add_params()
        .transform_filter(cond)
        .transform_aggregate(groupby=["id"])
        .transform_aggregate(papers="count()")
        .transform_calculate(label="datum.papers + (datum.papers == 1 ? ' paper matches' : ' papers match')")
        .mark_text(align="left", fontSize=14, fontWeight="bold")
        .encode(text="label:N")
        .properties(width=300, height=22)
    )
    chart = alt.vconcat(count, cells).properties(
        description="Interactive table of the annotated papers, one row each, with coloured cells for "
        "supervision, testing under shift and human uplift study; drop-down menus filter the rows by "
        "benchmark, metric, supervision, shift and human study.",
        usermeta={"embedOptions": {"renderer": "svg"}},
    )
    return plots.configure_chart(chart)


def benchmark_criteria_long(d) -> pd.DataFrame:
    b = d.benchmarks
    use = d.paper_datasets[d.paper_datasets["benchmark"].notna()]
    users = use.groupby(use["benchmark"].astype(str))["paper_id"].agg(lambda s: ", ".join(_order(s)))
    cites = d.papers.set_index("id")["citation"].astype(str)
    cite_list = use.groupby(use["benchmark"].astype(str))["paper_id"].agg(
        lambda s: "; ".join(cites[i] for i in _order(s))
    )
    rows = []
    for _, r in b.iterrows():
        for c in ("c1", "c2", "c3", "c4"):
            rows.append(
                {
                    "benchmark": str(r["name"]),
                    "row": int(r["table_row"]),
                    "category": str(r["category"]),
                    "criterion": c.upper(),
                    "value": str(r[c]),
                    "answer_format": str(r["answer_format"]),
                    "source": "" if pd.isna(r["source_citation"]) else str(r["source_citation"]),
                    "used_by": users.get(str(r["name"]), "—"),
                    "citations": cite_list.get(str(r["name"]), "—"),
                }
            )
    return pd.DataFrame(rows)


def figure_benchmark_criteria(d):
    """Table 1 as an interactive grid: benchmarks × criteria, with the papers that use each."""
    import altair as alt

    from uqsurvey.survey.figures import VALUE_COLORS

    long = benchmark_criteria_long(d)
    cats = sorted(long["category"].unique())
    pick = alt.param(name="pick_category", value=ANY,
                     bind=alt.binding_select(options=[ANY] + cats, name="category: "))
    chart = (
        alt.Chart(long)
        .add_params(pick)
        .transform_filter(f"pick_category == '{ANY}' || datum.category == pick_category")
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("criterion:N", title=None, axis=alt.Axis(labelAngle=0, orient="top")),
            y=alt.Y("benchmark:N", sort=alt.EncodingSortField("row"), title=None),
            color=alt.Color("value:N", scale=alt.Scale(domain=["yes", "no", "n/a"],
                                                         range=[VALUE_COLORS[k] for k in ("yes", "no", "n/a")]), title="meets"),
            tooltip=[*plots.tooltip("benchmark", "category", "criterion"), alt.Tooltip("value:N", title="meets"),
                     *plots.tooltip("answer_format"), alt.Tooltip("source:N", title="original paper"),
                     *plots.tooltip("used_by", "citations")],
        )
        .properties(
            width=220,
            height=alt.Step(17),
            usermeta={"embedOptions": {"renderer": "svg"}},
            description="Grid of the Table 1 benchmarks against criteria C1 to C4, coloured by whether each "
            "criterion is met; a drop-down filters by category.",
        )
    )
    return plots.configure_chart(chart)


def explorer_finding_html(d) -> str:
    """The finding that opens the explorer page: how many annotated papers test under
    distribution shift and how many report a human uplift study (counted from the data)."""
    from html import escape

    p = d.papers
    n = len(p)
    shift_yes = int(p["shift"].astype(str).eq("yes").sum())
    human_yes = int(p["human_study"].astype(str).eq("yes").sum())
    text = (f"Of the {n} annotated papers, {shift_yes} test their method under distribution shift and "
            f"{human_yes} report a human uplift study.")
    return f'<div class="uq-finding"><p><b>Finding.</b> {escape(text)}</p></div>'
