"""Binned ECE family, debiased ECE, Brier, AUROC, AURC, reliability data,
bootstrap and input validation of :mod:`uqsurvey.calibration`.

Every number is checked either against literal hand-computed values or
against an independent reference implementation (torchmetrics, netcal,
uncertainty-calibration, scikit-learn, brute force).
"""
from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest

from uqsurvey import calibration as cal
from uqsurvey.calibration import (
    aurc,
    auroc,
    binned_reliability,
    bootstrap_ci,
    brier_score,
    debiased_ece,
    ece,
    risk_coverage_curve,
    smece,
    smooth_reliability,
)

torch = pytest.importorskip("torch")
from torchmetrics.classification import BinaryCalibrationError  # noqa: E402

#: torch.linspace uses a fused multiply-add in its AVX2/AVX512 kernels, which
#: is what convention="torchmetrics" reproduces (see the module docstring);
#: under ATEN_CPU_CAPABILITY=default a few edges differ by one ulp.
TORCH_FMA = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")
needs_torch_fma = pytest.mark.skipif(
    not TORCH_FMA, reason="torch.linspace without FMA (ATEN_CPU_CAPABILITY=default or non-x86)")

netcal_metrics = pytest.importorskip("netcal.metrics")
kumar = pytest.importorskip("calibration")  # uncertainty-calibration (Kumar et al.)
sk_metrics = pytest.importorskip("sklearn.metrics")


def _data(seed: int, n: int, kind: str = "beta"):
    rng = np.random.default_rng(seed)
    if kind == "beta":
        f = rng.beta(4, 2, n)
    elif kind == "grid05":  # verbalised LLM confidences on a 0.05 grid
        f = np.round(rng.random(n) * 20) / 20
    elif kind == "grid10":
        f = np.round(rng.random(n) * 10) / 10
    else:  # pragma: no cover
        raise ValueError(kind)
    y = (rng.random(n) < f**1.3).astype(np.float64)
    return f, y


def _torch_ce(f, y, n_bins, norm):
    metric = BinaryCalibrationError(n_bins=n_bins, norm=norm)
    return metric(torch.tensor(f, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)).item()


def _edge_data(n_bins):
    """Confidences exactly on (and one ulp around) every edge of every rule."""
    tl = torch.linspace(0, 1, n_bins + 1, dtype=torch.float64).numpy()
    pts = np.concatenate([
        tl, np.nextafter(tl, 2), np.nextafter(tl, -1),
        np.linspace(0, 1, n_bins + 1), np.arange(n_bins + 1) / n_bins,
        np.arange(101) / 100, [0.0, 1.0],
    ])
    pts = np.unique(pts[(pts >= 0) & (pts <= 1)])
    f = np.repeat(pts, 3)
    y = np.tile([0.0, 1.0, 1.0], pts.shape[0])
    y[::7] = 1 - y[::7]
    return f, y


# ----------------------------------------------------------------------------
# Hand-computed example (literal numbers)
# ----------------------------------------------------------------------------

F8 = [0.05, 0.15, 0.25, 0.3, 0.62, 0.7, 0.95, 1.0]
Y8 = [0, 0, 1, 0, 1, 1, 1, 1]


def test_ece_hand_computed_default():
    # bins (10): 0.05->0, 0.15->1, 0.25->2, 0.3->3, 0.62->6, 0.7->7, {0.95, 1.0}->9
    # |gaps|: .05 .15 .75 .30 .38 .30 and |0.975 - 1| = .025 (weight 2/8)
    assert ece(F8, Y8, 10) == pytest.approx(1.98 / 8, abs=1e-15)
    assert ece(F8, Y8, 10) == pytest.approx(0.2475, abs=1e-15)
    assert ece(F8, Y8, 10, norm="max") == pytest.approx(0.75, abs=1e-15)
    l2 = math.sqrt((0.05**2 + 0.15**2 + 0.75**2 + 0.3**2 + 0.38**2 + 0.3**2 + 2 * 0.025**2) / 8)
    assert ece(F8, Y8, 10, norm="l2") == pytest.approx(l2, abs=1e-15)
    assert l2 == pytest.approx(0.33785, abs=1e-5)
    _, bins = ece(F8, Y8, 10, return_bins=True)
    assert bins["count"].tolist() == [1, 1, 1, 1, 0, 0, 1, 1, 0, 2]
    assert bins.loc[9, "mean_confidence"] == pytest.approx(0.975, abs=1e-15)


def test_ece_hand_computed_compat_conventions():
    # kumar: (e_{k-1}, e_k] puts 0.3 with 0.25 and 0.7 with 0.62
    # torchmetrics: edge 3 is 0.30000000000000004 -> 0.3 in bin 2; edge 7 is 0.7
    #   -> 0.7 in bin 7; 1.0 in the extra bin 10
    # netcal: linspace edges 3 = 0.30000000000000004 and 7 = 0.7000000000000001
    #   -> 0.3 in bin 2, 0.7 in bin 6; 1.0 clipped to 1 - 2.2e-16, bin 9
    assert ece(F8, Y8, 10, convention="kumar") == pytest.approx(1.38 / 8, abs=1e-15)
    assert ece(F8, Y8, 10, convention="torchmetrics") == pytest.approx(1.38 / 8, abs=1e-15)
    assert ece(F8, Y8, 10, convention="netcal") == pytest.approx(1.38 / 8, abs=1e-15)
    counts = {
        c: ece(F8, Y8, 10, convention=c, return_bins=True)[1]["count"].tolist()
        for c in ("kumar", "torchmetrics", "netcal")
    }
    assert counts["kumar"] == [1, 1, 2, 0, 0, 0, 2, 0, 0, 2]
    assert counts["torchmetrics"] == [1, 1, 2, 0, 0, 0, 1, 1, 0, 1, 1]
    assert counts["netcal"] == [1, 1, 2, 0, 0, 0, 2, 0, 0, 2]
    # and the references agree with these literal numbers
    f, y = np.array(F8), np.array(Y8, dtype=float)
    assert _torch_ce(f, y, 10, "l1") == pytest.approx(0.1725, abs=1e-12)
    assert netcal_metrics.ECE(bins=10).measure(f, y) == pytest.approx(0.1725, abs=1e-12)
    assert kumar.get_ece(f, np.array(Y8), num_bins=10) == pytest.approx(0.1725, abs=1e-12)


@pytest.mark.parametrize("n_bins,value,expected_bin", [
    (10, 0.3, 3), (10, 0.7, 7), (20, 0.15, 3), (20, 0.35, 7), (50, 0.58, 29),
    (100, 0.29, 29), (100, 0.57, 57), (100, 0.58, 58), (15, 0.2, 3), (180, 0.35, 63),
])
def test_default_convention_is_edge_robust_for_decimal_grids(n_bins, value, expected_bin):
    # plain floor(f * B) puts 0.58 (B=50) and 0.29 (B=100) one bin too low
    _, bins = ece([value], [1], n_bins, return_bins=True)
    assert bins["count"].to_numpy().nonzero()[0].tolist() == [expected_bin]


def test_default_convention_end_points_and_exhaustive_grid():
    for n_bins in (1, 2, 7, 10, 15, 20, 25, 50, 100):
        _, bins = ece([0.0, 1.0], [0, 1], n_bins, return_bins=True)
        assert bins["count"].iloc[0] >= 1 and bins["count"].iloc[-1] >= 1
        # every double nearest to k/B lands in bin k
        k = np.arange(n_bins + 1)
        idx = np.minimum(np.floor((k / n_bins) * n_bins * cal._EDGE_SNAP), n_bins - 1)
        assert idx.tolist() == np.minimum(k, n_bins - 1).tolist()
        # and a value clearly below an edge (1e-9) is not moved
        below = k[1:] / n_bins - 1e-9
        idx = np.floor(below * n_bins * cal._EDGE_SNAP)
        assert idx.tolist() == (k[1:] - 1).tolist()


# ----------------------------------------------------------------------------
# Compatibility conventions against the reference libraries
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_torchmetrics_random(seed, norm):
    f, y = _data(seed, 50 + 173 * seed, ("beta", "grid05", "grid10")[seed % 3])
    for n_bins in (5, 10, 15, 20):
        assert ece(f, y, n_bins, norm=norm, convention="torchmetrics") == pytest.approx(
            _torch_ce(f, y, n_bins, norm), abs=1e-12
        )


@needs_torch_fma
@pytest.mark.parametrize("n_bins", [1, 2, 3, 5, 7, 10, 13, 15, 20, 22, 30, 50, 100])
def test_torchmetrics_edges_zero_and_one(n_bins):
    f, y = _edge_data(n_bins)
    for norm in ("l1", "l2", "max"):
        assert ece(f, y, n_bins, norm=norm, convention="torchmetrics") == pytest.approx(
            _torch_ce(f, y, n_bins, norm), abs=1e-12
        )
    # confidence exactly 1.0 (and 0.0) on their own
    for f1, y1 in (([1.0, 1.0, 0.5], [0, 1, 1]), ([0.0, 0.0, 1.0], [1, 0, 1]), ([1.0], [0])):
        f1, y1 = np.array(f1), np.array(y1, dtype=float)
        for norm in ("l1", "l2", "max"):
            assert ece(f1, y1, n_bins, norm=norm, convention="torchmetrics") == pytest.approx(
                _torch_ce(f1, y1, n_bins, norm), abs=1e-12
            )


@needs_torch_fma
def test_torchmetrics_extra_bin_for_one():
    _, bins = ece([1.0, 1.0, 0.95], [0, 1, 1], 10, convention="torchmetrics", return_bins=True)
    assert len(bins) == 11
    assert bins.iloc[-1][["lower", "upper", "count", "accuracy"]].tolist() == [1.0, 1.0, 2, 0.5]
    assert bins.iloc[9]["count"] == 1
    # the edge rules really differ: torch.linspace's edge 7 of 20 differs from k/B
    edges = cal._torch_linspace_edges(20)
    assert np.array_equal(edges, torch.linspace(0, 1, 21, dtype=torch.float64).numpy())
    assert not np.array_equal(edges, np.arange(21) / 20)


@needs_torch_fma
@pytest.mark.parametrize("n_bins", [1, 3, 10, 15, 20, 37, 64, 100, 255])
def test_torch_linspace_edges(n_bins):
    assert np.array_equal(
        cal._torch_linspace_edges(n_bins),
        torch.linspace(0, 1, n_bins + 1, dtype=torch.float64).numpy(),
    )


@pytest.mark.parametrize("seed", range(10))
def test_netcal_random(seed):
    f, y = _data(seed, 40 + 211 * seed, ("beta", "grid05", "grid10")[seed % 3])
    for n_bins in (5, 10, 15, 20):
        assert ece(f, y, n_bins, convention="netcal") == pytest.approx(
            netcal_metrics.ECE(bins=n_bins).measure(f, y), abs=1e-12)
        assert ece(f, y, n_bins, convention="netcal", norm="max") == pytest.approx(
            netcal_metrics.MCE(bins=n_bins).measure(f, y), abs=1e-12)


@pytest.mark.parametrize("n_bins", [2, 5, 10, 13, 15, 20, 30, 100])
def test_netcal_edges_zero_and_one(n_bins):
    f, y = _edge_data(n_bins)
    assert ece(f, y, n_bins, convention="netcal") == pytest.approx(
        netcal_metrics.ECE(bins=n_bins).measure(f, y), abs=1e-12)
    assert ece(f, y, n_bins, convention="netcal", norm="max") == pytest.approx(
        netcal_metrics.MCE(bins=n_bins).measure(f, y), abs=1e-12)


def test_netcal_default_bins_and_clipping():
    f = np.array([0.0, 0.0, 1.0, 1.0, 0.5])
    y = np.array([0.0, 1.0, 1.0, 1.0, 0.0])
    # netcal's default is 10 bins; clipping moves 0 and 1 by 2.2e-16 only
    assert ece(f, y, 10, convention="netcal") == pytest.approx(netcal_metrics.ECE().measure(f, y), abs=1e-15)
    _, bins = ece(f, y, 10, convention="netcal", return_bins=True)
    assert bins.loc[9, "mean_confidence"] == 1.0 - np.finfo(float).eps


@pytest.mark.parametrize("seed", range(10))
def test_netcal_mass_binning(seed):
    rng = np.random.default_rng(seed)
    n = 100 + 97 * seed
    f = rng.beta(3, 2, n)  # continuous: no tied quantiles (netcal raises on those)
    y = (rng.random(n) < f).astype(float)
    for n_bins in (5, 10, 15):
        assert ece(f, y, n_bins, binning="mass", convention="netcal") == pytest.approx(
            netcal_metrics.ECE(bins=n_bins, equal_intervals=False).measure(f, y), abs=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_kumar_random(seed):
    f, y = _data(seed, 30 + 157 * seed, ("beta", "grid05", "grid10")[seed % 3])
    yi = y.astype(int)
    for n_bins in (5, 10, 15, 20):
        assert ece(f, y, n_bins, convention="kumar") == pytest.approx(
            kumar.get_ece(f, yi, num_bins=n_bins), abs=1e-12)
        # Kumar's plugin l2 (p=2, no debiasing) with his equal-width bins
        assert ece(f, y, n_bins, convention="kumar", norm="l2") == pytest.approx(
            kumar.lower_bound_scaling_ce(f, yi, p=2, debias=False, num_bins=n_bins,
                                         binning_scheme=kumar.get_equal_prob_bins), abs=1e-12)


@pytest.mark.parametrize("n_bins", [2, 5, 10, 15, 20, 30, 100])
def test_kumar_edges(n_bins):
    f, y = _edge_data(n_bins)
    assert ece(f, y, n_bins, convention="kumar") == pytest.approx(
        kumar.get_ece(f, y.astype(int), num_bins=n_bins), abs=1e-12)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("convention", ["default", "kumar"])
def test_mass_binning_matches_kumar_equal_bins(seed, convention):
    f, y = _data(seed, 20 + 131 * seed, ("beta", "grid05", "grid10")[seed % 3])
    for n_bins in (3, 10, 15):
        assert ece(f, y, n_bins, binning="mass", convention=convention) == pytest.approx(
            kumar.get_ece_em(f, y.astype(int), num_bins=n_bins), abs=1e-12)


def test_mass_binning_never_splits_ties():
    f = np.array([0.1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.9, 0.9])
    y = np.array([0, 1, 0, 1, 1, 0, 1, 1])
    _, bins = ece(f, y, 4, binning="mass", return_bins=True)
    # groups of 2: {0.1,0.2} {0.2,0.2} {0.2,0.2} {0.9,0.9}; midpoints 0.2, 0.2,
    # 0.55 -> edges (0, 0.2], (0.2, 0.55], (0.55, 1]: the 0.2-run stays whole in
    # the lower bin, the merged edge leaves 3 bins, one of them empty
    assert bins["count"].tolist() == [6, 0, 2]
    assert bins["upper"].tolist() == [0.2, 0.55, 1.0]
    assert bins["lower"].tolist() == [0.0, 0.2, 0.55]
    # more bins than points: one bin per point at most
    _, bins = ece([0.1, 0.4, 0.8], [0, 1, 1], 10, binning="mass", return_bins=True)
    assert bins["count"].tolist() == [1, 1, 1]


def test_mass_with_torchmetrics_is_refused():
    with pytest.raises(ValueError, match="torchmetrics"):
        ece([0.2, 0.4], [0, 1], binning="mass", convention="torchmetrics")


# ----------------------------------------------------------------------------
# Debiased ECE
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(16))
def test_debiased_matches_kumar_get_calibration_error(seed):
    kind = ("beta", "grid05", "grid10", "beta")[seed % 4]
    f, y = _data(seed, 60 + 199 * seed, kind)
    expected = kumar.get_calibration_error(f, y.astype(int), p=2, debias=True)
    assert debiased_ece(f, y, convention="kumar") == pytest.approx(expected, abs=1e-12)
    assert debiased_ece(f, y) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_debiased_mass_and_width_match_kumar(seed):
    f, y = _data(seed, 500 + 50 * seed)
    yi = y.astype(int)
    assert debiased_ece(f, y, 10, binning="mass") == pytest.approx(
        kumar.lower_bound_scaling_ce(f, yi, p=2, debias=True, num_bins=10), abs=1e-12)
    assert debiased_ece(f, y, 10, binning="width", convention="kumar") == pytest.approx(
        kumar.lower_bound_scaling_ce(f, yi, p=2, debias=True, num_bins=10,
                                     binning_scheme=kumar.get_equal_prob_bins), abs=1e-12)


def test_debiased_hand_computed():
    # one bin per distinct value; bin 0.2: mean y 0.25 over 4 -> (0.05)^2 - 0.1875/3
    # bin 0.8: mean y 0.75 over 4 -> (0.05)^2 - 0.1875/3; total negative -> 0
    f = [0.2] * 4 + [0.8] * 4
    y = [1, 0, 0, 0, 1, 1, 1, 0]
    assert debiased_ece(f, y, binning="unique") == 0.0
    f = [0.9] * 4 + [0.1] * 4
    y = [0, 0, 0, 1, 1, 1, 1, 0]  # acc 0.25 at 0.9, 0.75 at 0.1
    sq = 0.5 * (0.65**2 - 0.1875 / 3) + 0.5 * (0.65**2 - 0.1875 / 3)
    assert debiased_ece(f, y, binning="unique") == pytest.approx(math.sqrt(sq), abs=1e-15)
    assert debiased_ece(f, y, binning="unique") < ece(f, y, norm="l2")


# ----------------------------------------------------------------------------
# Brier, AUROC, risk-coverage
# ----------------------------------------------------------------------------

def test_brier_hand_and_sklearn():
    assert brier_score([0.5, 1.0, 0.0, 0.8], [1, 1, 0, 0]) == pytest.approx((0.25 + 0 + 0 + 0.64) / 4, abs=1e-15)
    for seed in range(5):
        f, y = _data(seed, 1000 + seed, "grid05")
        assert brier_score(f, y) == pytest.approx(sk_metrics.brier_score_loss(y, f), abs=1e-14)


@pytest.mark.parametrize("seed", range(15))
def test_auroc_matches_sklearn(seed):
    f, y = _data(seed, 20 + 301 * seed, ("beta", "grid05", "grid10")[seed % 3])
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
    f, y = _data(seed, 5 + 37 * seed, ("beta", "grid05", "grid10")[seed % 3])
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


# ----------------------------------------------------------------------------
# Reliability data and bootstrap
# ----------------------------------------------------------------------------

def test_binned_reliability_columns_and_ece_identity():
    f, y = _data(3, 2000, "grid05")
    df = binned_reliability(f, y, 15)
    assert list(df.columns) == ["bin", "lower", "upper", "count", "weight",
                                "mean_confidence", "accuracy", "gap"]
    assert df["count"].sum() == 2000
    assert np.nansum(df["weight"] * df["gap"].abs()) == pytest.approx(ece(f, y, 15), abs=1e-14)
    assert df["lower"].iloc[0] == 0.0 and df["upper"].iloc[-1] == 1.0
    empty = df["count"] == 0
    assert df.loc[empty, "accuracy"].isna().all()


def test_binned_reliability_bootstrap_is_seeded():
    f, y = _data(4, 800, "beta")
    a = binned_reliability(f, y, 10, n_boot=300, seed=7)
    b = binned_reliability(f, y, 10, n_boot=300, seed=7)
    c = binned_reliability(f, y, 10, n_boot=300, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a["accuracy_lower"].equals(c["accuracy_lower"])
    full = a["count"] > 20
    assert (a.loc[full, "accuracy_lower"] <= a.loc[full, "accuracy"]).all()
    assert (a.loc[full, "accuracy"] <= a.loc[full, "accuracy_upper"]).all()
    # the band is close to the binomial standard error of each bin
    row = a.loc[a["count"].idxmax()]
    se = math.sqrt(row["accuracy"] * (1 - row["accuracy"]) / row["count"])
    assert row["accuracy_upper"] - row["accuracy_lower"] == pytest.approx(2 * 1.96 * se, rel=0.25)


def test_bootstrap_ci_is_seeded_and_covers_estimate():
    f, y = _data(5, 600, "grid05")
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


# ----------------------------------------------------------------------------
# Input validation: every public function, every case
# ----------------------------------------------------------------------------

PUBLIC = {
    "ece": lambda f, y: ece(f, y),
    "ece_mass": lambda f, y: ece(f, y, 5, binning="mass", norm="max"),
    "ece_torchmetrics": lambda f, y: ece(f, y, convention="torchmetrics"),
    "debiased_ece": debiased_ece,
    "brier_score": brier_score,
    "auroc": auroc,
    "risk_coverage_curve": risk_coverage_curve,
    "aurc": aurc,
    "smece": smece,
    "smece_continuous": lambda f, y: smece(f, y, method="continuous"),
    "binned_reliability": binned_reliability,
    "smooth_reliability": smooth_reliability,
    "bootstrap_ci": lambda f, y: bootstrap_ci(brier_score, f, y, n_boot=5),
}

_F = np.linspace(0.05, 0.95, 12)
_Y = np.array([0, 1] * 6)


def _with(a, idx, val, dtype=float):
    a = np.array(a, dtype=dtype)
    a[idx] = val
    return a


BAD = {
    "conf_nan": (_with(_F, [7, 9, 11], np.nan), _Y,
                 r"^confidence contains 3 NaN values \(first at index 7\)$"),
    "conf_inf": (_with(_F, [4, 5], np.inf), _Y,
                 r"^confidence contains 2 infinite values \(first at index 4: inf\)$"),
    "conf_neg_inf": (_with(_F, [2], -np.inf), _Y,
                     r"^confidence contains 1 infinite value \(first at index 2: -inf\)$"),
    "conf_above_one": (_with(_F, [2, 3], 1.2), _Y,
                       r"^confidence must lie in \[0, 1\]; found 2 values outside \(first at index 2: .*1\.2\)$"),
    "conf_negative": (_with(_F, [0], -0.1), _Y,
                      r"^confidence must lie in \[0, 1\]; found 1 value outside \(first at index 0: .*-0\.1\)$"),
    "label_two": (_F, _with(_Y, [5], 2, dtype=int),
                  r"^correct must contain only 0/1 or boolean labels; found 1 other value \(first at index 5: .*2\)$"),
    "label_half": (_F, _with(_Y, [1, 3], 0.5),
                   r"^correct must contain only 0/1 or boolean labels; found 2 other values \(first at index 1: .*0\.5\)$"),
    "label_minus_one": (_F, _with(_Y, [0], -1, dtype=int),
                        r"^correct must contain only 0/1 or boolean labels; found 1 other value \(first at index 0: .*-1\)$"),
    "label_nan": (_F, _with(_Y, [6], np.nan),
                  r"^correct contains 1 NaN value \(first at index 6\)$"),
    "label_inf": (_F, _with(_Y, [8], np.inf),
                  r"^correct contains 1 infinite value \(first at index 8: inf\)$"),
    "length_mismatch": (_F, _Y[:-1],
                        r"^confidence and correct must have the same length; found 12 and 11$"),
    "empty": (np.array([]), np.array([]),
              r"^confidence is empty; at least one value is required$"),
    "empty_labels": (_F, np.array([], dtype=int),
                     r"^correct is empty; at least one value is required$"),
    "conf_2d": (_F.reshape(3, 4), _Y,
                r"^confidence must be 1-D; found 2-D input \(an array of shape \(3, 4\)\)$"),
    "labels_2d": (_F, _Y.reshape(12, 1),
                  r"^correct must be 1-D; found 2-D input \(an array of shape \(12, 1\)\)$"),
    "conf_scalar": (0.5, _Y, r"^confidence must be 1-D; found 0-D input \(a scalar\)$"),
    "conf_strings": (np.array(["0.1"] * 12), _Y,
                     r"^confidence must be numeric \(float, int or bool\); found dtype <U3$"),
    "labels_object": (_F, np.array([0, 1, None] * 4, dtype=object),
                      r"^correct must be numeric \(float, int or bool\); found dtype object$"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_validation(name, case):
    f, y, message = BAD[case]
    with pytest.raises(ValueError, match=message):
        PUBLIC[name](f, y)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_valid_dtypes_accepted(name):
    fn = PUBLIC[name]
    ref = fn(_F, _Y)
    for y in (_Y.astype(bool), _Y.astype(np.int8), _Y.astype(np.uint8), _Y.astype(float), list(_Y)):
        out = fn(list(_F), y)
        if isinstance(ref, float):
            assert out == pytest.approx(ref, abs=1e-15)
    assert fn(_F.astype(np.float32), _Y) is not None


@pytest.mark.parametrize("kwargs,message", [
    (dict(n_bins=0), r"^n_bins must be an integer >= 1; found 0$"),
    (dict(n_bins=2.5), r"^n_bins must be an integer >= 1; found 2\.5$"),
    (dict(n_bins=True), r"^n_bins must be an integer >= 1; found True$"),
    (dict(norm="l3"), r"^norm must be one of 'l1', 'l2', 'max'; found 'l3'$"),
    (dict(binning="quantile"), r"^binning must be one of 'width', 'mass'; found 'quantile'$"),
    (dict(convention="sklearn"), r"^convention must be one of 'default', 'torchmetrics', 'netcal', 'kumar'; found 'sklearn'$"),
])
def test_argument_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ece(_F, _Y, **kwargs)


def test_argument_validation_other_functions():
    with pytest.raises(ValueError, match=r"^method must be one of 'relplot', 'continuous'; found 'grid'$"):
        smece(_F, _Y, method="grid")
    with pytest.raises(ValueError, match=r"^sigma must be a number in \(0, 1\]; found 0$"):
        smece(_F, _Y, sigma=0)
    with pytest.raises(ValueError, match=r"^alpha must be a number in \(0, 1\); found 1\.5$"):
        bootstrap_ci(ece, _F, _Y, alpha=1.5)
    with pytest.raises(ValueError, match=r"^n_boot must be an integer >= 0; found -1$"):
        binned_reliability(_F, _Y, n_boot=-1)
    with pytest.raises(ValueError, match=r"^metric_fn must be callable; found str$"):
        bootstrap_ci("ece", _F, _Y)
    with pytest.raises(ValueError, match=r"^binning must be one of 'auto', 'unique', 'mass', 'width'"):
        debiased_ece(_F, _Y, binning="equal")


def test_validation_does_not_copy_or_modify_float64_input():
    f = _F.copy()
    y = _Y.astype(float)
    ece(f, y)
    smece(f, y)
    assert np.array_equal(f, _F) and np.array_equal(y, _Y)
    g, _ = cal._check_inputs(f, y)
    assert g is f


def test_validation_large_array_finds_first_bad_index():
    f = np.full(200_000, 0.5)
    f[150_001] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN value \(first at index 150001\)"):
        ece(f, np.ones(200_000))
    f[150_001] = 0.5
    y = np.ones(200_000)
    y[99_999] = 3.0
    with pytest.raises(ValueError, match=r"first at index 99999: .*3\.0"):
        ece(f, y)


# ----------------------------------------------------------------------------
# The fused ECE pass: exact bin indices and sums independent of the piece size
# ----------------------------------------------------------------------------

def _chunked_reference_sums(f, y, n_bins):
    """Per-bin sums as a plain loop over _CHUNK pieces with one bincount each
    (the summation order the module documents), default width rule."""
    out = np.zeros((4, n_bins + 1))
    for s in range(0, f.shape[0], cal._CHUNK):
        fc, yc = f[s : s + cal._CHUNK], np.asarray(y[s : s + cal._CHUNK], dtype=np.float64)
        idx = np.floor(fc * (n_bins * cal._EDGE_SNAP)).astype(np.intp)
        for row, w in enumerate((fc - yc, None, fc, yc)):
            out[row] += np.bincount(idx, weights=w, minlength=n_bins + 1)
    out[:, n_bins - 1] += out[:, n_bins]
    return out[:, :n_bins]


@pytest.mark.parametrize("n", [1, 1000, cal._CHUNK, cal._ECE_BLOCK, cal._ECE_BLOCK + 1,
                               2 * cal._ECE_BLOCK + 3 * cal._CHUNK + 17])
@pytest.mark.parametrize("ydtype", [np.float64, bool, np.int8, np.float32])
def test_ece_fused_pass_equals_chunked_reference_exactly(n, ydtype):
    f, y = _data(n % 97, n, "grid05" if n % 2 else "beta")
    y = y.astype(ydtype)
    for n_bins in (1, 10, 15, 100):
        r, count, sf, sy = _chunked_reference_sums(f, y, n_bins)
        assert ece(f, y, n_bins) == float(np.abs(r).sum() / n)
        nz = count > 0
        gap = r[nz] / count[nz]
        assert ece(f, y, n_bins, norm="max") == float(np.abs(gap).max())
        assert ece(f, y, n_bins, norm="l2") == float(math.sqrt(max(float(np.sum(count[nz] * gap * gap)) / n, 0.0)))
        _, bins = ece(f, y, n_bins, return_bins=True)
        assert np.array_equal(bins["count"].to_numpy(), count.astype(np.int64))
        with np.errstate(invalid="ignore", divide="ignore"):
            np.testing.assert_array_equal(bins["mean_confidence"].to_numpy(), np.where(nz, sf / count, np.nan))
            np.testing.assert_array_equal(bins["accuracy"].to_numpy(), np.where(nz, sy / count, np.nan))


def test_validation_bit_pattern_check_edge_values():
    n = 3 * cal._ECE_BLOCK
    f = np.full(n, 0.5)
    y = np.ones(n)
    f[-5] = -0.0  # valid: -0.0 == 0 (its bit pattern fails the fast integer check)
    f[-4], f[-3] = 0.0, 1.0
    assert ece(f, y) == ece(np.abs(f), y)
    for bad, msg in [(np.nextafter(1.0, 2.0), r"must lie in \[0, 1\]; found 1 value outside \(first at index 200000"),
                     (-5e-324, r"must lie in \[0, 1\]; found 1 value outside \(first at index 200000"),
                     (-np.nan, r"1 NaN value \(first at index 200000\)"),
                     (np.inf, r"1 infinite value \(first at index 200000: inf\)")]:
        g = f.copy()
        g[200_000] = bad
        for fn in (ece, smece, brier_score):
            with pytest.raises(ValueError, match=msg):
                fn(g, y)
