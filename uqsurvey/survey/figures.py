"""Tables and figures regenerated from the survey data (Parts I, II and IV).

Each function takes the loaded data (:func:`uqsurvey.survey.data.load`) or one of
its tables.  ``figure_*`` functions return a matplotlib Figure or an Altair chart,
``table_*`` functions a display table (a DataFrame or a pandas Styler); the other
functions return the tidy DataFrames both are drawn from.  Colors come from the
one palette in :mod:`uqsurvey.plots`.
"""
from __future__ import annotations

import pandas as pd

from uqsurvey import plots

CRITERIA = ("c1", "c2", "c3", "c4")
CRITERIA_LABELS = {
    "c1": "C1 real-world task",
    "c2": "C2 realistic inputs",
    "c3": "C3 hard for people",
    "c4": "C4 stakes",
}
SYMBOL = {"yes": "✓", "no": "✗", "n/a": "–"}

#: Colors of coded values, from the book's one palette (Okabe–Ito, uqsurvey.plots).
VALUE_COLORS = {
    "yes": plots.BLUISH_GREEN,
    "no": plots.VERMILLION,
    "n/a": "#BBBBBB",
    "supervised": plots.BLUE,
    "mixed": plots.ORANGE,
    "unsupervised": plots.SKY_BLUE,
}
MATCH_COLORS = {"exact": plots.BLUE, "alias": plots.SKY_BLUE, "subset": plots.ORANGE, "ambiguous": plots.REDDISH_PURPLE}
#: One colour per ledger status (the five of issue 12's vocabulary), used by the
#: charts and, through the same hex values, by the badges of _static/uq-ledger.css.
STATUS_COLORS = {
    "reproduced": plots.BLUISH_GREEN,
    "reproduced-under-reading": plots.SKY_BLUE,
    "differs": plots.VERMILLION,
    "project-coded": plots.ORANGE,
    "not-checkable": "#999999",
}


def _criterion_colors() -> dict[str, str]:
    return {k: VALUE_COLORS[k] for k in ("yes", "no", "n/a")}


# --------------------------------------------------------------------------- #
# Table 1
# --------------------------------------------------------------------------- #
def table_1(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Table 1 as printed: name, category and C1–C4 as ✓ / ✗ / –."""
    t = benchmarks.sort_values("table_row")[["name", "category", *CRITERIA]].copy()
    for c in CRITERIA:
        t[c] = t[c].astype(str).map(SYMBOL)
    return t.rename(columns={"name": "Benchmark", "category": "Category", **{c: c.upper() for c in CRITERIA}})


def table_1_styled(benchmarks: pd.DataFrame):
    """Table 1 as a styled HTML table (criteria cells coloured by value)."""
    colors = _criterion_colors()
    inverse = {v: k for k, v in SYMBOL.items()}
    t = table_1(benchmarks)

    def cell(v):
        c = colors[inverse.get(v, "n/a")]
        return f"background-color: {c}33; text-align: center; font-weight: bold"

    return (
        t.style.hide(axis="index")
        .map(cell, subset=[c.upper() for c in CRITERIA])
        .set_caption("Table 1 regenerated from data/benchmarks.csv (✓ meets, ✗ fails, – not applicable)")
    )


def criteria_counts(benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Rows: criterion; columns: yes / no / n/a counts over Table 1."""
    rows = []
    for c in CRITERIA:
        vc = benchmarks[c].astype(str).value_counts()
        rows.append({"criterion": CRITERIA_LABELS[c], **{k: int(vc.get(k, 0)) for k in ("yes", "no", "n/a")}})
    return pd.DataFrame(rows).set_index("criterion")


def figure_criteria(benchmarks: pd.DataFrame):
    """Stacked horizontal bars: how many Table 1 benchmarks meet each criterion."""
    counts = criteria_counts(benchmarks)
    labels = {"yes": "meets (✓)", "no": "fails (✗)", "n/a": "not applicable (–)"}
    fig = _stacked_barh(counts, labels, xlabel="benchmarks in Table 1", height=2.8)
    fig.axes[0].set_xlim(0, len(benchmarks))
    return fig


def _stacked_barh(table: pd.DataFrame, labels: dict[str, str], *, xlabel: str, height: float):
    """Horizontal stacked bars of *table* (rows: bars; columns: yes / no / n/a
    segments in the value colours), each segment labelled with its count."""
    import matplotlib.pyplot as plt

    colors = _criterion_colors()
    fig, ax = plt.subplots(figsize=(7, height))
    left = pd.Series(0, index=table.index)
    for k, label in labels.items():
        ax.barh(table.index, table[k], left=left, color=colors[k], label=label)
        for y, (x0, w) in enumerate(zip(left, table[k])):
            if w:
                ax.text(x0 + w / 2, y, str(int(w)), ha="center", va="center", color="black", fontsize=9)
        left = left + table[k]
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    fig.tight_layout()
    return fig


def _count_by(benchmarks: pd.DataFrame, column: str) -> pd.DataFrame:
    """Benchmarks per value of *column*, with their names, most frequent first."""
    return (
        benchmarks.groupby(benchmarks[column].astype(str))
        .agg(benchmarks=("name", "count"), names=("name", lambda s: ", ".join(s)))
        .sort_values("benchmarks", ascending=False)
        .reset_index()
    )


def category_counts(benchmarks: pd.DataFrame) -> pd.DataFrame:
    return _count_by(benchmarks, "category")


def figure_categories(benchmarks: pd.DataFrame):
    import matplotlib.pyplot as plt

    cc = category_counts(benchmarks)
    qa_like = cc["category"].str.contains("QA") | cc["category"].eq("Commonsense")
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.barh(cc["category"], cc["benchmarks"], color=[plots.ORANGE if q else plots.BLUE for q in qa_like])
    ax.invert_yaxis()
    ax.set_xlabel("benchmarks in Table 1")
    ax.set_title("Table 1 categories (orange: question answering or commonsense)", fontsize=10)
    fig.tight_layout()
    return fig


def table_answer_formats(benchmarks: pd.DataFrame) -> pd.DataFrame:
    return _count_by(benchmarks, "answer_format").rename(columns={"answer_format": "answer format (project coding)"})


# --------------------------------------------------------------------------- #
# Papers × benchmarks
# --------------------------------------------------------------------------- #
def paper_benchmark_long(d, matches=("exact", "alias", "subset", "ambiguous")) -> pd.DataFrame:
    """One row per (annotated paper, Table 1 benchmark) with whether and how it is used."""
    ds = d.paper_datasets
    used = ds[ds["benchmark"].notna() & ds["benchmark_match"].astype(str).isin(matches)]
    used = (
        used.groupby(["paper_id", used["benchmark"].astype(str)])
        .agg(
            datasets=("dataset", lambda s: "; ".join(map(str, s))),
            match=("benchmark_match", lambda s: "/".join(sorted(set(map(str, s))))),
        )
        .reset_index()
    )
    grid = pd.MultiIndex.from_product([d.papers["id"], d.benchmarks["name"]], names=["paper_id", "benchmark"])
    full = pd.DataFrame(index=grid).reset_index().merge(used, how="left", on=["paper_id", "benchmark"])
    full["used"] = full["datasets"].notna()
    cites = d.papers.set_index("id")[["citation", "title"]]
    full = full.join(cites, on="paper_id")
    full["match"] = full["match"].astype(object).fillna("").astype(str)
    full["datasets"] = full["datasets"].astype(object).fillna("").astype(str)
    full["paper_order"] = full["paper_id"].str[1:].astype(int)
    full["benchmark_order"] = full["benchmark"].map(dict(zip(d.benchmarks["name"], d.benchmarks["table_row"])))
    return full


def figure_paper_benchmarks(d):
    """Interactive heatmap: which Table 1 benchmarks each annotated paper evaluates on."""
    import altair as alt

    long = paper_benchmark_long(d)
    order_p = list(d.papers.sort_values("id", key=lambda s: s.str[1:].astype(int))["id"])
    order_b = list(d.benchmarks.sort_values("table_row")["name"])
    data = long[long["used"]][["paper_id", "benchmark", "citation", "title", "datasets", "match"]]
    return (
        alt.Chart(data, title="Table 1 benchmarks used by each annotated paper (hover for the datasets)")
        .mark_rect(stroke="white")
        .encode(
            x=alt.X("paper_id:N", sort=order_p, title="annotated paper"),
            y=alt.Y("benchmark:N", sort=order_b, title=None),
            color=alt.Color(
                "match:N",
                title="mapping",
                scale=alt.Scale(domain=list(MATCH_COLORS), range=list(MATCH_COLORS.values())),
            ),
            tooltip=["paper_id", "citation", "title", "benchmark", "datasets", "match"],
        )
        .properties(
            width=alt.Step(14),
            height=alt.Step(14),
            description="Heat map with annotated papers P1 onwards on the x axis and Table 1 benchmarks on the "
            "y axis; a coloured cell means the paper evaluates on the benchmark, the colour says how the "
            "dataset name matches it.",
        )
    )


def table_benchmark_usage(d) -> pd.DataFrame:
    """Per Table 1 benchmark: annotated papers that use it, strictly and with subsets."""
    from uqsurvey.survey.rules import INCLUSIVE, STRICT, WITH_SUBSETS, benchmark_usage

    out = d.benchmarks[["name", "category"]].copy()
    for label, m in (("exact/alias", STRICT), ("+ subsets", WITH_SUBSETS), ("+ ambiguous", INCLUSIVE)):
        out[label] = out["name"].map(benchmark_usage(d.paper_datasets, m)).fillna(0).astype(int)
    return out.sort_values("+ ambiguous", ascending=False).reset_index(drop=True)


def table_outside_table_1(d, min_papers: int = 2) -> pd.DataFrame:
    """Datasets outside Table 1 that at least *min_papers* annotated papers use."""
    ds = d.paper_datasets[d.paper_datasets["benchmark"].isna()]
    g = ds.groupby(ds["dataset"].astype(str))["paper_id"].agg(lambda s: sorted(set(s), key=lambda x: int(x[1:])))
    t = pd.DataFrame({"dataset": list(g.index), "papers": list(g.map(", ".join)), "n": list(g.map(len))})
    return t[t["n"] >= min_papers].sort_values(["n", "dataset"], ascending=[False, True]).reset_index(drop=True)


# --------------------------------------------------------------------------- #
# Metrics, supervision × shift, human studies
# --------------------------------------------------------------------------- #
def metric_usage(d) -> pd.DataFrame:
    """Papers per canonical metric, with the metric's family."""
    m = d.paper_metrics
    g = m.groupby([m["metric"].astype(str), m["metric_family"].astype(str)])["paper_id"].nunique()
    return g.rename("papers").reset_index().sort_values(["papers", "metric"], ascending=[False, True]).reset_index(drop=True)


def figure_metric_usage(d, top: int | None = None):
    import altair as alt

    mu = metric_usage(d)
    if top:
        mu = mu.head(top)
    m = d.paper_metrics
    who = m.groupby(m["metric"].astype(str))["paper_id"].agg(lambda s: ", ".join(sorted(set(s), key=lambda x: int(x[1:]))))
    mu = mu.assign(which=mu["metric"].map(who))
    fams = sorted(mu["metric_family"].unique())
    p = list(plots.CYCLE)
    return (
        alt.Chart(mu, title="Metrics reported by the annotated papers (hover for the papers)")
        .mark_bar()
        .encode(
            x=alt.X("papers:Q", title="annotated papers reporting it"),
            y=alt.Y("metric:N", sort="-x", title=None),
            color=alt.Color("metric_family:N", title="family", scale=alt.Scale(domain=fams, range=p[: len(fams)])),
            tooltip=["metric", "metric_family", "papers", "which"],
        )
        .properties(
            width=420,
            description="Bar chart of the number of annotated papers reporting each metric, coloured by metric "
            "family; AUROC and ECE lead.",
        )
    )


def table_supervision_shift(d) -> pd.DataFrame:
    """Crosstab of supervision against 'tested under distribution shift'."""
    p = d.papers
    t = pd.crosstab(p["supervision"].astype(str), p["shift"].astype(str), margins=True, margins_name="total")
    cols = [c for c in ("yes", "no", "n/a", "total") if c in t.columns]
    rows = [r for r in ("supervised", "mixed", "unsupervised", "n/a", "total") if r in t.index]
    return t.loc[rows, cols].rename_axis(index="supervision", columns="tested under shift")


def figure_supervision_shift(d):
    """Stacked horizontal bars: annotated papers by supervision and shift testing."""
    t = table_supervision_shift(d).drop(index="total", columns="total")
    return _stacked_barh(t, {k: f"shift tested: {k}" for k in t.columns}, xlabel="annotated papers", height=2.6)


def table_human_studies(d) -> pd.DataFrame:
    """The annotated papers with a human uplift study, with the annotation as given."""
    p = d.papers
    t = p[p["human_study"].astype(str).eq("yes")][["id", "citation", "title", "human_study_as_given"]]
    return t.rename(columns={"human_study_as_given": "annotation (as given)"}).reset_index(drop=True)


def table_readings(d) -> pd.DataFrame:
    """The recorded readings of the source (``readings.csv``), one row each: the cell,
    the value the table holds and the alternative, the class of ambiguity, whether the
    column is the source's or the project's, the English gloss of the evidence and
    the claims whose inputs the reading changes."""
    from uqsurvey.survey import readings as rd
    from uqsurvey.survey.ledger import claims_using

    rs = rd.parse(d.tables.get(rd.RESOURCE))
    use = claims_using(rs)
    rows = []
    for r in rs:
        rows.append({
            "reading": r.id,
            "cell": f"{r.table} · {r.row_key} · {', '.join(r.columns)}",
            "as coded → alternative": " → ".join(", ".join(v or "(empty)" for v in vals)
                                                  for vals in (r.primary, r.alternative)),
            "ambiguity": r.ambiguity,
            "basis": r.basis,
            "evidence (gloss)": r.evidence_en,
            "claims": ", ".join(use[r.id]) if use[r.id] else "none (descriptive)",
        })
    return pd.DataFrame(rows, columns=["reading", "cell", "as coded → alternative", "ambiguity", "basis",
                                       "evidence (gloss)", "claims"])


def table_readings_by_class(d) -> pd.DataFrame:
    """Recorded readings per class of ambiguity: how many, how many rest on the
    source and on the project's coding, and how many change a claim's inputs."""
    t = table_readings(d)
    if t.empty:
        return pd.DataFrame(columns=["ambiguity", "readings", "source", "project-coding", "used by a claim"])
    g = t.groupby("ambiguity", sort=False)
    out = pd.DataFrame({
        "readings": g.size(),
        "source": g["basis"].apply(lambda s: int((s == "source").sum())),
        "project-coding": g["basis"].apply(lambda s: int((s == "project-coding").sum())),
        "used by a claim": g["claims"].apply(lambda s: int((~s.str.startswith("none")).sum())),
    }).reset_index()
    return out.sort_values("readings", ascending=False, kind="stable").reset_index(drop=True)
