"""Binned ECE (every convention, every norm), debiased ECE, binned reliability,
bin membership and the batched ECE of :mod:`uqsurvey.calibration.binned`.

Every number is checked either against literal hand-computed values or
against an independent reference implementation (torchmetrics, netcal,
uncertainty-calibration, relplot, brute force).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from calibration_samples import sample
from uqsurvey import calibration as cal
from uqsurvey.calibration import _bins, _inputs, binned
from uqsurvey.calibration import binned_reliability, debiased_ece, ece

torch = pytest.importorskip("torch")
from torchmetrics.classification import BinaryCalibrationError  # noqa: E402

#: torch.linspace uses a fused multiply-add in its AVX2/AVX512 kernels, which
#: is what convention="torchmetrics" reproduces (see the binned module's docstring);
#: under ATEN_CPU_CAPABILITY=default a few edges differ by one ulp.
TORCH_FMA = torch.backends.cpu.get_cpu_capability() in ("AVX2", "AVX512")
needs_torch_fma = pytest.mark.skipif(
    not TORCH_FMA, reason="torch.linspace without FMA (ATEN_CPU_CAPABILITY=default or non-x86)")

netcal_metrics = pytest.importorskip("netcal.metrics")
kumar = pytest.importorskip("calibration")  # uncertainty-calibration (Kumar et al.)
relplot = pytest.importorskip("relplot")


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
        idx = np.minimum(np.floor((k / n_bins) * n_bins * _bins.EDGE_SNAP), n_bins - 1)
        assert idx.tolist() == np.minimum(k, n_bins - 1).tolist()
        # and a value clearly below an edge (1e-9) is not moved
        below = k[1:] / n_bins - 1e-9
        idx = np.floor(below * n_bins * _bins.EDGE_SNAP)
        assert idx.tolist() == (k[1:] - 1).tolist()


# ----------------------------------------------------------------------------
# Compatibility conventions against the reference libraries
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
def test_torchmetrics_random(seed, norm):
    f, y = sample(seed, 50 + 173 * seed, ("beta", "grid05", "grid10")[seed % 3])
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
    edges = _bins.torch_linspace_edges(20)
    assert np.array_equal(edges, torch.linspace(0, 1, 21, dtype=torch.float64).numpy())
    assert not np.array_equal(edges, np.arange(21) / 20)


@needs_torch_fma
@pytest.mark.parametrize("n_bins", [1, 3, 10, 15, 20, 37, 64, 100, 255])
def test_torch_linspace_edges(n_bins):
    assert np.array_equal(
        _bins.torch_linspace_edges(n_bins),
        torch.linspace(0, 1, n_bins + 1, dtype=torch.float64).numpy(),
    )


@pytest.mark.parametrize("seed", range(10))
def test_netcal_random(seed):
    f, y = sample(seed, 40 + 211 * seed, ("beta", "grid05", "grid10")[seed % 3])
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
    f, y = sample(seed, 30 + 157 * seed, ("beta", "grid05", "grid10")[seed % 3])
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
    f, y = sample(seed, 20 + 131 * seed, ("beta", "grid05", "grid10")[seed % 3])
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
    f, y = sample(seed, 60 + 199 * seed, kind)
    expected = kumar.get_calibration_error(f, y.astype(int), p=2, debias=True)
    assert debiased_ece(f, y, convention="kumar") == pytest.approx(expected, abs=1e-12)
    assert debiased_ece(f, y) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_debiased_mass_and_width_match_kumar(seed):
    f, y = sample(seed, 500 + 50 * seed)
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
# Reliability data and bootstrap
# ----------------------------------------------------------------------------

def test_binned_reliability_columns_and_ece_identity():
    f, y = sample(3, 2000, "grid05")
    df = binned_reliability(f, y, 15)
    assert list(df.columns) == ["bin", "lower", "upper", "count", "weight",
                                "mean_confidence", "accuracy", "gap"]
    assert df["count"].sum() == 2000
    assert np.nansum(df["weight"] * df["gap"].abs()) == pytest.approx(ece(f, y, 15), abs=1e-14)
    assert df["lower"].iloc[0] == 0.0 and df["upper"].iloc[-1] == 1.0
    empty = df["count"] == 0
    assert df.loc[empty, "accuracy"].isna().all()


def test_binned_reliability_bootstrap_is_seeded():
    f, y = sample(4, 800, "beta")
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
# ----------------------------------------------------------------------------
# The fused ECE pass: exact bin indices and sums independent of the piece size
# ----------------------------------------------------------------------------

def _chunked_reference_sums(f, y, n_bins):
    """Per-bin sums as a plain loop over _CHUNK pieces with one bincount each
    (the summation order the module documents), default width rule."""
    out = np.zeros((4, n_bins + 1))
    for s in range(0, f.shape[0], _inputs.CHUNK):
        fc, yc = f[s : s + _inputs.CHUNK], np.asarray(y[s : s + _inputs.CHUNK], dtype=np.float64)
        idx = np.floor(fc * (n_bins * _bins.EDGE_SNAP)).astype(np.intp)
        for row, w in enumerate((fc - yc, None, fc, yc)):
            out[row] += np.bincount(idx, weights=w, minlength=n_bins + 1)
    out[:, n_bins - 1] += out[:, n_bins]
    return out[:, :n_bins]


@pytest.mark.parametrize("n", [1, 1000, _inputs.CHUNK, binned.ECE_BLOCK, binned.ECE_BLOCK + 1,
                               2 * binned.ECE_BLOCK + 3 * _inputs.CHUNK + 17])
@pytest.mark.parametrize("ydtype", [np.float64, bool, np.int8, np.float32])
def test_ece_fused_pass_equals_chunked_reference_exactly(n, ydtype):
    f, y = sample(n % 97, n, "grid05" if n % 2 else "beta")
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



# ----------------------------------------------------------------------------
# relplot's convention: equal to relplot.metrics.binnedECE to the last bit
# ----------------------------------------------------------------------------

#: bin counts where 1 / (1 / B) rounds below B (93, 99, ...) and relplot has no extra bin
RELPLOT_BINS = [1, 2, 3, 5, 7, 10, 13, 15, 20, 49, 50, 93, 99, 100, 117]


@pytest.mark.parametrize("seed", range(9))
def test_relplot_convention_equals_binnedECE_exactly(seed):
    kind = ("beta", "grid05", "grid10")[seed % 3]
    f, y = sample(seed, [1, 40, 700, 5000, 40_000][seed % 5] + seed, kind)
    for n_bins in RELPLOT_BINS:
        assert ece(f, y, n_bins, convention="relplot") == relplot.metrics.binnedECE(f, y, n_bins)
        assert ece(f, y.astype(int), n_bins, convention="relplot") == relplot.metrics.binnedECE(f, y.astype(int), n_bins)


def test_relplot_convention_exact_beyond_one_chunk():
    # relplot adds in input order over the whole sample; so do we (one block)
    f, y = sample(5, 3 * _inputs.CHUNK + 11, "beta")
    for n_bins in (10, 15, 93):
        assert ece(f, y, n_bins, convention="relplot") == relplot.metrics.binnedECE(f, y, n_bins)


@pytest.mark.parametrize("n_bins", RELPLOT_BINS)
def test_relplot_convention_edges_and_one(n_bins):
    f, y = _edge_data(n_bins)
    assert ece(f, y, n_bins, convention="relplot") == relplot.metrics.binnedECE(f, y, n_bins)
    for f1, y1 in (([1.0, 1.0, 0.5], [0, 1, 1]), ([0.0, 0.0, 1.0], [1, 0, 1]), ([1.0], [0])):
        f1, y1 = np.array(f1), np.array(y1, dtype=float)
        assert ece(f1, y1, n_bins, convention="relplot") == relplot.metrics.binnedECE(f1, y1, n_bins)


def test_relplot_convention_bins_of_one():
    # 1.0 gets an extra bin [1, 1] (like torchmetrics) ...
    _, bins = ece([1.0, 1.0, 0.95], [0, 1, 1], 10, convention="relplot", return_bins=True)
    assert len(bins) == 11
    assert bins.iloc[-1][["lower", "upper", "count", "accuracy"]].tolist() == [1.0, 1.0, 2, 0.5]
    # ... except where 1 / (1 / B) < B: then it joins the last bin
    assert 1 / (1 / 93) < 93
    _, bins = ece([1.0, 0.5], [1, 1], 93, convention="relplot", return_bins=True)
    assert len(bins) == 93 and bins["count"].iloc[-1] == 1
    # relplot divides by 1/B instead of multiplying by B: 0.3 joins bin 2 of 10
    assert int(cal.bin_index([0.3], 10, convention="relplot")[0]) == int(0.3 / (1 / 10)) == 2
    # and the other norms use the same bins
    f, y = np.array([0.3, 0.3, 0.9, 1.0]), np.array([0, 1, 1, 1])
    assert ece(f, y, 10, convention="relplot", norm="max") == pytest.approx(0.2, abs=1e-15)


def test_relplot_convention_has_no_equal_mass_bins():
    with pytest.raises(ValueError, match="relplot"):
        ece([0.2, 0.4], [0, 1], binning="mass", convention="relplot")


# ----------------------------------------------------------------------------
# bin membership: bin_index and bin_edges agree with the metrics' own bins
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("convention", cal.ALL_CONVENTIONS)
@pytest.mark.parametrize("binning", ["width", "mass"])
def test_bin_index_is_the_bin_of_ece(convention, binning):
    if binning == "mass" and convention in ("torchmetrics", "relplot"):
        with pytest.raises(ValueError, match="equal-width"):
            cal.bin_index([0.5], 10, binning, convention)
        return
    for n_bins in (1, 7, 10, 15):
        f, y = sample(n_bins, 300, "grid05")
        f = np.concatenate([f, _edge_data(n_bins)[0]])
        y = np.ones(f.shape[0])
        idx = cal.bin_index(f, n_bins, binning, convention)
        _, table = ece(f, y, n_bins, binning=binning, convention=convention, return_bins=True)
        assert np.array_equal(np.bincount(idx, minlength=len(table)), table["count"].to_numpy())
        lower, upper = cal.bin_edges(n_bins, binning, convention, confidence=f)
        assert np.array_equal(lower, table["lower"].to_numpy()) and np.array_equal(upper, table["upper"].to_numpy())


def test_bin_index_one_value_at_a_time_matches_the_table():
    # the edge value 0.3 with 10 bins: default opens bin 3; the linspace edge
    # 0.30000000000000004 (torchmetrics, netcal) and kumar's (e_{k-1}, e_k] give bin 2
    got = {c: int(cal.bin_index([0.3], 10, convention=c)[0]) for c in cal.CONVENTIONS}
    assert got == {"default": 3, "torchmetrics": 2, "netcal": 2, "kumar": 2}
    assert cal.bin_index([0.0, 1.0], 10, convention="torchmetrics").tolist() == [0, 10]
    assert cal.bin_index([0.0, 1.0], 10).tolist() == [0, 9]


def test_bin_index_and_edges_validate():
    with pytest.raises(ValueError, match="confidence must lie in"):
        cal.bin_index([1.5], 10)
    with pytest.raises(ValueError, match="n_bins"):
        cal.bin_index([0.5], 0)
    with pytest.raises(ValueError, match="confidence is required"):
        cal.bin_edges(10, "mass")


# ----------------------------------------------------------------------------
# the batched ECE equals ece row by row
# ----------------------------------------------------------------------------

def _rows(seed, reps, n, kind):
    rng = np.random.default_rng(seed)
    if kind == "beta":
        f = rng.beta(2, 1.5, (reps, n))
    else:  # verbalized grid with exact 0 and 1
        f = np.round(rng.random((reps, n)) * 20) / 20
    return f, (rng.random((reps, n)) < f**1.4).astype(np.int8)


@pytest.mark.parametrize("kind", ["beta", "grid"])
@pytest.mark.parametrize("n", [1, 7, 100, 2000])
def test_ece_batch_width_equals_ece_exactly(n, kind):
    conf, correct = _rows(n, 25, n, kind)
    for convention in cal.ALL_CONVENTIONS:
        batch = cal.ece_batch(conf, correct, (1, 5, 15, 50), convention=convention)
        for i, b in enumerate((1, 5, 15, 50)):
            ref = [ece(conf[j], correct[j], b, convention=convention) for j in range(conf.shape[0])]
            assert np.array_equal(batch[i], ref), (convention, b)


@pytest.mark.parametrize("kind", ["beta", "grid"])
@pytest.mark.parametrize("n", [1, 7, 100, 2000])
def test_ece_batch_mass_equals_ece(n, kind):
    # equal-mass rows are summed group by group (sorted), ece in input order:
    # equal up to summation order; rows with ties across groups go through ece
    conf, correct = _rows(n + 1, 20, n, kind)
    for convention in ("default", "kumar", "netcal"):
        for b in (1, 5, 15):
            batch = cal.ece_batch(conf, correct, b, binning="mass", convention=convention)
            ref = [ece(conf[j], correct[j], b, binning="mass", convention=convention) for j in range(20)]
            np.testing.assert_allclose(batch, ref, rtol=0, atol=1e-12)


def test_ece_batch_shapes_and_validation():
    conf, correct = _rows(3, 4, 50, "beta")
    assert cal.ece_batch(conf, correct).shape == (4,)
    assert cal.ece_batch(conf, correct, [10]).shape == (1, 4)
    assert np.array_equal(cal.ece_batch(conf, correct, 10), cal.ece_batch(conf, correct, (5, 10))[1])
    for call, name in [
        (lambda: cal.ece_batch(np.ones(5), np.ones(5)), "confidence"),
        (lambda: cal.ece_batch(np.ones((2, 5)), np.ones((2, 4))), "correct"),
        (lambda: cal.ece_batch(np.full((2, 5), 1.5), np.ones((2, 5))), "confidence"),
        (lambda: cal.ece_batch(np.ones((2, 5)), np.full((2, 5), 2)), "correct"),
        (lambda: cal.ece_batch(np.ones((2, 5)), np.ones((2, 5)), 0), "n_bins"),
        (lambda: cal.ece_batch(np.ones((2, 5)), np.ones((2, 5)), []), "n_bins"),
        (lambda: cal.ece_batch(np.ones((2, 5)), np.ones((2, 5)), 5, binning="equal"), "binning"),
        (lambda: cal.ece_batch(np.ones((2, 5)), np.ones((2, 5)), 5, convention="sklearn"), "convention"),
    ]:
        with pytest.raises(ValueError, match=rf"\b{name}\b"):
            call()
