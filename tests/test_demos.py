"""Tests of uqsurvey.demos: the simulations behind the §4 and §5 demonstration pages.

Statistical assertions use tolerances derived from the sampling error of the
quantity tested (stated next to each); every random draw is seeded, so the
tests are deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from uqsurvey import calibration as cal
from uqsurvey import demos as D


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #
def test_entropy_and_logit_helpers():
    assert D.binary_entropy(0.5) == pytest.approx(1.0)
    assert D.binary_entropy([0.0, 1.0]) == pytest.approx([0.0, 0.0], abs=1e-9)
    assert D.binary_entropy(0.25) == pytest.approx(-(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75)))
    assert D.sigmoid(D.logit([0.1, 0.5, 0.9])) == pytest.approx([0.1, 0.5, 0.9])


def test_seed_validation():
    for bad in ("0", 1.5, -1, True, None):
        with pytest.raises(ValueError, match="seed"):
            D.simulate_annotations(10, 3, seed=bad)
    g = np.random.default_rng(3)
    a = D.simulate_annotations(10, 3, seed=g)
    assert len(a) == 10


# --------------------------------------------------------------------------- #
# §4 R4 -- aleatoric uncertainty
# --------------------------------------------------------------------------- #
def test_simulated_annotations_follow_the_label_distribution():
    items = D.simulate_annotations(20000, 7, seed=1)
    assert items.votes.min() >= 0 and items.votes.max() <= 7
    # E[votes | p] = 7 p: the residual mean is 0 up to sampling error (sd <= sqrt(7/4 / n)).
    resid = items.votes - 7 * items.p_true
    assert abs(resid.mean()) < 4 * math.sqrt(7 / 4 / len(items))
    # With an odd count the gold label is the strict majority.
    assert np.array_equal(items.gold, (items.votes >= 4).astype(int))
    # Log-odds are N(0, signal^2) with signal 1.5.
    assert np.std(D.logit(items.p_true)) == pytest.approx(1.5, rel=0.03)


def test_majority_ties_are_broken_by_a_fair_coin():
    items = D.simulate_annotations(20000, 2, seed=2)
    ties = items.votes == 1
    share = items.gold[ties].mean()
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / ties.sum())


def test_annotator_ece_hand_computed():
    # One bin (both confidences 0.7); agreement 3/4 and 1/4 -> mean 0.5; |0.7 - 0.5| = 0.2.
    assert D.annotator_ece([0.7, 0.7], [3, 1], 4) == pytest.approx(0.2)
    # Two bins: 0.62 with agreement 2/2, 0.95 with 0/2 -> (|0.62-1| + |0.95-0|)/2.
    assert D.annotator_ece([0.62, 0.95], [2, 0], 2) == pytest.approx((0.38 + 0.95) / 2)


def test_annotator_ece_with_one_annotator_is_the_ordinary_ece():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1, 500)
    correct = rng.random(500) < conf
    assert D.annotator_ece(conf, correct.astype(int), 1) == pytest.approx(cal.ece(conf, correct))


def test_annotator_ece_rejects_bad_votes():
    with pytest.raises(ValueError, match="agreeing_votes"):
        D.annotator_ece([0.7], [5], 4)
    with pytest.raises(ValueError, match="agreeing_votes"):
        D.annotator_ece([0.7], [1.5], 4)
    with pytest.raises(ValueError, match="shape"):
        D.annotator_ece([0.7, 0.8], [1], 4)


def test_true_distribution_is_calibrated_to_annotators_not_to_the_majority():
    items = D.simulate_annotations(20000, 25, seed=3)
    s = D.score_forecast(items.p_true, items)
    assert s["brier_true"] == 0.0
    assert s["ece_soft"] < 0.01  # calibrated against the annotators (sampling noise only)
    assert s["ece_gold"] > 0.15  # looks under-confident against a 25-vote majority
    # Expected agreement with a random annotator of the honest forecast: E[max(p, 1-p)].
    assert s["agreement"] == pytest.approx(np.maximum(items.p_true, 1 - items.p_true).mean(), abs=0.005)


def test_majority_trained_model_looks_calibrated_only_against_the_majority():
    df = D.annotator_sweep((1, 25), n_train=3000, n_test=4000, seed=4).set_index(["n_annotators", "forecaster"])
    soft, major = df.loc[(25, "trained on vote shares")], df.loc[(25, "trained on majority vote")]
    assert major["ece_gold"] < soft["ece_gold"] - 0.1
    assert soft["ece_soft"] < major["ece_soft"] - 0.1
    assert major["brier_gold"] < soft["brier_gold"] and soft["brier_soft"] < major["brier_soft"]
    # One annotator: gold label and soft label coincide.
    one = df.loc[1]
    assert np.allclose(one["ece_gold"], one["ece_soft"]) and np.allclose(one["brier_gold"], one["brier_soft"])


def test_entropy_decomposition_extremes():
    same = D.entropy_decomposition(np.full((5, 3), 0.5))
    assert same["total"] == pytest.approx([1, 1, 1]) and same["epistemic"] == pytest.approx([0, 0, 0])
    split = D.entropy_decomposition([[0.0], [1.0]])
    assert split["total"] == pytest.approx([1.0]) and split["aleatoric"] == pytest.approx([0.0], abs=1e-9)
    assert split["epistemic"] == pytest.approx([1.0])
    with pytest.raises(ValueError, match="two members"):
        D.entropy_decomposition([[0.3, 0.4]])
    with pytest.raises(ValueError, match="probabilities"):
        D.entropy_decomposition([[0.3, 1.4], [0.2, 0.2]])


def test_ensemble_disagreement_vanishes_while_aleatoric_entropy_stays():
    summary, detail = D.ensemble_uncertainty((50, 5000), n_members=8, n_test=1500, seed=5)
    small, large = summary.iloc[0], summary.iloc[-1]
    assert large["epistemic_near_half"] < small["epistemic_near_half"] / 10
    assert large["epistemic_near_half"] < 0.005
    # Near 50/50 the total entropy stays at the true label entropy (about 1 bit).
    assert large["total_near_half"] == pytest.approx(large["true_entropy_near_half"], abs=0.02)
    assert large["true_entropy_near_half"] > 0.95
    assert len(detail) == 1500 and set(detail.columns) >= {"p_true", "total", "aleatoric", "epistemic"}


# --------------------------------------------------------------------------- #
# §4 R5 -- recalibration and conformal prediction
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("t_true", [0.5, 2.5])
def test_temperature_scaling_recovers_a_known_temperature(t_true):
    rng = np.random.default_rng(6)
    logits = rng.normal(0, 3, size=(20000, 5))
    probs = special.softmax(logits / t_true, axis=1)
    labels = (rng.random(20000)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
    assert D.fit_temperature(logits, labels) == pytest.approx(t_true, rel=0.04)


def test_temperature_scaling_rejects_bad_input():
    with pytest.raises(ValueError, match="logits"):
        D.fit_temperature(np.zeros(5), np.zeros(5, int))
    with pytest.raises(ValueError, match="labels"):
        D.fit_temperature(np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(ValueError, match="finite"):
        D.fit_temperature(np.array([[0.0, np.nan]]), [0])
    with pytest.raises(ValueError, match="temperature"):
        D.softmax(np.zeros((2, 2)), 0.0)


def test_platt_scaling_recovers_known_parameters():
    rng = np.random.default_rng(7)
    conf = rng.uniform(0.05, 0.95, 40000)
    correct = rng.random(40000) < D.sigmoid(0.6 * D.logit(conf) + 0.3)
    platt = D.fit_platt(conf, correct)
    a, b = platt.params
    assert a == pytest.approx(0.6, abs=0.05) and b == pytest.approx(0.3, abs=0.05)
    with pytest.raises(ValueError, match="both outcomes"):
        D.fit_platt([0.3, 0.6], [1, 1])


def test_isotonic_is_monotone_and_bounded():
    rng = np.random.default_rng(8)
    conf = rng.uniform(0, 1, 2000)
    correct = rng.random(2000) < conf**2
    iso = D.fit_isotonic(conf, correct)
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
    assert D.conformal_threshold(probs, labels, 0.1) == pytest.approx(0.9)
    # rank ceil(10 * 0.5) = 5 -> fifth smallest score = 0.5
    assert D.conformal_threshold(probs, labels, 0.5) == pytest.approx(0.5)
    # n = 5: rank ceil(6 * 0.9) = 6 > 5 -> every class is in every set
    assert D.conformal_threshold(probs[:5], labels[:5], 0.1) == math.inf
    assert D.prediction_sets(probs[:2], math.inf).all()


def test_split_conformal_coverage_on_exchangeable_data():
    """Mean coverage over 300 calibration/test draws lies in [1-a, 1-a + 1/(n+1)] up to sampling error."""
    rng = np.random.default_rng(9)
    alpha, n_cal, n_test, reps, k = 0.1, 100, 200, 300, 4
    covs = []
    for _ in range(reps):
        probs = rng.dirichlet(np.ones(k) * 0.7, size=n_cal + n_test)
        labels = (rng.random(n_cal + n_test)[:, None] > np.cumsum(probs, axis=1)).sum(axis=1)
        labels = np.minimum(labels, k - 1)
        q = D.conformal_threshold(probs[:n_cal], labels[:n_cal], alpha)
        covs.append(D.set_coverage(D.prediction_sets(probs[n_cal:], q), labels[n_cal:])[0])
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
            D.conformal_threshold(probs, [0, 1, 0, 1], a)
    with pytest.raises(ValueError, match="cal_labels"):
        D.conformal_threshold(probs, [0, 1, 0, 2], 0.1)
    with pytest.raises(ValueError, match="NaN"):
        D.prediction_sets(probs, float("nan"))


def test_digit_features_and_corruption():
    images, y = D.load_digit_images()
    assert images.shape == (1797, 8, 8) and set(np.unique(y)) == set(range(10))
    f1, f2 = D.digit_features(images, pool=1), D.digit_features(images, pool=2)
    assert f1.shape == (1797, 64) and f2.shape == (1797, 16)
    assert f2.mean() == pytest.approx(f1.mean())  # average pooling keeps the mean intensity
    noisy = D.corrupt_images(images, 4.0, seed=1)
    assert noisy.min() >= 0 and noisy.max() <= 16 and not np.array_equal(noisy, images)
    assert np.array_equal(D.corrupt_images(images, 0.0), images)
    with pytest.raises(ValueError, match="pool"):
        D.digit_features(images, pool=3)
    with pytest.raises(ValueError, match="noise_sd"):
        D.corrupt_images(images, -1.0)


def test_label_shift_resampling_hits_the_target_prior():
    prior = D.label_shift_prior(10, [2, 5, 8], 0.6)
    assert prior.sum() == pytest.approx(1.0)
    assert prior[2] == pytest.approx(0.04 + 0.2) and prior[0] == pytest.approx(0.04)
    labels = np.repeat(np.arange(10), [50, 80, 120, 60, 90, 70, 40, 100, 30, 60])
    idx = D.resample_to_prior(labels, prior, 100000, seed=2)
    freq = np.bincount(labels[idx], minlength=10) / len(idx)
    assert np.allclose(freq, prior, atol=4 * math.sqrt(0.25 / len(idx)))
    with pytest.raises(ValueError, match="distinct"):
        D.label_shift_prior(10, [2, 2], 0.5)
    with pytest.raises(ValueError, match="severity"):
        D.label_shift_prior(10, [2], 1.5)
    with pytest.raises(ValueError, match="prior"):
        D.resample_to_prior(labels, np.full(10, 0.2), 10)


def test_shift_experiment_coverage_and_calibration_degrade():
    df = D.shift_experiment(noise_levels=(0, 6), label_shift_levels=(0, 1), n_repeats=2, with_smece=False, seed=10)
    s = D.summarise_runs(df).set_index(["shift", "severity", "method", "metric"])["mean"]
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
    assert set(df["method"]) == set(D.RECALIBRATORS) | {"split conformal"}


# --------------------------------------------------------------------------- #
# §5 R6-R8 -- team performance
# --------------------------------------------------------------------------- #
def test_distort_confidence_literals():
    # sigmoid(2 * logit(0.7)) = 0.7^2 / (0.7^2 + 0.3^2)
    assert D.distort_confidence([0.7], 0.5)[0] == pytest.approx(0.49 / 0.58)
    assert D.distort_confidence([0.7, 0.9], 1.0, 0.0) == pytest.approx([0.7, 0.9])
    # never below even odds
    assert D.distort_confidence([0.55], 1.0, -2.0)[0] == 0.5
    with pytest.raises(ValueError, match="temperature"):
        D.distort_confidence([0.7], 0.0)
    with pytest.raises(ValueError, match="bias"):
        D.distort_confidence([0.7], 1.0, math.inf)


@settings(max_examples=50, deadline=None)
@given(
    t=st.floats(0.05, 20.0),
    b=st.floats(-3.0, 3.0),
    conf=st.lists(st.floats(0.5, 1.0), min_size=2, max_size=30),
)
def test_distortions_are_monotone_and_stay_above_even_odds(t, b, conf):
    c = np.sort(np.array(conf))
    d = D.distort_confidence(c, t, b)
    assert np.all(np.diff(d) >= 0) and d.min() >= 0.5 and d.max() <= 1.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3), min_size=2, max_size=8))
def test_entropy_parts_are_nonnegative_and_add_up(members):
    parts = D.entropy_decomposition(np.array(members))
    assert np.all(parts["epistemic"] >= 0) and np.all(parts["aleatoric"] >= -1e-12)
    assert np.all(parts["total"] <= 1 + 1e-12)
    assert parts["aleatoric"] + parts["epistemic"] == pytest.approx(parts["total"], abs=1e-9)


def test_team_accuracy_matches_the_hand_derived_closed_form():
    """Two tasks; the human feels 0.8 but is right with probability 0.6 on both.

    The AI is right with probability 0.7 and 0.95.  Shown calibrated, the AI is
    adopted only on the second task (0.7 < 0.8 < 0.95): team accuracy
    (0.6 + 0.95) / 2 = 0.775.  Shown at temperature 1/2 its confidences are
    0.8448 and 0.9972, both above 0.8: team accuracy (0.7 + 0.95) / 2 = 0.825.
    """
    task = D.TeamTask(human_p=np.array([0.6, 0.6]), human_conf=np.array([0.8, 0.8]), ai_p=np.array([0.7, 0.95]))
    n_draws = 20000
    # sd of the mean of the two team outcomes, per draw, is at most sqrt((0.24 + 0.21) / 4)
    tol = 4 * math.sqrt((0.24 + 0.21) / 4 / n_draws)
    calibrated = D.team_outcomes(task, task.ai_p, seed=11, n_draws=n_draws)
    assert calibrated["expected_accuracy"] == pytest.approx(0.775)
    assert calibrated["reliance"] == pytest.approx(0.5)
    assert abs(calibrated["simulated_accuracy"] - 0.775) < tol
    inflated = D.team_outcomes(task, D.distort_confidence(task.ai_p, 0.5), seed=11, n_draws=n_draws)
    assert inflated["expected_accuracy"] == pytest.approx(0.825)
    assert inflated["reliance"] == pytest.approx(1.0)
    assert abs(inflated["simulated_accuracy"] - 0.825) < tol
    assert calibrated["human_alone"] == pytest.approx(0.6) and calibrated["ai_alone"] == pytest.approx(0.825)


@pytest.mark.parametrize("t_h", [1.0, 0.5, 2.0])
def test_best_display_temperature_is_the_humans_own(t_h):
    """d > s  <=>  logit(c)/T > logit(h)/t_h; at T = t_h the rule picks the likelier-right agent on every task."""
    task = D.simulate_team_task(5000, human_temperature=t_h, seed=12)
    best = D.team_outcomes(task, D.distort_confidence(task.ai_p, t_h))["expected_accuracy"]
    assert best == pytest.approx(np.maximum(task.ai_p, task.human_p).mean())
    for T in (0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0):
        assert D.team_outcomes(task, D.distort_confidence(task.ai_p, T))["expected_accuracy"] <= best + 1e-12


def test_team_task_model():
    task = D.simulate_team_task(50000, human_temperature=0.5, correlation=0.6, seed=13)
    assert task.human_p.min() >= 0.5 and task.ai_p.max() < 1
    assert np.all(task.human_conf >= task.human_p)  # over-confident human
    r = stats.spearmanr(task.human_p, task.ai_p).statistic
    assert 0.5 < r < 0.7  # monotone maps keep the copula's rank correlation (6/pi asin(0.3) = 0.58)
    with pytest.raises(ValueError, match="correlation"):
        D.simulate_team_task(10, correlation=1.0)
    with pytest.raises(ValueError, match="ai_shown"):
        D.team_outcomes(task, [0.7, 0.8])


def test_ece_tracks_team_accuracy_only_for_a_calibrated_human():
    rows, corr = D.forecaster_family(40, n_tasks=10000, seed=14)
    corr = corr.set_index("human_temperature")
    assert corr.loc[1.0, "spearman"] < -0.9
    assert corr.loc[1.0, "calibrated_rank"] == 1
    assert corr.loc[0.5, "spearman"] > corr.loc[1.0, "spearman"] + 0.3
    assert corr.loc[0.5, "calibrated_rank"] > 1
    sweep = D.temperature_sweep((0.5, 1.0, 2.0), n_tasks=10000, seed=14).set_index(["human_temperature", "temperature"])
    assert sweep.loc[(1.0, 1.0), "ece"] < sweep.loc[(1.0, 0.5), "ece"]
    assert sweep.loc[(0.5, 0.5), "team_accuracy"] > sweep.loc[(0.5, 1.0), "team_accuracy"]


# --------------------------------------------------------------------------- #
# §5 -- selective prediction
# --------------------------------------------------------------------------- #
def test_posterior_mean_matches_numerical_integration():
    mu, sigma, tau, s = 1.0, 1.5, 2.0, 0.7
    m, v = s / (1 + tau**2), tau**2 / (1 + tau**2)
    exact, _ = integrate.quad(lambda z: special.expit(mu + sigma * z) * stats.norm.pdf(z, m, math.sqrt(v)), -15, 15)
    assert D._posterior_mean_sigmoid(mu, sigma, np.array([s]), tau)[0] == pytest.approx(exact, abs=1e-8)


def test_selective_pair_disagreement_between_ece_and_auroc():
    table, diffs, data = D.selective_comparison(4000, n_boot=50, seed=15)
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
    d = D.simulate_selective_pair(200000, seed=16)
    # ECE of a calibrated forecaster is sampling noise: well below 0.01 at n = 200000 with 15 bins.
    assert cal.ece(d["calibrated"], d["correct"]) < 0.01
    assert cal.ece(d["sharp"], d["correct"]) > 0.08
    assert cal.auroc(d["sharp"], d["correct"]) == pytest.approx(cal.auroc(d["p_true"], d["correct"]))


def test_sharp_temperature_sweep_keeps_ranking_and_moves_brier():
    d = D.simulate_selective_pair(20000, seed=18)
    sw = D.sharp_temperature_sweep(d["p_true"], d["correct"], (0.1, 0.4, 1.0))
    # the ranking is unchanged (up to ties where sigmoid saturates in floating point)
    assert np.allclose(sw["auroc"], sw["auroc"].iloc[-1], atol=1e-3)
    # at T = 1 the forecaster is the truth: calibrated, and its Brier score is E[p(1 - p)] up to noise
    at1 = sw.iloc[-1]
    assert at1["ece"] < 0.02
    assert at1["brier"] == pytest.approx(np.mean(d["p_true"] * (1 - d["p_true"])), abs=0.01)
    # sharper is worse on Brier and on ECE
    assert sw["brier"].is_monotonic_decreasing and sw["ece"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="empty"):
        D.sharp_temperature_sweep(d["p_true"], d["correct"], ())


def test_paired_bootstrap_difference():
    rng = np.random.default_rng(17)
    y = rng.random(1000) < 0.7
    a = np.full(1000, 0.7)
    # identical forecasters: every replicate difference is exactly zero
    out = D.paired_bootstrap_difference(cal.ece, a, a, y, n_boot=20, seed=1)
    assert out == {"estimate": 0.0, "low": 0.0, "high": 0.0}
    # a constant shift of the Brier score is recovered exactly: (0.9 - y)^2 - (0.7 - y)^2 = 0.32 - 0.4 y
    b = np.full(1000, 0.9)
    out = D.paired_bootstrap_difference(cal.brier_score, a, b, y, n_boot=200, seed=1)
    assert out["estimate"] == pytest.approx(0.32 - 0.4 * y.mean())
    assert out["low"] < out["estimate"] < out["high"]
    with pytest.raises(ValueError, match="equal length"):
        D.paired_bootstrap_difference(cal.ece, a, b[:10], y)
    with pytest.raises(ValueError, match="callable"):
        D.paired_bootstrap_difference("ece", a, b, y)


def test_selective_accuracy():
    conf = np.array([0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 0, 1, 0])
    assert D.selective_accuracy(conf, correct, 0.5) == pytest.approx(0.5)
    assert D.selective_accuracy(conf, correct, 0.25) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="coverage"):
        D.selective_accuracy(conf, correct, 0.0)


# --------------------------------------------------------------------------- #
# Determinism and input validation
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "run",
    [
        lambda s: D.annotator_sweep((3,), n_train=300, n_test=300, seed=s),
        lambda s: D.ensemble_uncertainty((50, 200), n_members=3, n_test=200, seed=s)[0],
        lambda s: D.shift_experiment(
            noise_levels=(0, 4), label_shift_levels=(0.5,), n_repeats=1, with_smece=False, seed=s
        ),
        lambda s: D.temperature_sweep((0.5, 1.0), n_tasks=500, seed=s),
        lambda s: D.forecaster_family(5, n_tasks=500, seed=s)[0],
        lambda s: D.selective_comparison(400, n_boot=5, seed=s)[1],
    ],
    ids=["annotators", "ensemble", "shift", "sweep", "family", "selective"],
)
def test_same_seed_same_numbers(run):
    a, b, c = run(0), run(0), run(1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: D.simulate_annotations(0, 3), "n_items"),
        (lambda: D.simulate_annotations(10, 0), "n_annotators"),
        (lambda: D.simulate_annotations(10, 3, signal=-1), "signal"),
        (lambda: D.score_forecast([0.5] * 3, D.simulate_annotations(4, 3)), "entries"),
        (lambda: D.score_forecast([0.5, 0.5, 0.5, 1.5], D.simulate_annotations(4, 3)), "probabilities"),
        (lambda: D.annotator_sweep(()), "empty"),
        (lambda: D.ensemble_uncertainty((5,)), "train size"),
        (lambda: D.ensemble_uncertainty((50,), n_members=1), "n_members"),
        (lambda: D.ensemble_uncertainty((50,), near_half=0.7), "near_half"),
        (lambda: D.shift_experiment(noise_levels=(-1,)), "noise_levels"),
        (lambda: D.shift_experiment(n_hard=10), "n_hard"),
        (lambda: D.shift_experiment(alpha=1.0), "alpha"),
        (lambda: D.simulate_team_task(0), "n_tasks"),
        (lambda: D.simulate_team_task(10, human_temperature=0), "human_temperature"),
        (lambda: D.temperature_sweep(()), "non-empty"),
        (lambda: D.forecaster_family(2), "n_forecasters"),
        (lambda: D.forecaster_family(5, temperature_range=(3.0, 0.3)), "ranges"),
        (lambda: D.simulate_selective_pair(1), "n"),
        (lambda: D.simulate_selective_pair(10, weak_noise=0), "weak_noise"),
        (lambda: D.summarise_runs(pd.DataFrame({"x": [1]})), "lacks"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
