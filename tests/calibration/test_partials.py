"""Mergeable partial statistics (:class:`uqsurvey.calibration.Partials`): any
chunking, merged in any grouping, gives the in-memory functions' numbers."""
from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import max_examples
from scipy import stats

from uqsurvey import calibration as cal
from uqsurvey.calibration import Partials
from uqsurvey.calibration._ranks import RankCounts, grid_cells, grid_key
from uqsurvey.calibration.resample import DRAW_BLOCK, interval, poisson_weights


def in_memory(f, y):
    """The audit's metrics from the in-memory functions."""
    single = bool(y.all() or not y.any())
    return {
        "ece_l1": {c: {str(b): cal.ece(f, y, b, convention=c) for b in (10, 15, 20)} for c in cal.CONVENTIONS},
        "smece": cal.smece(f, y, return_bandwidth=True),
        "debiased_l2_ce": cal.debiased_ece(f, y),
        "brier": cal.brier_score(f, y),
        "auroc": None if single else cal.auroc(f, y),
        "aurc": cal.aurc(f, y),
    }


def merged(f, y, cuts, order, **kw):
    """Partials of the chunks ``f[cuts[i]:cuts[i+1]]``, merged pairwise in a random tree."""
    bounds = [0, *cuts, f.shape[0]]
    parts = [Partials(**kw).update(f[a:b], y[a:b]) for a, b in zip(bounds[:-1], bounds[1:]) if b > a]
    rng = np.random.default_rng(order)
    while len(parts) > 1:  # merge a random neighbour pair: any bracketing, order kept
        i = int(rng.integers(0, len(parts) - 1))
        parts[i : i + 2] = [parts[i].merge(parts[i + 1])]
    return parts[0].finalize()


def check(m, ref, tol):
    for c, row in ref["ece_l1"].items():
        for b, v in row.items():
            assert m["ece_l1"][c][b] == pytest.approx(v, abs=tol)
    assert (m["smece"], m["smece_bandwidth"]) == pytest.approx(ref["smece"], abs=tol)
    assert m["debiased_l2_ce"] == pytest.approx(ref["debiased_l2_ce"], abs=tol)
    assert m["brier"] == pytest.approx(ref["brier"], abs=tol)
    assert m["auroc"] == ref["auroc"]  # exact counts: the same rational, rounded once
    assert m["aurc"] == pytest.approx(ref["aurc"], abs=1e-15)


@st.composite
def data_and_chunks(draw, max_n=300):
    n = draw(st.integers(1, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["beta", "grid", "ties_at_ends"]))
    if kind == "beta":
        f = rng.beta(5, 2, n)
    elif kind == "grid":
        f = np.round(rng.random(n) * 10) / 10
    else:
        f = rng.choice([0.0, 1.0, 0.3, 0.30000000000000004, 0.5], n)
    y = rng.random(n) < f
    cuts = sorted(set(draw(st.lists(st.integers(1, max(n - 1, 1)), max_size=8))))
    order = draw(st.integers(0, 1000))
    return f, y, [c for c in cuts if c < n], order


@settings(max_examples=max_examples(60), deadline=None)
@given(data_and_chunks())
def test_any_chunking_equals_in_memory_exactly_for_small_data(case):
    f, y, cuts, order = case
    m = merged(f, y, cuts, order)
    ref = in_memory(f, y)
    check(m, ref, 1e-15)
    # below keep_rows the partials hold the points: smECE and its bandwidth exactly
    assert (m["smece"], m["smece_bandwidth"]) == ref["smece"]


@settings(max_examples=max_examples(40), deadline=None)
@given(data_and_chunks())
def test_any_chunking_from_sums_alone(case):
    # keep_rows=0: no points kept, every metric from the sums (smECE from cell sums)
    f, y, cuts, order = case
    check(merged(f, y, cuts, order, keep_rows=0), in_memory(f, y), 1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_large_data_random_chunkings(seed):
    rng = np.random.default_rng(seed)
    n = 90_000  # above the cell-sum threshold of smECE (32768) and keep_rows
    f = rng.beta(6, 1.5, n) if seed != 2 else rng.random(n)
    y = rng.random(n) < (f**1.4 if seed != 2 else f)  # seed 2: calibrated, bandwidth below 0.01
    ref = in_memory(f, y)
    cuts = sorted(rng.choice(np.arange(1, n), size=int(rng.integers(1, 12)), replace=False).tolist())
    m = merged(f, y, cuts, seed)
    check(m, ref, 1e-12)
    assert m["exactness"] == {"distinct_exact": True, "auroc_bound": 0.0, "aurc_bound": 0.0,
                              "debiased_binning": "mass", "debiased_unassigned": 0}
    # one Partials fed in multiples of 32768 rows: ECE and Brier bit for bit
    one = Partials()
    for s in range(0, n, 65536):
        one.update(f[s : s + 65536], y[s : s + 65536])
    res = one.finalize()
    assert res["ece_l1"] == ref["ece_l1"] and res["brier"] == ref["brier"]


def test_merge_is_associative_and_leaves_its_operands():
    rng = np.random.default_rng(5)
    f = rng.random(3000)
    y = rng.random(3000) < f
    a, b, c = (Partials(keep_rows=0).update(f[s : s + 1000], y[s : s + 1000]) for s in (0, 1000, 2000))
    left, right = a.merge(b).merge(c).finalize(), a.merge(b.merge(c)).finalize()
    assert left["n"] == right["n"] == 3000 and a.n == b.n == c.n == 1000
    for key in ("smece", "smece_bandwidth", "brier", "auroc", "aurc", "debiased_l2_ce"):
        assert left[key] == pytest.approx(right[key], abs=1e-15)


def test_grid_past_the_distinct_limit_and_its_bounds():
    rng = np.random.default_rng(3)
    n = 60_000
    f = rng.beta(8, 1.2, n)  # massed near 1
    y = rng.random(n) < f**2
    exact = Partials(keep_rows=0).update(f, y).finalize()
    parts = [Partials(keep_rows=0, distinct_limit=5000).update(f[s : s + 20000], y[s : s + 20000])
             for s in range(0, n, 20000)]
    m = reduce(Partials.merge, parts).finalize()
    ex = m["exactness"]
    assert not ex["distinct_exact"]
    assert 0 < ex["auroc_bound"] < 1e-3 and 0 < ex["aurc_bound"] < 1e-3
    assert abs(m["auroc"] - cal.auroc(f, y)) <= ex["auroc_bound"]
    assert abs(m["aurc"] - cal.aurc(f, y)) <= ex["aurc_bound"]
    assert m["smece"] == exact["smece"] and m["brier"] == exact["brier"]  # unaffected by the grid
    assert abs(m["debiased_l2_ce"] - cal.debiased_ece(f, y)) < 1e-3
    assert 0 < ex["debiased_unassigned"] < n / 100
    # an exact partial merges into a grid one (and the other way round)
    small = Partials(keep_rows=0).update(f[:100], y[:100])
    assert not small.merge(parts[0]).ranks.exact and not parts[0].merge(small).ranks.exact


def test_grid_key_is_monotone_and_fine_near_the_ends():
    f = np.sort(np.concatenate([np.random.default_rng(0).random(10000), [0.0, -0.0, 0.5, 1.0, 1e-300,
                                                                         1 - 2**-53, 0.5 - 2**-54]]))
    k = grid_key(f)
    assert np.all(np.diff(k) >= 0) and k[0] == 0 and k[-1] == grid_cells() - 1
    near_one = 1 - np.array([1e-6, 1.0001e-6, 1.01e-6])
    kk = grid_key(near_one)
    assert kk[0] > kk[2]  # 1 % apart at 1e-6 from 1: different cells
    assert grid_key(np.array([-0.0]))[0] == grid_key(np.array([0.0]))[0]


def test_rank_counts_exact_table_merges_values():
    a, b = RankCounts(), RankCounts()
    a.update(np.array([0.2, 0.5, 0.5]), np.array([1, 0, 1]))
    b.update(np.array([0.5, 0.9, 0.1]), np.array([0, 1, 0]))
    a.merge(b)
    assert a.values.tolist() == [0.1, 0.2, 0.5, 0.9]
    assert a.counts.tolist() == [[1, 0, 2, 0], [0, 1, 1, 1]]


def test_finalize_and_merge_refuse_what_they_cannot_do():
    with pytest.raises(ValueError, match="no predictions"):
        Partials().finalize()
    with pytest.raises(ValueError, match="bin counts"):
        Partials(bin_counts=(10,)).merge(Partials())
    with pytest.raises(ValueError, match="bootstrap"):
        Partials(n_boot=2).merge(Partials())
    with pytest.raises(ValueError, match="confidence"):
        Partials().update([0.5, 1.5], [1, 0])
    with pytest.raises(ValueError, match="no bootstrap replicates"):
        Partials().intervals({}, "basic")


def test_poisson_weights_are_poisson_one():
    w = poisson_weights(np.random.default_rng(11), 2_000_000)
    assert np.all(w == np.round(w)) and w.min() == 0
    k = np.arange(8)
    observed = np.array([np.count_nonzero(w == v) for v in k[:-1]] + [np.count_nonzero(w >= 7)])
    pmf = stats.poisson.pmf(k[:-1], 1.0)
    expected = w.shape[0] * np.append(pmf, 1 - pmf.sum())
    assert stats.chisquare(observed, expected).pvalue > 1e-3
    assert abs(w.mean() - 1) < 3 * 1 / math.sqrt(w.shape[0]) * 2


@pytest.mark.parametrize("m", [1, 3, DRAW_BLOCK - 1, DRAW_BLOCK, DRAW_BLOCK + 1, 3 * DRAW_BLOCK + 5, 1 << 18])
def test_poisson_weights_in_blocks_are_the_one_draw(m):
    # the weights of the audit's replicates were defined by one draw of all m
    # weights (inversion of the top 16 bits of each 32-bit half of ceil(m/2)
    # raw 64-bit draws, thresholds resolved by search); drawing in blocks,
    # into a reused buffer, must give the same weights and leave the
    # generator at the same place
    from uqsurvey.calibration import resample

    pmf = np.array([math.exp(-1.0) / math.factorial(k) for k in range(13)])
    thresholds = np.rint(np.cumsum(pmf)[:-1] * 2.0**32).astype(np.uint64)
    ref_rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([3, 1, 4])))
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([3, 1, 4])))
    buf = np.full(m, -7.0)
    for _ in range(2):
        u = ref_rng.bit_generator.random_raw(-(-m // 2)).view(np.uint32)[:m]
        expected = np.searchsorted(thresholds, u.astype(np.uint64), side="right").astype(np.float64)
        assert np.array_equal(poisson_weights(rng, m), expected)
    for _ in range(2):
        u = ref_rng.bit_generator.random_raw(-(-m // 2)).view(np.uint32)[:m]
        expected = np.searchsorted(thresholds, u.astype(np.uint64), side="right").astype(np.float64)
        assert resample.poisson_weights(rng, m, out=buf) is buf and np.array_equal(buf, expected)
    assert rng.bit_generator.random_raw() == ref_rng.bit_generator.random_raw()


def test_bootstrap_replicates_merge_and_jackknife():
    rng = np.random.default_rng(2)
    n = 5000
    f = rng.beta(4, 2, n)
    y = rng.random(n) < f**1.3
    parts = [Partials(n_boot=30, seed=9, stream=k).update(f[s : s + 2500], y[s : s + 2500])
             for k, s in enumerate((0, 2500))]
    whole = parts[0].merge(parts[1])
    boot = whole.boot
    # every replicate's Brier recomputed from its weights, stream by stream
    reps = np.zeros((30, 2))
    for k, s in enumerate((0, 2500)):
        g = np.random.Generator(np.random.PCG64(np.random.SeedSequence([9, k, 0])))
        r2 = (f[s : s + 2500] - y[s : s + 2500]) ** 2
        for j in range(30):
            p = poisson_weights(g, 2500)
            reps[j] += (np.dot(p, r2), p.sum())
    got = boot.replicates()
    assert got[:, 2] == pytest.approx(reps[:, 0] / np.round(reps[:, 1]), rel=1e-12)
    # the jackknife groups add up to the data and leave-one-out is the rest
    total = boot.total()
    assert total.cells.rows == n and total.sq == pytest.approx(np.sum((f - y) ** 2), rel=1e-12)
    jack = boot.jackknife(total)
    gid = np.concatenate([np.arange(2500) % 20, np.arange(2500) % 20])
    for g in (0, 7):
        keep = gid != g
        assert jack[g, 2] == pytest.approx(cal.brier_score(f[keep], y[keep]), rel=1e-12)
        assert jack[g, 1] == pytest.approx(cal.smece(f[keep], y[keep]), abs=1e-12)
    m = whole.finalize()
    for method in ("percentile", "basic", "bca"):
        ci = whole.intervals(m, method)
        assert set(ci) == {"ece_l1_15_default", "smece", "brier", "auroc", "aurc"}
        assert all(0 <= v["low"] <= v["high"] <= 1 for v in ci.values())


def test_interval_methods_on_known_replicates():
    reps = np.linspace(0.4, 0.6, 1001)  # deviations symmetric about 0 around center 0.5
    pct = interval(0.3, 0.5, reps, None, "percentile")
    basic = interval(0.3, 0.5, reps, None, "basic")
    assert pct == pytest.approx((0.3 - 0.095, 0.3 + 0.095))
    assert basic == pytest.approx(pct)
    skew = 0.5 + np.linspace(0, 0.2, 1001) ** 2  # all deviations >= 0
    lo, hi = interval(0.5, 0.5, skew, None, "percentile")
    blo, bhi = interval(0.5, 0.5, skew, None, "basic")
    assert lo >= 0.5 and bhi <= 0.5 and blo == pytest.approx(0.5 - (hi - 0.5))
    # BCa with z0 = 0 and no acceleration is the percentile interval
    assert interval(0.3, 0.5, reps, None, "bca") == pytest.approx(pct, abs=1e-4)
    assert interval(0.99, 0.5, reps, None, "percentile")[1] == 1.0  # clipped to [0, 1]
    with pytest.raises(ValueError, match="method"):
        interval(0.3, 0.5, reps, None, "studentized")
