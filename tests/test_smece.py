"""SmoothECE against relplot 1.0.3 (the reference implementation) and against
the continuous definition; the smoothed reliability curve against relplot's
kernel smoother; hypothesis property tests for the whole metric family."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _relplot(f, y):
    v, s = relplot.smECE(np.asarray(f, float), np.asarray(y, float), return_width=True)
    return float(v), float(s)


def _data(seed, n, kind):
    rng = np.random.default_rng(seed)
    if kind == "beta":
        f = rng.beta(5, 2, n)
    elif kind == "uniform":
        f = rng.random(n)
    elif kind == "grid05":
        f = np.round(rng.random(n) * 20) / 20
    elif kind == "grid10_ends":  # LLM grid with many exact 0 and 1
        f = np.round(rng.random(n) * 10) / 10
        f[rng.random(n) < 0.2] = 1.0
        f[rng.random(n) < 0.05] = 0.0
    elif kind == "calibrated":
        f = rng.random(n)
        return f, (rng.random(n) < f).astype(float)
    else:  # pragma: no cover
        raise ValueError(kind)
    return f, (rng.random(n) < f**1.5).astype(float)


KINDS = ["beta", "uniform", "grid05", "grid10_ends", "calibrated"]


@pytest.mark.parametrize("seed", range(40))
def test_matches_relplot_random(seed):
    kind = KINDS[seed % len(KINDS)]
    n = int(np.random.default_rng(1000 + seed).integers(1, 5000))
    f, y = _data(seed, n, kind)
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = _relplot(f, y)
    assert s == rs
    assert abs(v - rv) <= TOL


@pytest.mark.parametrize("n", [1, 2, 3, 10, 100, 1000, 10_000, 100_000, 1_000_000])
def test_matches_relplot_across_n(n):
    for kind in (["beta", "calibrated"] if n < 10**6 else ["calibrated"]):
        f, y = _data(n, n, kind)
        v, s = smece(f, y, return_bandwidth=True)
        rv, rs = _relplot(f, y)
        assert s == rs
        assert abs(v - rv) <= TOL


EDGE_CASES = {
    "all_zero_predictions_wrong": (np.zeros(50), np.zeros(50)),
    "all_zero_predictions_right": (np.zeros(50), np.ones(50)),
    "all_one_predictions_right": (np.ones(50), np.ones(50)),
    "all_one_predictions_wrong": (np.ones(50), np.zeros(50)),
    "zeros_and_ones_mixed": (np.array([0.0, 1.0] * 20), np.array([1, 0, 1, 1] * 10, float)),
    "constant_0.7_mixed": (np.full(200, 0.7), (np.arange(200) % 3 > 0).astype(float)),
    "constant_0.7_all_correct": (np.full(30, 0.7), np.ones(30)),
    "constant_0.7_all_wrong": (np.full(30, 0.7), np.zeros(30)),
    "single_point_correct": (np.array([0.3]), np.array([1.0])),
    "single_point_wrong": (np.array([0.99]), np.array([0.0])),
    "single_point_at_one": (np.array([1.0]), np.array([1.0])),
    "single_point_at_zero": (np.array([0.0]), np.array([1.0])),
    "perfect": (np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])),
    "grid_0.05_full": (np.tile(np.arange(21) / 20, 10), np.tile((np.arange(21) % 2), 10).astype(float)),
    "near_one": (1 - np.geomspace(1e-16, 1e-3, 300), np.ones(300)),
    "tiny_values": (np.geomspace(1e-300, 1e-3, 300), np.zeros(300)),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_matches_relplot_edge_cases(case):
    f, y = EDGE_CASES[case]
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = _relplot(f, y)
    assert s == rs
    assert abs(v - rv) <= TOL
    assert 0.0 <= v <= 1.0


def test_bool_and_int_labels():
    f, y = _data(3, 700, "grid05")
    ref = smece(f, y)
    assert smece(f, y.astype(bool)) == ref
    assert smece(f, y.astype(np.int64)) == ref


def test_deposit_spans_several_grid_sizes():
    # a well calibrated large sample has a small fixed point (< 0.01), where
    # relplot's grid grows with 1/sigma: several grid sizes in one search
    f, y = _data(11, 200_000, "calibrated")
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = _relplot(f, y)
    assert s < 0.01 and s == rs
    assert abs(v - rv) <= TOL


@pytest.mark.parametrize("sigma", [1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.0099, 0.0075, 0.005, 0.0042, 0.003, 0.001])
def test_fixed_sigma_matches_relplot_smECE_sigma(sigma):
    f, y = _data(5, 3000, "beta")
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
    f, y = _data(2, 300, "uniform")
    vals = [smece(f, y, method="continuous", sigma=s) for s in (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)]
    assert all(a >= b - 1e-12 for a, b in zip(vals, vals[1:]))


# ----------------------------------------------------------------------------
# smoothed reliability curve
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(4))
def test_smooth_reliability_matches_relplot(seed):
    f, y = _data(seed, 2000, KINDS[seed])
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
    f, y = _data(7, 1500, "beta")
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
    f, y = _data(8, 500, "grid05")
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


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
@given(_pairs(max_size=40))
def test_property_smece_matches_relplot_and_is_bounded(pairs):
    f = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs], dtype=float)
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = _relplot(f, y)
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
# the large-n path (cell sums, shared search grid, kernel cut, decision guard)
# ----------------------------------------------------------------------------

from uqsurvey import calibration as cal  # noqa: E402

FAST_TOL = 1e-12  # required agreement of the large-n path with the point-wise one


@pytest.fixture
def pointwise(monkeypatch):
    """Run a callable with the point-wise path forced (as below 32768 points)."""

    def run(fn, *args, **kwargs):
        with monkeypatch.context() as m:
            m.setattr(cal, "_CELL_SUMS_MIN_N", 10**18)
            return fn(*args, **kwargs)

    return run


@pytest.mark.parametrize("n,seed", [(100_000, 1), (250_000, 2), (1_000_000, 3)])
def test_large_n_well_calibrated_matches_relplot(n, seed, pointwise):
    # the slow case: the bandwidth falls below 0.01, where relplot's grid size
    # changes at every bisection step (several grids from the shared cells)
    f, y = _data(seed, n, "calibrated")
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = _relplot(f, y)
    assert s < 0.01 and s == rs
    assert abs(v - rv) <= TOL
    pv, ps = pointwise(smece, f, y, return_bandwidth=True)
    assert ps == s and abs(v - pv) <= FAST_TOL


@pytest.mark.parametrize("kind", KINDS + ["near_one", "tiny"])
def test_cell_sums_deposit_equals_pointwise(kind):
    n = 40_000
    if kind == "near_one":
        f, y = 1 - np.geomspace(1e-16, 1e-2, n), np.ones(n)
    elif kind == "tiny":
        f, y = np.geomspace(1e-300, 1e-2, n), np.zeros(n)
    else:
        f, y = _data(21, n, kind)
    names = ("r", "y", "one")
    dep = cal._GridDeposit(f, y, names, search=True)
    assert dep.use_sums
    search_grids = [cal._relplot_grid_size(k / 1024) for k in range(2, 12)]
    for m in search_grids + [1334, 2001, 4001]:  # and some user bandwidths (1334: even M)
        fast, ref = dep(m), dep.points(m)
        for name in names:
            assert fast[name].shape == (m,)
            assert np.max(np.abs(fast[name] - ref[name])) <= FAST_TOL * n
    # one pass on the refinement of the search grids serves every search
    # bandwidth; any other grid size gets a pass of its own
    assert [s.grids for s in dep._sums] == [cal._SEARCH_GRIDS, (1333,), (2000,), (4000,)]


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
def test_large_n_path_on_edge_cases(case, monkeypatch, pointwise):
    f, y = EDGE_CASES[case]
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(cal, "_CELL_SUMS_MIN_N", 1)  # the large-n path on small data
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = _relplot(f, y)
    assert s == rs == ref[1]
    assert abs(v - rv) <= TOL and abs(v - ref[0]) <= FAST_TOL


@pytest.mark.parametrize("seed", range(20))
def test_large_n_path_on_random_small_data(seed, monkeypatch, pointwise):
    kind = KINDS[seed % len(KINDS)]
    n = int(np.random.default_rng(2000 + seed).integers(1, 3000))
    f, y = _data(seed, n, kind)
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(cal, "_CELL_SUMS_MIN_N", 1)
    v, s = smece(f, y, return_bandwidth=True)
    assert s == ref[1] and abs(v - ref[0]) <= FAST_TOL
    assert s == _relplot(f, y)[1]


@pytest.mark.parametrize("sigma", [1.0, 0.1, 0.01, 0.0075, 0.0042, 0.002])
def test_large_n_fixed_sigma_matches_relplot(sigma, pointwise):
    f, y = _data(6, 60_000, "uniform")
    v = smece(f, y, sigma=sigma)
    assert abs(v - relplot.smECE_sigma(f, y, sigma)) <= TOL
    assert abs(v - pointwise(smece, f, y, sigma=sigma)) <= FAST_TOL


def test_decision_guard_makes_the_search_pointwise(monkeypatch, pointwise):
    # with a guard wider than any smECE, every bisection step is recomputed
    # point-wise with the full kernel: the result is the point-wise one exactly
    f, y = _data(9, 80_000, "calibrated")
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(cal, "_DECISION_GUARD", 2.0)
    assert smece(f, y, return_bandwidth=True) == ref


def test_large_n_labels_of_any_dtype(pointwise):
    f, y = _data(10, 50_000, "grid10_ends")
    ref = smece(f, y)
    assert smece(f, y.astype(bool)) == ref
    assert smece(f, y.astype(np.int8)) == ref
    assert abs(ref - pointwise(smece, f, y)) <= FAST_TOL


def test_large_n_smooth_reliability_matches_pointwise(pointwise):
    f, y = _data(12, 50_000, "calibrated")
    df = smooth_reliability(f, y, n_boot=3, seed=4)
    ref = pointwise(smooth_reliability, f, y, n_boot=3, seed=4)
    assert df.attrs["sigma"] == ref.attrs["sigma"]
    assert abs(df.attrs["smece"] - ref.attrs["smece"]) <= FAST_TOL
    assert df.attrs["smece"] == smece(f, y)
    for col in ("accuracy", "density", "accuracy_lower", "accuracy_upper"):
        assert np.max(np.abs(df[col].to_numpy() - ref[col].to_numpy())) <= FAST_TOL, col


def test_large_n_memory_does_not_grow_with_n():
    import tracemalloc

    peaks = []
    for n in (100_000, 400_000):
        f, y = _data(13, n, "calibrated")
        tracemalloc.start()
        try:
            smece(f, y)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 8 * 2**20 and peaks[1] < 1.5 * peaks[0]


def test_search_grids_cover_every_bandwidth_of_the_search():
    # relplot's bisection evaluates 1 and k / 1024 (k = 1 is below eps)
    sizes = {cal._relplot_grid_size(1.0)} | {cal._relplot_grid_size(k / 1024) for k in range(2, 1025)}
    assert all(any(c % (m - 1) == 0 for c in cal._SEARCH_GRIDS) for m in sizes)


def test_refinement_table_reproduces_the_float_cell_indices():
    grids = cal._SEARCH_GRIDS
    table = cal._refinement(grids)
    assert table.shape == (sum(grids) + 1, len(grids))
    # every cell threshold, one ulp either side, and random points
    x = np.concatenate([cal._floor_thresholds(c) for c in grids])
    rng = np.random.default_rng(0)
    f = np.concatenate([x, np.nextafter(x, 0), np.nextafter(x, 2), [0.0, 1.0], rng.random(10_000)])
    f = f[(f >= 0) & (f <= 1)]
    floors = np.stack([np.floor(f * float(c)) for c in grids], axis=1).astype(np.int64)
    u = floors.sum(axis=1)
    assert np.array_equal(table[u], floors)


@pytest.mark.parametrize("kind", ["beta", "calibrated", "grid10_ends"])
def test_coarsened_cell_sums_give_the_coarse_deposit(kind):
    n = 3 * cal._CHUNK + 5
    f, y = _data(31, n, kind)
    fine = cal._CellSums(cal._SEARCH_GRIDS, need_sq=True)
    direct = cal._CellSums((1000,), need_sq=True)
    for s in range(0, n, cal._CHUNK):
        fine(f[s : s + cal._CHUNK], y[s : s + cal._CHUNK])
        direct(f[s : s + cal._CHUNK], y[s : s + cal._CHUNK])
    coarse = fine.coarsen(1000)
    assert coarse.rows == n and np.array_equal(coarse.count, direct.count)
    for name in ("r", "one"):
        a = coarse.deposit(1001, ("r", "one"))[name]
        b = direct.deposit(1001, ("r", "one"))[name]
        assert np.max(np.abs(a - b)) <= FAST_TOL * n


def test_probe_keeps_fine_cells_only_when_the_search_may_descend(pointwise):
    n = cal._PROBE_ROWS + 3 * cal._CHUNK
    for kind, expect in (("beta", (1000,)), ("calibrated", cal._SEARCH_GRIDS)):
        f, y = _data(41, n, kind)
        first = cal._first_pass(None, need_sq=True)
        cal._check_inputs(f, y, visit=first)
        assert first.sums.grids == expect and first.sums.rows == n
        v, s = smece(f, y, return_bandwidth=True)
        pv, ps = pointwise(smece, f, y, return_bandwidth=True)
        assert s == ps and abs(v - pv) <= FAST_TOL


def test_probe_misprediction_costs_a_pass_not_accuracy(monkeypatch, pointwise):
    # force the probe to give up the fine cells on data whose search descends
    # below 0.01: the deposits then come from the coarsened sums (bandwidths
    # >= 0.01) and from one more pass on the fine cells (below)
    f, y = _data(42, cal._PROBE_ROWS + 2 * cal._CHUNK, "calibrated")
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(cal, "_PROBE_LIMIT", -1.0)
    first = cal._first_pass(None, need_sq=True)
    f2, y2 = cal._check_inputs(f, y, visit=first)
    assert first.sums.grids == (1000,)
    dep = cal._GridDeposit(f2, y2, ("r", "one"), search=True, first=first.sums)
    v, s = cal._relplot_search(dep)
    assert s < 0.01 and s == ref[1] and abs(v - ref[0]) <= FAST_TOL
    assert [c.grids for c in dep._sums] == [(1000,), cal._SEARCH_GRIDS]


@pytest.mark.parametrize("sigma", [None, 0.01, 0.003])
def test_large_n_curve_where_the_data_are_far(sigma, pointwise):
    # no predictions below 0.5: there the curve is a ratio of kernel tails,
    # which the large-n path keeps in full (the kernel cut is for smECE only)
    rng = np.random.default_rng(14)
    f = 0.5 + 0.5 * rng.beta(5, 2, 60_000)
    y = (rng.random(f.shape[0]) < f**1.5).astype(float)
    df = smooth_reliability(f, y, sigma=sigma, n_points=400)
    ref = pointwise(smooth_reliability, f, y, sigma=sigma, n_points=400)
    assert df.attrs["sigma"] == ref.attrs["sigma"]
    for col in ("accuracy", "density"):
        assert np.max(np.abs(df[col].to_numpy() - ref[col].to_numpy())) <= FAST_TOL, col
