"""Tests of uqsurvey.demos.selective: selective prediction, ECE vs AUROC / AURC.

Statistical assertions use tolerances derived from the sampling error of the
quantity tested (stated next to each); every random draw is seeded, so the
tests are deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from uqsurvey import calibration as cal
from uqsurvey.demos import selective as SE


def test_posterior_mean_matches_numerical_integration():
    mu, sigma, tau, s = 1.0, 1.5, 2.0, 0.7
    m, v = s / (1 + tau**2), tau**2 / (1 + tau**2)
    exact, _ = integrate.quad(lambda z: special.expit(mu + sigma * z) * stats.norm.pdf(z, m, math.sqrt(v)), -15, 15)
    assert SE.posterior_mean_sigmoid(mu, sigma, np.array([s]), tau)[0] == pytest.approx(exact, abs=1e-8)


def test_selective_pair_disagreement_between_ece_and_auroc():
    table, diffs, data = SE.selective_comparison(4000, n_boot=50, seed=15)
    t = table.set_index("forecaster")
    cal_f, sharp, fixed = t.loc["calibrated"], t.loc["sharp"], t.loc["sharp, isotonic-recalibrated"]
    assert cal_f["ece"] < sharp["ece"] and cal_f["smece"] < sharp["smece"]  # ECE prefers the calibrated one
    assert cal_f["auroc"] < sharp["auroc"] and cal_f["aurc"] > sharp["aurc"]  # ranking metrics prefer the sharp one
    assert fixed["ece"] < sharp["ece"] / 2 and abs(fixed["auroc"] - sharp["auroc"]) < 0.02
    for m in ("auroc", "aurc", "brier", "selective_accuracy"):
        assert (t[f"{m}_lo"] <= t[m]).all() and (t[m] <= t[f"{m}_hi"]).all()
    # the calibrated forecaster's AUROC interval lies wholly below the sharp one's
    assert cal_f["auroc_hi"] < sharp["auroc_lo"]
    # paired differences (sharp - calibrated): the intervals exclude zero, in opposite directions
    dd = diffs.set_index("metric")
    assert dd.loc["ece", "low"] > 0 and dd.loc["auroc", "low"] > 0 and dd.loc["aurc", "high"] < 0
    assert dd.loc["ece", "estimate"] == pytest.approx(sharp["ece"] - cal_f["ece"])
    assert len(data["correct"]) == 2000


def test_calibrated_forecaster_is_calibrated_in_a_large_sample():
    d = SE.simulate_selective_pair(200000, seed=16)
    # ECE of a calibrated forecaster is sampling noise: well below 0.01 at n = 200000 with 15 bins.
    assert cal.ece(d["calibrated"], d["correct"]) < 0.01
    assert cal.ece(d["sharp"], d["correct"]) > 0.08
    assert cal.auroc(d["sharp"], d["correct"]) == pytest.approx(cal.auroc(d["p_true"], d["correct"]))


def test_sharp_temperature_sweep_keeps_ranking_and_moves_brier():
    d = SE.simulate_selective_pair(20000, seed=18)
    sw = SE.sharp_temperature_sweep(d["p_true"], d["correct"], (0.1, 0.4, 1.0))
    # the ranking is unchanged (up to ties where sigmoid saturates in floating point)
    assert np.allclose(sw["auroc"], sw["auroc"].iloc[-1], atol=1e-3)
    # at T = 1 the forecaster is the truth: calibrated, and its Brier score is E[p(1 - p)] up to noise
    at1 = sw.iloc[-1]
    assert at1["ece"] < 0.02
    assert at1["brier"] == pytest.approx(np.mean(d["p_true"] * (1 - d["p_true"])), abs=0.01)
    # sharper is worse on Brier and on ECE
    assert sw["brier"].is_monotonic_decreasing and sw["ece"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="empty"):
        SE.sharp_temperature_sweep(d["p_true"], d["correct"], ())


def test_paired_bootstrap_difference():
    rng = np.random.default_rng(17)
    y = rng.random(1000) < 0.7
    a = np.full(1000, 0.7)
    # identical forecasters: every replicate difference is exactly zero
    out = SE.paired_bootstrap_difference(cal.ece, a, a, y, n_boot=20, seed=1)
    assert out == {"estimate": 0.0, "low": 0.0, "high": 0.0}
    # a constant shift of the Brier score is recovered exactly: (0.9 - y)^2 - (0.7 - y)^2 = 0.32 - 0.4 y
    b = np.full(1000, 0.9)
    out = SE.paired_bootstrap_difference(cal.brier_score, a, b, y, n_boot=200, seed=1)
    assert out["estimate"] == pytest.approx(0.32 - 0.4 * y.mean())
    assert out["low"] < out["estimate"] < out["high"]
    with pytest.raises(ValueError, match="equal length"):
        SE.paired_bootstrap_difference(cal.ece, a, b[:10], y)
    with pytest.raises(ValueError, match="callable"):
        SE.paired_bootstrap_difference("ece", a, b, y)


def test_selective_accuracy():
    conf = np.array([0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 0, 1, 0])
    assert SE.selective_accuracy(conf, correct, 0.5) == pytest.approx(0.5)
    assert SE.selective_accuracy(conf, correct, 0.25) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="coverage"):
        SE.selective_accuracy(conf, correct, 0.0)
