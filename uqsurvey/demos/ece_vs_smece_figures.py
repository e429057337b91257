"""Figures of the chapter *ECE vs smECE* (:mod:`uqsurvey.demos.ece_vs_smece`).

Every ``figure_*`` function takes the frames of the experiments of
:mod:`uqsurvey.demos.ece_vs_smece` and returns a matplotlib
:class:`~matplotlib.figure.Figure` in the book's palette
(:mod:`uqsurvey.plots`), except :func:`figure_interactive`, the precomputed
Altair view, and :func:`figure_reliability_pair`, which also returns the
numbers it shows.  One series_color and marker per metric family: equal-width ECE
blue circles, equal-mass ECE purple squares, smECE vermillion triangles.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from uqsurvey import calibration as cal
from uqsurvey.demos.ece_vs_smece import DEFAULT_SEED, SMECE, STABILITY_MARK
from uqsurvey.plots import CYCLE, TEXT_WIDTH, color, configure_chart, new_figure, reliability_diagram

__all__ = [
    "figure_calibration_curves",
    "figure_ece_vs_bins",
    "figure_sample_size",
    "figure_ranking",
    "figure_verbalized",
    "figure_model_comparison",
    "figure_reliability_pair",
    "figure_interactive",
]


def figure_interactive(
    hist: pd.DataFrame,
    marks: pd.DataFrame,
    default_n: int = 1000,
    default_bins: int = 15,
    default_forecaster: str | None = None,
):
    """Altair view of :func:`interactive_data`: pick forecaster, sample size,
    bin count and binning; see the distribution of ECE over replicates
    against smECE's (as densities, since each histogram has its own bin
    width), their means and the true ECE."""
    import altair as alt

    if len(hist) + len(marks) >= 5000:
        raise ValueError(f"hist and marks must have fewer than 5000 rows together, got {len(hist) + len(marks)}")
    fcs = list(dict.fromkeys(marks["forecaster"]))
    ns = sorted(int(v) for v in marks["n"].unique())
    bins = sorted(int(b) for b in marks.loc[marks["series"] == "ECE", "n_bins"].unique())
    default_n = default_n if default_n in ns else ns[0]
    default_bins = default_bins if default_bins in bins else bins[0]
    default_forecaster = default_forecaster if default_forecaster in fcs else fcs[0]
    p_fc = alt.param(name="pick_forecaster", value=default_forecaster,
                     bind=alt.binding_select(options=fcs, name="forecaster: "))
    p_n = alt.param(name="pick_n", value=default_n, bind=alt.binding_select(options=ns, name="sample size n: "))
    p_b = alt.param(name="pick_bins", value=default_bins,
                    bind=alt.binding_select(options=bins, name="number of bins: "))
    p_bin = alt.param(name="pick_binning", value="width",
                      bind=alt.binding_radio(options=["width", "mass"], name="ECE bins of equal: "))
    common = "datum.forecaster == pick_forecaster && datum.n == pick_n"
    ece_f = f"{common} && datum.series == 'ECE' && datum.n_bins == pick_bins && datum.binning == pick_binning"
    sm_f = f"{common} && datum.series == '{SMECE}'"
    series_color = alt.Color("series:N", scale=alt.Scale(domain=["ECE", SMECE], range=[color("binned"), color("smooth")]),
                       legend=alt.Legend(title="bars: distribution; solid line: mean", orient="top", titleLimit=400))
    x = alt.X("lo:Q", title="metric value on one evaluation set", scale=alt.Scale(zero=False),
              axis=alt.Axis(tickCount=6, format=".3~f"))
    bars = (
        alt.Chart(hist)
        .transform_filter(f"({ece_f}) || ({sm_f})")
        .transform_calculate(density="datum.share / (datum.hi - datum.lo)")
        .mark_rect(opacity=0.5)
        .encode(
            x=x, x2="hi:Q",
            y=alt.Y("density:Q", title="density over replicates"), y2=alt.datum(0),
            color=series_color,
            tooltip=[alt.Tooltip("series:N", title="metric"), alt.Tooltip("lo:Q", format=".4f", title="from"),
                     alt.Tooltip("hi:Q", format=".4f", title="to"),
                     alt.Tooltip("share:Q", format=".1%", title="share of evaluation sets")],
        )
    )
    base = alt.Chart(marks)
    means = (
        base.transform_filter(f"({ece_f}) || ({sm_f})")
        .mark_rule(strokeWidth=2.5)
        .encode(x="mean:Q", color=series_color,
                tooltip=[alt.Tooltip("series:N", title="metric"),
                         alt.Tooltip("mean:Q", format=".4f", title="mean over replicates")])
    )
    truth = (
        base.transform_filter(sm_f)
        .mark_rule(color=color("black"), strokeWidth=2, strokeDash=[6, 3])
        .encode(x="true_ece:Q", tooltip=[alt.Tooltip("true_ece:Q", format=".4f", title="true ECE")])
    )
    chart = (
        alt.layer(bars, means, truth)
        .add_params(p_fc, p_n, p_b, p_bin)
        .properties(width=560, height=280,
                    description="Interactive histogram of binned ECE and smECE over simulated evaluation "
                    "sets, with their means and a dashed line at the true calibration error; drop-down "
                    "menus choose the forecaster, the sample size, the binning and the number of bins.",
                    usermeta={"embedOptions": {"renderer": "svg"}})
    )
    return configure_chart(chart)



def _series_style(label: str) -> dict:
    """One series_color and marker per metric family, the same in every figure:
    equal-width ECE blue circles, equal-mass ECE purple squares, smECE
    vermillion triangles (the book's series_color for smoothed calibration)."""
    if label == SMECE:
        return dict(color=color("smooth"), marker="^")
    if "mass" in label:
        return dict(color=color("reddish_purple"), marker="s")
    return dict(color=color("binned"), marker="o")


def _log_n_axis(ax, ns):
    ax.set_xscale("log")
    ax.set_xticks(list(ns), [f"{n:,}" for n in ns], rotation=45, ha="right", rotation_mode="anchor")
    ax.minorticks_off()


def figure_calibration_curves(curves: pd.DataFrame, truth: pd.DataFrame):
    """Left: the calibration functions c(f); right: the confidence densities p(f)."""
    fig, (ax1, ax2) = new_figure(2, width=3.7, height=3.7)
    ax1.plot([0, 1], [0, 1], linestyle="--", color=color("diagonal"), linewidth=1, label="calibrated")
    te = truth.set_index("forecaster")["true_ece"]
    styles = ("-", "--", "-.", ":")
    for (name, g), line, ls in zip(curves.groupby("forecaster", sort=False), CYCLE, styles):
        ax1.plot(g["confidence"], g["calibration"], color=line, ls=ls, label=f"{name} (true ECE {te[name]:.3f})")
        ax2.plot(g["confidence"], g["density"], color=line, ls=ls, label=name)
    ax1.set(xlim=(0, 1), ylim=(0, 1), xlabel="stated confidence f", ylabel="P(correct | f)",
            title="calibration function c(f)")
    ax1.set_aspect("equal")
    ax2.set(xlim=(0, 1), xlabel="stated confidence f", ylabel="density p(f)", title="where the confidences fall")
    handles, labels = ax1.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    return fig


def figure_ece_vs_bins(summary: pd.DataFrame, targets: pd.DataFrame, n: int):
    """ECE (mean and 5-95% range over replicates) against the number of bins at one n;
    dotted: the large-sample limit of each binning; band and line: smECE; dashed: truth."""
    from matplotlib.figure import Figure

    s = summary[summary["n"] == n]
    fcs = list(dict.fromkeys(s["forecaster"]))
    ncols = 2
    nrows = -(-len(fcs) // ncols)
    fig = Figure(figsize=(TEXT_WIDTH, 3.0 * nrows + 1.4), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, fc in zip(axes, fcs):
        g = s[s["forecaster"] == fc]
        truth = float(g["true_ece"].iloc[0])
        for binning in ("width", "mass"):
            e = g[(g["metric"] == "ECE") & (g["binning"] == binning)].sort_values("n_bins")
            if e.empty:
                continue
            st = _series_style(e["label"].iloc[0])
            ax.plot(e["n_bins"], e["mean"], marker=st["marker"], ms=4, color=st["color"],
                    label=f"ECE, equal-{binning} bins (mean, 5–95% band)")
            ax.fill_between(e["n_bins"], e["q05"], e["q95"], color=st["color"], alpha=0.15, lw=0)
            t = targets[(targets["forecaster"] == fc) & (targets["binning"] == binning)].sort_values("n_bins")
            ax.plot(t["n_bins"], t["target"], linestyle=":", color=st["color"], lw=1.4,
                    label=f"equal-{binning} ECE with unlimited data")
        sm = g[g["metric"] == SMECE].iloc[0]
        ax.axhspan(sm["q05"], sm["q95"], color=color("smooth"), alpha=0.10, lw=0)
        ax.axhline(sm["mean"], color=color("smooth"), label="smECE, no bins (mean, 5–95% band)")
        ax.axhline(truth, color=color("black"), linestyle="--", lw=1.2, label="true ECE")
        ax.set(title=fc, xlabel="number of bins", ylabel=f"metric at n = {n:,}" if ax in axes[::ncols] else None)
    for ax in axes[len(fcs):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    return fig


def figure_sample_size(summary: pd.DataFrame, labels: Sequence[str], mark: int = STABILITY_MARK):
    """One row per forecaster.  Left: bias (mean - true ECE) with ±2 SE; right: sd
    over replicates; x = n (log)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fcs = list(dict.fromkeys(summary["forecaster"]))
    ns = sorted(summary["n"].unique())
    fig = Figure(figsize=(TEXT_WIDTH, 2.6 * len(fcs) + 1.6), layout="constrained")
    axs = fig.subplots(len(fcs), 2, sharex=True, squeeze=False)
    for i, fc in enumerate(fcs):
        g = summary[summary["forecaster"] == fc]
        for label in labels:
            e = g[g["label"] == label].sort_values("n")
            st = _series_style(label)
            axs[i, 0].errorbar(e["n"], e["bias"], yerr=2 * e["se"], marker=st["marker"], ms=4, capsize=2,
                               color=st["color"], label=label)
            axs[i, 1].plot(e["n"], e["sd"], marker=st["marker"], ms=4, color=st["color"], label=label)
        for j in range(2):
            axs[i, j].axvline(mark, color=color("diagonal"), linestyle=":", lw=1.4)
            _log_n_axis(axs[i, j], ns)
        axs[i, 0].axhline(0, color=color("black"), lw=0.8)
        axs[i, 0].set_title(f"{fc}: bias (±2 SE)")
        axs[i, 1].set_title(f"{fc}: spread")
        axs[i, 0].set_ylabel("mean − true ECE")
        axs[i, 1].set_ylabel("sd over replicates")
        axs[i, 1].set_ylim(bottom=0)
    for j in range(2):
        axs[-1, j].set_xlabel("sample size n (log scale)")
    handles, lab = axs[0, 0].get_legend_handles_labels()
    handles.append(Line2D([], [], color=color("diagonal"), linestyle=":", lw=1.4))
    lab.append(f"n = {mark:,}")
    fig.legend(handles, lab, loc="outside lower center", ncol=2)
    return fig


def figure_ranking(flips: pd.DataFrame, mark: int = STABILITY_MARK):
    """P(correct order) against n, with ±2 SE."""
    fig, (ax,) = new_figure(1, width=TEXT_WIDTH, height=4.2)
    ns = sorted(flips["n"].unique())
    for label in dict.fromkeys(flips["label"]):
        g = flips[flips["label"] == label].sort_values("n")
        st = _series_style(label)
        ax.errorbar(g["n"], g["p_correct"], yerr=2 * g["se"], marker=st["marker"], ms=4, capsize=2,
                    color=st["color"], label=f"{label} (±2 SE)")
    ax.axhline(0.5, color=color("diagonal"), lw=1, linestyle="--", label="coin flip")
    ax.axvline(mark, color=color("diagonal"), lw=1.4, linestyle=":", label=f"n = {mark:,}")
    _log_n_axis(ax, ns)
    ax.set(ylim=(0, 1.02), xlabel="sample size n per forecaster (log scale)",
           ylabel="share of replicates ranked correctly")
    ax.legend(loc="lower right")
    return fig


def figure_verbalized(summary: pd.DataFrame, n: int):
    """Mean ECE per convention (filled, ±2 SE) and its large-sample limit
    (hollow); one panel per (latent forecaster, grid), bin counts on x."""
    from matplotlib.figure import Figure

    s = summary[summary["n"] == n]
    fcs = list(dict.fromkeys(s["forecaster"]))
    steps = list(dict.fromkeys(s["step"]))
    if len(steps) > 2:
        raise ValueError(f"at most two grids fit side by side; found {len(steps)}")
    fig = Figure(figsize=(TEXT_WIDTH, 3.1 * len(fcs) + 2.0), layout="constrained")
    axs = fig.subplots(len(fcs), len(steps), squeeze=False, sharey="row")
    markers = dict(zip(cal.CONVENTIONS, ("o", "s", "^", "D")))
    colors = dict(zip(cal.CONVENTIONS, (color("blue"), color("orange"), color("bluish_green"), color("reddish_purple"))))
    for i, fc in enumerate(fcs):
        for j, step in enumerate(steps):
            ax = axs[i, j]
            g = s[(s["forecaster"] == fc) & (s["step"] == step)]
            e = g[g["label"] != SMECE]
            bins = sorted(e["n_bins"].unique())
            for k, conv in enumerate(cal.CONVENTIONS):
                c = e[e["convention"] == conv].set_index("n_bins").loc[bins]
                x = np.arange(len(bins)) + (k - 1.5) * 0.15
                ax.errorbar(x, c["mean"], yerr=2 * c["se"], fmt=markers[conv], color=colors[conv], ms=5, capsize=2,
                            label=f"{conv}: mean over sets (±2 SE)")
                ax.scatter(x, c["limit"], marker=markers[conv], facecolors="none", edgecolors=colors[conv], s=45,
                           label=f"{conv}: unlimited data")
            sm = g[g["label"] == SMECE].iloc[0]
            ax.axhline(sm["mean"], color=color("smooth"), label="smECE: mean over sets")
            ax.axhline(float(g["true_ece"].iloc[0]), color=color("black"), linestyle="--", lw=1.2, label="true ECE")
            ax.set_xticks(np.arange(len(bins)), [f"{b} bins" for b in bins])
            ax.set_title(f"{fc}:\n{step:g} grid, n = {n:,}")
        axs[i, 0].set_ylabel("ECE")
    handles, labels = axs[0, 0].get_legend_handles_labels()
    order = [labels.index(f"{c}: mean over sets (±2 SE)") for c in cal.CONVENTIONS] + [
        labels.index(f"{c}: unlimited data") for c in cal.CONVENTIONS] + [labels.index("smECE: mean over sets"),
                                                                          labels.index("true ECE")]
    fig.legend([handles[k] for k in order], [labels[k] for k in order], loc="outside lower center", ncol=2)
    return fig


def figure_model_comparison(comparison: pd.DataFrame):
    """Estimates with bootstrap intervals: one row per metric, one series_color per model."""
    labels = list(dict.fromkeys(comparison["label"]))
    models = list(dict.fromkeys(comparison["model"]))
    fig, (ax,) = new_figure(1, width=TEXT_WIDTH, height=0.38 * len(labels) + 1.9)
    colors = dict(zip(models, (color("blue"), color("vermillion"), color("bluish_green"), color("orange"))))
    markers = dict(zip(models, ("o", "s", "D", "^")))
    for k, m in enumerate(models):
        g = comparison[comparison["model"] == m].set_index("label").loc[labels]
        y = np.arange(len(labels)) + (k - (len(models) - 1) / 2) * 0.22
        # the interval is drawn as a segment: a percentile interval need not contain the estimate
        ax.hlines(y, g["low"], g["high"], color=colors[m], lw=1.6)
        ax.plot(g["estimate"], y, markers[m], ms=4.5, color=colors[m], label=m)
    ax.set_yticks(np.arange(len(labels)), labels)
    ax.invert_yaxis()
    ax.set(xlabel="calibration error: estimate (marker) and\n95% percentile bootstrap interval (segment)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(models))
    return fig


def figure_reliability_pair(forecaster, n: int, seed: int = DEFAULT_SEED, n_bins: int = 15, n_boot: int = 200):
    """Binned (left) and smoothed (right) reliability diagrams of one seeded
    sample, with bootstrap bands, and the true calibration curve on both."""
    conf, correct = forecaster.sample(n, np.random.default_rng([seed, 4000, n]))
    binned = cal.binned_reliability(conf, correct, n_bins, n_boot=n_boot, seed=seed)
    smooth = cal.smooth_reliability(conf, correct, n_boot=n_boot, seed=seed)
    fig, (ax1, ax2) = new_figure(2, width=3.7, height=3.7)
    e = cal.ece(conf, correct, n_bins)
    reliability_diagram(ax1, binned_df=binned, title=f"binned, {n_bins} bins:\nECE = {e:.3f}", legend=False)
    reliability_diagram(ax2, smooth_df=smooth, title=f"smoothed:\nsmECE = {smooth.attrs['smece']:.3f}",
                              legend=False)
    t = np.linspace(0.0, 1.0, 201)
    for ax in (ax1, ax2):
        ax.plot(t, forecaster.calibration(t), color=color("black"), lw=1.4, linestyle="-.", label="true c(f)", zorder=5)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2))
    fig.suptitle(f"{forecaster.name}, one sample of n = {n:,} (true ECE {forecaster.true_ece():.3f})")
    return fig, {"ece": e, "smece": smooth.attrs["smece"], "sigma": smooth.attrs["sigma"],
                 "nonempty_bins": int((binned["count"] > 0).sum())}
