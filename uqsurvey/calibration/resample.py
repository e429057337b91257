r"""A bootstrap on mergeable sums: Poisson replicates and a grouped jackknife.

Every headline metric of the audit -- binned ECE (l1, 15 bins, default
convention), smECE, Brier score, AUROC and AURC -- is a function of a few sums
over the predictions (:class:`Sketch`).  The **Poisson bootstrap** gives
prediction ``i`` of replicate ``b`` an independent weight ``P_bi ~
Poisson(1)`` and forms the same sums with these weights, through weighted
:func:`numpy.bincount` calls, while the chunk is in memory: the data are read
once, whatever the number of replicates, and the replicates of two chunks
merge by adding their sums.  (Poisson weights are the large-``n`` limit of the
multinomial counts of the classical bootstrap and, unlike those, independent
across chunks.)  The weights of a chunk come from a generator seeded with
``(seed, stream, chunk number)``; the same input read in the same chunks gives
the same replicates.

The **grouped jackknife** that the BCa interval's acceleration needs uses the
same sums: prediction ``i`` of a stream belongs to group ``i mod G`` (``G =``
:data:`JACKKNIFE_GROUPS`), and leaving group ``g`` out is the total minus
group ``g``.

AUROC and AURC of a sketch treat the predictions in one cell of the smECE
cell sums (about 19000 cells, width at most ``1/10240``) as tied.  The
intervals therefore use the replicates' *deviations* from the same sketch
statistic of the full sample, ``theta*_b - theta_sketch``, around the exact
estimate (:func:`interval`): the tie rule cancels out to first order.

Interval methods (:data:`METHODS`), for the estimate ``t``, the deviations
``d_b`` and their quantiles ``q``:

* ``"percentile"``: ``[t + q(alpha/2), t + q(1 - alpha/2)]``;
* ``"basic"``: ``[t - q(1 - alpha/2), t - q(alpha/2)]`` (the "basic" or
  reverse-percentile interval: it corrects the bootstrap's estimate of the
  bias, which for ECE and smECE is upward);
* ``"bca"``: Efron's bias-corrected and accelerated percentiles, with ``z0``
  from the share of deviations below zero and the acceleration from the
  grouped jackknife.

Which one the audit uses was decided by measured coverage:
:mod:`uqsurvey.simulation.coverage`.
"""
from __future__ import annotations

import math

import numpy as np

from uqsurvey.calibration import _bins, _relplot
from uqsurvey.calibration._cells import CellSums, moments
from uqsurvey.calibration.bootstrap import percentile_interval
from uqsurvey.calibration.ranking import aurc_from_groups, auroc_from_groups

__all__ = [
    "HEADLINE", "METHODS", "JACKKNIFE_GROUPS", "ECE_BINS", "poisson_weights", "Sketch", "smece_of", "Resampler",
    "interval",
]

#: The metrics that get intervals, in this order.
HEADLINE = ("ece_l1_15_default", "smece", "brier", "auroc", "aurc")
#: Interval methods of :func:`interval`.
METHODS = ("percentile", "basic", "bca")
#: Groups of the grouped jackknife.
JACKKNIFE_GROUPS = 20
#: Bins of the binned ECE that gets an interval (default convention, equal width).
ECE_BINS = 15

# Poisson(1) by inversion of 32 random bits: weight = number of thresholds
# round(2**32 F(k)) at or below the draw, k = 0, 1, ... (F the Poisson(1)
# distribution function); each probability is exact to 2**-32 and weights
# above 12 (probability 1e-10) are not drawn.  A table indexed by the top 16
# bits gives the weight directly except in the few buckets that hold a
# threshold, which are resolved by a search.
_PMF = np.array([math.exp(-1.0) / math.factorial(k) for k in range(13)])
_THRESHOLDS = np.rint(np.cumsum(_PMF)[:-1] * 2.0**32).astype(np.uint64)
_BUCKET = np.arange(1 << 16, dtype=np.uint64) << np.uint64(16)
_TABLE = np.searchsorted(_THRESHOLDS, _BUCKET, side="right").astype(np.float64)
_TABLE[_TABLE != np.searchsorted(_THRESHOLDS, _BUCKET + np.uint64(0xFFFF), side="right")] = -1.0


def poisson_weights(rng: np.random.Generator, m: int, out: np.ndarray | None = None) -> np.ndarray:
    """``m`` independent Poisson(1) weights (float64) from ``rng``'s raw bits,
    into ``out`` (length ``m``) if given.  Drawn :data:`DRAW_BLOCK` at a
    time: the same bits in the same order as one draw of all ``m``, with
    scratch arrays that stay in cache and are never large enough to be
    mapped afresh from the system."""
    out = np.empty(m) if out is None else out
    idx = np.empty(min(m, DRAW_BLOCK), dtype=np.intp)
    for s in range(0, m, DRAW_BLOCK):
        k = min(DRAW_BLOCK, m - s)
        u = rng.bit_generator.random_raw(-(-k // 2)).view(np.uint32)[:k]
        np.right_shift(u, 16, out=idx[:k], casting="unsafe")
        o = out[s : s + k]
        np.take(_TABLE, idx[:k], out=o)
        split = np.flatnonzero(o < 0)  # a bucket that holds a threshold
        if split.size:
            o[split] = np.searchsorted(_THRESHOLDS, u[split].astype(np.uint64), side="right")
    return out


#: Weights drawn at a time by :func:`poisson_weights` (even: every block but
#: the last uses whole 64-bit draws, so the bits follow one another as in a
#: single draw).
DRAW_BLOCK = 1 << 15


class Sketch:
    """The sums of one weighting of the predictions (a replicate, a jackknife
    group or all of them) that the headline metrics need: cell sums for
    smECE, AUROC and AURC, the residual per bin of the 15-bin ECE and the
    sum of squared residuals (Brier)."""

    def __init__(self):
        self.cells = CellSums(_relplot.SEARCH_GRIDS, need_sq=True)
        self.resid = np.zeros(ECE_BINS)
        self.sq = 0.0

    def merge(self, other: "Sketch") -> None:
        self.cells.merge(other.cells)
        self.resid += other.resid
        self.sq += other.sq

    def minus(self, other: "Sketch") -> "Sketch":
        """These sums less ``other``'s (a leave-one-group-out sketch)."""
        out = Sketch()
        out.cells.count = self.cells.count - other.cells.count
        out.cells.sum_w = self.cells.sum_w - other.cells.sum_w
        out.cells.sum_ww = self.cells.sum_ww - other.cells.sum_ww
        out.cells.rows = self.cells.rows - other.cells.rows
        out.resid = self.resid - other.resid
        out.sq = self.sq - other.sq
        return out

    def metrics(self, smece: float | None = None) -> np.ndarray:
        """The headline metrics (:data:`HEADLINE`); NaN where undefined.
        ``smece``: the sketch's smECE if already known (:func:`smece_of`)."""
        out = np.full(len(HEADLINE), np.nan)
        n = self.cells.rows
        if n == 0:
            return out
        out[0] = float(np.abs(self.resid).sum()) / n
        out[1] = smece_of([self])[0] if smece is None else smece
        out[2] = self.sq / n
        neg, pos = self.cells.count[0::2], self.cells.count[1::2]
        size = neg + pos
        keep = size > 0
        size, pos = size[keep], pos[keep]
        if 0 < pos.sum() < size.sum():
            out[3] = auroc_from_groups(size, pos)
        out[4] = aurc_from_groups(size[::-1], pos[::-1])
        return out


def smece_of(sketches: list[Sketch]) -> np.ndarray:
    """smECE of many sketches at once: relplot's bisection
    (:func:`~uqsurvey.calibration._relplot.bisect_bandwidth`) for all of them,
    the deposits of the sketches that share a bandwidth at a step smoothed by
    one batched FFT -- the fast path of :func:`~uqsurvey.calibration.smece`
    (cell sums, kernel cut), row by row the same arithmetic."""
    if len(sketches) > SEARCH_BATCH:
        return np.concatenate([smece_of(sketches[i : i + SEARCH_BATCH])
                               for i in range(0, len(sketches), SEARCH_BATCH)])
    deps = [_relplot.GridDeposit.from_sums(sk.cells, ("r", "one")) for sk in sketches]

    def values_at(sigmas: np.ndarray, rows: np.ndarray) -> np.ndarray:
        out = np.empty(rows.shape[0])
        for s in np.unique(sigmas):
            sel = np.flatnonzero(sigmas == s)
            sigma = float(s)
            m = _relplot.grid_size(sigma)
            stack = []
            for r in rows[sel]:
                d = deps[r](m)
                stack += [d["r"], d["one"]]
            smoothed = _relplot.reflect_convolve_fft(tuple(stack), _relplot.kernel(m, sigma), _relplot.KERNEL_CUT)
            rs, dens = _relplot.normalize(smoothed[0::2], smoothed[1::2], _relplot.mesh(sigma))
            out[sel] = _relplot.smece_ratio(rs, dens)
        return out

    if not deps:
        return np.empty(0)
    values = _relplot.bisect_bandwidth(values_at, len(deps))[0]
    for sk in sketches:
        sk.cells.drop_cache()
    return values


#: Sketches whose smECE is searched together: bounds the memory of the
#: deposits and of the batched FFT (a few MB per sketch on the finest grids).
SEARCH_BATCH = 32


class Resampler:
    """``n_boot`` Poisson replicates and :data:`JACKKNIFE_GROUPS` jackknife
    groups of one stream of predictions (see the module docstring); fed
    chunk by chunk by :class:`uqsurvey.calibration.Partials`."""

    def __init__(self, n_boot: int, seed: int, stream: int = 0, groups: int = JACKKNIFE_GROUPS):
        self.n_boot, self.seed, self.stream = n_boot, seed, stream
        self.reps = [Sketch() for _ in range(n_boot)]
        self.groups = [Sketch() for _ in range(groups)]
        self.rows = 0  # rows seen by this stream: the jackknife group of the next
        self.chunks = 0  # chunks seen: the seed of the next chunk's weights
        self._memo: dict = {}  # metrics of the replicates / jackknife, until the sums change
        self._edges = _bins.width_edges(ECE_BINS, "default")

    def __call__(self, fc: np.ndarray, yc: np.ndarray, key: np.ndarray, w: np.ndarray) -> None:
        """Add one validated chunk whose cell keys and fractions are ``key``, ``w``."""
        self._memo = {}
        m = fc.shape[0]
        r = fc - yc
        r2 = r * r
        b = _bins.index(fc, self._edges, ECE_BINS, "default", "width")
        nkeys = self.reps[0].cells.nkeys if self.reps else self.groups[0].cells.nkeys
        g = len(self.groups)
        gid = (self.rows + np.arange(m)) % g
        cnt, sw, sww = moments(key + gid * nkeys, w, None, g * nkeys, True)
        rsum = np.bincount(gid * ECE_BINS + b, weights=r, minlength=g * ECE_BINS).reshape(g, ECE_BINS)
        sq = np.bincount(gid, weights=r2, minlength=g)
        rows = np.bincount(gid, minlength=g)
        for j, sk in enumerate(self.groups):
            sl = slice(j * nkeys, (j + 1) * nkeys)
            sk.cells.add_moments(cnt[sl], sw[sl], sww[sl], int(rows[j]))
            sk.resid += rsum[j]
            sk.sq += float(sq[j])
        if self.reps:
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, self.stream, self.chunks])))
            p, t = np.empty(m), np.empty(m)  # reused by every replicate: no fresh pages for each
            for sk in self.reps:
                poisson_weights(rng, m, out=p)
                sk.cells.add(key, w, p, scratch=t)
                sk.resid += np.bincount(b, weights=np.multiply(p, r, out=t), minlength=ECE_BINS)
                sk.sq += float(np.add.reduce(np.multiply(p, r2, out=t)))
        self.rows += m
        self.chunks += 1

    def merge(self, other: "Resampler") -> None:
        if (other.n_boot, other.seed, len(other.groups)) != (self.n_boot, self.seed, len(self.groups)):
            raise ValueError("partials with different bootstrap settings cannot be merged")
        self._memo = {}
        for mine, theirs in zip(self.reps + self.groups, other.reps + other.groups):
            mine.merge(theirs)

    def total(self) -> Sketch:
        """The sketch of all predictions (the sum of the jackknife groups)."""
        if "total" not in self._memo:
            out = Sketch()
            for sk in self.groups:
                out.merge(sk)
            self._memo["total"] = out, out.metrics()
        return self._memo["total"][0]

    def center(self) -> np.ndarray:
        """The headline metrics of :meth:`total`."""
        self.total()
        return self._memo["total"][1]

    def replicates(self) -> np.ndarray:
        """``(n_boot, len(HEADLINE))`` metrics of the replicates."""
        if "reps" not in self._memo:
            self._memo["reps"] = self._replicates()
        return self._memo["reps"]

    def _replicates(self) -> np.ndarray:
        sm = smece_of([sk for sk in self.reps if sk.cells.rows])
        it = iter(sm)
        rows = [sk.metrics(next(it) if sk.cells.rows else None) for sk in self.reps]
        return np.array(rows).reshape(len(self.reps), len(HEADLINE))

    def jackknife(self, total: Sketch) -> np.ndarray:
        """``(groups, len(HEADLINE))`` metrics with each group left out (empty groups skipped)."""
        if "jack" not in self._memo:
            self._memo["jack"] = self._jackknife(total)
        return self._memo["jack"]

    def _jackknife(self, total: Sketch) -> np.ndarray:
        left = [total.minus(sk) for sk in self.groups if sk.cells.rows]
        rows = [sk.metrics(v) for sk, v in zip(left, smece_of(left))]
        return np.array(rows).reshape(len(rows), len(HEADLINE))


def interval(estimate: float, center: float, replicates: np.ndarray, jack: np.ndarray | None,
             method: str, alpha: float = 0.05) -> tuple[float, float]:
    """The ``1 - alpha`` interval of a metric by ``method`` (:data:`METHODS`)
    from the exact ``estimate``, the sketch value ``center`` of the full
    sample, the replicates' sketch values and (for BCa) the jackknife values.
    NaN replicates (undefined metric) are left out; NaN if none is left.
    Every headline metric lies in [0, 1], and so is the interval clipped."""
    lo, hi = _interval(estimate, center, replicates, jack, method, alpha)
    return min(max(lo, 0.0), 1.0), min(max(hi, 0.0), 1.0)


def _interval(estimate, center, replicates, jack, method, alpha):
    d = np.asarray(replicates, dtype=np.float64)
    d = d[np.isfinite(d)] - center
    if d.size == 0 or not np.isfinite(estimate):
        return math.nan, math.nan
    if method == "percentile":
        lo, hi = percentile_interval(d, alpha)
        return float(estimate + lo), float(estimate + hi)
    if method == "basic":
        lo, hi = percentile_interval(d, alpha)
        return float(estimate - hi), float(estimate - lo)
    if method != "bca":
        raise ValueError(f"method must be one of {METHODS}; found {method!r}")
    from scipy.special import ndtr, ndtri

    share = (np.count_nonzero(d < 0) + 0.5 * np.count_nonzero(d == 0)) / d.size
    share = min(max(share, 0.5 / d.size), 1 - 0.5 / d.size)  # finite z0 when all replicates are on one side
    z0 = float(ndtri(share))
    acc = 0.0
    if jack is not None:
        jk = np.asarray(jack, dtype=np.float64)
        jk = jk[np.isfinite(jk)]
        if jk.size >= 3:
            u = jk.mean() - jk
            den = 6.0 * float(np.sum(u * u)) ** 1.5
            acc = float(np.sum(u**3)) / den if den > 0 else 0.0
    ends = []
    for z in (ndtri(alpha / 2), ndtri(1 - alpha / 2)):
        ends.append(float(ndtr(z0 + (z0 + z) / (1 - acc * (z0 + z)))))
    q = np.nanpercentile(d, [100 * ends[0], 100 * ends[1]])
    return float(estimate + q[0]), float(estimate + q[1])
