"""Tests of uqsurvey.demos.shift: recalibration and conformal prediction under shift (R5).

Statistical assertions use tolerances derived from the sampling error of the
quantity tested (stated next to each); every random draw is seeded, so the
tests are deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from uqsurvey.demos import _common as CM
from uqsurvey.demos import shift as SH


@pytest.mark.parametrize("t_true", [0.5, 2.5])
def test_temperature_scaling_recovers_a_known_temperature(t_true):
    rng = np.random.default_rng(6)
    logits = rng.normal(0, 3, size=(20000, 5))
    probs = special.softmax(logits / t_true, axis=1)
    labels = (rng.random(20000)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    assert SH.fit_temperature(logits, labels) == pytest.approx(t_true, rel=0.04)


def test_temperature_scaling_rejects_bad_input():
    with pytest.raises(ValueError, match="logits"):
        SH.fit_temperature(np.zeros(5), np.zeros(5, int))
    with pytest.raises(ValueError, match="labels"):
        SH.fit_temperature(np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(ValueError, match="finite"):
        SH.fit_temperature(np.array([[0.0, np.nan]]), [0])
    with pytest.raises(ValueError, match="temperature"):
        SH.softmax(np.zeros((2, 2)), 0.0)


def test_platt_scaling_recovers_known_parameters():
    rng = np.random.default_rng(7)
    conf = rng.uniform(0.05, 0.95, 40000)
    correct = rng.random(40000) < CM.sigmoid(0.6 * CM.logit(conf) + 0.3)
    platt = SH.fit_platt(conf, correct)
    a, b = platt.params
    assert a == pytest.approx(0.6, abs=0.05) and b == pytest.approx(0.3, abs=0.05)
    with pytest.raises(ValueError, match="both outcomes"):
        SH.fit_platt([0.3, 0.6], [1, 1])


def test_isotonic_is_monotone_and_bounded():
    rng = np.random.default_rng(8)
    conf = rng.uniform(0, 1, 2000)
    correct = rng.random(2000) < conf**2
    iso = SH.fit_isotonic(conf, correct)
    grid = np.linspace(0, 1, 101)
    out = iso(grid)
    assert np.all(np.diff(out) >= 0) and out.min() >= 0 and out.max() <= 1
    # isotonic regression leaves the mean unchanged on its training data
    assert iso(conf).mean() == pytest.approx(correct.mean())


def test_conformal_threshold_rank():
    probs = np.tile([[0.5, 0.5]], (9, 1))
    probs[:, 0] = np.linspace(0.1, 0.9, 9)
    labels = np.zeros(9, int)
    # scores 1 - p_0 = 0.9 .. 0.1; with n = 9 and alpha = 0.1 the rank is ceil(10 * 0.9) = 9: the largest.
    assert SH.conformal_threshold(probs, labels, 0.1) == pytest.approx(0.9)
    # rank ceil(10 * 0.5) = 5 -> fifth smallest score = 0.5
    assert SH.conformal_threshold(probs, labels, 0.5) == pytest.approx(0.5)
    # n = 5: rank ceil(6 * 0.9) = 6 > 5 -> every class is in every set
    assert SH.conformal_threshold(probs[:5], labels[:5], 0.1) == math.inf
    assert SH.prediction_sets(probs[:2], math.inf).all()


def test_split_conformal_coverage_on_exchangeable_data():
    """Mean coverage over 300 calibration/test draws lies in [1-a, 1-a + 1/(n+1)] up to sampling error."""
    rng = np.random.default_rng(9)
    alpha, n_cal, n_test, reps, k = 0.1, 100, 200, 300, 4
    covs = []
    for _ in range(reps):
        probs = rng.dirichlet(np.ones(k) * 0.7, size=n_cal + n_test)
        labels = (rng.random(n_cal + n_test)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        labels = np.minimum(labels, k - 1)
        q = SH.conformal_threshold(probs[:n_cal], labels[:n_cal], alpha)
        covs.append(SH.set_coverage(SH.prediction_sets(probs[n_cal:], q), labels[n_cal:])[0])
    covs = np.array(covs)
    se = covs.std(ddof=1) / math.sqrt(reps)
    assert 1 - alpha - 4 * se <= covs.mean() <= 1 - alpha + 1 / (n_cal + 1) + 4 * se
    # and a single draw is within a binomial tolerance of nominal
    sd_one = math.sqrt(alpha * (1 - alpha) / (n_cal + 2) + alpha * (1 - alpha) / n_test)
    assert np.mean(np.abs(covs - (1 - alpha)) <= 3 * sd_one) > 0.95


def test_conformal_rejects_bad_input():
    probs = np.full((4, 2), 0.5)
    for a in (0.0, 1.0, -0.1, "x"):
        with pytest.raises(ValueError, match="alpha"):
            SH.conformal_threshold(probs, [0, 1, 0, 1], a)
    with pytest.raises(ValueError, match="cal_labels"):
        SH.conformal_threshold(probs, [0, 1, 0, 2], 0.1)
    with pytest.raises(ValueError, match="NaN"):
        SH.prediction_sets(probs, float("nan"))


def test_digit_features_and_corruption():
    images, y = SH.load_digit_images()
    assert images.shape == (1797, 8, 8) and set(np.unique(y)) == set(range(10))
    f1, f2 = SH.digit_features(images, pool=1), SH.digit_features(images, pool=2)
    assert f1.shape == (1797, 64) and f2.shape == (1797, 16)
    assert f2.mean() == pytest.approx(f1.mean())  # average pooling keeps the mean intensity
    noisy = SH.corrupt_images(images, 4.0, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 16 and not np.array_equal(noisy, images)
    assert np.array_equal(SH.corrupt_images(images, 0.0), images)
    with pytest.raises(ValueError, match="pool"):
        SH.digit_features(images, pool=3)
    with pytest.raises(ValueError, match="noise_sd"):
        SH.corrupt_images(images, -1.0)


def test_label_shift_resampling_hits_the_target_prior():
    prior = SH.label_shift_prior(10, [2, 5, 8], 0.6)
    assert prior.sum() == pytest.approx(1.0)
    assert prior[2] == pytest.approx(0.04 + 0.2) and prior[0] == pytest.approx(0.04)
    labels = np.repeat(np.arange(10), [50, 80, 120, 60, 90, 70, 40, 100, 30, 60])
    idx = SH.resample_to_prior(labels, prior, 100000, seed=2)
    freq = np.bincount(labels[idx], minlength=10) / len(idx)
    assert np.allclose(freq, prior, atol=4 * math.sqrt(0.25 / len(idx)))
    with pytest.raises(ValueError, match="distinct"):
        SH.label_shift_prior(10, [2, 2], 0.5)
    with pytest.raises(ValueError, match="severity"):
        SH.label_shift_prior(10, [2], 1.5)
    with pytest.raises(ValueError, match="prior"):
        SH.resample_to_prior(labels, np.full(10, 0.2), 10)


def test_shift_experiment_coverage_and_calibration_degrade():
    df = SH.shift_experiment(noise_levels=(0, 6), label_shift_levels=(0, 1), n_repeats=2, with_smece=False, seed=10)
    s = SH.summarize_runs(df).set_index(["shift", "severity", "method", "metric"])["mean"]
    n_test = 540  # 30 % of 1797, per repeat
    tol = 4 * math.sqrt(0.09 / (n_test * 2))
    # Source: split conformal is close to its nominal 90 %.
    assert abs(s[("covariate", 0.0, "split conformal", "coverage")] - 0.9) < tol + 0.02
    # Covariate shift: coverage and the recalibrated ECE both degrade.
    assert s[("covariate", 6.0, "split conformal", "coverage")] < 0.8
    assert s[("covariate", 6.0, "temperature", "ece")] > 2 * s[("covariate", 0.0, "temperature", "ece")]
    # Label shift towards hard classes: accuracy falls and coverage drops below nominal.
    assert s[("label", 1.0, "temperature", "accuracy")] < s[("label", 0.0, "temperature", "accuracy")]
    assert s[("label", 1.0, "split conformal", "coverage")] < 0.9
    assert set(df["method"]) == set(SH.RECALIBRATORS) | {"split conformal"}
