"""relplot's numerics in :mod:`uqsurvey.calibration._relplot` and the cell sums
of :mod:`uqsurvey.calibration._cells`: the large-n path (cell sums, shared
search grid, kernel cut, decision guard, probe) against the point-wise path
and relplot, and the reference path against relplot to the last bit."""
from __future__ import annotations

import numpy as np
import pytest

from calibration_samples import EDGE_CASE_PARAMS, relplot_smece, smece_data
from uqsurvey.calibration import _cells, _inputs, _relplot, smece, smooth_reliability

relplot = pytest.importorskip("relplot")

TOL = 1e-7  # required agreement with relplot (observed: 0 to 1e-16)
KINDS = ["beta", "uniform", "grid05", "grid10_ends", "calibrated"]  # of the smece_data fixture
FAST_TOL = 1e-12  # required agreement of the large-n path with the point-wise one


@pytest.fixture
def pointwise(monkeypatch):
    """Run a callable with the point-wise path forced (as below 32768 points)."""

    def run(fn, *args, **kwargs):
        with monkeypatch.context() as m:
            m.setattr(_relplot, "CELL_SUMS_MIN_N", 10**18)
            return fn(*args, **kwargs)

    return run


@pytest.mark.parametrize("n,seed", [(100_000, 1), (250_000, 2), (1_000_000, 3)])
def test_large_n_well_calibrated_matches_relplot(n, seed, pointwise):
    # the slow case: the bandwidth falls below 0.01, where relplot's grid size
    # changes at every bisection step (several grids from the shared cells)
    f, y = smece_data(seed, n, "calibrated")
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = relplot_smece(f, y)
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
        f, y = smece_data(21, n, kind)
    names = ("r", "y", "one")
    dep = _relplot.GridDeposit(f, y, names, search=True)
    assert dep.use_sums
    search_grids = [_relplot.grid_size(k / 1024) for k in range(2, 12)]
    for m in search_grids + [1334, 2001, 4001]:  # and some user bandwidths (1334: even M)
        fast, ref = dep(m), dep.points(m)
        for name in names:
            assert fast[name].shape == (m,)
            assert np.max(np.abs(fast[name] - ref[name])) <= FAST_TOL * n
    # one pass on the refinement of the search grids serves every search
    # bandwidth; any other grid size gets a pass of its own
    assert [s.grids for s in dep._sums] == [_relplot.SEARCH_GRIDS, (1333,), (2000,), (4000,)]


@pytest.mark.parametrize("edge_case", EDGE_CASE_PARAMS)
def test_large_n_path_on_edge_cases(edge_case, monkeypatch, pointwise):
    f, y = edge_case
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(_relplot, "CELL_SUMS_MIN_N", 1)  # the large-n path on small data
    v, s = smece(f, y, return_bandwidth=True)
    rv, rs = relplot_smece(f, y)
    assert s == rs == ref[1]
    assert abs(v - rv) <= TOL and abs(v - ref[0]) <= FAST_TOL


@pytest.mark.parametrize("seed", range(20))
def test_large_n_path_on_random_small_data(seed, monkeypatch, pointwise):
    kind = KINDS[seed % len(KINDS)]
    n = int(np.random.default_rng(2000 + seed).integers(1, 3000))
    f, y = smece_data(seed, n, kind)
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(_relplot, "CELL_SUMS_MIN_N", 1)
    v, s = smece(f, y, return_bandwidth=True)
    assert s == ref[1] and abs(v - ref[0]) <= FAST_TOL
    assert s == relplot_smece(f, y)[1]


@pytest.mark.parametrize("sigma", [1.0, 0.1, 0.01, 0.0075, 0.0042, 0.002])
def test_large_n_fixed_sigma_matches_relplot(sigma, pointwise):
    f, y = smece_data(6, 60_000, "uniform")
    v = smece(f, y, sigma=sigma)
    assert abs(v - relplot.smECE_sigma(f, y, sigma)) <= TOL
    assert abs(v - pointwise(smece, f, y, sigma=sigma)) <= FAST_TOL


def test_decision_guard_makes_the_search_pointwise(monkeypatch, pointwise):
    # with a guard wider than any smECE, every bisection step is recomputed
    # point-wise with the full kernel: the result is the point-wise one exactly
    f, y = smece_data(9, 80_000, "calibrated")
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(_relplot, "DECISION_GUARD", 2.0)
    assert smece(f, y, return_bandwidth=True) == ref


def test_large_n_labels_of_any_dtype(pointwise):
    f, y = smece_data(10, 50_000, "grid10_ends")
    ref = smece(f, y)
    assert smece(f, y.astype(bool)) == ref
    assert smece(f, y.astype(np.int8)) == ref
    assert abs(ref - pointwise(smece, f, y)) <= FAST_TOL


def test_large_n_smooth_reliability_matches_pointwise(pointwise):
    f, y = smece_data(12, 50_000, "calibrated")
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
        f, y = smece_data(13, n, "calibrated")
        tracemalloc.start()
        try:
            smece(f, y)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 8 * 2**20 and peaks[1] < 1.5 * peaks[0]


def test_search_grids_cover_every_bandwidth_of_the_search():
    # relplot's bisection evaluates 1 and k / 1024 (k = 1 is below eps)
    sizes = {_relplot.grid_size(1.0)} | {_relplot.grid_size(k / 1024) for k in range(2, 1025)}
    assert all(any(c % (m - 1) == 0 for c in _relplot.SEARCH_GRIDS) for m in sizes)


def test_refinement_table_reproduces_the_float_cell_indices():
    grids = _relplot.SEARCH_GRIDS
    table = _cells.refinement(grids)
    assert table.shape == (sum(grids) + 1, len(grids))
    # every cell threshold, one ulp either side, and random points
    x = np.concatenate([_cells.floor_thresholds(c) for c in grids])
    rng = np.random.default_rng(0)
    f = np.concatenate([x, np.nextafter(x, 0), np.nextafter(x, 2), [0.0, 1.0], rng.random(10_000)])
    f = f[(f >= 0) & (f <= 1)]
    floors = np.stack([np.floor(f * float(c)) for c in grids], axis=1).astype(np.int64)
    u = floors.sum(axis=1)
    assert np.array_equal(table[u], floors)


@pytest.mark.parametrize("kind", ["beta", "calibrated", "grid10_ends"])
def test_coarsened_cell_sums_give_the_coarse_deposit(kind):
    n = 3 * _inputs.CHUNK + 5
    f, y = smece_data(31, n, kind)
    fine = _cells.CellSums(_relplot.SEARCH_GRIDS, need_sq=True)
    direct = _cells.CellSums((1000,), need_sq=True)
    for s in range(0, n, _inputs.CHUNK):
        fine(f[s : s + _inputs.CHUNK], y[s : s + _inputs.CHUNK])
        direct(f[s : s + _inputs.CHUNK], y[s : s + _inputs.CHUNK])
    coarse = fine.coarsen(1000)
    assert coarse.rows == n and np.array_equal(coarse.count, direct.count)
    for name in ("r", "one"):
        a = coarse.deposit(1001, ("r", "one"))[name]
        b = direct.deposit(1001, ("r", "one"))[name]
        assert np.max(np.abs(a - b)) <= FAST_TOL * n


def test_probe_keeps_fine_cells_only_when_the_search_may_descend(pointwise):
    n = _relplot.PROBE_ROWS + 3 * _inputs.CHUNK
    for kind, expect in (("beta", (1000,)), ("calibrated", _relplot.SEARCH_GRIDS)):
        f, y = smece_data(41, n, kind)
        first = _relplot.first_pass(None, need_sq=True)
        _inputs.check_inputs(f, y, visit=first)
        assert first.sums.grids == expect and first.sums.rows == n
        v, s = smece(f, y, return_bandwidth=True)
        pv, ps = pointwise(smece, f, y, return_bandwidth=True)
        assert s == ps and abs(v - pv) <= FAST_TOL


def test_probe_misprediction_costs_a_pass_not_accuracy(monkeypatch, pointwise):
    # force the probe to give up the fine cells on data whose search descends
    # below 0.01: the deposits then come from the coarsened sums (bandwidths
    # >= 0.01) and from one more pass on the fine cells (below)
    f, y = smece_data(42, _relplot.PROBE_ROWS + 2 * _inputs.CHUNK, "calibrated")
    ref = pointwise(smece, f, y, return_bandwidth=True)
    monkeypatch.setattr(_relplot, "PROBE_LIMIT", -1.0)
    first = _relplot.first_pass(None, need_sq=True)
    f2, y2 = _inputs.check_inputs(f, y, visit=first)
    assert first.sums.grids == (1000,)
    dep = _relplot.GridDeposit(f2, y2, ("r", "one"), search=True, first=first.sums)
    v, s = _relplot.search(dep)
    assert s < 0.01 and s == ref[1] and abs(v - ref[0]) <= FAST_TOL
    assert [c.grids for c in dep._sums] == [(1000,), _relplot.SEARCH_GRIDS]


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


# ----------------------------------------------------------------------------
# the engine's own pieces
# ----------------------------------------------------------------------------

def test_grid_size_kernel_and_mesh_are_relplots():
    from relplot.kernels import GaussianKernel

    for sigma in (1.0, 0.1, 0.0123, 0.0075, 0.001):
        m = _relplot.grid_size(sigma)
        assert m == max(2000, round(20 / sigma)) // 2 + 1
        assert np.array_equal(_relplot.kernel(m, sigma), GaussianKernel(sigma).kernel_ev(m))
        assert _relplot.mesh(sigma).shape == (max(round(10 / sigma), 200),)


def test_reflect_convolve_is_relplots_convolution():
    from relplot.kernels import ReflectedGaussianKernel

    rng = np.random.default_rng(0)
    for sigma in (0.5, 0.05, 0.0075, 0.003):  # 0.003: kernel tails underflow to 0
        m = _relplot.grid_size(sigma)
        values = rng.random(m)
        ref = ReflectedGaussianKernel(sigma).convolve(values, m)
        full = _relplot.reflect_convolve(values, _relplot.kernel(m, sigma), None)
        assert np.array_equal(full, ref)  # the whole kernel: relplot's sums, term for term
        cut = _relplot.reflect_convolve(values, _relplot.kernel(m, sigma))
        assert np.max(np.abs(cut - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_reference_deposit_is_relplots():
    from relplot.kernels import smooth_round_to_grid

    rng = np.random.default_rng(1)
    f = np.concatenate([rng.random(5000), [0.0, 1.0, 1.0]])
    y = rng.random(f.shape[0])
    dep = _relplot.GridDeposit(f, y, ("r", "y", "one"), reference=True)
    for m in (1001, 1334):
        got = dep.points(m)
        assert np.array_equal(got["y"], smooth_round_to_grid(f, y, m))
        assert np.array_equal(got["r"], smooth_round_to_grid(f, f - y, m))
        assert np.array_equal(got["one"], smooth_round_to_grid(f, np.ones_like(y), m))


@pytest.mark.parametrize("kind", KINDS)
def test_smece_reference_equals_relplot_exactly(kind):
    f, y = smece_data(7, 2000, kind)
    assert _relplot.smece_reference(f, y) == relplot.smECE(f, y, return_width=True)


def test_bisection_is_relplots_search_param():
    from relplot.metrics import search_param

    # a monotone "smECE" known in closed form: the fixed point of s -> c / (1 + s)
    for c in (0.0, 0.0005, 0.003, 0.05, 0.3, 2.0):
        def values_at(sig, rows, c=c):
            return c / (1 + sig)

        def pred(alpha, c=c):
            return alpha < _relplot.EPS_SIGMA or alpha < c / (1 + alpha)

        value, sigma = _relplot.bisect_bandwidth(values_at, 3)
        expect = search_param(pred)
        assert np.all(sigma == expect) and np.all(value == c / (1 + expect))


def test_next_fast_len_is_scipys_real_fft_length():
    """The fast path sizes numpy's FFT as scipy.fft would (5-smooth lengths)."""
    from scipy import fft

    sizes = [*range(1, 5000), *range(99_000, 101_000), 2**20 + 1, 3**11 - 1]
    assert [_relplot.next_fast_len(n) for n in sizes] == [fft.next_fast_len(n, real=True) for n in sizes]


@pytest.mark.parametrize("kind", KINDS)
def test_fft_convolution_is_scipys_to_the_last_bit(kind):
    """numpy's FFT (fast path) gives the numbers scipy.fft gave before it."""
    from scipy import fft

    f, y = smece_data(5, 200_000, kind)
    m = _relplot.grid_size(0.05)
    rows = tuple(np.bincount(np.minimum((f * (m - 1)).astype(int), m - 1), weights=w, minlength=m).astype(float)
                 for w in (f - y, np.ones_like(f)))
    ker = _relplot.kernel(m, 0.05)
    got = _relplot.reflect_convolve_fft(rows, ker, _relplot.KERNEL_CUT)
    exts, k, start = zip(*(_relplot.reflect_extend(r, ker, _relplot.KERNEL_CUT) for r in rows))
    nfft = fft.next_fast_len(exts[0].shape[0] + k[0].shape[0] - 1, real=True)
    full = fft.irfft(fft.rfft(np.stack(exts), nfft, axis=1) * fft.rfft(k[0], nfft), nfft, axis=1)
    lo = k[0].shape[0] - 1 + start[0]
    assert np.array_equal(got, full[:, lo : lo + m])
    direct = np.stack([_relplot.reflect_convolve(r, ker, _relplot.KERNEL_CUT) for r in rows])
    assert np.abs(got - direct).max() <= 1e-12 * np.abs(direct).max()


def test_first_smece_call_imports_no_scipy_fft():
    """A one-shot smECE at large n pays no `import scipy.fft` (about 0.3 s) on its first call."""
    import subprocess
    import sys

    code = ("import sys, numpy as np\n"
            "from uqsurvey.calibration import smece\n"
            "rng = np.random.default_rng(0); f = rng.beta(5, 2, 100_000); y = (rng.random(f.size) < f).astype(float)\n"
            "smece(f, y)\n"
            "print(sorted(m for m in sys.modules if m.startswith('scipy')))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
