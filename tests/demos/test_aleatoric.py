"""Tests of uqsurvey.demos.aleatoric: annotator disagreement and ensembles (R4).

Statistical assertions use tolerances derived from the sampling error of the
quantity tested (stated next to each); every random draw is seeded, so the
tests are deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import max_examples

from uqsurvey import calibration as cal
from uqsurvey.demos import aleatoric as AL
from uqsurvey.demos import _common as CM


def test_entropy_and_logit_helpers():
    assert AL.binary_entropy(0.5) == pytest.approx(1.0)
    assert AL.binary_entropy([0.0, 1.0]) == pytest.approx([0.0, 0.0], abs=1e-9)
    assert AL.binary_entropy(0.25) == pytest.approx(-(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75)))
    assert CM.sigmoid(CM.logit([0.1, 0.5, 0.9])) == pytest.approx([0.1, 0.5, 0.9])


def test_seed_validation():
    for bad in ("0", 1.5, -1, True, None):
        with pytest.raises(ValueError, match="seed"):
            AL.simulate_annotations(10, 3, seed=bad)
    g = np.random.default_rng(3)
    a = AL.simulate_annotations(10, 3, seed=g)
    assert len(a) == 10


def test_simulated_annotations_follow_the_label_distribution():
    items = AL.simulate_annotations(20000, 7, seed=1)
    assert items.votes.min() >= 0 and items.votes.max() <= 7
    # E[votes | p] = 7 p: the residual mean is 0 up to sampling error (sd <= sqrt(7/4 / n)).
    resid = items.votes - 7 * items.p_true
    assert abs(resid.mean()) < 4 * math.sqrt(7 / 4 / len(items))
    # With an odd count the gold label is the strict majority.
    assert np.array_equal(items.gold, (items.votes >= 4).astype(int))
    # Log-odds are N(0, signal^2) with signal 1.5.
    assert np.std(CM.logit(items.p_true)) == pytest.approx(1.5, rel=0.03)


def test_majority_ties_are_broken_by_a_fair_coin():
    items = AL.simulate_annotations(20000, 2, seed=2)
    ties = items.votes == 1
    share = items.gold[ties].mean()
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / ties.sum())


def test_annotator_ece_hand_computed():
    # One bin (both confidences 0.7); agreement 3/4 and 1/4 -> mean 0.5; |0.7 - 0.5| = 0.2.
    assert AL.annotator_ece([0.7, 0.7], [3, 1], 4) == pytest.approx(0.2)
    # Two bins: 0.62 with agreement 2/2, 0.95 with 0/2 -> (|0.62-1| + |0.95-0|)/2.
    assert AL.annotator_ece([0.62, 0.95], [2, 0], 2) == pytest.approx((0.38 + 0.95) / 2)


def test_annotator_ece_with_one_annotator_is_the_ordinary_ece():
    rng = np.random.default_rng(0)
    conf = rng.uniform(0.5, 1, 500)
    correct = rng.random(500) < conf
    assert AL.annotator_ece(conf, correct.astype(int), 1) == pytest.approx(cal.ece(conf, correct))


def test_annotator_ece_rejects_bad_votes():
    with pytest.raises(ValueError, match="agreeing_votes"):
        AL.annotator_ece([0.7], [5], 4)
    with pytest.raises(ValueError, match="agreeing_votes"):
        AL.annotator_ece([0.7], [1.5], 4)
    with pytest.raises(ValueError, match="shape"):
        AL.annotator_ece([0.7, 0.8], [1], 4)


def test_true_distribution_is_calibrated_to_annotators_not_to_the_majority():
    items = AL.simulate_annotations(20000, 25, seed=3)
    s = AL.score_forecast(items.p_true, items)
    assert s["brier_true"] == 0.0
    assert s["ece_soft"] < 0.01  # calibrated against the annotators (sampling noise only)
    assert s["ece_gold"] > 0.15  # looks under-confident against a 25-vote majority
    # Expected agreement with a random annotator of the honest forecast: E[max(p, 1-p)].
    assert s["agreement"] == pytest.approx(np.maximum(items.p_true, 1 - items.p_true).mean(), abs=0.005)


def test_majority_trained_model_looks_calibrated_only_against_the_majority():
    df = AL.annotator_sweep((1, 25), n_train=3000, n_test=4000, seed=4).set_index(["n_annotators", "forecaster"])
    soft, major = df.loc[(25, "trained on vote shares")], df.loc[(25, "trained on majority vote")]
    assert major["ece_gold"] < soft["ece_gold"] - 0.1
    assert soft["ece_soft"] < major["ece_soft"] - 0.1
    assert major["brier_gold"] < soft["brier_gold"] and soft["brier_soft"] < major["brier_soft"]
    # One annotator: gold label and soft label coincide.
    one = df.loc[1]
    assert np.allclose(one["ece_gold"], one["ece_soft"]) and np.allclose(one["brier_gold"], one["brier_soft"])


def test_entropy_decomposition_extremes():
    same = AL.entropy_decomposition(np.full((5, 3), 0.5))
    assert same["total"] == pytest.approx([1, 1, 1]) and same["epistemic"] == pytest.approx([0, 0, 0])
    split = AL.entropy_decomposition([[0.0], [1.0]])
    assert split["total"] == pytest.approx([1.0]) and split["aleatoric"] == pytest.approx([0.0], abs=1e-9)
    assert split["epistemic"] == pytest.approx([1.0])
    with pytest.raises(ValueError, match="two members"):
        AL.entropy_decomposition([[0.3, 0.4]])
    with pytest.raises(ValueError, match="probabilities"):
        AL.entropy_decomposition([[0.3, 1.4], [0.2, 0.2]])


def test_ensemble_disagreement_vanishes_while_aleatoric_entropy_stays():
    summary, detail = AL.ensemble_uncertainty((50, 5000), n_members=8, n_test=1500, seed=5)
    small, large = summary.iloc[0], summary.iloc[-1]
    assert large["epistemic_near_half"] < small["epistemic_near_half"] / 10
    assert large["epistemic_near_half"] < 0.005
    # Near 50/50 the total entropy stays at the true label entropy (about 1 bit).
    assert large["total_near_half"] == pytest.approx(large["true_entropy_near_half"], abs=0.02)
    assert large["true_entropy_near_half"] > 0.95
    assert len(detail) == 1500 and set(detail.columns) >= {"p_true", "total", "aleatoric", "epistemic"}


@settings(max_examples=max_examples(50), deadline=None)
@given(st.lists(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3), min_size=2, max_size=8))
def test_entropy_parts_are_nonnegative_and_add_up(members):
    parts = AL.entropy_decomposition(np.array(members))
    assert np.all(parts["epistemic"] >= 0) and np.all(parts["aleatoric"] >= -1e-12)
    assert np.all(parts["total"] <= 1 + 1e-12)
    assert parts["aleatoric"] + parts["epistemic"] == pytest.approx(parts["total"], abs=1e-9)
