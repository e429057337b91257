"""Percentile bootstrap intervals for any calibration metric."""
from __future__ import annotations

import warnings
from typing import Callable, NamedTuple

import numpy as np

from uqsurvey._args import check_int, check_unit_interval
from uqsurvey.calibration._inputs import check_inputs

__all__ = ["BootstrapCI", "bootstrap_ci", "percentile_interval"]


def percentile_interval(samples, alpha: float) -> tuple:
    """The ``(alpha/2, 1 - alpha/2)`` percentiles of ``samples`` along axis 0,
    ignoring NaN (NaN where a column is all NaN, without a warning).

    The interval of :func:`bootstrap_ci` and of the bootstrap bands of the
    reliability diagrams (:func:`uqsurvey.calibration.binned_reliability`,
    :func:`uqsurvey.calibration.smooth_reliability`).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanpercentile(samples, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    return q[0], q[1]


class BootstrapCI(NamedTuple):
    """Result of :func:`bootstrap_ci`."""

    estimate: float
    """The metric on the full sample."""
    low: float
    """Lower end of the percentile interval."""
    high: float
    """Upper end of the percentile interval."""
    alpha: float
    """The interval has nominal coverage ``1 - alpha``."""
    replicates: np.ndarray
    """The ``n_boot`` bootstrap values (NaN where the metric raised ValueError)."""


def bootstrap_ci(
    metric_fn: Callable,
    confidence,
    correct,
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> BootstrapCI:
    r"""Percentile bootstrap confidence interval for any scalar metric.

    Parameters
    ----------
    metric_fn : callable
        ``metric_fn(confidence, correct) -> float``, e.g. :func:`ece`,
        :func:`smece` or ``functools.partial(ece, n_bins=10)``.
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.
    n_boot : int, default=1000
        Number of resamples (with replacement, of the ``n`` pairs).
    seed : int, default=0
        Seed of the :class:`numpy.random.Generator`; the same seed gives
        identical replicates and interval.
    alpha : float, default=0.05
        The interval is the ``(alpha/2, 1 - alpha/2)`` percentile interval of
        the replicates (nominal coverage ``1 - alpha``).

    Returns
    -------
    BootstrapCI
        ``(estimate, low, high, alpha, replicates)``.

    Notes
    -----
    A replicate for which ``metric_fn`` raises :class:`ValueError` (e.g.
    :func:`auroc` on a resample with a single class) is recorded as NaN and
    left out of the percentiles; a :class:`RuntimeWarning` says how many.

    References
    ----------
    B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*,
    Chapman & Hall, 1993, Chapter 13.
    """
    f, y = check_inputs(confidence, correct)
    if not callable(metric_fn):
        raise ValueError(f"metric_fn must be callable; found {type(metric_fn).__name__}")
    n_boot = check_int("n_boot", n_boot, 1)
    alpha = check_unit_interval("alpha", alpha, open_left=True, open_right=True)
    estimate = float(metric_fn(f, y))
    rng = np.random.default_rng(seed)
    n = f.shape[0]
    reps = np.empty(n_boot)
    failed = 0
    for b in range(n_boot):
        idx = rng.integers(0, n, size=n)
        try:
            reps[b] = float(metric_fn(f[idx], y[idx]))
        except ValueError:
            reps[b] = np.nan
            failed += 1
    if failed == n_boot:
        raise ValueError(f"metric_fn raised ValueError on all {n_boot} bootstrap resamples")
    if failed:
        warnings.warn(
            f"metric_fn raised ValueError on {failed} of {n_boot} bootstrap resamples; "
            "they are left out of the interval",
            RuntimeWarning,
            stacklevel=2,
        )
    lo, hi = percentile_interval(reps, alpha)
    return BootstrapCI(estimate, float(lo), float(hi), alpha, reps)
