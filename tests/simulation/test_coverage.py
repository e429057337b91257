"""The coverage study of the audit's intervals: population values checked
against closed forms and large samples; the runs are seeded."""
from __future__ import annotations

import numpy as np
import pytest

from uqsurvey import calibration as cal
from uqsurvey.simulation.coverage import coverage_forecasters, coverage_runs, coverage_table, population_metrics


def test_population_values_of_the_calibrated_forecaster():
    calibrated = coverage_forecasters()[2]
    truth = population_metrics(calibrated)
    assert truth["ece_l1_15_default"] == 0.0
    assert truth["smece"] == pytest.approx(0.0, abs=1e-12)
    a, b = calibrated.a, calibrated.b
    # Brier of a calibrated forecaster: E[F(1 - F)] for F ~ Beta(a, b)
    mean, second = a / (a + b), a * (a + 1) / ((a + b) * (a + b + 1))
    assert truth["brier"] == pytest.approx(mean - second, abs=1e-7)  # mid-point quadrature


@pytest.mark.parametrize("k", [0, 1, 2])
def test_population_values_against_a_large_sample(k):
    fc = coverage_forecasters()[k]
    truth = population_metrics(fc)
    f, y = fc.sample(2_000_000, np.random.default_rng(k))
    assert cal.brier_score(f, y) == pytest.approx(truth["brier"], abs=2e-3)
    assert cal.auroc(f, y) == pytest.approx(truth["auroc"], abs=3e-3)
    assert cal.aurc(f, y) == pytest.approx(truth["aurc"], abs=3e-3)
    assert cal.ece(f, y, 15) == pytest.approx(truth["ece_l1_15_default"], abs=3e-3)


def test_runs_are_seeded_and_the_table_counts_them():
    fc = coverage_forecasters()[0]
    a = coverage_runs(fc, 300, 2, n_boot=10, seed=3)
    b = coverage_runs(fc, 300, 2, n_boot=10, seed=3)
    assert a.equals(b)
    assert len(a) == 2 * 3 * 5  # datasets x methods x metrics
    t = coverage_table(a)
    assert (t["datasets"] == 2).all() and set(t["method"]) == {"percentile", "basic", "bca"}
    row = a[(a["metric"] == "brier") & (a["method"] == "basic")]
    assert t[(t["metric"] == "brier") & (t["method"] == "basic")]["coverage"].iloc[0] == row["covered"].mean()
