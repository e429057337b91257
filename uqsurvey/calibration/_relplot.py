r"""relplot's SmoothECE numerics: the one place that knows relplot's grids,
kernel, constants and bandwidth search.

:func:`uqsurvey.calibration.smece` (``method="relplot"``),
:func:`~uqsurvey.calibration.smooth_reliability`,
:func:`~uqsurvey.calibration.smece_expected` and the batched
:func:`~uqsurvey.calibration.smece_batch` all run on the functions below.

How relplot departs from the definition of smECE
------------------------------------------------
SmoothECE (Błasiok & Nakkiran 2024) is, for a bandwidth :math:`\sigma` and the
reflected Gaussian kernel :math:`K_\sigma(t, s) = \sum_{k\in\mathbb Z}
\varphi_\sigma(t - s - 2k) + \varphi_\sigma(t + s - 2k)` on ``[0, 1]``,
:math:`\mathrm{smECE}_\sigma = \frac1n \int_0^1 |\sum_i K_\sigma(t, f_i)(f_i -
y_i)|\,dt`, taken at the fixed point :math:`\sigma^* =
\mathrm{smECE}_{\sigma^*}`.  The reference implementation ``relplot.smECE``
1.0.3 (Apple), which we reproduce, departs from it as follows:

1. *Grid.*  Each prediction is deposited linearly onto a grid of
   ``M = max(2000, round(20/sigma)) // 2 + 1`` nodes ``j/(M-1)`` (weights
   ``1 - w`` and ``w`` on its two neighbours); the kernel is applied by a
   discrete convolution with the Gaussian sampled on that grid.
2. *Truncation.*  The Gaussian is truncated to ``|t - s| <= 1/2`` and not
   renormalised (matters for ``sigma`` larger than about 0.15).
3. *Reflection.*  The grid is reflected once about each end node without
   duplicating it (no further images), so a prediction exactly at 0 or 1
   keeps only **half** of its kernel mass, whereas the reflected kernel above
   gives every prediction mass 1.
4. *Density epsilon.*  ``1e-4`` is added to the smoothed (unnormalised) density
   before it divides the smoothed residual.
5. *Integral.*  The integral is a plain average over
   ``max(round(10/sigma), 200)`` equally spaced points including both ends
   (linear interpolation from the grid), divided by the same average of the
   density -- i.e. normalised by the discretised density instead of by 1.
6. *Half-node shift.*  The sampled kernel is centred on a node only when
   ``M`` is odd; for bandwidths below 0.01 where ``M`` is even (e.g.
   ``sigma = 0.0075``, ``M = 1334``) relplot's smoothing is shifted by half a
   grid spacing.  We reproduce it.
7. *Bandwidth search.*  10 steps of bisection on ``[0, 1]`` for the predicate
   ``sigma < 0.001 or sigma < smECE_sigma``; the **upper** bracket is
   returned, so the bandwidth is within ``2**-10`` above the fixed point and
   the reported value is smECE at that bandwidth.  A fixed point at
   ``sigma = 1`` is returned as 1.

relplot validates nothing; :mod:`uqsurvey.calibration` validates first.
``smece(method="continuous")`` evaluates the definition itself, without these
departures (see :mod:`uqsurvey.calibration.smooth`).

How we compute it
-----------------
The data enter only through two linear deposits onto the grid
(:class:`GridDeposit`), after which each of the 11 bandwidths of the
bisection costs ``O(M * half-width)`` on the grid; relplot instead
re-deposits all ``n`` points twice per bandwidth with :func:`numpy.add.at`.
Below 32768 predictions (``CELL_SUMS_MIN_N``) the deposits are made point by
point, once per grid size (the grid has 1001 nodes for every bandwidth of at
least 0.01).  From 32768 predictions on, one chunked pass, fused with the
input validation (:class:`FirstPass`), collects per-cell sums -- count, sum
and sum of squares of the fractional position, per label
(:mod:`uqsurvey.calibration._cells`) -- from which the deposits follow exactly
up to rounding: for a bandwidth search on the common refinement of six grids
(about 19000 cells, ``SEARCH_GRIDS``) that contains every grid the search can
reach, so the data are read once even when the bandwidth falls below 0.01,
where relplot's grid size changes at every bisection step.  (After 131072
points the pass estimates smECE at bandwidth ``16/1024``; when that is well
above it, the search will almost surely stay at bandwidths of 0.01 or more,
and the pass continues on the 1000 cells of their grid, which costs about
half as much per point; a wrong guess costs one more pass, never accuracy.)
For smECE this path also drops kernel weights below ``2**-60`` of the peak
(``KERNEL_CUT``) and smooths both deposits with one batched FFT (the curves
of :func:`uqsurvey.calibration.smooth_reliability` keep the direct sum with
the full kernel).  It agrees with the point-wise path to within ``1e-15`` in
our tests (they require ``1e-12``), and a bisection step whose value lies
within ``1e-12`` (``DECISION_GUARD``) of its threshold is recomputed
point-wise, so the rounding differences cannot change the bandwidth.  Extra
memory is ``O(chunk + cells)``, independent of ``n``.

The batched variant (:class:`BatchDeposit`, :func:`search_batch`), for many
samples at once, runs the same bisection (:func:`bisect_bandwidth`) for all
rows and smooths the rows that share a bandwidth with one FFT.
:func:`smece_reference` follows relplot's own arithmetic order (deposits in
input order, full-length convolution) and equals ``relplot.smECE`` to the
last bit; it also takes fractional labels.

The names are public inside this private module, for the sibling modules.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from uqsurvey.calibration._cells import CellSums
from uqsurvey.calibration._inputs import CHUNK

# relplot 1.0.3 constants (relplot/metrics.py, relplot/kernels.py, relplot/config.py).
GRID_MIN_POINTS = 2000  # GaussianKernel.apply: eval_points = max(2000, round(20 / sigma))
GRID_SPAN = 20
EPS_SIGMA = 0.001  # smECE(eps=0.001): bandwidths below it count as "too small"
EPS_DENSITY = 0.0001  # BaseKernelMixin.smooth(eps=0.0001)
REFINE = 10  # search_param(refine=10)
MESH_PTS = 200  # config.smECE_mesh_pts: ev_points = max(round(10 / sigma), 200)
MESH_SPAN = 10
PLOT_MESH_PTS = 200  # config.plot_mesh_pts

#: threads for the batched FFTs (rows are independent; results do not depend on it)
FFT_WORKERS = 2


def next_fast_len(n: int) -> int:
    """The smallest ``2**a 3**b 5**c >= n``: ``scipy.fft.next_fast_len(n, real=True)``."""
    best, p5 = 2 * max(n, 1), 1
    while p5 < best:
        p35 = p5
        while p35 < best:  # p35 times the smallest power of two that reaches n
            best = min(best, p35 << (-(-n // p35) - 1).bit_length())
            p35 *= 3
        p5 *= 5
    return best


def grid_size(sigma: float) -> int:
    """``GaussianKernel.apply``: ``max(2000, round(20 / sigma)) // 2 + 1`` nodes."""
    return max(GRID_MIN_POINTS, round(GRID_SPAN / sigma)) // 2 + 1


def kernel(m: int, sigma: float) -> np.ndarray:
    """``GaussianKernel.kernel_ev``, verbatim: the Gaussian sampled on ``m`` nodes."""
    t = np.linspace(0, 1, m)
    var = sigma**2
    res = np.exp(-(t - 0.5) * (t - 0.5) / (2 * var))
    res /= np.sqrt(2 * np.pi) * sigma
    return res


def mesh(sigma: float) -> np.ndarray:
    """``smooth_ece``'s evaluation points: ``max(round(10 / sigma), 200)`` on [0, 1]."""
    return np.linspace(0, 1, max(round(MESH_SPAN / sigma), MESH_PTS))


def grid_position(f: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node ``j = floor(f (M-1))`` left of each prediction, its fraction ``w``
    towards node ``j + 1`` and ``1 - w`` (no clip: ``f == 1`` gives
    ``j = M-1``, ``w = 0``, the same weight on node ``M-1`` as relplot's
    clipped ``j = M-2``, ``w = 1``)."""
    t = f * float(m - 1)
    j = t.astype(np.intp)
    w = t - j
    return j, w, 1 - w


def reflect_convolve(values: np.ndarray, ker: np.ndarray, cut: float | None = 0.0) -> np.ndarray:
    """``ReflectedGaussianKernel.convolve`` with exactly-zero kernel tails dropped.

    relplot computes ``np.convolve(ext, ker, "valid")[M//2 : M//2 + M]`` with
    ``ext = [values[M-1:0:-1], values, values[M-2::-1]]``, i.e.

        smoothed[i] = sum_d ker[M//2 + d] * ext(i - d),

    where ``ext`` reflects about the end nodes.  (For even ``M`` the sampled
    kernel is centred between two nodes, so relplot's smoothing is shifted by
    half a node; we reproduce that.)  Kernel entries that underflowed to 0
    contribute exactly nothing, so we keep only the non-zero run
    ``ker[z0:z1+1]`` and extend ``values`` by the reflections it reaches
    (``cut=None`` keeps the whole kernel: relplot's sums, term for term).

    With ``cut > 0`` the entries below ``cut`` times the peak are dropped as
    well (the fast path uses ``KERNEL_CUT = 2**-60``, i.e. ``|t - s| >
    9.1 sigma``).  Each output then misses at most ``cut * peak * 3 n`` (the
    data, of weight at most 1 each, enter at most three times, by the
    reflections), while the smoothed density averages about ``n / 2`` or
    more over the evaluation points; smECE is the sum of the ``|smoothed
    residual|`` over the sum of the density, so it moves by less than ``6 cut
    peak``, ``peak = 1 / (sqrt(2 pi) sigma) <= 400``: below ``2e-15``.
    """
    ext, k, start = reflect_extend(values, ker, cut)
    out = np.convolve(ext, k, "valid")
    return out[start : start + values.shape[0]]


def reflect_extend(values: np.ndarray, ker: np.ndarray, cut: float | None):
    """``ext``, the kernel run ``k`` and the offset of the result for
    :func:`reflect_convolve` (``np.convolve(ext, k, "valid")[start:start+M]``)."""
    m = values.shape[0]
    if cut is None:
        z0, z1 = 0, ker.shape[0] - 1
    else:
        nz = np.flatnonzero(ker > cut * ker[m // 2]) if cut else np.flatnonzero(ker)
        z0, z1 = int(nz[0]), int(nz[-1])
    dl, dh = z0 - m // 2, z1 - m // 2  # offsets d with non-zero weight
    left, right = max(dh, 0), max(-dl, 0)
    ext = np.concatenate([
        values[left:0:-1],
        values,
        values[m - 2 : m - 2 - right : -1] if right else values[:0],
    ])
    return ext, ker[z0 : z1 + 1], left - dh


def reflect_convolve_fft(rows: tuple[np.ndarray, ...], ker: np.ndarray, cut: float) -> np.ndarray:
    """:func:`reflect_convolve` of several deposits with one kernel, by one
    batched real FFT (fast path of smECE only).  The FFT's rounding error is
    about ``1e-15`` of the largest smoothed value, which moves smECE (a ratio
    of sums over all evaluation points) by about ``1e-15``; a smoothed curve
    far from the data, which rests on tiny values, keeps the direct sum.

    numpy's FFT (pocketfft, as :mod:`scipy.fft`; the same numbers to the last bit in
    our tests): importing :mod:`scipy.fft` would cost a process's first smECE 0.3 s."""
    exts, k, start = None, None, 0
    for i, values in enumerate(rows):
        ext, k, start = reflect_extend(values, ker, cut)
        if exts is None:
            exts = np.empty((len(rows), ext.shape[0]))
        exts[i] = ext
    size = exts.shape[1] + k.shape[0] - 1
    nfft = next_fast_len(size)
    full = np.fft.irfft(np.fft.rfft(exts, nfft, axis=1) * np.fft.rfft(k, nfft), nfft, axis=1)
    lo = k.shape[0] - 1 + start  # "valid" part starts at len(k) - 1
    return full[:, lo : lo + rows[0].shape[0]]


def interpolate(t: np.ndarray, yv: np.ndarray) -> np.ndarray:
    """``kernels.interpolate``, verbatim, along the last axis of ``yv``."""
    buckets_cnt = yv.shape[-1]
    bucket_size = 1 / (buckets_cnt - 1)
    inds = (t * (buckets_cnt - 1)).astype(int).clip(0, buckets_cnt - 2)
    residual = (t - inds * bucket_size) / bucket_size
    return yv[..., inds] * (1 - residual) + yv[..., inds + 1] * residual


def normalize(smoothed_num: np.ndarray, smoothed_one: np.ndarray, t: np.ndarray):
    """``BaseKernelMixin.smooth``: smoothed ``num`` over smoothed ones plus
    ``EPS_DENSITY``, at ``t``; returns that ratio and the density."""
    dens = interpolate(t, smoothed_one) + EPS_DENSITY
    return interpolate(t, smoothed_num) / dens, dens


def smece_ratio(rs: np.ndarray, density: np.ndarray):
    """``smooth_ece``'s integral: ``sum |rs| * density / sum density`` (last axis)."""
    return np.sum(np.abs(rs) * density, axis=-1) / np.sum(density, axis=-1)


#: From this many predictions on (one full chunk), :class:`GridDeposit`
#: derives relplot's deposits from per-cell sums (:class:`._cells.CellSums`)
#: instead of depositing every point again for every grid size.  Below it
#: the point-by-point deposit is used.
CELL_SUMS_MIN_N = CHUNK

#: Uniform grids (numbers of cells) whose common refinement serves every grid
#: relplot's bandwidth search can reach.  The bisection only evaluates
#: bandwidths 1 and ``k / 1024``: 1000 cells (``M = 1001``) for every
#: bandwidth of at least 0.01, and for ``k = 2 .. 10`` (``k = 1`` is below
#: ``eps`` and never evaluated) 5120, 3413, 2560, 2048, 1706, 1463, 1280,
#: 1138 and 1024 cells; the nodes of 5120, 2560, 2048, 1280 and 1024 are
#: nodes of 10240.  So one pass of cell sums on the common refinement of
#: these six grids (about 19000 cells) gives the deposit of every bandwidth
#: of the search, however far down it goes.
SEARCH_GRIDS = (10240, 1000, 3413, 1706, 1463, 1138)

#: Fast path of smECE: kernel entries below this fraction of the peak are
#: dropped (see :func:`reflect_convolve`; smECE moves by < 2e-15).
KERNEL_CUT = 2.0**-60

#: A bandwidth search starts its validation pass on the fine cells of
#: ``SEARCH_GRIDS``; after this many rows it estimates smECE at bandwidth
#: ``PROBE_SIGMA`` (the last one of the search above 0.01) from them, and if
#: that exceeds ``PROBE_LIMIT`` -- the search, which descends below 0.01
#: only if smECE there is at most ``PROBE_SIGMA``, will almost surely stay
#: at bandwidths >= 0.01, on the 1000-cell grid -- it folds the sums into
#: that grid and continues there, at about half the cost per point.  Only
#: speed depends on this guess: a search that descends after all gets one
#: more pass, on the fine cells.
PROBE_ROWS = 4 * CHUNK
PROBE_SIGMA = 16 / 1024
PROBE_LIMIT = 2 * PROBE_SIGMA

#: A bisection step whose fast-path smECE lies within this of the bandwidth
#: is re-evaluated with the point-wise deposit and the full kernel, so the
#: fast path (which differs from it by about 1e-16) never flips a decision.
DECISION_GUARD = 1e-12


class FirstPass:
    """``visit`` for :func:`uqsurvey.calibration._inputs.check_inputs`: fills
    :class:`CellSums` during the validation pass -- on the grid of ``sigma``,
    or for a search (``sigma=None``) on the refinement of ``SEARCH_GRIDS``
    with the probe described at ``PROBE_ROWS`` -- unless the data are a
    single partial chunk (fewer than ``CELL_SUMS_MIN_N`` points; point-wise
    path)."""

    def __init__(self, sigma: float | None, need_sq: bool):
        self.grids = SEARCH_GRIDS if sigma is None else (grid_size(float(sigma)) - 1,)
        self.need_sq = need_sq
        self.sums: CellSums | None = None  # allocated at the first full chunk
        self.probed = sigma is not None

    def __call__(self, fc: np.ndarray, yc: np.ndarray) -> None:
        if self.sums is None:
            if fc.shape[0] < CELL_SUMS_MIN_N:
                return
            self.sums = CellSums(self.grids, self.need_sq)
        self.sums(fc, yc)
        if not self.probed and self.sums.rows >= PROBE_ROWS:
            self.probed = True
            coarse = grid_size(1.0) - 1
            dep = self.sums.deposit(coarse + 1, ("r", "one"))
            if smece_on_grid(dep, PROBE_SIGMA, KERNEL_CUT) > PROBE_LIMIT:
                self.sums = self.sums.coarsen(coarse)


def first_pass(sigma, need_sq: bool) -> FirstPass | None:
    """The ``visit`` that collects cell sums during validation; ``None`` for a
    ``sigma`` that is not a number in (0, 1] (the caller raises after validation)."""
    if sigma is not None and (isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.floating))
                              or not (0 < sigma <= 1)):
        return None
    return FirstPass(sigma, need_sq)


class GridDeposit:
    """Linear deposits of the data onto relplot's grids, cached per grid size.

    ``names`` selects the per-point weights to deposit: ``"r"`` the residual
    ``f - y``, ``"y"`` the label, ``"one"`` the constant 1 (for the density).
    For a grid of ``M`` nodes, prediction ``f`` sits between nodes
    ``j = floor(f (M-1))`` and ``j + 1`` at fraction ``w = f (M-1) - j`` and
    adds ``(1 - w) * weight`` to node ``j`` and ``w * weight`` to node ``j+1``
    (``relplot.kernels.smooth_round_to_grid``).  This is the only place where
    the ``n`` data points enter; everything after it costs ``O(M)``.

    From ``CELL_SUMS_MIN_N`` points on, one chunked pass collects
    :class:`CellSums`, from which the deposits follow in ``O(cells)``: for
    a bandwidth search (``search=True``) on the refinement of
    ``SEARCH_GRIDS``, which serves every grid size the search can reach --
    where relplot's grid changes at every bisection step below bandwidth
    0.01, the data are still read once -- otherwise on the ``M - 1`` cells of
    the one grid.  ``first`` are cell sums already collected during
    validation.  Every pass is chunked: extra memory is ``O(chunk + cells)``
    whatever ``n`` is.

    ``reference=True`` deposits point by point in relplot's own order (all
    ``1 - w`` parts in input order, then all ``w`` parts, as its two
    :func:`numpy.add.at` calls) and never uses cell sums, which need 0/1
    labels: the path of :func:`smece_reference`.
    """

    def __init__(self, f: np.ndarray, y: np.ndarray, names: tuple[str, ...], *,
                 search: bool = False, first: CellSums | None = None, reference: bool = False):
        self.f = f
        self.y = y
        self.names = names
        self.search = search
        self.reference = reference
        self.use_sums = f.shape[0] >= CELL_SUMS_MIN_N and not reference
        self._cache: dict[int, dict[str, np.ndarray]] = {}
        self._points: dict[int, dict[str, np.ndarray]] = {}
        self._sums: list[CellSums] = []
        if first is not None and self.use_sums and first.rows == f.shape[0]:
            self._sums.append(first)

    @classmethod
    def from_sums(cls, sums: CellSums, names: tuple[str, ...]) -> "GridDeposit":
        """Deposits from cell sums alone, without the points (mergeable
        partial statistics): every grid of ``sums.grids`` is served; a
        bisection step is never re-decided point-wise (see :func:`search`)."""
        dep = cls(np.empty(0), np.empty(0), names)
        dep.f = dep.y = None
        dep.use_sums = True
        dep._sums.append(sums)
        return dep

    def __call__(self, m: int) -> dict[str, np.ndarray]:
        """The deposits on ``m`` nodes (from cell sums from ``CELL_SUMS_MIN_N`` points on)."""
        if not self.use_sums:
            return self.points(m)
        if m not in self._cache:
            self._cache[m] = self._from_sums(m)
        return self._cache[m]

    def points(self, m: int) -> dict[str, np.ndarray]:
        """The point-by-point deposits on ``m`` nodes."""
        if m not in self._points:
            self._points[m] = self._deposit_reference(m) if self.reference else self._deposit(m)
        return self._points[m]

    def _from_sums(self, m: int) -> dict[str, np.ndarray]:
        d = m - 1
        for sums in self._sums:
            if sums.covers(d):
                return sums.deposit(m, self.names)
        search = self.search and any(c % d == 0 for c in SEARCH_GRIDS)
        sums = CellSums(SEARCH_GRIDS if search else (d,), need_sq="r" in self.names)
        f, y = self.f, self.y
        for s in range(0, f.shape[0], CHUNK):
            sums(f[s : s + CHUNK], y[s : s + CHUNK])
        self._sums.append(sums)
        return sums.deposit(m, self.names)

    def _weights(self, name: str, fc: np.ndarray, s: int, step: int):
        if name == "one":
            return None
        yc = self.y[s : s + step]
        return fc - yc if name == "r" else yc

    def _deposit(self, m: int) -> dict[str, np.ndarray]:
        f = self.f
        out = {name: np.zeros(m) for name in self.names}
        for s in range(0, f.shape[0], CHUNK):
            fc = f[s : s + CHUNK]
            j, w, om = grid_position(fc, m)
            for name in self.names:
                wc = self._weights(name, fc, s, CHUNK)
                lo, hi = (om, w) if wc is None else (om * wc, w * wc)  # relplot: (1-frac)*y and frac*y
                acc = out[name]
                acc += np.bincount(j, weights=lo, minlength=m)
                acc[1:] += np.bincount(j, weights=hi, minlength=m)[: m - 1]
        return out

    def _deposit_reference(self, m: int) -> dict[str, np.ndarray]:
        f = self.f
        j = (f * (m - 1)).astype(int).clip(0, m - 2)  # smooth_round_to_grid, verbatim
        frac = f * (m - 1) - j
        both = np.concatenate([j, j + 1])
        out = {}
        for name in self.names:
            wc = self._weights(name, f, 0, f.shape[0])
            v = np.ones_like(f) if wc is None else wc
            # one bincount adds in the order of relplot's two add.at calls
            out[name] = np.bincount(both, weights=np.concatenate([(1 - frac) * v, frac * v]), minlength=m)
        return out


def apply(values: np.ndarray, sigma: float, x_eval: np.ndarray, cut: float | None = 0.0) -> np.ndarray:
    """``GaussianKernel.apply`` after the deposit: smooth ``values``, read at ``x_eval``."""
    m = values.shape[0]
    smoothed = reflect_convolve(values, kernel(m, sigma), cut)
    return interpolate(x_eval, smoothed)


def grid(deposit: GridDeposit, sigma: float, exact: bool = False, curve: bool = False):
    """The deposits for bandwidth ``sigma`` and the kernel cut to use with them:
    the fast path (cell sums, and ``KERNEL_CUT`` unless for a ``curve``) from
    ``CELL_SUMS_MIN_N`` points on unless ``exact``, else the point-wise
    deposit and the full kernel (all of it, zeros included, for a reference
    deposit).  The cut moves smECE by less than 1e-18 but would change a
    smoothed curve where the data are far away and its value rests on the
    kernel's tails (the accuracy there is a ratio of two tiny sums), so curves
    keep the full kernel."""
    m = grid_size(sigma)
    if deposit.use_sums and not exact:
        return deposit(m), 0.0 if curve else KERNEL_CUT
    return deposit.points(m), None if deposit.reference else 0.0


def smooth(deposit: GridDeposit, num: str, sigma: float, x_eval: np.ndarray,
           exact: bool = False, curve: bool = False):
    """``BaseKernelMixin.smooth``: smoothed ``num`` over smoothed ones, and density."""
    dep, cut = grid(deposit, sigma, exact, curve)
    return smooth_on_grid(dep, num, sigma, x_eval, cut)


def smooth_on_grid(dep: dict[str, np.ndarray], num: str, sigma: float, x_eval: np.ndarray, cut: float | None):
    ker = kernel(dep[num].shape[0], sigma)
    if not cut:
        return normalize(reflect_convolve(dep[num], ker, cut), reflect_convolve(dep["one"], ker, cut), x_eval)
    # fast path (smECE from cell sums): both deposits in one FFT convolution
    smoothed = reflect_convolve_fft((dep[num], dep["one"]), ker, cut)
    return normalize(smoothed[0], smoothed[1], x_eval)


def smece_at(deposit: GridDeposit, sigma: float, exact: bool = False) -> float:
    """``relplot.metrics.smooth_ece``: smECE at a fixed bandwidth on the grid."""
    dep, cut = grid(deposit, sigma, exact)
    return smece_on_grid(dep, sigma, cut)


def smece_on_grid(dep: dict[str, np.ndarray], sigma: float, cut: float | None) -> float:
    rs, density = smooth_on_grid(dep, "r", sigma, mesh(sigma), cut)
    return float(smece_ratio(rs, density))


def bisect_bandwidth(values_at: Callable[[np.ndarray, np.ndarray], np.ndarray], n_rows: int):
    """``relplot.metrics.search_param`` for ``n_rows`` problems at once.

    ``values_at(sigmas, rows)`` returns smECE of each of ``rows`` at its
    bandwidth.  10 bisection steps on ``[0, 1]`` for the predicate ``sigma <
    EPS_SIGMA or sigma < smECE_sigma`` (not tried where ``1 < smECE_1``: the
    bandwidth is then 1); returns smECE at the upper bracket and the bracket.
    """
    rows = np.arange(n_rows)
    val_start = values_at(np.ones(n_rows), rows)
    start = np.ones(n_rows)
    end = np.zeros(n_rows)
    active = np.flatnonzero(~(1.0 < val_start))  # the predicate fails at 1: bisect
    for _ in range(REFINE):
        if active.size == 0:
            break
        mid = (start[active] + end[active]) / 2
        ok = mid < EPS_SIGMA
        need = ~ok
        v = np.full(active.shape[0], np.nan)
        if need.any():
            v[need] = values_at(mid[need], active[need])
        ok |= need & (mid < v)
        end[active[ok]] = mid[ok]
        start[active[~ok]] = mid[~ok]
        val_start[active[~ok]] = v[~ok]
    return val_start, start


def search(deposit: GridDeposit) -> tuple[float, float]:
    """``relplot.metrics.smECE``: 10-step bisection, upper bracket returned.

    A fast-path value within ``DECISION_GUARD`` of its bandwidth is recomputed
    point by point before it decides a step (when there are points: deposits
    from merged cell sums alone, :meth:`GridDeposit.from_sums`, decide it as is)."""

    def values_at(sigmas: np.ndarray, rows: np.ndarray) -> np.ndarray:
        alpha = float(sigmas[0])
        v = smece_at(deposit, alpha)
        if deposit.use_sums and deposit.f is not None and abs(v - alpha) <= DECISION_GUARD:
            v = smece_at(deposit, alpha, exact=True)
        return np.array([v])

    value, sigma = bisect_bandwidth(values_at, 1)
    return float(value[0]), float(sigma[0])


def smece_reference(f: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """``relplot.smECE(f, y, return_width=True)`` in relplot's own arithmetic
    order (validated inputs; ``y`` may be fractional): equal to it to the last
    bit, at relplot's cost (the data are deposited again at every bandwidth's
    grid size)."""
    return search(GridDeposit(f, y, ("r", "one"), reference=True))


# ----------------------------------------------------------------------------
# The batched variant: many samples (rows) at once
# ----------------------------------------------------------------------------

class BatchDeposit:
    """relplot's linear deposit of every row onto a grid of ``m`` nodes, and
    the spectrum of its reflected extension, cached per grid size."""

    def __init__(self, f: np.ndarray, r: np.ndarray):
        self.f, self.r = f, r
        self._cache: dict[int, tuple[np.ndarray, int]] = {}

    def spectrum(self, m: int) -> tuple[np.ndarray, int]:
        """``(2, R, nfft//2 + 1)`` rfft of the reflected deposits of residuals
        and ones, and ``nfft``."""
        from scipy import fft

        if m not in self._cache:
            reps = self.f.shape[0]
            j, w, om = grid_position(self.f, m)
            idx = (j + (np.arange(reps) * m)[:, None]).ravel()
            vals = np.empty((2, reps, m))
            for slot, (lo, hi) in enumerate(((om * self.r, w * self.r), (om, w))):
                acc = np.bincount(idx, weights=lo.ravel(), minlength=reps * m).reshape(reps, m)
                acc[:, 1:] += np.bincount(idx, weights=hi.ravel(), minlength=reps * m).reshape(reps, m)[:, : m - 1]
                vals[slot] = acc
            c = (m - 1) // 2
            # relplot reflects once about each end node: [v[c..1], v, v[m-2..m-2-c+1]]
            ext = np.concatenate([vals[..., c:0:-1], vals, vals[..., m - 2 : m - 2 - c : -1]], axis=-1)
            nfft = fft.next_fast_len(ext.shape[-1] + m - 1, real=True)
            self._cache[m] = (fft.rfft(ext, nfft, axis=-1), nfft)
        return self._cache[m]


def smece_at_rows(deposit: BatchDeposit, rows: np.ndarray, sigma: float) -> np.ndarray:
    """relplot's ``smooth_ece`` at one bandwidth for the given rows.

    The reflected convolution with the full sampled kernel is done by FFT
    (kernel entries that underflow to zero contribute nothing either way).
    """
    from scipy import fft

    m = grid_size(sigma)
    spec, nfft = deposit.spectrum(m)
    kspec = fft.rfft(kernel(m, sigma), nfft)
    smoothed = fft.irfft(spec[:, rows, :] * kspec, nfft, axis=-1, workers=FFT_WORKERS)[..., m - 1 : 2 * m - 1]
    rs, dens = normalize(smoothed[0], smoothed[1], mesh(sigma))
    return smece_ratio(rs, dens)


def search_batch(f: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """smECE and bandwidth of every row of validated ``(R, n)`` arrays: the
    bisection of :func:`bisect_bandwidth` for all rows at once, rows that
    share a bandwidth at a step smoothed together."""
    deposit = BatchDeposit(f, f - y)

    def values_at(sig: np.ndarray, rows: np.ndarray) -> np.ndarray:
        out = np.empty(rows.shape[0])
        for s in np.unique(sig):
            sel = sig == s
            out[sel] = smece_at_rows(deposit, rows[sel], float(s))
        return out

    return bisect_bandwidth(values_at, f.shape[0])
