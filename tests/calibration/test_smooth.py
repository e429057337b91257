"""SmoothECE of :mod:`uqsurvey.calibration.smooth` against relplot 1.0.3 (the
reference implementation) and against the continuous definition; the smoothed
reliability curve against relplot's kernel smoother; smECE of expected labels
and of batches; hypothesis property tests for the whole metric family."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from conftest import max_examples

from calibration_samples import EDGE_CASE_PARAMS, relplot_smece, smece_data
from uqsurvey import calibration as cal
from uqsurvey.calibration import (
    aurc,
    auroc,
    brier_score,
    ece,
    smece,
    smooth_reliability,
)

relplot = pytest.importorskip("relplot")
from relplot.estimators import KernelSmoother  # noqa: E402
from relplot.kernels import ReflectedGaussianKernel  # noqa: E402

TOL = 1e-7  # required agreement with relplot (observed: 0 to 1e-16)
KINDS = ["beta", "uniform", "grid05", "grid10_ends", "calibrated"]  # of the smece_data fixture


@pytest.mark.parametrize("seed", range(40))
def test_matches_relplot_random(seed):
    kind = KINDS[seed % len(KINDS)]
    n = int(np.random.default_rng(1000 + seed).integers(1, 5000))
    f, y = smece_data(seed, n, kind)
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = relplot_smece(f, y)
    assert s == rs
    assert abs(v - rv) <= TOL


@pytest.mark.parametrize("n", [1, 2, 3, 10, 100, 1000, 10_000, 100_000, 1_000_000])
def test_matches_relplot_across_n(n):
    for kind in (["beta", "calibrated"] if n < 10**6 else ["calibrated"]):
        f, y = smece_data(n, n, kind)
        v, s = smece(f, y, return_bandwidth=True)
        rv, rs = relplot_smece(f, y)
        assert s == rs
        assert abs(v - rv) <= TOL



@pytest.mark.parametrize("edge_case", EDGE_CASE_PARAMS)
def test_matches_relplot_edge_cases(edge_case):
    f, y = edge_case
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = relplot_smece(f, y)
    assert s == rs
    assert abs(v - rv) <= TOL
    assert 0.0 <= v <= 1.0


def test_bool_and_int_labels():
    f, y = smece_data(3, 700, "grid05")
    ref = smece(f, y)
    assert smece(f, y.astype(bool)) == ref
    assert smece(f, y.astype(np.int64)) == ref


def test_deposit_spans_several_grid_sizes():
    # a well calibrated large sample has a small fixed point (< 0.01), where
    # relplot's grid grows with 1/sigma: several grid sizes in one search
    f, y = smece_data(11, 200_000, "calibrated")
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = relplot_smece(f, y)
    assert s < 0.01 and s == rs
    assert abs(v - rv) <= TOL


@pytest.mark.parametrize("sigma", [1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.0099, 0.0075, 0.005, 0.0042, 0.003, 0.001])
def test_fixed_sigma_matches_relplot_smECE_sigma(sigma):
    f, y = smece_data(5, 3000, "beta")
    ours = smece(f, y, sigma=sigma, return_bandwidth=True)
    assert ours[1] == sigma
    assert abs(ours[0] - relplot.smECE_sigma(f, y, sigma)) <= TOL


# ----------------------------------------------------------------------------
# continuous definition
# ----------------------------------------------------------------------------

CONT_TOL = 1e-3  # documented agreement of the two methods on well-behaved data


@pytest.mark.parametrize("seed", range(6))
def test_continuous_agrees_with_relplot_method(seed):
    rng = np.random.default_rng(seed)
    n = [400, 1500, 3000][seed % 3]
    f = 0.05 + 0.9 * rng.beta(3, 2, n)
    y = rng.random(n) < np.clip(f + 0.1 * np.sin(6 * f) - 0.05, 0, 1)
    v, s = smece(f, y, return_bandwidth=True)
    cv, cs = smece(f, y, method="continuous", return_bandwidth=True)
    assert abs(v - cv) <= CONT_TOL
    assert s - 2**-10 - 1e-3 <= cs <= s + 1e-3
    assert cv == pytest.approx(cs, abs=1e-9)  # a fixed point


def test_continuous_constant_sign_residual_is_mean_residual():
    # every residual f - y is negative: smECE_sigma = |mean(f - y)| for all sigma
    f = np.array([0.3, 0.3, 0.9, 0.9])
    y = np.array([0, 1, 1, 1])
    for sigma in (0.01, 0.1, 0.5, 1.0):
        assert smece(f, y, method="continuous", sigma=sigma) == pytest.approx(0.15, abs=1e-14)
    assert smece(f, y, method="continuous", return_bandwidth=True) == pytest.approx((0.15, 0.15), abs=1e-12)


def test_continuous_kernel_keeps_full_mass_at_the_ends():
    # a single prediction at 0 that was right: residual -1, so smECE_sigma = 1
    # exactly for the reflected kernel; relplot's grid keeps only about half
    # the kernel mass of a point on the end node before normalising
    assert smece([0.0], [1], method="continuous", sigma=0.1) == pytest.approx(1.0, abs=1e-14)
    assert smece([0.0], [1], method="continuous", return_bandwidth=True) == pytest.approx((1.0, 1.0), abs=1e-12)
    assert smece([0.5, 0.5], [1, 0], method="continuous", return_bandwidth=True) == (0.0, 0.0)


def test_continuous_is_monotone_in_sigma():
    f, y = smece_data(2, 300, "uniform")
    vals = [smece(f, y, method="continuous", sigma=s) for s in (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)]
    assert all(a >= b - 1e-12 for a, b in zip(vals, vals[1:]))


# ----------------------------------------------------------------------------
# smoothed reliability curve
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_smooth_reliability_matches_relplot(seed):
    f, y = smece_data(seed, 2000, KINDS[seed])
    df = smooth_reliability(f, y)
    v, s = smece(f, y, return_bandwidth=True)
    assert df.attrs == {"sigma": s, "smece": v}
    t = np.linspace(0, 1, 200)
    assert np.array_equal(df["confidence"].to_numpy(), t)
    ker = ReflectedGaussianKernel(s)
    mu = KernelSmoother(ker).fit(f.reshape(-1, 1), y).predict(t.reshape(-1, 1))
    assert np.max(np.abs(df["accuracy"].to_numpy() - mu)) <= 1e-12
    dens = ker.kde(f, t)
    assert np.max(np.abs(df["density"].to_numpy() - dens)) <= 1e-12 * max(1.0, dens.max())
    # a density of the predictions on [0, 1] (mean over the mesh ~ integral),
    # except that relplot keeps only half the mass of predictions at 0 and 1
    at_ends = np.mean((f == 0) | (f == 1))
    assert df["density"].mean() == pytest.approx(1.0 - at_ends / 2, abs=0.05)


def test_smooth_reliability_bootstrap_is_seeded():
    f, y = smece_data(7, 1500, "beta")
    a = smooth_reliability(f, y, n_boot=40, seed=1)
    b = smooth_reliability(f, y, n_boot=40, seed=1)
    c = smooth_reliability(f, y, n_boot=40, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["accuracy_lower"], c["accuracy_lower"])
    inner = (a["confidence"] > 0.4) & (a["confidence"] < 0.95)  # where the data are
    assert (a.loc[inner, "accuracy_lower"] <= a.loc[inner, "accuracy"] + 1e-3).all()
    assert (a.loc[inner, "accuracy"] <= a.loc[inner, "accuracy_upper"] + 1e-3).all()
    width = (a.loc[inner, "accuracy_upper"] - a.loc[inner, "accuracy_lower"]).to_numpy()
    assert np.all(width > 0) and np.all(width < 0.5)


def test_smooth_reliability_fixed_sigma_and_points():
    f, y = smece_data(8, 500, "grid05")
    df = smooth_reliability(f, y, sigma=0.08, n_points=51)
    assert len(df) == 51 and df.attrs["sigma"] == 0.08
    assert df.attrs["smece"] == pytest.approx(smece(f, y, sigma=0.08), abs=0)


# ----------------------------------------------------------------------------
# hypothesis properties of the metric family
# ----------------------------------------------------------------------------

def _pairs(min_size=1, max_size=60, grid=False):
    conf = (st.integers(0, 20).map(lambda k: k / 20) if grid
            else st.floats(0.0, 1.0, allow_nan=False, allow_infinity=False))
    return st.lists(st.tuples(conf, st.booleans()), min_size=min_size, max_size=max_size)


SETTINGS = settings(max_examples=max_examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(_pairs(), st.integers(1, 30), st.sampled_from(["default", "torchmetrics", "netcal", "kumar"]),
       st.sampled_from(["width", "mass"]))
def test_property_ece_bounds_and_norm_order(pairs, n_bins, convention, binning):
    if binning == "mass" and convention == "torchmetrics":
        return
    f = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    l1, l2, mx = (ece(f, y, n_bins, binning=binning, norm=k, convention=convention)
                  for k in ("l1", "l2", "max"))
    assert 0.0 <= l1 <= 1.0 and 0.0 <= l2 <= 1.0 and 0.0 <= mx <= 1.0
    assert l1 <= l2 + 1e-12 and l2 <= mx + 1e-12


@SETTINGS
@given(_pairs(min_size=2, grid=True), st.randoms(use_true_random=False))
def test_property_permutation_invariance(pairs, rnd):
    f = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    perm = np.array(rnd.sample(range(len(f)), len(f)))
    for fn in (ece, brier_score, aurc, smece):
        assert fn(f[perm], y[perm]) == pytest.approx(fn(f, y), abs=1e-12)
    if y.min() != y.max():
        assert auroc(f[perm], y[perm]) == auroc(f, y)
        assert auroc(1 - f, y) == pytest.approx(1 - auroc(f, y), abs=1e-15)


@SETTINGS
@given(pairs=_pairs(max_size=40))
def test_property_smece_matches_relplot_and_is_bounded(pairs):
    f = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs], dtype=float)
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = relplot_smece(f, y)
    assert s == rs and abs(v - rv) <= TOL
    assert 0.0 <= v <= 1.0 and 0.0 < s <= 1.0
    assert v <= s or s == 1.0  # upper bracket of the fixed point


@SETTINGS
@given(_pairs(max_size=40))
def test_property_perfect_predictions_have_zero_error(pairs):
    y = np.array([p[1] for p in pairs])
    f = y.astype(float)
    assert ece(f, y) == 0.0 and brier_score(f, y) == 0.0
    assert smece(f, y, method="continuous") == 0.0




# ----------------------------------------------------------------------------
# smECE of expected (fractional) labels: relplot.smECE to the last bit
# ----------------------------------------------------------------------------

def _quadrature(a, b, m, shape):
    from scipy import stats

    f = stats.beta.ppf((np.arange(m) + 0.5) / m, a, b)
    return f, shape(f)


@pytest.mark.parametrize("a,b,shape", [
    (7.0, 1.3, lambda f: 1 / (1 + np.exp(-(0.6 * np.log(f / (1 - f)) + 0.35)))),
    (5.0, 2.0, lambda f: f**1.6),
    (2.0, 2.0, lambda f: f),  # calibrated: the bandwidth falls below 0.01 (even grids, kernel zeros)
    (1.5, 1.5, lambda f: np.clip(f - 0.1, 0, 1)),
], ids=["logistic", "power", "calibrated", "shifted"])
@pytest.mark.parametrize("m", [1000, 100_000])
def test_smece_expected_equals_relplot_exactly(a, b, shape, m):
    f, c = _quadrature(a, b, m, shape)
    rv, rs = relplot.smECE(f, c, return_width=True)
    assert cal.smece_expected(f, c, return_bandwidth=True) == (rv, rs)
    # on a verbalized grid (ties, values at 0 and 1)
    g = np.round(np.rint(f * 10) / 10, 10)
    assert cal.smece_expected(g, c) == relplot.smECE(g, c)


def test_smece_expected_with_0_1_labels_agrees_with_smece():
    f, y = smece_data(3, 3000, "beta")
    v, s = smece(f, y, return_bandwidth=True)
    ve, se = cal.smece_expected(f, y, return_bandwidth=True)
    assert se == s and abs(ve - v) <= 1e-12


def test_smece_expected_validates():
    with pytest.raises(ValueError, match=r"^correct must lie in \[0, 1\]"):
        cal.smece_expected([0.2, 0.4], [0.5, 1.5])
    with pytest.raises(ValueError, match=r"^correct contains 1 NaN value"):
        cal.smece_expected([0.2, 0.4], [0.5, np.nan])
    with pytest.raises(ValueError, match=r"^confidence must lie in \[0, 1\]"):
        cal.smece_expected([0.2, 1.4], [0.5, 0.5])


# ----------------------------------------------------------------------------
# smECE of batches: smece row by row
# ----------------------------------------------------------------------------

def _batch(seed, reps, n, kind):
    rng = np.random.default_rng(seed)
    if kind == "over":
        f = rng.beta(5, 2, (reps, n))
        p = f**1.6
    elif kind == "calibrated":  # bandwidth below 0.01 for large n
        f = rng.beta(2, 2, (reps, n))
        p = f
    else:  # verbalized 0.1 grid with exact 0 and 1
        f = np.rint(rng.beta(7, 1.3, (reps, n)) * 10) / 10
        p = np.clip(f - 0.1, 0, 1)
    return f, (rng.random((reps, n)) < p).astype(np.int8)


@pytest.mark.parametrize("kind,n,reps", [("over", 100, 40), ("over", 5, 40), ("grid", 400, 20),
                                         ("calibrated", 1000, 20), ("calibrated", 30_000, 8)])
def test_smece_batch_equals_public_smece(kind, n, reps):
    conf, correct = _batch(n, reps, n, kind)
    val, bw = cal.smece_batch(conf, correct, return_bandwidth=True)
    ref = [smece(conf[i], correct[i], return_bandwidth=True) for i in range(reps)]
    np.testing.assert_allclose(val, [r[0] for r in ref], rtol=1e-9, atol=1e-13)
    assert list(bw) == [r[1] for r in ref]
    assert np.array_equal(cal.smece_batch(conf, correct), val)


def test_smece_batch_all_correct_at_one():
    conf = np.ones((2, 8))
    val, bw = cal.smece_batch(conf, np.ones((2, 8)), return_bandwidth=True)
    ref = smece(conf[0], np.ones(8), return_bandwidth=True)
    assert list(val) == [ref[0]] * 2 and list(bw) == [ref[1]] * 2


def test_smece_batch_validates():
    with pytest.raises(ValueError, match=r"\bcorrect\b"):
        cal.smece_batch(np.ones((2, 5)), np.ones((3, 5)))
    with pytest.raises(ValueError, match=r"\bconfidence\b"):
        cal.smece_batch(np.ones(5), np.ones(5))
