"""Tests of uqsurvey.demos.team: calibration metrics vs team performance (R6-R8).

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
from scipy import stats

from uqsurvey.demos import team as TM


def test_distort_confidence_literals():
    # sigmoid(2 * logit(0.7)) = 0.7^2 / (0.7^2 + 0.3^2)
    assert TM.distort_confidence([0.7], 0.5)[0] == pytest.approx(0.49 / 0.58)
    assert TM.distort_confidence([0.7, 0.9], 1.0, 0.0) == pytest.approx([0.7, 0.9])
    # never below even odds
    assert TM.distort_confidence([0.55], 1.0, -2.0)[0] == 0.5
    with pytest.raises(ValueError, match="temperature"):
        TM.distort_confidence([0.7], 0.0)
    with pytest.raises(ValueError, match="bias"):
        TM.distort_confidence([0.7], 1.0, math.inf)


@settings(max_examples=max_examples(50), deadline=None)
@given(
    t=st.floats(0.05, 20.0),
    b=st.floats(-3.0, 3.0),
    conf=st.lists(st.floats(0.5, 1.0), min_size=2, max_size=30),
)
def test_distortions_are_monotone_and_stay_above_even_odds(t, b, conf):
    c = np.sort(np.array(conf))
    d = TM.distort_confidence(c, t, b)
    assert np.all(np.diff(d) >= 0) and d.min() >= 0.5 and d.max() <= 1.0


def test_team_accuracy_matches_the_hand_derived_closed_form():
    """Two tasks; the human feels 0.8 but is right with probability 0.6 on both.

    The AI is right with probability 0.7 and 0.95.  Shown calibrated, the AI is
    adopted only on the second task (0.7 < 0.8 < 0.95): team accuracy
    (0.6 + 0.95) / 2 = 0.775.  Shown at temperature 1/2 its confidences are
    0.8448 and 0.9972, both above 0.8: team accuracy (0.7 + 0.95) / 2 = 0.825.
    """
    task = TM.TeamTask(human_p=np.array([0.6, 0.6]), human_conf=np.array([0.8, 0.8]), ai_p=np.array([0.7, 0.95]))
    n_draws = 20000
    # sd of the mean of the two team outcomes, per draw, is at most sqrt((0.24 + 0.21) / 4)
    tol = 4 * math.sqrt((0.24 + 0.21) / 4 / n_draws)
    calibrated = TM.team_outcomes(task, task.ai_p, seed=11, n_draws=n_draws)
    assert calibrated["expected_accuracy"] == pytest.approx(0.775)
    assert calibrated["reliance"] == pytest.approx(0.5)
    assert abs(calibrated["simulated_accuracy"] - 0.775) < tol
    inflated = TM.team_outcomes(task, TM.distort_confidence(task.ai_p, 0.5), seed=11, n_draws=n_draws)
    assert inflated["expected_accuracy"] == pytest.approx(0.825)
    assert inflated["reliance"] == pytest.approx(1.0)
    assert abs(inflated["simulated_accuracy"] - 0.825) < tol
    assert calibrated["human_alone"] == pytest.approx(0.6) and calibrated["ai_alone"] == pytest.approx(0.825)


@pytest.mark.parametrize("t_h", [1.0, 0.5, 2.0])
def test_best_display_temperature_is_the_humans_own(t_h):
    """d > s  <=>  logit(c)/T > logit(h)/t_h; at T = t_h the rule picks the likelier-right agent on every task."""
    task = TM.simulate_team_task(5000, human_temperature=t_h, seed=12)
    best = TM.team_outcomes(task, TM.distort_confidence(task.ai_p, t_h))["expected_accuracy"]
    assert best == pytest.approx(np.maximum(task.ai_p, task.human_p).mean())
    for T in (0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0):
        assert TM.team_outcomes(task, TM.distort_confidence(task.ai_p, T))["expected_accuracy"] <= best + 1e-12


def test_team_task_model():
    task = TM.simulate_team_task(50000, human_temperature=0.5, correlation=0.6, seed=13)
    assert task.human_p.min() >= 0.5 and task.ai_p.max() < 1
    assert np.all(task.human_conf >= task.human_p)  # over-confident human
    r = stats.spearmanr(task.human_p, task.ai_p).statistic
    assert 0.5 < r < 0.7  # monotone maps keep the copula's rank correlation (6/pi asin(0.3) = 0.58)
    with pytest.raises(ValueError, match="correlation"):
        TM.simulate_team_task(10, correlation=1.0)
    with pytest.raises(ValueError, match="ai_shown"):
        TM.team_outcomes(task, [0.7, 0.8])


def test_ece_tracks_team_accuracy_only_for_a_calibrated_human():
    rows, corr = TM.forecaster_family(40, n_tasks=10000, seed=14)
    corr = corr.set_index("human_temperature")
    assert corr.loc[1.0, "spearman"] < -0.9
    assert corr.loc[1.0, "calibrated_rank"] == 1
    assert corr.loc[0.5, "spearman"] > corr.loc[1.0, "spearman"] + 0.3
    assert corr.loc[0.5, "calibrated_rank"] > 1
    sweep = TM.temperature_sweep((0.5, 1.0, 2.0), n_tasks=10000, seed=14).set_index(["human_temperature", "temperature"])
    assert sweep.loc[(1.0, 1.0), "ece"] < sweep.loc[(1.0, 0.5), "ece"]
    assert sweep.loc[(0.5, 0.5), "team_accuracy"] > sweep.loc[(0.5, 1.0), "team_accuracy"]
