"""Percentile bootstrap intervals of :mod:`uqsurvey.calibration.bootstrap`."""
from __future__ import annotations

import functools

import numpy as np
import pytest

from calibration_samples import sample
from uqsurvey.calibration import auroc, bootstrap_ci, ece


def test_bootstrap_ci_is_seeded_and_covers_estimate():
    f, y = sample(5, 600, "grid05")
    a = bootstrap_ci(ece, f, y, n_boot=200, seed=3)
    b = bootstrap_ci(ece, f, y, n_boot=200, seed=3)
    assert a.estimate == ece(f, y)
    assert np.array_equal(a.replicates, b.replicates) and (a.low, a.high) == (b.low, b.high)
    assert a.low <= a.estimate <= a.high
    c = bootstrap_ci(functools.partial(ece, n_bins=10), f, y, n_boot=50, seed=4)
    assert c.estimate == ece(f, y, 10)
    # percentile interval: same as numpy's on the replicates
    lo, hi = np.percentile(a.replicates, [2.5, 97.5])
    assert (a.low, a.high) == (lo, hi)


def test_bootstrap_ci_skips_failing_replicates():
    f = np.array([0.9, 0.2, 0.8, 0.7])
    y = np.array([1, 0, 1, 1])
    with pytest.warns(RuntimeWarning, match="raised ValueError on"):
        res = bootstrap_ci(auroc, f, y, n_boot=200, seed=0)
    assert np.isnan(res.replicates).any()
    assert 0 <= res.low <= res.high <= 1

