"""The experiments of the chapter *ECE vs smECE*: where binned ECE and
SmoothECE part ways, on forecasters whose calibration error is known.

Every experiment is seeded (one integer ``seed``; each block of replicates
draws from ``numpy.random.default_rng([seed, block ids...])``, so a block's
numbers do not depend on which other blocks run) and returns a tidy
:class:`pandas.DataFrame`.  The metrics are those of
:mod:`uqsurvey.calibration`; Monte Carlo replicates are scored with the
batched :func:`uqsurvey.calibration.ece_batch` and
:func:`uqsurvey.calibration.smece_batch`, which the tests check against the
public ``ece`` and ``smece``.

Experiments
-----------
:func:`ground_truth`        true ECE and the large-sample limits of each metric
:func:`calibration_curves`  ``c(f)`` and ``p(f)`` on a grid, for the figure
:func:`monte_carlo`         per-replicate ECE (many binnings) and smECE
:func:`summarize`           bias, spread and standard errors from it
:func:`ranking_flips`       how often each metric orders two forecasters correctly
:func:`verbalized_conventions`  bin-edge conventions on 0.05 / 0.1 grids
:func:`model_comparison`    sklearn models: ECE at several bin counts, smECE, bootstrap CIs
:func:`subset_agreement`    the same comparison on disjoint small test sets
:func:`interactive_data`    the data of the precomputed Altair view
:func:`table_sample_size`   the sample-size table of the chapter

The figures are drawn by the ``figure_*`` functions of
:mod:`uqsurvey.demos.ece_vs_smece_figures`.
"""
from __future__ import annotations

from functools import partial
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from uqsurvey import calibration as cal
from uqsurvey._args import as_generator, check_int, check_ints
from uqsurvey.simulation import (Forecaster, VerbalizedForecaster, llm_like, llm_like_crossing, ranking_pair,
                                 standard_forecasters)

__all__ = [
    "DEFAULT_SEED",
    "BIN_COUNTS",
    "SAMPLE_SIZES",
    "STABILITY_MARK",
    "SMECE",
    "metric_label",
    "label_parts",
    "ground_truth",
    "population_targets",
    "calibration_curves",
    "replicate_metrics",
    "monte_carlo",
    "summarize",
    "table_sample_size",
    "ranking_flips",
    "convention_population_ece",
    "verbalized_conventions",
    "model_comparison",
    "best_models",
    "subset_agreement",
    "interactive_data",
]

DEFAULT_SEED = 20250607
BIN_COUNTS: tuple[int, ...] = (5, 10, 15, 20, 30, 50)
SAMPLE_SIZES: tuple[int, ...] = (100, 200, 500, 1000, 2000, 5000, 10000)
#: the sample size below which the paper calls ECE unstable
STABILITY_MARK = 5000
#: at most this many (replicate x example) values are held at once
_CHUNK_VALUES = 1_000_000

SMECE = "smECE"


def metric_label(metric: str, binning: str | None = None, n_bins: int | None = None) -> str:
    """``"smECE"`` or e.g. ``"ECE, 15 equal-width bins"``."""
    if metric == SMECE:
        return SMECE
    if metric != "ECE" or binning not in ("width", "mass") or n_bins is None:
        raise ValueError(f"metric must be 'smECE' or 'ECE' with a binning and n_bins; found {metric!r}")
    return f"ECE, {int(n_bins)} equal-{binning} bins"


def label_parts(label: str) -> tuple[str, str, int]:
    """``(metric, binning, n_bins)`` of a :func:`metric_label`
    (``("smECE", "none", 0)`` for smECE)."""
    if label == SMECE:
        return SMECE, "none", 0
    # "ECE, 15 equal-width bins"
    words = label.replace(",", "").split()
    return "ECE", words[2].split("-")[1], int(words[1])


def _check_reps(reps) -> int:
    return check_int("reps", reps, 2)


def _check_seed(seed) -> int:
    return check_int("seed", seed, 0)


def _check_forecasters(forecasters) -> list:
    forecasters = list(standard_forecasters() if forecasters is None else forecasters)
    if not forecasters or not all(hasattr(f, "sample_batch") and hasattr(f, "true_ece") for f in forecasters):
        raise ValueError("forecasters must be a non-empty list of forecasters from uqsurvey.simulation")
    names = [f.name for f in forecasters]
    if len(set(names)) != len(names):
        raise ValueError(f"forecasters must have distinct names; found {names}")
    return forecasters


# --------------------------------------------------------------------------- #
# ground truth
# --------------------------------------------------------------------------- #
def ground_truth(forecasters=None, n_bins: int = 15) -> pd.DataFrame:
    """One row per forecaster: its law, accuracy, true ECE and metric limits.

    Columns: ``forecaster, density, calibration, accuracy, mean_confidence,
    true_ece, ece_width_limit, ece_mass_limit, smece_limit`` -- the limits are
    what ECE with ``n_bins`` equal-width / equal-mass bins and smECE converge
    to as ``n -> inf`` (see :mod:`uqsurvey.simulation`).
    """
    forecasters = _check_forecasters(forecasters)
    n_bins = check_int("n_bins", n_bins)
    rows = []
    for f in forecasters:
        row = dict(f.describe()) if hasattr(f, "describe") else {"forecaster": f.name}
        row.update(
            accuracy=f.accuracy(),
            mean_confidence=f.mean_confidence() if hasattr(f, "mean_confidence") else np.nan,
            true_ece=f.true_ece(),
            ece_width_limit=f.population_binned_ece(n_bins, "width") if hasattr(f, "population_binned_ece") else np.nan,
            ece_mass_limit=f.population_binned_ece(n_bins, "mass") if hasattr(f, "population_binned_ece") else np.nan,
            smece_limit=f.population_smece(),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def population_targets(forecasters=None, bins: Sequence[int] = BIN_COUNTS, binnings=("width", "mass")) -> pd.DataFrame:
    """The large-sample limit of every metric: ``forecaster, metric, binning,
    n_bins, label, target, true_ece``."""
    forecasters = _check_forecasters(forecasters)
    bins = check_ints("bins", bins)
    rows = []
    for f in forecasters:
        truth = f.true_ece()
        for binning in binnings:
            for b in bins:
                rows.append(
                    dict(forecaster=f.name, metric="ECE", binning=binning, n_bins=b,
                         label=metric_label("ECE", binning, b),
                         target=f.population_binned_ece(b, binning), true_ece=truth)
                )
        rows.append(dict(forecaster=f.name, metric=SMECE, binning="none", n_bins=0, label=SMECE,
                         target=f.population_smece(), true_ece=truth))
    return pd.DataFrame(rows)


def calibration_curves(forecasters=None, n_points: int = 201) -> pd.DataFrame:
    """``forecaster, confidence, calibration, density`` on an even grid."""
    forecasters = _check_forecasters(forecasters)
    n_points = check_int("n_points", n_points, 3)
    t = np.linspace(0.0, 1.0, n_points)
    frames = [
        pd.DataFrame({"forecaster": f.name, "confidence": t, "calibration": f.calibration(t), "density": f.density(t)})
        for f in forecasters
    ]
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- #
# Monte Carlo
# --------------------------------------------------------------------------- #
def replicate_metrics(
    forecaster,
    n: int,
    reps: int,
    rng,
    bins: Sequence[int] = BIN_COUNTS,
    binnings: Iterable[str] = ("width", "mass"),
    smooth: bool = True,
) -> pd.DataFrame:
    """Draw ``reps`` samples of size ``n`` and score each with every metric.

    Returns a wide frame, one row per replicate: ``rep`` and one column per
    metric label (:func:`metric_label`).  Replicates are drawn in chunks of at
    most about a million values from ``rng`` (in order), so memory stays
    bounded; the chunking depends only on ``n``.
    """
    n = check_int("n", n)
    reps = _check_reps(reps)
    bins = check_ints("bins", bins)
    binnings = tuple(binnings)
    for b in binnings:
        if b not in ("width", "mass"):
            raise ValueError(f"binnings must contain 'width' and/or 'mass'; found {b!r}")
    rng = as_generator(rng, "rng")
    chunk = max(1, _CHUNK_VALUES // n)
    cols: dict[str, list] = {}
    for start in range(0, reps, chunk):
        k = min(chunk, reps - start)
        conf, correct = forecaster.sample_batch(n, k, rng)
        for binning in binnings:
            values = cal.ece_batch(conf, correct, bins, binning=binning)
            for b, v in zip(bins, values):
                cols.setdefault(metric_label("ECE", binning, b), []).append(v)
        if smooth:
            cols.setdefault(SMECE, []).append(cal.smece_batch(conf, correct))
    out = pd.DataFrame({"rep": np.arange(reps)})
    for label, parts in cols.items():
        out[label] = np.concatenate(parts)
    return out


def monte_carlo(
    forecasters=None,
    sample_sizes: Sequence[int] = SAMPLE_SIZES,
    reps: int = 400,
    seed: int = DEFAULT_SEED,
    bins: Sequence[int] = BIN_COUNTS,
    binnings: Iterable[str] = ("width", "mass"),
) -> pd.DataFrame:
    """Per-replicate values of every metric, for every forecaster and ``n``.

    Long format: ``forecaster, n, rep, metric, binning, n_bins, label, value``
    (``binning="none"``, ``n_bins=0`` for smECE).  Block ``(i, n)`` draws from
    ``default_rng([seed, i, n])`` where ``i`` is the forecaster's position.
    """
    forecasters = _check_forecasters(forecasters)
    sample_sizes = check_ints("sample_sizes", sample_sizes)
    reps = _check_reps(reps)
    seed = _check_seed(seed)
    frames = []
    for i, f in enumerate(forecasters):
        for n in sample_sizes:
            wide = replicate_metrics(f, n, reps, np.random.default_rng([seed, i, n]), bins, binnings)
            long = wide.melt(id_vars="rep", var_name="label", value_name="value")
            long.insert(0, "n", n)
            long.insert(0, "forecaster", f.name)
            frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    parts = {lab: label_parts(lab) for lab in out["label"].unique()}
    out["metric"] = out["label"].map(lambda s: parts[s][0])
    out["binning"] = out["label"].map(lambda s: parts[s][1])
    out["n_bins"] = out["label"].map(lambda s: parts[s][2]).astype(int)
    return out[["forecaster", "n", "rep", "metric", "binning", "n_bins", "label", "value"]]


def summarize(mc: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Bias, spread and standard errors per (forecaster, n, metric).

    ``mc`` from :func:`monte_carlo`, ``targets`` from
    :func:`population_targets`.  Columns: ``forecaster, n, label, metric,
    binning, n_bins, reps, mean, sd, se`` (standard error of the mean,
    ``sd / sqrt(reps)``), ``q05, q50, q95``, ``true_ece``, ``bias``
    (``mean - true_ece``; its standard error is ``se``), ``rel_bias``
    (``bias / true_ece``), ``rel_sd`` (``sd / true_ece``), ``rmse`` (around
    the true ECE), ``target`` (the metric's own large-sample limit) and
    ``bias_vs_target``.
    """
    need = {"forecaster", "n", "label", "value"}
    if not need <= set(mc.columns):
        raise ValueError(f"mc must have columns {sorted(need)}")
    keys = ["forecaster", "n", "label", "metric", "binning", "n_bins"]
    g = mc.groupby(keys, sort=False)["value"]
    out = g.agg(
        reps="count",
        mean="mean",
        sd=lambda v: float(np.std(v, ddof=1)),
        q05=lambda v: float(np.quantile(v, 0.05)),
        q50=lambda v: float(np.quantile(v, 0.5)),
        q95=lambda v: float(np.quantile(v, 0.95)),
    ).reset_index()
    out["se"] = out["sd"] / np.sqrt(out["reps"])
    t = targets[["forecaster", "label", "target", "true_ece"]]
    out = out.merge(t, on=["forecaster", "label"], how="left", validate="many_to_one")
    if out["true_ece"].isna().any():
        raise ValueError("targets lacks a forecaster or metric present in mc")
    out["bias"] = out["mean"] - out["true_ece"]
    out["rel_bias"] = out["bias"] / out["true_ece"]
    out["rel_sd"] = out["sd"] / out["true_ece"]
    sq = mc.merge(t, on=["forecaster", "label"], how="left")
    sq["sq"] = (sq["value"] - sq["true_ece"]) ** 2
    rmse = sq.groupby(["forecaster", "n", "label"], sort=False)["sq"].mean().pow(0.5).rename("rmse")
    out = out.merge(rmse.reset_index(), on=["forecaster", "n", "label"])
    out["bias_vs_target"] = out["mean"] - out["target"]
    cols = ["forecaster", "n", "label", "metric", "binning", "n_bins", "reps", "mean", "sd", "se",
            "q05", "q50", "q95", "true_ece", "bias", "rel_bias", "rel_sd", "rmse", "target", "bias_vs_target"]
    return out[cols]


def table_sample_size(summary: pd.DataFrame, sample_sizes: Sequence[int], labels: Sequence[str]) -> pd.DataFrame:
    """The rows of :func:`summarize` for some ``n`` and metrics, in reading order:
    ``forecaster, n, label, mean, bias, se, sd, rel_sd``."""
    s = summary[summary["n"].isin(sample_sizes) & summary["label"].isin(labels)].copy()
    s["label"] = pd.Categorical(s["label"], categories=list(labels), ordered=True)
    s["forecaster"] = pd.Categorical(s["forecaster"], categories=list(dict.fromkeys(summary["forecaster"])),
                                     ordered=True)
    s = s.sort_values(["forecaster", "n", "label"])
    s["label"] = s["label"].astype(str)
    s["forecaster"] = s["forecaster"].astype(str)
    return s[["forecaster", "n", "label", "mean", "bias", "se", "sd", "rel_sd"]].reset_index(drop=True)


# --------------------------------------------------------------------------- #
# ranking flips
# --------------------------------------------------------------------------- #
def ranking_flips(
    pair: tuple | None = None,
    sample_sizes: Sequence[int] = SAMPLE_SIZES,
    reps: int = 400,
    seed: int = DEFAULT_SEED,
    bins: Sequence[int] = (15,),
    binnings: Iterable[str] = ("width", "mass"),
) -> pd.DataFrame:
    """How often each metric orders two forecasters as their true ECEs do.

    For every ``n``, ``reps`` independent samples of size ``n`` are drawn from
    each forecaster of ``pair`` (default :func:`uqsurvey.simulation.ranking_pair`)
    and scored; a replicate ranks them correctly when the metric is smaller
    for the forecaster with the smaller true ECE (ties count as wrong).
    Columns: ``n, label, reps, p_correct, se`` (binomial,
    ``sqrt(p(1-p)/reps)``), ``mean_better, mean_worse`` (mean metric of the
    truly better / worse forecaster), ``limit_better, limit_worse`` (their
    large-sample limits), ``true_better, true_worse``, ``better, worse``
    (names).
    """
    pair = tuple(ranking_pair() if pair is None else pair)
    if len(pair) != 2:
        raise ValueError(f"pair must hold two forecasters; found {len(pair)}")
    pair = _check_forecasters(pair)
    sample_sizes = check_ints("sample_sizes", sample_sizes)
    reps = _check_reps(reps)
    seed = _check_seed(seed)
    truths = [f.true_ece() for f in pair]
    if truths[0] == truths[1]:
        raise ValueError("pair must have different true ECEs")
    better, worse = (0, 1) if truths[0] < truths[1] else (1, 0)
    targets = population_targets(pair, bins, binnings).set_index(["forecaster", "label"])["target"]
    rows = []
    for n in sample_sizes:
        scored = [
            replicate_metrics(f, n, reps, np.random.default_rng([seed, 1000 + i, n]), bins, binnings)
            for i, f in enumerate(pair)
        ]
        for label in scored[0].columns.drop("rep"):
            vb, vw = scored[better][label].to_numpy(), scored[worse][label].to_numpy()
            p = float(np.mean(vb < vw))
            rows.append(
                dict(n=n, label=label, reps=reps, p_correct=p, se=float(np.sqrt(p * (1 - p) / reps)),
                     mean_better=float(vb.mean()), mean_worse=float(vw.mean()),
                     limit_better=float(targets[(pair[better].name, label)]),
                     limit_worse=float(targets[(pair[worse].name, label)]),
                     true_better=truths[better], true_worse=truths[worse],
                     better=pair[better].name, worse=pair[worse].name)
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- #
# verbalized confidences and bin-edge conventions
# --------------------------------------------------------------------------- #
def convention_population_ece(forecaster: VerbalizedForecaster, n_bins: int, convention: str) -> float:
    """Large-sample limit of ECE on a verbalized forecaster under one convention:
    ``Σ_bins |Σ_{grid values g in bin} ∫_cell(g) (c(l) - g) p(l) dl|``."""
    if not isinstance(forecaster, VerbalizedForecaster):
        raise ValueError(f"forecaster must be a VerbalizedForecaster; found {forecaster!r}")
    cells = forecaster.cells()
    idx = cal.bin_index(cells["stated"].to_numpy(), n_bins, convention=convention)
    per_bin = pd.Series(cells["weighted_gap"].to_numpy()).groupby(idx).sum()
    return float(per_bin.abs().sum())


def verbalized_conventions(
    latents: Sequence[Forecaster] | None = None,
    steps: Sequence[float] = (0.1, 0.05),
    sample_sizes: Sequence[int] = (1000,),
    reps: int = 400,
    seed: int = DEFAULT_SEED,
    bins: Sequence[int] = (10, 15, 20),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ECE under every bin-edge convention, and smECE, on grid confidences.

    Each latent forecaster (default :func:`uqsurvey.simulation.llm_like` and
    :func:`uqsurvey.simulation.llm_like_crossing`) is rounded to each grid
    ``step``.  Returns two frames:

    ``summary``: ``forecaster, step, n, n_bins, label, convention, reps, mean,
    sd, se, limit`` (the large-sample limit under that convention, exact),
    ``true_ece`` (of the discrete forecaster) -- with smECE rows
    (``convention="none"``, ``n_bins=0``).

    ``spread``: per ``(forecaster, step, n, n_bins)``: ``mean_spread`` (mean
    over replicates of max - min ECE across the four conventions, same data),
    ``se_spread``, ``q95_spread``, ``share_differ`` (replicates in which the
    conventions do not all agree to 1e-9), ``mean_sd`` (the mean sampling sd
    of ECE across conventions, for scale), ``limit_spread`` (max - min of the
    limits) and ``true_ece``.
    """
    latents = list((llm_like(), llm_like_crossing()) if latents is None else latents)
    steps = tuple(steps)
    if not steps:
        raise ValueError("steps must not be empty")
    sample_sizes = check_ints("sample_sizes", sample_sizes)
    reps = _check_reps(reps)
    seed = _check_seed(seed)
    bins = check_ints("bins", bins)
    rows, spread_rows = [], []
    for li, latent in enumerate(latents):
        for si, step in enumerate(steps):
            vf = VerbalizedForecaster(latent, step)
            truth = vf.true_ece()
            limits = {(b, c): convention_population_ece(vf, b, c) for b in bins for c in cal.CONVENTIONS}
            sm_limit = vf.population_smece()
            for n in sample_sizes:
                conf, correct = vf.sample_batch(n, reps, np.random.default_rng([seed, 2000 + li, si, n]))
                vals = {(b, c): cal.ece_batch(conf, correct, b, convention=c) for b in bins for c in cal.CONVENTIONS}
                common = dict(forecaster=latent.name, step=step, n=n, reps=reps, true_ece=truth)
                for (b, c), v in vals.items():
                    sd = float(v.std(ddof=1))
                    rows.append(dict(common, n_bins=b, label=metric_label("ECE", "width", b), convention=c,
                                     mean=float(v.mean()), sd=sd, se=sd / np.sqrt(reps), limit=limits[(b, c)]))
                sm = cal.smece_batch(conf, correct)
                sd = float(sm.std(ddof=1))
                rows.append(dict(common, n_bins=0, label=SMECE, convention="none", mean=float(sm.mean()), sd=sd,
                                 se=sd / np.sqrt(reps), limit=sm_limit))
                for b in bins:
                    stack = np.vstack([vals[(b, c)] for c in cal.CONVENTIONS])
                    width = stack.max(axis=0) - stack.min(axis=0)
                    lim = [limits[(b, c)] for c in cal.CONVENTIONS]
                    spread_rows.append(
                        dict(common, n_bins=b, mean_spread=float(width.mean()),
                             se_spread=float(width.std(ddof=1) / np.sqrt(reps)),
                             q95_spread=float(np.quantile(width, 0.95)),
                             share_differ=float(np.mean(width > 1e-9)),
                             mean_sd=float(np.mean([vals[(b, c)].std(ddof=1) for c in cal.CONVENTIONS])),
                             limit_spread=float(max(lim) - min(lim)))
                    )
    cols = ["forecaster", "step", "n", "n_bins", "label", "convention", "reps", "mean", "sd", "se", "limit", "true_ece"]
    scols = ["forecaster", "step", "n", "n_bins", "reps", "mean_spread", "se_spread", "q95_spread", "share_differ",
             "mean_sd", "limit_spread", "true_ece"]
    return pd.DataFrame(rows)[cols], pd.DataFrame(spread_rows)[scols]


# --------------------------------------------------------------------------- #
# real predictions
# --------------------------------------------------------------------------- #
def _metric_functions(bins: Sequence[int], binnings: Iterable[str]) -> dict:
    fns = {}
    for binning in binnings:
        for b in bins:
            fns[metric_label("ECE", binning, b)] = partial(cal.ece, n_bins=b, binning=binning)
    fns[SMECE] = cal.smece
    return fns


def model_comparison(
    preds: pd.DataFrame,
    bins: Sequence[int] = BIN_COUNTS,
    binnings: Iterable[str] = ("width", "mass"),
    n_boot: int = 200,
    seed: int = DEFAULT_SEED,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Every model scored by ECE (each binning) and smECE, with percentile
    bootstrap intervals (:func:`uqsurvey.calibration.bootstrap_ci`, the same
    seed for every metric, so all metrics see the same resamples).

    ``preds`` as returned by :func:`uqsurvey.simulation.sklearn_predictions`.
    Columns: ``model, label, metric, binning, n_bins, n, estimate, low,
    high, rank`` (1 = smallest estimate = best calibrated by that metric).
    """
    if not {"model", "confidence", "correct"} <= set(preds.columns):
        raise ValueError("preds must have columns model, confidence, correct")
    bins = check_ints("bins", bins)
    n_boot = check_int("n_boot", n_boot)
    seed = _check_seed(seed)
    fns = _metric_functions(bins, binnings)
    rows = []
    for model, g in preds.groupby("model", sort=False):
        f = g["confidence"].to_numpy(float)
        y = g["correct"].to_numpy()
        for label, fn in fns.items():
            ci = cal.bootstrap_ci(fn, f, y, n_boot=n_boot, seed=seed, alpha=alpha)
            metric, binning, nb = label_parts(label)
            rows.append(dict(model=model, label=label, metric=metric, binning=binning, n_bins=nb, n=len(f),
                             estimate=ci.estimate, low=ci.low, high=ci.high))
    out = pd.DataFrame(rows)
    out["rank"] = out.groupby("label")["estimate"].rank(method="min").astype(int)
    return out


def best_models(comparison: pd.DataFrame) -> pd.DataFrame:
    """Per metric: the best-calibrated model, its estimate, and the runner-up
    with whether their bootstrap intervals overlap."""
    rows = []
    for label, g in comparison.groupby("label", sort=False):
        g = g.sort_values("estimate")
        best, second = g.iloc[0], g.iloc[1]
        rows.append(dict(label=label, best=best["model"], estimate=best["estimate"], runner_up=second["model"],
                         runner_up_estimate=second["estimate"],
                         intervals_overlap=bool(best["high"] >= second["low"])))
    return pd.DataFrame(rows)


def subset_agreement(
    preds: pd.DataFrame,
    subset_size: int = 300,
    seed: int = DEFAULT_SEED,
    labels: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Re-run the model comparison on disjoint random test subsets of
    ``subset_size`` examples (the same examples for every model).

    Returns ``(winners, summary)``: ``winners`` has one row per (subset,
    metric label) with the best model; ``summary`` per label has
    ``subsets``, ``share_full_winner`` (subsets whose winner is the winner
    on the full test set by the same metric), ``share_agree_smece`` (winner
    equal to smECE's on that subset).
    """
    subset_size = check_int("subset_size", subset_size, 10)
    seed = _check_seed(seed)
    models = list(dict.fromkeys(preds["model"]))
    per_model = {m: preds[preds["model"] == m].reset_index(drop=True) for m in models}
    n = len(per_model[models[0]])
    if any(len(v) != n for v in per_model.values()):
        raise ValueError("preds must hold the same test examples for every model")
    if subset_size > n:
        raise ValueError(f"subset_size must be at most the test size {n}; found {subset_size}")
    fns = _metric_functions(BIN_COUNTS, ("width", "mass"))
    if labels is not None:
        fns = {k: v for k, v in fns.items() if k in set(labels)}
    perm = np.random.default_rng([seed, 3000]).permutation(n)
    k = n // subset_size
    full = {
        label: min(models, key=lambda m: fn(per_model[m]["confidence"].to_numpy(float), per_model[m]["correct"].to_numpy()))
        for label, fn in fns.items()
    }
    rows = []
    for s in range(k):
        idx = perm[s * subset_size : (s + 1) * subset_size]
        for label, fn in fns.items():
            scores = {m: fn(per_model[m]["confidence"].to_numpy(float)[idx], per_model[m]["correct"].to_numpy()[idx])
                      for m in models}
            rows.append(dict(subset=s, label=label, best=min(models, key=scores.get)))
    winners = pd.DataFrame(rows)
    sm = winners[winners["label"] == SMECE].set_index("subset")["best"]
    winners["full_winner"] = winners["label"].map(full)
    winners["smece_winner"] = winners["subset"].map(sm)
    summary = (
        winners.assign(
            is_full=winners["best"] == winners["full_winner"],
            agrees=winners["best"] == winners["smece_winner"],
        )
        .groupby("label", sort=False)
        .agg(subsets=("subset", "count"), share_full_winner=("is_full", "mean"), share_agree_smece=("agrees", "mean"))
        .reset_index()
    )
    summary["full_winner"] = summary["label"].map(full)
    return winners, summary


# --------------------------------------------------------------------------- #
# interactive view (precomputed)
# --------------------------------------------------------------------------- #
def interactive_data(mc: pd.DataFrame, targets: pd.DataFrame, hist_bins: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Precomputed histograms and markers for the Altair view.

    Returns ``(hist, marks)``.  Each series' values at each (forecaster, n)
    get their own ``hist_bins`` equal-width histogram bins from their minimum
    to their maximum; ``hist`` has one row per non-empty (forecaster, n,
    series, binning, n_bins, histogram bin) with ``lo, hi, share`` (fraction
    of replicates).
    ``marks`` has one row per (forecaster, n, series, binning, n_bins) with
    the ``mean`` over replicates and the forecaster's ``true_ece``.  A series
    is ``ECE`` at one (binning, n_bins) or ``smECE`` (binning ``none``,
    ``n_bins`` 0).
    """
    hist_bins = check_int("hist_bins", hist_bins, 2)
    need = {"forecaster", "n", "metric", "binning", "n_bins", "value"}
    if not need <= set(mc.columns):
        raise ValueError(f"mc must have columns {sorted(need)}")
    truth = targets.drop_duplicates("forecaster").set_index("forecaster")["true_ece"]
    rows, marks = [], []
    for (fc, n), g in mc.groupby(["forecaster", "n"], sort=False):
        for (metric, binning, nb), s in g.groupby(["metric", "binning", "n_bins"], sort=False):
            v = s["value"].to_numpy()
            lo, hi = float(v.min()), float(v.max())
            edges = np.linspace(lo, max(hi, lo + 1e-6), hist_bins + 1)
            counts, _ = np.histogram(v, bins=edges)
            key = dict(forecaster=fc, n=int(n), series=metric, binning=binning, n_bins=int(nb))
            marks.append(dict(key, mean=round(float(v.mean()), 5), true_ece=round(float(truth[fc]), 5)))
            for j in np.flatnonzero(counts):
                rows.append(dict(key, lo=round(float(edges[j]), 5), hi=round(float(edges[j + 1]), 5),
                                 share=round(float(counts[j] / v.size), 4)))
    return pd.DataFrame(rows), pd.DataFrame(marks)
