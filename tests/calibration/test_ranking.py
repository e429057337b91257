"""Brier score, AUROC, risk--coverage curve and AURC of
:mod:`uqsurvey.calibration.ranking`, against scikit-learn, hand counts and
brute force."""
from __future__ import annotations

import numpy as np
import pytest

from calibration_samples import sample
from uqsurvey.calibration import aurc, auroc, brier_score, risk_coverage_curve

sk_metrics = pytest.importorskip("sklearn.metrics")


def test_brier_hand_and_sklearn():
    assert brier_score([0.5, 1.0, 0.0, 0.8], [1, 1, 0, 0]) == pytest.approx((0.25 + 0 + 0 + 0.64) / 4, abs=1e-15)
    for seed in range(5):
        f, y = sample(seed, 1000 + seed, "grid05")
        assert brier_score(f, y) == pytest.approx(sk_metrics.brier_score_loss(y, f), abs=1e-14)


@pytest.mark.parametrize("seed", range(15))
def test_auroc_matches_sklearn(seed):
    f, y = sample(seed, 20 + 301 * seed, ("beta", "grid05", "grid10")[seed % 3])
    if y.min() == y.max():  # pragma: no cover
        y[0] = 1 - y[0]
    assert auroc(f, y) == pytest.approx(sk_metrics.roc_auc_score(y, f), abs=1e-14)
    assert auroc(f, y.astype(bool)) == auroc(f, y)


def test_auroc_hand_and_ties():
    # pairs (pos, neg): (0.9,0.1)=1 (0.9,0.5)=1 (0.5,0.1)=1 (0.5,0.5)=1/2
    assert auroc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]) == pytest.approx(3.5 / 4, abs=1e-16)
    assert auroc([0.5, 0.5], [1, 0]) == 0.5
    assert auroc([0.2, 0.8], [1, 0]) == 0.0
    assert auroc([1 / 3, 0.9], [0, 1]) == 1.0


@pytest.mark.parametrize("labels,which", [([1, 1, 1], "all correct"), ([0, 0], "all wrong")])
def test_auroc_single_class_raises(labels, which):
    with pytest.raises(ValueError, match=f"single class \\({which}"):
        auroc([0.5] * len(labels), labels)


def _aurc_brute(f, y):
    f, y = np.asarray(f, float), np.asarray(y, float)
    n = len(f)
    total = 0.0
    for tau in np.unique(f):
        acc = f >= tau
        total += np.sum(f == tau) / n * np.mean(1 - y[acc])
    return total


@pytest.mark.parametrize("seed", range(15))
def test_aurc_brute_force(seed):
    f, y = sample(seed, 5 + 37 * seed, ("beta", "grid05", "grid10")[seed % 3])
    assert aurc(f, y) == pytest.approx(_aurc_brute(f, y), abs=1e-14)
    # tie handling is independent of input order
    perm = np.random.default_rng(seed).permutation(len(f))
    assert aurc(f[perm], y[perm]) == pytest.approx(aurc(f, y), abs=1e-15)


def test_aurc_without_ties_is_mean_risk_over_k():
    rng = np.random.default_rng(0)
    f = rng.random(200)
    y = (rng.random(200) < f).astype(float)
    order = np.argsort(-f)
    risks = np.cumsum(1 - y[order]) / np.arange(1, 201)
    assert aurc(f, y) == pytest.approx(risks.mean(), abs=1e-14)


def test_aurc_hand_computed_with_ties():
    # groups by decreasing confidence: {0.9: 1 correct}, {0.6: 1 correct, 1 wrong}, {0.2: wrong}
    f = [0.9, 0.6, 0.6, 0.2]
    y = [1, 1, 0, 0]
    cov, risk, thr = risk_coverage_curve(f, y)
    assert cov.tolist() == [0.25, 0.75, 1.0]
    assert risk.tolist() == pytest.approx([0.0, 1 / 3, 0.5], abs=1e-16)
    assert thr.tolist() == [0.9, 0.6, 0.2]
    assert aurc(f, y) == pytest.approx(0.25 * 0 + 0.5 * (1 / 3) + 0.25 * 0.5, abs=1e-16)

