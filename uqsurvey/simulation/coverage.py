r"""Measured coverage of the audit's bootstrap intervals, on forecasters with a known truth.

For a forecaster of :mod:`uqsurvey.simulation.forecasters`, the population
value of every headline metric of the audit is known:

* binned ECE (l1, 15 equal-width bins): :meth:`Forecaster.population_binned_ece`;
* smECE: :meth:`Forecaster.population_smece` (relplot's numerics on a
  quadrature of the law with expected labels);
* Brier score, AUROC and AURC: the same mid-point quadrature of the law
  (:meth:`Forecaster.quadrature`, ``m`` points, each with its expected
  correctness ``c(f)``): ``mean(f^2 - 2 f c + c)``; the probability that a
  correct answer has the higher confidence; the area under the population
  risk--coverage curve.  Their quadrature error is ``O(1/m)``.

:func:`coverage_table` draws ``datasets`` samples of size ``n`` from each
forecaster, computes the Poisson-bootstrap intervals of the audit
(:class:`uqsurvey.calibration.Partials`, ``n_boot`` replicates) by every
method of :data:`uqsurvey.calibration.resample.METHODS`, and counts how often
each interval holds the population value.  Everything is seeded: the same
arguments give the same table.  ``benchmarks/interval_coverage.py`` runs it
and writes ``benchmarks/results/interval_coverage.csv``, which the book shows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from uqsurvey._args import check_int
from uqsurvey.calibration import Partials
from uqsurvey.calibration.resample import HEADLINE, METHODS
from uqsurvey.simulation.forecasters import LogisticForecaster, PowerForecaster, over_confident

__all__ = ["coverage_forecasters", "population_metrics", "coverage_runs", "coverage_table"]

#: Quadrature points of the population Brier score, AUROC and AURC.
QUADRATURE_POINTS = 200_000


def coverage_forecasters() -> list:
    """The forecasters of the coverage study: clearly over-confident, mildly
    mis-calibrated with confidence massed near 1 (LLM-like), and calibrated
    (population ECE and smECE 0: the hardest case for an interval on a
    non-negative error)."""
    return [
        over_confident(),
        LogisticForecaster("mild, near 1", a=6.0, b=1.5, slope=0.85, intercept=0.15),
        PowerForecaster("calibrated", a=5.0, b=2.0, gamma=1.0),
    ]


def population_metrics(forecaster, m: int = QUADRATURE_POINTS) -> dict:
    """Population values of the headline metrics (see the module docstring)."""
    f, c = forecaster.quadrature(m)
    order = np.argsort(f, kind="stable")
    f, c = f[order], c[order]
    pos, neg = c, 1.0 - c
    # AUROC: sum over correct i of wrong j below it (no ties in the quadrature)
    neg_below = np.concatenate([[0.0], np.cumsum(neg)[:-1]])
    auroc = float(np.dot(pos, neg_below) / (pos.sum() * neg.sum()))
    # AURC: accept from the top; risk after k accepted = expected errors / k
    errors = np.cumsum(neg[::-1])
    accepted = np.arange(1, m + 1)
    aurc = float(np.mean(errors / accepted))
    return {
        "ece_l1_15_default": forecaster.population_binned_ece(15, "width"),
        "smece": forecaster.population_smece(),
        "brier": float(np.mean(f * f - 2 * f * c + c)),
        "auroc": auroc,
        "aurc": aurc,
    }


def coverage_runs(forecaster, n: int, datasets: int, *, n_boot: int = 200, seed: int = 0,
                  alpha: float = 0.05) -> pd.DataFrame:
    """One row per dataset, metric and method: the interval and whether it holds the truth."""
    n = check_int("n", n, 2)
    datasets = check_int("datasets", datasets, 1)
    truth = population_metrics(forecaster)
    rng = np.random.default_rng([seed, n])
    rows = []
    for d in range(datasets):
        f, y = forecaster.sample(n, rng)
        part = Partials(n_boot=n_boot, seed=seed + d).update(f, y)
        metrics = part.finalize()
        for method in METHODS:
            for name, ci in part.intervals(metrics, method, alpha).items():
                rows.append({"forecaster": forecaster.name, "n": n, "dataset": d, "metric": name,
                             "method": method, "truth": truth[name], "low": ci["low"], "high": ci["high"],
                             "covered": bool(ci["low"] <= truth[name] <= ci["high"])})
    return pd.DataFrame(rows)


def coverage_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Coverage (share of intervals holding the truth) and mean width by
    forecaster, n, metric and method, from :func:`coverage_runs` rows."""
    g = runs.assign(width=runs["high"] - runs["low"]).groupby(
        ["forecaster", "n", "metric", "method"], sort=False)
    out = g.agg(coverage=("covered", "mean"), width=("width", "mean"), datasets=("covered", "size"),
                truth=("truth", "first")).reset_index()
    out["metric"] = pd.Categorical(out["metric"], HEADLINE, ordered=True)
    return out.sort_values(["forecaster", "metric", "n", "method"], kind="stable").reset_index(drop=True)
