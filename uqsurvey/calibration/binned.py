r"""Calibration metrics: the binned ECE family, Brier, AUROC, AURC and SmoothECE.

Every public function takes a 1-D array of **confidences** ``f_i`` in
``[0, 1]`` and a 1-D array of **correctness labels** ``y_i`` (0/1 or boolean:
was the answer the confidence refers to correct?) and validates them with the
same private helper, :func:`_check_inputs`.  Invalid input raises
:class:`ValueError` naming the argument and what was found (NaN, inf, values
outside ``[0, 1]``, labels other than 0/1, length mismatch, empty or non 1-D
input).  The reference libraries this module is tested against accept or
silently transform such inputs (torchmetrics applies a sigmoid to confidences
outside ``[0, 1]``, netcal clips them, relplot validates nothing and returns
whatever its arithmetic gives); we refuse.

Binned ECE
----------
:func:`ece` computes

.. math::

    \mathrm{ECE}_{\ell_1} = \sum_b \frac{n_b}{n}\,|\bar y_b - \bar f_b|, \qquad
    \mathrm{ECE}_{\ell_2} = \Big(\sum_b \frac{n_b}{n}(\bar y_b - \bar f_b)^2\Big)^{1/2},
    \qquad
    \mathrm{MCE} = \max_{b:\,n_b>0} |\bar y_b - \bar f_b|,

where :math:`\bar f_b` and :math:`\bar y_b` are the mean confidence and the
accuracy of bin :math:`b`.  The estimators are the same in every library; the
libraries differ only in *which bin a confidence falls in*.  The
``convention`` argument selects the binning rule:

``"default"`` (this module)
    Bin ``k`` (``k = 0 .. B-1``) is ``[k/B, (k+1)/B)``; the last bin is closed,
    ``[(B-1)/B, 1]``.  The index is computed as
    ``k = min(floor(f * B * (1 + 2**-36)), B - 1)`` in float64: a confidence
    that lies less than a relative :math:`2^{-36} \approx 1.5\cdot10^{-11}`
    *below* an interior edge counts as lying on it.  The tolerance absorbs the
    representation error of decimal confidences, so that every double nearest
    to a rational ``k/B`` (``0.3`` with 10 bins, ``0.58`` with 50 bins,
    ``0.29`` with 100 bins) lands in bin ``k`` -- the bin it nominally opens --
    whereas a plain ``floor(f * B)`` puts ``0.58`` (50 bins) and ``0.29`` (100
    bins) one bin too low.  ``0.0`` is in bin 0 and ``1.0`` in bin ``B-1``.
``"torchmetrics"``
    ``torchmetrics.classification.BinaryCalibrationError`` (1.9): edges are
    ``torch.linspace(0, 1, B+1)`` in float64, which on x86-64 (AVX2/AVX512
    kernels) computes the upper half of the edges as ``fma(-step, B-k, 1)``
    and so differs from ``numpy.linspace`` and from ``k/B`` by one ulp at
    some edges (e.g. edge 3 of 10 is ``0.30000000000000004``, so ``0.3`` goes
    to bin 2); bins are ``[e_k, e_{k+1})`` via ``torch.bucketize(right=True)``;
    a confidence of exactly ``1.0`` falls into an **extra bin** ``B`` (edge
    ``[1, 1]``) of its own.  Under ``ATEN_CPU_CAPABILITY=default`` PyTorch
    skips the FMA and a few edges differ by one ulp from what we reproduce.
``"netcal"``
    ``netcal.metrics.ECE`` (1.4, default ``bins=10``): confidences are first
    clipped to ``[eps, 1 - eps]`` with ``eps = 2.22e-16`` (the clipped values
    also enter the bin means), edges are ``numpy.linspace(0, 1, B+1)`` and
    bins are ``[e_k, e_{k+1})`` (``numpy.histogramdd`` /
    ``scipy.stats.binned_statistic_dd``).  ``numpy.linspace`` edges differ
    from ``k/B`` by one ulp at some edges (edge 3 of 10 is
    ``0.30000000000000004``).  netcal has no l2 norm; we apply the l2 formula
    to netcal's bins.
``"kumar"``
    ``uncertainty-calibration`` 0.1.4 (Kumar et al. 2019), ``calibration.get_ece``:
    edges ``k * 1.0 / B`` and bins ``(e_{k-1}, e_k]`` (``numpy.searchsorted``
    with ``side='left'``): a confidence exactly on an edge goes to the bin
    *below*; ``0.0`` is in bin 0.

``binning="mass"`` (equal-mass, "adaptive" binning) under the default and
``"kumar"`` conventions uses Kumar et al.'s ``get_equal_bins``: sort the
confidences, split them into ``min(B, n)`` consecutive groups whose sizes differ
by at most one (the larger groups first, as :func:`numpy.array_split`), put an
edge at the midpoint between the last value of a group and the first value of
the next, and use bins ``(e_{k-1}, e_k]``.  **Ties are never split**: when a
run of equal confidences straddles a group boundary the midpoint equals the
tied value and all of its copies go to the lower bin; coinciding edges are
merged, so fewer than ``B`` bins can result.  Under ``"netcal"``, ``"mass"``
reproduces ``ECE(equal_intervals=False)``: edges are ``numpy.quantile`` of the
clipped confidences at ``linspace(0, 1, B+1)`` (linear interpolation) with the
first and last edge set to 0 and 1, bins ``[e_k, e_{k+1})``; tied quantiles give
empty bins (netcal itself raises in that case).  torchmetrics has no
equal-mass binning.

SmoothECE and relplot's numerics
--------------------------------
:func:`smece` implements SmoothECE (Błasiok & Nakkiran 2024).  For a bandwidth
:math:`\sigma` and the reflected Gaussian kernel on ``[0, 1]``,

.. math::

    K_\sigma(t, s) = \sum_{k\in\mathbb Z} \varphi_\sigma(t - s - 2k) + \varphi_\sigma(t + s - 2k),
    \qquad
    \mathrm{smECE}_\sigma = \frac1n \int_0^1 \Big|\sum_i K_\sigma(t, f_i)\,(f_i - y_i)\Big|\,dt,

and smECE is :math:`\mathrm{smECE}_{\sigma^*}` at the fixed point
:math:`\sigma^* = \mathrm{smECE}_{\sigma^*}` (unique because
:math:`\mathrm{smECE}_\sigma` is non-increasing in :math:`\sigma`).
The default ``method="relplot"`` reproduces the reference implementation
``relplot.smECE`` 1.0.3 (Apple), whose numerics depart from this definition
as follows:

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

``method="continuous"`` evaluates the definition above with no grid: the
kernel sum uses every image that matters in double precision, the integral
is exact (Gaussian CDF differences between the zero crossings of the
smoothed residual, which are located on a mesh of spacing ``sigma/16`` and
refined with Brent's method), and the fixed point is found with
:func:`scipy.optimize.brentq` to ``xtol = 1e-12`` (1 if smECE at bandwidth
1 is at least 1; 0 with bandwidth 0 if the residuals sum to zero at every
distinct confidence, where smECE vanishes for every bandwidth).  It costs
``O(n_unique / sigma)`` per bandwidth and is meant as a reference for
moderate ``n``.  On well-behaved data (predictions in ``[0.05, 0.95]``,
fixed point below 0.15, a few hundred predictions or more) the two methods
agree to within ``1e-3`` absolute (we observe ``1e-4`` or less: smECE varies
slowly with the bandwidth, so the ``2**-10`` resolution of relplot's
bisection costs little); they differ more where relplot's end-point
reflection or truncation bites -- many predictions at exactly 0 or 1, or a
fixed point above about 0.15.

References
----------
.. [1] J. Błasiok and P. Nakkiran, "Smooth ECE: Principled Reliability Diagrams
   via Kernel Smoothing", ICLR 2024.  arXiv:2309.12236.
.. [2] A. Kumar, P. Liang and T. Ma, "Verified Uncertainty Calibration",
   NeurIPS 2019.  arXiv:1909.10155.
.. [3] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of Modern
   Neural Networks", ICML 2017.
.. [4] M. P. Naeini, G. Cooper and M. Hauskrecht, "Obtaining Well Calibrated
   Probabilities Using Bayesian Binning", AAAI 2015.
.. [5] J. Nixon, M. Dusenberry, L. Zhang, G. Jerfel and D. Tran, "Measuring
   Calibration in Deep Learning", CVPR Workshops 2019.
.. [6] G. W. Brier, "Verification of Forecasts Expressed in Terms of
   Probability", Monthly Weather Review 78(1), 1950.
.. [7] Y. Geifman, G. Uziel and R. El-Yaniv, "Bias-Reduced Uncertainty
   Estimation for Deep Neural Classifiers", ICLR 2019.
.. [8] J. A. Hanley and B. J. McNeil, "The Meaning and Use of the Area under a
   Receiver Operating Characteristic (ROC) Curve", Radiology 143(1), 1982.
.. [9] S. Devic et al., "From Calibration to Collaboration: LLM Uncertainty
   Quantification Should Be More Human-Centered", 2025.  arXiv:2506.07461.
"""
from __future__ import annotations

import functools
import math
import warnings
from fractions import Fraction
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "CONVENTIONS",
    "NORMS",
    "BINNINGS",
    "ece",
    "debiased_ece",
    "brier_score",
    "auroc",
    "risk_coverage_curve",
    "aurc",
    "smece",
    "binned_reliability",
    "smooth_reliability",
    "bootstrap_ci",
    "BootstrapCI",
]

CONVENTIONS = ("default", "torchmetrics", "netcal", "kumar")
NORMS = ("l1", "l2", "max")
BINNINGS = ("width", "mass")

#: Elements processed per step of the chunked O(n) passes.  Chunks of 32768
#: float64 values (256 KiB) stay in the L2 cache, which makes the chained
#: element-wise operations cheaper than whole-array passes and keeps the
#: extra memory of every O(n) pass at a few MiB whatever ``n`` is.
_CHUNK = 1 << 15

#: Elements per piece of :func:`ece`'s fused validation-and-binning pass (the
#: sums are still formed per ``_CHUNK``; see :class:`_BinAccumulator`).
_ECE_BLOCK = 4 * _CHUNK

#: Relative tolerance of the default width binning (see the module docstring).
_EDGE_SNAP = 1.0 + 2.0**-36

#: Bit pattern of 1.0: the float64 values in [+0, 1], read as uint64, are
#: exactly 0 .. _ONE_BITS (see :func:`_check_inputs`).
_ONE_BITS = int(np.array(1.0).view(np.uint64))

# x + 2**52 for an integer-valued float64 x in [0, 2**52) holds x in the low
# mantissa bits: subtracting the bit pattern of 2**52 from the int64 view is
# an exact float -> int conversion, cheaper than numpy's casting loop.
_MAGIC = 2.0**52
_MAGIC_BITS = int(np.array(_MAGIC).view(np.int64))

# relplot 1.0.3 constants (relplot/metrics.py and relplot/kernels.py).
_RELPLOT_EPS_SIGMA = 0.001  # smECE(eps=0.001): bandwidths below it count as "too small"
_RELPLOT_EPS_DENSITY = 0.0001  # BaseKernelMixin.smooth(eps=0.0001)
_RELPLOT_REFINE = 10  # search_param(refine=10)
_RELPLOT_MESH_PTS = 200  # config.smECE_mesh_pts


# ----------------------------------------------------------------------------
# Input validation
# ----------------------------------------------------------------------------

def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _as_1d(x, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must be numeric (float, int or bool); found dtype {arr.dtype}"
        )
    if arr.ndim != 1:
        shape = "a scalar" if arr.ndim == 0 else f"an array of shape {arr.shape}"
        raise ValueError(f"{name} must be 1-D; found {arr.ndim}-D input ({shape})")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one value is required")
    return arr


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _check_inputs(confidence, correct, visit: Callable | None = None,
                  block: int = _CHUNK) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``(confidence, correct)`` and return them as 1-D arrays.

    The only validation routine of the module; every public function calls it.
    Returns ``f`` as a float64 array (no copy when the input already is one)
    and ``y`` unchanged in dtype (bool, integer or float), both validated.

    The values are checked chunk by chunk (``block`` elements, ``_CHUNK`` by
    default); if ``visit`` is given it is called as ``visit(f_chunk,
    y_chunk)`` on each chunk right after the chunk passed, while it is still
    in cache -- this fuses the validation with a single-pass computation such
    as :func:`ece`'s.  A later invalid chunk still raises (the caller then
    discards what it accumulated).

    Raises
    ------
    ValueError
        With a message naming the argument and what was found: non-numeric
        dtype, not 1-D, empty, length mismatch, NaN, inf, a confidence outside
        ``[0, 1]``, or a label that is not 0/1 or boolean.
    """
    f = _as_1d(confidence, "confidence")
    y = _as_1d(correct, "correct")
    if f.shape[0] != y.shape[0]:
        raise ValueError(
            f"confidence and correct must have the same length; found "
            f"{f.shape[0]} and {y.shape[0]}"
        )
    f = np.ascontiguousarray(f, dtype=np.float64)
    bits = f.view(np.uint64)
    n = f.shape[0]
    kind = y.dtype.kind
    buf = np.empty((2, min(n, block)), dtype=bool) if kind == "f" else None
    for s in range(0, n, block):
        fc = f[s : s + block]
        yc = y[s : s + block]
        # Read as unsigned integers, the float64 values in [+0, 1] are exactly
        # the bit patterns 0 .. bits(1.0); negative values, NaN, inf and
        # values above 1 all compare larger.  So one integer max decides, and
        # only a chunk that fails it (-0.0 is valid) needs the float check,
        # where NaN propagates through min/max and fails both comparisons.
        if np.maximum.reduce(bits[s : s + block]) > _ONE_BITS and not (
            fc.min() >= 0.0 and fc.max() <= 1.0
        ):
            _raise_bad_values(f, "confidence", labels=False)
        if kind == "f":
            # all in {0, 1} iff every value == 0 or == 1 (NaN is neither)
            m = yc.shape[0]
            ok = np.equal(yc, 0, out=buf[0, :m])
            ok |= np.equal(yc, 1, out=buf[1, :m])
            if not ok.all():
                _raise_bad_values(y, "correct", labels=True)
        elif kind in "iu" and (yc.min() < 0 or yc.max() > 1):
            _raise_bad_values(y, "correct", labels=True)
        if visit is not None:
            visit(fc, yc)
    return f, y


def _raise_bad_values(a: np.ndarray, name: str, labels: bool):
    """Slow path of :func:`_check_inputs`: build the error message and raise."""
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if nan.any():
            raise ValueError(
                f"{name} contains {_plural(int(nan.sum()), 'NaN value')} "
                f"(first at index {_first(nan)})"
            )
        inf = np.isinf(a)
        if inf.any():
            i = _first(inf)
            raise ValueError(
                f"{name} contains {_plural(int(inf.sum()), 'infinite value')} "
                f"(first at index {i}: {a[i].item()})"
            )
    if labels:
        bad = (a != 0) & (a != 1)
        i = _first(bad)
        raise ValueError(
            f"{name} must contain only 0/1 or boolean labels; found "
            f"{_plural(int(bad.sum()), 'other value')} (first at index {i}: {a[i].item()!r})"
        )
    bad = (a < 0) | (a > 1)
    i = _first(bad)
    raise ValueError(
        f"{name} must lie in [0, 1]; found {_plural(int(bad.sum()), 'value')} "
        f"outside (first at index {i}: {a[i].item()!r})"
    )


def _check_choice(value, name: str, choices) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; found {value!r}")
    return value


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}; found {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; found {value}")
    return int(value)


def _check_alpha(alpha) -> float:
    if not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number in (0, 1); found {alpha!r}")
    return float(alpha)


# ----------------------------------------------------------------------------
# Bin edges and bin indices
# ----------------------------------------------------------------------------

def _torch_linspace_edges(n_bins: int) -> np.ndarray:
    """``torch.linspace(0, 1, n_bins + 1, dtype=torch.float64)`` on x86-64.

    PyTorch's CPU kernel (``aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp``)
    fills the first half as ``start + step * i`` and the second half as
    ``end - step * (steps - i - 1)``; the AVX2/AVX512 builds contract the latter
    into one fused multiply-add, i.e. one rounding of the exact value.  We
    compute that exactly with rationals (``n_bins`` is small).
    """
    steps = n_bins + 1
    step = 1.0 / n_bins
    half = steps // 2
    fstep = Fraction(step)
    out = np.empty(steps)
    for i in range(steps):
        if i < half:
            out[i] = step * i  # fma(step, i, 0) == round(step * i)
        else:
            out[i] = float(1 - fstep * (steps - i - 1))
    return out


def _width_edges(n_bins: int, convention: str) -> np.ndarray:
    if convention == "torchmetrics":
        return _torch_linspace_edges(n_bins)
    if convention == "netcal":
        return np.linspace(0.0, 1.0, n_bins + 1)
    # default and kumar: k / n_bins, correctly rounded (Kumar: i * 1.0 / num_bins)
    return np.arange(n_bins + 1) / n_bins


def _mass_edges(f: np.ndarray, n_bins: int, convention: str) -> np.ndarray:
    """Edges (including 0 and 1) of equal-mass bins; see the module docstring."""
    n = f.shape[0]
    if convention == "netcal":
        fc = np.clip(f, np.finfo(np.float64).eps, 1.0 - np.finfo(np.float64).eps)
        edges = np.quantile(fc, np.linspace(0.0, 1.0, n_bins + 1))
        edges[0], edges[-1] = 0.0, 1.0
        return edges
    # Kumar et al.'s get_equal_bins.
    k = min(n_bins, n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    cut = np.cumsum(sizes)[:-1]  # first index of groups 1..k-1
    if cut.size:
        part = np.partition(f, np.concatenate([cut - 1, cut]))
        mids = (part[cut - 1] + part[cut]) / 2.0
    else:
        mids = np.empty(0)
    inner = np.unique(np.concatenate([mids, [1.0]]))  # sorted(set(bins)) in Kumar
    return np.concatenate([[0.0], inner])


def _bin_index(fc: np.ndarray, edges: np.ndarray, convention: str, binning: str) -> np.ndarray:
    """Bin index of each confidence in ``fc`` for the compatibility rules.

    (The default width rule has its own fast path in :func:`_binned_sums`.)
    """
    nb = edges.shape[0] - 1
    if convention == "kumar" or (binning == "mass" and convention == "default"):
        # bins (e_{k-1}, e_k]: index of the first upper edge >= f
        return np.searchsorted(edges[1:], fc, side="left")
    if convention == "torchmetrics":
        # [e_k, e_{k+1}); f == 1.0 gets index n_bins (an extra bin)
        return np.searchsorted(edges, fc, side="right") - 1
    # netcal: [e_k, e_{k+1}), last bin closed (never reached after clipping)
    return np.minimum(np.searchsorted(edges, fc, side="right") - 1, nb - 1)


class _BinSums(NamedTuple):
    lower: np.ndarray
    upper: np.ndarray
    count: np.ndarray  # float64
    sum_f: np.ndarray | None
    sum_y: np.ndarray | None
    sum_r: np.ndarray  # sum of (f - y) per bin


class _BinAccumulator:
    """Chunk-wise per-bin sums for one binning rule (see :func:`_binned_sums`).

    Called on consecutive pieces of the data.  The sums are accumulated per
    ``_CHUNK`` elements: for each ``_CHUNK``-element part (one
    :func:`numpy.bincount` over a whole piece, with the bin keys of part
    ``k`` offset by ``k * nout``, adds within a part in input order) and then
    into the totals part by part, so the result does not depend on the size
    of the pieces as long as they are multiples of ``_CHUNK`` (except the
    last): :func:`ece` feeds pieces of ``_ECE_BLOCK`` elements, to make
    fewer, longer numpy calls.
    """

    def __init__(self, n_bins, binning, convention, edges, *, need_means=True, need_count=True):
        self.n_bins, self.binning, self.convention, self.edges = n_bins, binning, convention, edges
        nb = edges.shape[0] - 1
        self.nout = nout = nb + 1  # room for torchmetrics' extra bin / the f == 1 overflow
        self.count = np.zeros(nout) if need_count else None
        self.sum_f = np.zeros(nout) if need_means else None
        self.sum_y = np.zeros(nout) if need_means else None
        self.sum_r = np.zeros(nout)
        self.fast = convention == "default" and binning == "width"
        self.scale = n_bins * _EDGE_SNAP
        self._buf = np.empty((2, 0))

    def __call__(self, fc: np.ndarray, yc: np.ndarray) -> None:
        m = fc.shape[0]
        nout = self.nout
        parts = -(-m // _CHUNK)
        if self._buf.shape[1] < m:
            self._buf = np.empty((2, m))
        if self.convention == "netcal":
            eps = np.finfo(np.float64).eps
            fc = np.clip(fc, eps, 1.0 - eps)
        if self.fast:
            # k = floor(f * B * (1 + 2**-36)) (>= 0: f is validated), converted
            # to int64 exactly through the 2**52 bit pattern (k <= B, far
            # below 2**52 for any B whose bins fit in memory), plus the
            # offset of its part
            p = np.multiply(fc, self.scale, out=self._buf[0, :m])
            np.floor(p, out=p)
            np.add(p, _MAGIC, out=p)
            idx = p.view(np.int64)
            for k in range(parts):
                part = idx[k * _CHUNK : (k + 1) * _CHUNK]
                np.subtract(part, _MAGIC_BITS - k * nout, out=part)
        else:
            idx = _bin_index(fc, self.edges, self.convention, self.binning)
            for k in range(1, parts):
                idx[k * _CHUNK : (k + 1) * _CHUNK] += k * nout
        r = self._buf[1, :m]
        if yc.dtype == np.float64:
            np.subtract(fc, yc, out=r)
        else:  # one cast, then a float64 loop: cheaper than a mixed-type subtract
            np.copyto(r, yc)
            np.subtract(fc, r, out=r)
        size = parts * nout
        _add_parts(self.sum_r, np.bincount(idx, weights=r, minlength=size))
        if self.count is not None:
            _add_parts(self.count, np.bincount(idx, minlength=size))
        if self.sum_f is not None:
            _add_parts(self.sum_f, np.bincount(idx, weights=fc, minlength=size))
            _add_parts(self.sum_y, np.bincount(idx, weights=yc, minlength=size))

    def result(self) -> _BinSums:
        edges, nout = self.edges, self.nout
        lower, upper = edges[:-1].copy(), edges[1:].copy()
        torch_extra = self.convention == "torchmetrics" and self.binning == "width"
        if torch_extra:
            lower, upper = np.append(lower, 1.0), np.append(upper, 1.0)

        def fold(a):
            if a is None or torch_extra:
                return a  # torchmetrics keeps its extra bin [1, 1]
            # default width: f*B*(1+2^-36) >= B (f == 1 and a hair below) ->
            # last bin; the other rules never use the overflow slot (zeros)
            a = a.copy()
            a[nout - 2] += a[nout - 1]
            return a[: nout - 1]

        return _BinSums(lower, upper, fold(self.count), fold(self.sum_f),
                        fold(self.sum_y), fold(self.sum_r))


def _add_parts(total: np.ndarray, sums: np.ndarray) -> None:
    """Add the per-part bin sums of :class:`_BinAccumulator` to ``total`` in order."""
    for row in sums.reshape(-1, total.shape[0]):
        total += row


def _accumulator(f, n_bins, binning, convention, **need) -> _BinAccumulator:
    if binning == "mass":
        if convention == "torchmetrics":
            raise ValueError(
                "binning='mass' is not available with convention='torchmetrics' "
                "(torchmetrics only has equal-width bins)"
            )
        edges = _mass_edges(f, n_bins, convention)  # needs all of f first
    else:
        edges = _width_edges(n_bins, convention)
    return _BinAccumulator(n_bins, binning, convention, edges, **need)


def _binned_sums(f, y, n_bins, binning, convention, *, need_means=True, need_count=True) -> _BinSums:
    """Per-bin count, sum of confidences, sum of labels and sum of residuals.

    One chunked pass over (validated) data with :func:`numpy.bincount`.
    """
    acc = _accumulator(f, n_bins, binning, convention, need_means=need_means, need_count=need_count)
    for s in range(0, f.shape[0], _CHUNK):
        acc(f[s : s + _CHUNK], y[s : s + _CHUNK])
    return acc.result()


def _norm_from_sums(sum_r: np.ndarray, count: np.ndarray | None, n: int, norm: str) -> float:
    if norm == "l1":
        return float(np.abs(sum_r).sum() / n)
    nz = count > 0
    gap = sum_r[nz] / count[nz]
    if norm == "l2":
        return float(math.sqrt(max(float(np.sum(count[nz] * gap * gap)) / n, 0.0)))
    return float(np.abs(gap).max())


# ----------------------------------------------------------------------------
# Binned ECE
# ----------------------------------------------------------------------------

def ece(
    confidence,
    correct,
    n_bins: int = 15,
    *,
    binning: str = "width",
    norm: str = "l1",
    convention: str = "default",
    return_bins: bool = False,
):
    r"""Binned expected calibration error (ECE, RMSCE, MCE).

    Parameters
    ----------
    confidence : array-like of shape (n,)
        Confidences :math:`f_i \in [0, 1]`.
    correct : array-like of shape (n,)
        Correctness labels :math:`y_i \in \{0, 1\}` (or booleans).
    n_bins : int, default=15
        Number of bins :math:`B \ge 1`.
    binning : {"width", "mass"}, default="width"
        Equal-width bins, or equal-mass ("adaptive") bins built from the
        sorted confidences (ties are never split; see the module docstring).
    norm : {"l1", "l2", "max"}, default="l1"
        ``"l1"``: :math:`\sum_b \frac{n_b}{n}|\bar y_b - \bar f_b|` (the ECE of
        Naeini et al. [4]_ and Guo et al. [3]_); ``"l2"``: the square root of
        :math:`\sum_b \frac{n_b}{n}(\bar y_b - \bar f_b)^2` (RMS calibration
        error, torchmetrics' and Kumar et al.'s ``p=2``); ``"max"``: the
        largest :math:`|\bar y_b - \bar f_b|` over non-empty bins (MCE).
    convention : {"default", "torchmetrics", "netcal", "kumar"}, default="default"
        Which bin a confidence falls in.  ``"default"``: bin ``k`` is
        ``[k/B, (k+1)/B)`` with the last bin closed, computed as
        ``min(floor(f * B * (1 + 2**-36)), B - 1)`` so that decimal confidences
        on an edge (``0.3`` with 10 bins) land in the bin that edge opens.
        The others reproduce torchmetrics 1.9 ``BinaryCalibrationError``
        (``torch.linspace`` edges, ``[e_k, e_{k+1})``, ``1.0`` in an extra bin),
        netcal 1.4 ``ECE`` (clip to ``[eps, 1-eps]``, ``numpy.linspace`` edges)
        and uncertainty-calibration 0.1.4 ``get_ece`` (edges ``k/B``, bins
        ``(e_{k-1}, e_k]``).  See the module docstring for the exact rules.
    return_bins : bool, default=False
        Also return the per-bin table of :func:`binned_reliability`.

    Returns
    -------
    float or (float, pandas.DataFrame)
        The calibration error in ``[0, 1]``; with ``return_bins=True`` also
        the per-bin table (columns ``bin, lower, upper, count, weight,
        mean_confidence, accuracy, gap``).

    Raises
    ------
    ValueError
        For invalid inputs (see :func:`_check_inputs`) or arguments.

    See Also
    --------
    smece : the kernel-smoothed, binning-free alternative argued for in [9]_.
    debiased_ece : the debiased l2 estimator of Kumar et al. [2]_.
    binned_reliability : the per-bin data behind this number.

    Notes
    -----
    The default l1 path makes one chunked pass over the data with a single
    weighted :func:`numpy.bincount` of the residuals :math:`f_i - y_i`, since
    :math:`\mathrm{ECE}_{\ell_1} = \frac1n\sum_b |\sum_{i\in b}(f_i - y_i)|`.
    The three norms satisfy ``l1 <= l2 <= max``.

    References
    ----------
    .. [2] A. Kumar, P. Liang and T. Ma, "Verified Uncertainty Calibration",
       NeurIPS 2019.
    .. [3] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of
       Modern Neural Networks", ICML 2017.
    .. [4] M. P. Naeini, G. Cooper and M. Hauskrecht, "Obtaining Well
       Calibrated Probabilities Using Bayesian Binning", AAAI 2015.
    .. [9] S. Devic et al., "From Calibration to Collaboration", 2025,
       arXiv:2506.07461, appendix.

    Examples
    --------
    >>> round(ece([0.3, 0.3, 0.9, 0.9], [0, 1, 1, 1], 10), 12)
    0.15
    >>> round(ece([0.3, 0.3, 0.9, 0.9], [0, 1, 1, 1], 10, norm="max"), 12)
    0.2
    """
    n_bins = _check_int(n_bins, "n_bins", 1)
    _check_choice(binning, "binning", BINNINGS)
    _check_choice(norm, "norm", NORMS)
    _check_choice(convention, "convention", CONVENTIONS)
    need = dict(need_means=return_bins, need_count=return_bins or norm != "l1")
    if binning == "width":
        # one pass over memory: the sums are accumulated chunk by chunk while
        # each validated chunk is still in cache
        acc = _accumulator(None, n_bins, binning, convention, **need)
        f, y = _check_inputs(confidence, correct, visit=acc, block=_ECE_BLOCK)
        sums = acc.result()
    else:
        f, y = _check_inputs(confidence, correct)
        sums = _binned_sums(f, y, n_bins, binning, convention, **need)
    value = _norm_from_sums(sums.sum_r, sums.count, f.shape[0], norm)
    if return_bins:
        return value, _bins_frame(sums, f.shape[0])
    return value


def _bins_frame(sums: _BinSums, n: int) -> pd.DataFrame:
    count = sums.count
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_f = np.where(count > 0, sums.sum_f / count, np.nan)
        acc = np.where(count > 0, sums.sum_y / count, np.nan)
    return pd.DataFrame(
        {
            "bin": np.arange(count.shape[0]),
            "lower": sums.lower,
            "upper": sums.upper,
            "count": count.astype(np.int64),
            "weight": count / n,
            "mean_confidence": mean_f,
            "accuracy": acc,
            "gap": acc - mean_f,
        }
    )


def debiased_ece(
    confidence,
    correct,
    n_bins: int = 15,
    *,
    binning: str = "auto",
    convention: str = "default",
) -> float:
    r"""Debiased l2 calibration error of Kumar et al. (2019).

    .. math::

        \widehat{\mathrm{CE}}_2 = \Big(\max\Big\{0,\ \sum_{b:\,n_b \ge 2}
        \frac{n_b}{n}\Big[(\bar f_b - \bar y_b)^2
        - \frac{\bar y_b(1 - \bar y_b)}{n_b - 1}\Big]\Big\}\Big)^{1/2}.

    Subtracting the unbiased estimate of the sampling variance of each bin's
    accuracy removes the upward bias of the plug-in squared error; bins with
    fewer than two predictions contribute nothing (their weight still counts
    in :math:`n`).

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.
    n_bins : int, default=15
        Number of bins for ``"width"`` and ``"mass"`` binning.
    binning : {"auto", "unique", "mass", "width"}, default="auto"
        ``"unique"``: one bin per distinct confidence (Kumar's
        ``get_discrete_bins``; the default convention groups equal values
        exactly, ``"kumar"`` uses Kumar's midpoint edges, which differ only
        for confidences one ulp apart).  ``"auto"``: Kumar's
        ``get_calibration_error`` heuristic -- ``"unique"`` when there are
        fewer than ``n/4`` distinct confidences (a discrete, "binned" model,
        e.g. verbalised LLM confidences), else ``"mass"`` with ``n_bins``.
        ``"mass"`` and ``"width"`` as in :func:`ece`.
    convention : {"default", "torchmetrics", "netcal", "kumar"}, default="default"
        Binning rule, as in :func:`ece`.

    Returns
    -------
    float
        The debiased l2 calibration error.  With ``binning="auto"`` and
        ``convention="kumar"`` this equals
        ``calibration.get_calibration_error(confidence, correct, p=2, debias=True)``
        of uncertainty-calibration 0.1.4.

    References
    ----------
    .. [2] A. Kumar, P. Liang and T. Ma, "Verified Uncertainty Calibration",
       NeurIPS 2019, Section 5 and Appendix.
    """
    f, y = _check_inputs(confidence, correct)
    n_bins = _check_int(n_bins, "n_bins", 1)
    _check_choice(binning, "binning", ("auto", "unique", "mass", "width"))
    _check_choice(convention, "convention", CONVENTIONS)
    n = f.shape[0]
    if binning == "auto":
        n_unique = np.unique(f).shape[0]
        binning = "unique" if n_unique < n / 4.0 else "mass"
    if binning == "unique":
        uniq, inv = np.unique(f, return_inverse=True)
        if convention == "kumar" and uniq.shape[0] > 1:
            edges = np.concatenate([(uniq[:-1] + uniq[1:]) / 2.0, [1.0]])
            inv = np.searchsorted(edges, f, side="left")
            nb = edges.shape[0]
        else:
            nb = uniq.shape[0]
        count = np.bincount(inv, minlength=nb).astype(np.float64)
        sum_f = np.bincount(inv, weights=f, minlength=nb)
        sum_y = np.bincount(inv, weights=y, minlength=nb)
    else:
        sums = _binned_sums(f, y, n_bins, binning, convention)
        count, sum_f, sum_y = sums.count, sums.sum_f, sums.sum_y
    ok = count >= 2
    cnt = count[ok]
    mf = sum_f[ok] / cnt
    my = sum_y[ok] / cnt
    terms = (mf - my) ** 2 - my * (1.0 - my) / (cnt - 1.0)
    sq = float(np.dot(cnt / n, terms))
    return math.sqrt(max(sq, 0.0))


# ----------------------------------------------------------------------------
# Brier, AUROC, risk-coverage
# ----------------------------------------------------------------------------

def brier_score(confidence, correct) -> float:
    r"""Brier score :math:`\frac1n\sum_i (f_i - y_i)^2` of the confidences.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    float
        The mean squared error in ``[0, 1]``; lower is better.  Equal to
        ``sklearn.metrics.brier_score_loss(correct, confidence)``.

    References
    ----------
    .. [6] G. W. Brier, "Verification of Forecasts Expressed in Terms of
       Probability", Monthly Weather Review 78(1), 1950.
    """
    f, y = _check_inputs(confidence, correct)
    total = 0.0
    for s in range(0, f.shape[0], _CHUNK):
        r = f[s : s + _CHUNK] - y[s : s + _CHUNK]
        total += float(np.dot(r, r))
    return total / f.shape[0]


def _tie_groups(f: np.ndarray, y: np.ndarray, descending: bool):
    """Sort by confidence and aggregate per distinct confidence.

    Returns the distinct confidences (in the requested order), the number of
    predictions and the number of correct ones at each.
    """
    order = np.argsort(f, kind="stable")
    fs = f[order]
    ys = np.asarray(y[order], dtype=np.int64)
    start = np.flatnonzero(np.concatenate([[True], fs[1:] != fs[:-1]]))
    values = fs[start]
    size = np.diff(np.concatenate([start, [fs.shape[0]]]))
    pos = np.add.reduceat(ys, start)
    if descending:
        return values[::-1], size[::-1], pos[::-1]
    return values, size, pos


def auroc(confidence, correct) -> float:
    r"""Area under the ROC curve of confidence as a predictor of correctness.

    The probability that a randomly drawn correct answer has a higher
    confidence than a randomly drawn wrong one, ties counting one half (the
    Mann--Whitney statistic :math:`U/(n_1 n_0)`):

    .. math::

        \mathrm{AUROC} = \frac{1}{n_1 n_0}\sum_{i: y_i = 1}\sum_{j: y_j = 0}
        \Big(\mathbb 1[f_i > f_j] + \tfrac12\mathbb 1[f_i = f_j]\Big).

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    float
        AUROC in ``[0, 1]``; 0.5 is chance.  Equal to
        ``sklearn.metrics.roc_auc_score(correct, confidence)``.  The numerator
        is accumulated in exact integer arithmetic, so the result is the
        correctly rounded value of the rational above.

    Raises
    ------
    ValueError
        If ``correct`` contains a single class (all correct or all wrong):
        the AUROC is then undefined.

    References
    ----------
    .. [8] J. A. Hanley and B. J. McNeil, "The Meaning and Use of the Area under
       a Receiver Operating Characteristic (ROC) Curve", Radiology 143(1), 1982.
    """
    f, y = _check_inputs(confidence, correct)
    n = f.shape[0]
    n1 = int(np.count_nonzero(y))
    n0 = n - n1
    if n1 == 0 or n0 == 0:
        which = "all correct (1)" if n0 == 0 else "all wrong (0)"
        raise ValueError(
            f"correct contains a single class ({which} in {n} labels); AUROC "
            "needs at least one correct and one wrong prediction"
        )
    _, size, pos = _tie_groups(f, y, descending=False)
    neg = size - pos
    neg_below = np.concatenate([[0], np.cumsum(neg)[:-1]])
    # 2 U = sum_v pos_v * (2 * neg_below_v + neg_v), exact in Python ints
    twice_u = int(np.dot(pos, 2 * neg_below + neg)) if n < 2**31 else sum(
        int(p) * (2 * int(b) + int(q)) for p, b, q in zip(pos, neg_below, neg)
    )
    return float(Fraction(twice_u, 2 * n1 * n0))


def risk_coverage_curve(confidence, correct):
    r"""Selective risk as a function of coverage, ties grouped.

    Predictions are accepted in order of decreasing confidence.  **Tied
    confidences are accepted or rejected together**, so the curve has one
    point per distinct confidence ``c``: the coverage
    :math:`\frac1n\#\{i: f_i \ge c\}` and the risk (error rate) among those
    accepted predictions.  The result does not depend on the order of the
    input.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    coverage : ndarray of shape (k,)
        Increasing coverages in ``(0, 1]``; the last is 1.
    risk : ndarray of shape (k,)
        Error rate of the accepted predictions at each coverage.
    thresholds : ndarray of shape (k,)
        Decreasing distinct confidences; ``coverage[j]`` is the fraction of
        predictions with confidence ``>= thresholds[j]``.

    See Also
    --------
    aurc : the area under this curve.

    References
    ----------
    .. [7] Y. Geifman, G. Uziel and R. El-Yaniv, "Bias-Reduced Uncertainty
       Estimation for Deep Neural Classifiers", ICLR 2019.
    """
    f, y = _check_inputs(confidence, correct)
    values, size, pos = _tie_groups(f, y, descending=True)
    accepted = np.cumsum(size)
    errors = np.cumsum(size - pos)
    return accepted / f.shape[0], errors / accepted, values


def aurc(confidence, correct) -> float:
    r"""Area under the risk--coverage curve (AURC), ties grouped.

    .. math::

        \mathrm{AURC} = \sum_{g} \frac{m_g}{n}\,\mathrm{risk}_g,

    where the sum runs over the distinct confidences in decreasing order,
    :math:`m_g` is the number of predictions with the ``g``-th confidence and
    :math:`\mathrm{risk}_g` is the error rate among all predictions with
    confidence at least that value (see :func:`risk_coverage_curve`): the area
    under the right-continuous step curve.  Without ties this is the usual
    :math:`\frac1n\sum_{k=1}^n \mathrm{risk}(k)` of Geifman et al. [7]_; with
    ties, tied predictions are accepted or rejected together (never split by
    input order).  Lower is better; a perfect ranking achieves
    :math:`\sum_{k>n_1}(k-n_1)/(kn)` and the value is in ``[0, 1]``.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    float

    References
    ----------
    .. [7] Y. Geifman, G. Uziel and R. El-Yaniv, "Bias-Reduced Uncertainty
       Estimation for Deep Neural Classifiers", ICLR 2019.
    """
    f, y = _check_inputs(confidence, correct)
    _, size, pos = _tie_groups(f, y, descending=True)
    accepted = np.cumsum(size)
    errors = np.cumsum(size - pos)
    return float(np.dot(size / f.shape[0], errors / accepted))


# ----------------------------------------------------------------------------
# SmoothECE: relplot-compatible grid implementation
# ----------------------------------------------------------------------------

def _relplot_grid_size(sigma: float) -> int:
    # GaussianKernel.apply: eval_points = max(2000, round(20 / sigma)); // 2 + 1
    return max(2000, round(20 / sigma)) // 2 + 1


def _relplot_kernel(m: int, sigma: float) -> np.ndarray:
    # GaussianKernel.kernel_ev, verbatim
    t = np.linspace(0, 1, m)
    var = sigma**2
    res = np.exp(-(t - 0.5) * (t - 0.5) / (2 * var))
    res /= np.sqrt(2 * np.pi) * sigma
    return res


def _reflect_convolve(values: np.ndarray, ker: np.ndarray, cut: float = 0.0) -> np.ndarray:
    """``ReflectedGaussianKernel.convolve`` with exactly-zero kernel tails dropped.

    relplot computes ``np.convolve(ext, ker, "valid")[M//2 : M//2 + M]`` with
    ``ext = [values[M-1:0:-1], values, values[M-2::-1]]``, i.e.

        smoothed[i] = sum_d ker[M//2 + d] * ext(i - d),

    where ``ext`` reflects about the end nodes.  (For even ``M`` the sampled
    kernel is centred between two nodes, so relplot's smoothing is shifted by
    half a node; we reproduce that.)  Kernel entries that underflowed to 0
    contribute exactly nothing, so we keep only the non-zero run
    ``ker[z0:z1+1]`` and extend ``values`` by the reflections it reaches.

    With ``cut > 0`` the entries below ``cut`` times the peak are dropped as
    well (the fast path uses ``_KERNEL_CUT = 2**-60``, i.e. ``|t - s| >
    9.1 sigma``).  Each output then misses at most ``cut * peak * 3 n`` (the
    data, of weight at most 1 each, enter at most three times, by the
    reflections), while the smoothed density averages about ``n / 2`` or
    more over the evaluation points; smECE is the sum of the ``|smoothed
    residual|`` over the sum of the density, so it moves by less than ``6 cut
    peak``, ``peak = 1 / (sqrt(2 pi) sigma) <= 400``: below ``2e-15``.
    """
    ext, k, start = _reflect_extend(values, ker, cut)
    out = np.convolve(ext, k, "valid")
    return out[start : start + values.shape[0]]


def _reflect_extend(values: np.ndarray, ker: np.ndarray, cut: float):
    """``ext``, the kernel run ``k`` and the offset of the result for
    :func:`_reflect_convolve` (``np.convolve(ext, k, "valid")[start:start+M]``)."""
    m = values.shape[0]
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


def _reflect_convolve_fft(rows: tuple[np.ndarray, ...], ker: np.ndarray, cut: float) -> np.ndarray:
    """:func:`_reflect_convolve` of several deposits with one kernel, by one
    batched real FFT (fast path of smECE only).  The FFT's rounding error is
    about ``1e-15`` of the largest smoothed value, which moves smECE (a ratio
    of sums over all evaluation points) by about ``1e-15``; a smoothed curve
    far from the data, which rests on tiny values, keeps the direct sum."""
    from scipy import fft

    exts, k, start = None, None, 0
    for i, values in enumerate(rows):
        ext, k, start = _reflect_extend(values, ker, cut)
        if exts is None:
            exts = np.empty((len(rows), ext.shape[0]))
        exts[i] = ext
    size = exts.shape[1] + k.shape[0] - 1
    nfft = fft.next_fast_len(size, real=True)
    full = fft.irfft(fft.rfft(exts, nfft, axis=1) * fft.rfft(k, nfft), nfft, axis=1)
    lo = k.shape[0] - 1 + start  # "valid" part starts at len(k) - 1
    return full[:, lo : lo + rows[0].shape[0]]


def _relplot_interpolate(t: np.ndarray, yv: np.ndarray) -> np.ndarray:
    # kernels.interpolate, verbatim
    buckets_cnt = len(yv)
    bucket_size = 1 / (buckets_cnt - 1)
    inds = (t * (buckets_cnt - 1)).astype(int).clip(0, buckets_cnt - 2)
    residual = (t - inds * bucket_size) / bucket_size
    return yv[inds] * (1 - residual) + yv[inds + 1] * residual


#: From this many predictions on (one full chunk), :class:`_GridDeposit`
#: derives relplot's deposits from per-cell sums (:class:`_CellSums`)
#: instead of depositing every point again for every grid size.  Below it
#: the point-by-point deposit is used (bit-identical to the earlier code;
#: the cost is negligible there).
_CELL_SUMS_MIN_N = _CHUNK

#: Uniform grids (numbers of cells) whose common refinement serves every grid
#: relplot's bandwidth search can reach.  The bisection only evaluates
#: bandwidths 1 and ``k / 1024``: 1000 cells (``M = 1001``) for every
#: bandwidth of at least 0.01, and for ``k = 2 .. 10`` (``k = 1`` is below
#: ``eps`` and never evaluated) 5120, 3413, 2560, 2048, 1706, 1463, 1280,
#: 1138 and 1024 cells; the nodes of 5120, 2560, 2048, 1280 and 1024 are
#: nodes of 10240.  So one pass of cell sums on the common refinement of
#: these six grids (about 19000 cells) gives the deposit of every bandwidth
#: of the search, however far down it goes.
_SEARCH_GRIDS = (10240, 1000, 3413, 1706, 1463, 1138)

#: Fast path of smECE: kernel entries below this fraction of the peak are
#: dropped (see :func:`_reflect_convolve`; smECE moves by < 2e-15).
_KERNEL_CUT = 2.0**-60


def _floor_thresholds(c: int) -> np.ndarray:
    """``x[k-1]`` = the smallest float64 ``x`` with ``floor(fl(x * c)) >= k``,
    ``k = 1 .. c``: where the cell index on a grid of ``c`` cells, computed
    as relplot does, steps up (``fl(x * c)`` is non-decreasing in ``x``)."""
    k = np.arange(1, c + 1, dtype=np.float64)
    cf = float(c)
    x = k / cf  # within an ulp or two of the threshold
    for _ in range(8):
        x = np.where(x * cf < k, np.nextafter(x, 2.0), x)
    for _ in range(8):
        below = np.nextafter(x, -1.0)
        x = np.where(below * cf >= k, below, x)
    if not (np.all(x * cf >= k) and np.all(np.nextafter(x, -1.0) * cf < k)):  # pragma: no cover
        raise AssertionError("cell thresholds did not converge")
    return x


@functools.lru_cache(maxsize=64)
def _cell_map(grids: tuple[int, ...], d: int):
    """For ``d`` dividing one of ``grids``: per cell ``u`` of their refinement,
    ``J_L`` (float), the cell ``j`` of the ``d``-grid, and ``a_u``, ``b``
    such that a point's fraction on the ``d``-grid is ``a_u + b w`` (see
    :meth:`_CellSums.deposit`)."""
    base = grids[0]
    i = next(i for i, c in enumerate(grids) if c % d == 0)
    if len(grids) == 1:
        jl = jc = np.arange(grids[0] + 1)
    else:
        table = _refinement(grids)
        jl, jc = table[:, 0], table[:, i]
    j = jc // (grids[i] // d)
    a = (jl * d - j * base) / base  # exact integer numerator, one rounding
    out = jl.astype(np.float64), j, a
    for arr in out:
        arr.flags.writeable = False
    return (*out, d / base)


@functools.lru_cache(maxsize=8)
def _refinement(grids: tuple[int, ...]) -> np.ndarray:
    """Cell indices on each of ``grids`` for every cell of their common refinement.

    A point ``f`` with cell indices ``J_i = floor(fl(f * grids[i]))`` lies in
    refinement cell ``u = sum_i J_i``: each ``J_i`` counts the thresholds of
    grid ``i`` at or below ``f`` (:func:`_floor_thresholds`), so ``u`` counts
    all of them and row ``u`` of the returned ``(sum(grids) + 1, len(grids))``
    array is the tuple ``(J_i)`` of every point with that ``u``, exactly as
    the float arithmetic gives it.  (Where thresholds of two grids coincide,
    ``u`` skips a value; that row belongs to no point.)
    """
    x = np.concatenate([_floor_thresholds(c) for c in grids])
    which = np.concatenate([np.full(c, i) for i, c in enumerate(grids)])
    steps = np.zeros((x.shape[0] + 1, len(grids)), dtype=np.int64)
    steps[np.arange(1, x.shape[0] + 1), which[np.argsort(x, kind="stable")]] = 1
    table = np.cumsum(steps, axis=0)
    table.flags.writeable = False
    return table


class _CellSums:
    """Sums of the data over the cells of the common refinement of ``grids``.

    ``grids`` are numbers of cells of uniform grids on [0, 1]; the first,
    ``L``, gives the local coordinate.  A point ``f`` has, on each grid
    ``c``, relplot's cell index ``J_c = floor(t_c)``, ``t_c = fl(f * c)``
    (its ``bins`` for a grid of ``c + 1`` nodes), and lies in cell
    ``u = sum_c J_c`` of the refinement (:func:`_refinement`).  For every
    ``u`` and label ``y`` in {0, 1} we keep the count, the sum of ``w = t_L -
    J_L`` (relplot's ``frac`` on grid ``L``) and, with ``need_sq``, the sum
    of ``w**2``: three :func:`numpy.bincount` calls on the key ``2 u + y``
    per chunk.

    These determine relplot's linear deposit exactly (up to rounding) on
    every grid of ``d`` cells with ``d`` dividing one of ``grids``: see
    :meth:`deposit`.
    """

    def __init__(self, grids: tuple[int, ...], need_sq: bool):
        self.grids = tuple(int(c) for c in grids)
        self.ncells = sum(self.grids) + 1
        self.nkeys = 2 * self.ncells
        self.count = np.zeros(self.nkeys, dtype=np.int64)
        self.sum_w = np.zeros(self.nkeys)
        self.sum_ww = np.zeros(self.nkeys) if need_sq else None
        self.rows = 0
        self._buf = None
        self._cells = None

    def covers(self, d: int) -> bool:
        return any(c % d == 0 for c in self.grids)

    def __call__(self, fc: np.ndarray, yc: np.ndarray) -> None:
        """Add one chunk (validated: ``fc`` in [0, 1], ``yc`` 0/1)."""
        m = fc.shape[0]
        if self._buf is None or self._buf.shape[1] < m:
            self._buf = np.empty((3, m))
        t, k, tmp = self._buf[0, :m], self._buf[1, :m], self._buf[2, :m]
        np.multiply(fc, float(self.grids[0]), out=t)
        np.floor(t, out=k)
        np.subtract(t, k, out=t)  # w, exact
        for c in self.grids[1:]:
            np.multiply(fc, float(c), out=tmp)
            np.floor(tmp, out=tmp)
            np.add(k, tmp, out=k)  # u, an exact small integer
        np.add(k, k, out=k)
        np.add(k, yc, out=k)  # 2 u + y
        np.add(k, _MAGIC, out=k)
        key = k.view(np.int64)
        np.subtract(key, _MAGIC_BITS, out=key)
        self.count += np.bincount(key, minlength=self.nkeys)
        self.sum_w += np.bincount(key, weights=t, minlength=self.nkeys)
        if self.sum_ww is not None:
            np.multiply(t, t, out=t)
            self.sum_ww += np.bincount(key, weights=t, minlength=self.nkeys)
        self.rows += m

    def _per_cell(self):
        """Per refinement cell: ``n``, ``n_1``, ``sum(w)``, ``sum_{y=1}(w)``
        and ``sum(w**2)`` (``None`` without ``need_sq``), as float64."""
        if self._cells is None or self._cells[0] != self.rows:
            n0 = self.count[0::2].astype(np.float64)
            n1 = self.count[1::2].astype(np.float64)
            w1 = self.sum_w[1::2]
            sww = None if self.sum_ww is None else self.sum_ww[0::2] + self.sum_ww[1::2]
            self._cells = (self.rows, (n0 + n1, n1, self.sum_w[0::2] + w1, w1, sww))
        return self._cells[1]

    def coarsen(self, d: int) -> "_CellSums":
        """The same sums on the ``d``-grid alone (``d`` dividing a grid):
        per cell, ``sum(w') = a n + b sum(w)`` and ``sum(w'**2) = a**2 n +
        2 a b sum(w) + b**2 sum(w**2)`` with ``w' = a + b w`` (see
        :meth:`deposit`); later chunks then go to the cheaper sums."""
        _, j, a, b = _cell_map(self.grids, d)
        out = _CellSums((d,), need_sq=self.sum_ww is not None)
        key = np.repeat(2 * j, 2) + np.tile([0, 1], self.ncells)
        a2 = np.repeat(a, 2)
        n = self.count.astype(np.float64)
        out.count = np.bincount(key, weights=n, minlength=out.nkeys).round().astype(np.int64)
        out.sum_w = np.bincount(key, weights=a2 * n + b * self.sum_w, minlength=out.nkeys)
        if self.sum_ww is not None:
            ww = a2 * a2 * n + 2 * a2 * b * self.sum_w + b * b * self.sum_ww
            out.sum_ww = np.bincount(key, weights=ww, minlength=out.nkeys)
        out.rows = self.rows
        return out

    def deposit(self, m: int, names: tuple[str, ...]) -> dict[str, np.ndarray]:
        """relplot's deposit on ``m`` nodes; ``d = m - 1`` must divide a grid.

        Take a grid ``c`` of ``grids`` that ``d`` divides, ``q = c / d``.  A
        point in refinement cell ``u`` lies in cell ``j = J_c // q`` of the
        ``d``-grid, and with ``f = (J_L + w) / L`` (``t_L`` is ``f * L``
        rounded once, relative error ``2**-53``) at fraction ``f d - j = a_u
        + (d / L) w``, ``a_u = (J_L d - j L) / L``: linear in ``w`` within the
        cell.  So the deposit of a weight ``v`` is, per cell, ``hi = a_u
        sum(v) + (d / L) sum(w v)`` on node ``j + 1`` and ``sum(v) - hi`` on
        node ``j``.  For ``v = 1`` and ``v = y`` the sums are kept; for the
        residual ``v = f - y``, ``sum(f - y) = (J_L n + sum(w)) / L - n_1``
        and ``sum(w (f - y)) = (J_L sum(w) + sum(w**2)) / L - sum_{y=1}(w)``.
        Compared with depositing every point (relplot), only the rounding
        differs: about ``1e-16`` relative to the deposited mass (the
        fraction of each point differs from relplot's by a few ulps of
        ``f * L``).
        """
        base = self.grids[0]
        jl, j, a, b = _cell_map(self.grids, m - 1)
        n, n1, sw, w1, sww = self._per_cell()
        out = {}
        for name in names:
            if name == "one":
                tot, lin = n, sw
            elif name == "y":
                tot, lin = n1, w1
            else:  # "r"
                tot = (jl * n + sw) / base - n1
                lin = (jl * sw + sww) / base - w1
            hi = a * tot + b * lin
            lo = tot - hi
            dep = np.bincount(j, weights=lo, minlength=m + 1)
            dep[1:] += np.bincount(j, weights=hi, minlength=m + 1)[:-1]
            # the last entry got hi of the cells with j = d only, where f is 1
            # or within an ulp of it and the fraction 0 up to rounding
            out[name] = dep[:m]
        return out


#: A bandwidth search starts its validation pass on the fine cells of
#: ``_SEARCH_GRIDS``; after this many rows it estimates smECE at bandwidth
#: ``_PROBE_SIGMA`` (the last one of the search above 0.01) from them, and if
#: that exceeds ``_PROBE_LIMIT`` -- the search, which descends below 0.01
#: only if smECE there is at most ``_PROBE_SIGMA``, will almost surely stay
#: at bandwidths >= 0.01, on the 1000-cell grid -- it folds the sums into
#: that grid and continues there, at about half the cost per point.  Only
#: speed depends on this guess: a search that descends after all gets one
#: more pass, on the fine cells.
_PROBE_ROWS = 4 * _CHUNK
_PROBE_SIGMA = 16 / 1024
_PROBE_LIMIT = 2 * _PROBE_SIGMA


class _FirstPass:
    """``visit`` for :func:`_check_inputs`: fills :class:`_CellSums` during the
    validation pass -- on the grid of ``sigma``, or for a search
    (``sigma=None``) on the refinement of ``_SEARCH_GRIDS`` with the probe
    described at ``_PROBE_ROWS`` -- unless the data are a single partial
    chunk (fewer than ``_CELL_SUMS_MIN_N`` points; point-wise path)."""

    def __init__(self, sigma: float | None, need_sq: bool):
        self.grids = _SEARCH_GRIDS if sigma is None else (_relplot_grid_size(float(sigma)) - 1,)
        self.need_sq = need_sq
        self.sums: _CellSums | None = None  # allocated at the first full chunk
        self.probed = sigma is not None

    def __call__(self, fc: np.ndarray, yc: np.ndarray) -> None:
        if self.sums is None:
            if fc.shape[0] < _CELL_SUMS_MIN_N:
                return
            self.sums = _CellSums(self.grids, self.need_sq)
        self.sums(fc, yc)
        if not self.probed and self.sums.rows >= _PROBE_ROWS:
            self.probed = True
            coarse = _relplot_grid_size(1.0) - 1
            dep = self.sums.deposit(coarse + 1, ("r", "one"))
            if _smece_on_grid(dep, _PROBE_SIGMA, _KERNEL_CUT) > _PROBE_LIMIT:
                self.sums = self.sums.coarsen(coarse)


class _GridDeposit:
    """Linear deposits of the data onto relplot's grids, cached per grid size.

    ``names`` selects the per-point weights to deposit: ``"r"`` the residual
    ``f - y``, ``"y"`` the label, ``"one"`` the constant 1 (for the density).
    For a grid of ``M`` nodes, prediction ``f`` sits between nodes
    ``j = floor(f (M-1))`` and ``j + 1`` at fraction ``w = f (M-1) - j`` and
    adds ``(1 - w) * weight`` to node ``j`` and ``w * weight`` to node ``j+1``
    (``relplot.kernels.smooth_round_to_grid``).  This is the only place where
    the ``n`` data points enter; everything after it costs ``O(M)``.

    From ``_CELL_SUMS_MIN_N`` points on, one chunked pass collects
    :class:`_CellSums`, from which the deposits follow in ``O(cells)``: for
    a bandwidth search (``search=True``) on the refinement of
    ``_SEARCH_GRIDS``, which serves every grid size the search can reach --
    where relplot's grid changes at every bisection step below bandwidth
    0.01, the data are still read once -- otherwise on the ``M - 1`` cells of
    the one grid.  ``first`` are cell sums already collected during
    validation.  Every pass is chunked: extra memory is ``O(chunk + cells)``
    whatever ``n`` is.
    """

    def __init__(self, f: np.ndarray, y: np.ndarray, names: tuple[str, ...], *,
                 search: bool = False, first: _CellSums | None = None):
        self.f = f
        self.y = y
        self.names = names
        self.search = search
        self.use_sums = f.shape[0] >= _CELL_SUMS_MIN_N
        self._cache: dict[int, dict[str, np.ndarray]] = {}
        self._points: dict[int, dict[str, np.ndarray]] = {}
        self._sums: list[_CellSums] = []
        if first is not None and self.use_sums and first.rows == f.shape[0]:
            self._sums.append(first)

    def __call__(self, m: int) -> dict[str, np.ndarray]:
        """The deposits on ``m`` nodes (from cell sums from ``_CELL_SUMS_MIN_N`` points on)."""
        if not self.use_sums:
            return self.points(m)
        if m not in self._cache:
            self._cache[m] = self._from_sums(m)
        return self._cache[m]

    def points(self, m: int) -> dict[str, np.ndarray]:
        """The point-by-point deposits on ``m`` nodes."""
        if m not in self._points:
            self._points[m] = self._deposit(m)
        return self._points[m]

    def _from_sums(self, m: int) -> dict[str, np.ndarray]:
        d = m - 1
        for sums in self._sums:
            if sums.covers(d):
                return sums.deposit(m, self.names)
        search = self.search and any(c % d == 0 for c in _SEARCH_GRIDS)
        sums = _CellSums(_SEARCH_GRIDS if search else (d,), need_sq="r" in self.names)
        f, y = self.f, self.y
        for s in range(0, f.shape[0], _CHUNK):
            sums(f[s : s + _CHUNK], y[s : s + _CHUNK])
        self._sums.append(sums)
        return sums.deposit(m, self.names)

    def _deposit(self, m: int) -> dict[str, np.ndarray]:
        f, y = self.f, self.y
        n = f.shape[0]
        out = {name: np.zeros(m) for name in self.names}
        scale = float(m - 1)
        for s in range(0, n, _CHUNK):
            fc = f[s : s + _CHUNK]
            t = fc * scale
            # no clip needed: f == 1 gives j = M-1 with w = 0, which puts the
            # same weight on node M-1 as relplot's clipped j = M-2, w = 1
            j = t.astype(np.intp)
            w = t - j
            om = 1 - w
            for name in self.names:
                if name == "one":
                    lo, hi = om, w
                else:
                    wc = fc - y[s : s + _CHUNK] if name == "r" else y[s : s + _CHUNK]
                    lo, hi = om * wc, w * wc  # relplot: (1-frac)*y and frac*y
                acc = out[name]
                acc += np.bincount(j, weights=lo, minlength=m)
                acc[1:] += np.bincount(j, weights=hi, minlength=m)[: m - 1]
        return out


def _bad_sigma(sigma) -> bool:
    return isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.floating)) or not (0 < sigma <= 1)


def _first_pass(sigma, need_sq: bool) -> _FirstPass | None:
    """The ``visit`` that collects cell sums during validation; ``None`` for
    an invalid ``sigma`` (which raises after validation)."""
    if sigma is not None and _bad_sigma(sigma):
        return None
    return _FirstPass(sigma, need_sq)


def _relplot_apply(values: np.ndarray, sigma: float, x_eval: np.ndarray, cut: float = 0.0) -> np.ndarray:
    m = values.shape[0]
    smoothed = _reflect_convolve(values, _relplot_kernel(m, sigma), cut)
    return _relplot_interpolate(x_eval, smoothed)


def _relplot_grid(deposit: _GridDeposit, sigma: float, exact: bool = False, curve: bool = False):
    """The deposits for bandwidth ``sigma`` and the kernel cut to use with them:
    the fast path (cell sums, and ``_KERNEL_CUT`` unless for a ``curve``) from
    ``_CELL_SUMS_MIN_N`` points on unless ``exact``, else the point-wise
    deposit and the full kernel.  The cut moves smECE by less than 1e-18 but
    would change a smoothed curve where the data are far away and its value
    rests on the kernel's tails (the accuracy there is a ratio of two tiny
    sums), so curves keep the full kernel."""
    m = _relplot_grid_size(sigma)
    if deposit.use_sums and not exact:
        return deposit(m), 0.0 if curve else _KERNEL_CUT
    return deposit.points(m), 0.0


def _relplot_smooth(deposit: _GridDeposit, num: str, sigma: float, x_eval: np.ndarray,
                    exact: bool = False, curve: bool = False):
    """``BaseKernelMixin.smooth``: smoothed ``num`` over smoothed ones, and density."""
    dep, cut = _relplot_grid(deposit, sigma, exact, curve)
    return _smooth_on_grid(dep, num, sigma, x_eval, cut)


def _smooth_on_grid(dep: dict[str, np.ndarray], num: str, sigma: float, x_eval: np.ndarray, cut: float):
    if not cut:
        ys = _relplot_apply(dep[num], sigma, x_eval)
        dens = _relplot_apply(dep["one"], sigma, x_eval) + _RELPLOT_EPS_DENSITY
        return ys / dens, dens
    # fast path (smECE from cell sums): both deposits in one FFT convolution
    ker = _relplot_kernel(dep[num].shape[0], sigma)
    smoothed = _reflect_convolve_fft((dep[num], dep["one"]), ker, cut)
    ys = _relplot_interpolate(x_eval, smoothed[0])
    dens = _relplot_interpolate(x_eval, smoothed[1]) + _RELPLOT_EPS_DENSITY
    return ys / dens, dens


def _relplot_smece_at(deposit: _GridDeposit, sigma: float, exact: bool = False) -> float:
    """``relplot.metrics.smooth_ece``: smECE at a fixed bandwidth on the grid."""
    dep, cut = _relplot_grid(deposit, sigma, exact)
    return _smece_on_grid(dep, sigma, cut)


def _smece_on_grid(dep: dict[str, np.ndarray], sigma: float, cut: float) -> float:
    ev_points = max(round(10 / sigma), _RELPLOT_MESH_PTS)
    t = np.linspace(0, 1, ev_points)
    rs, density = _smooth_on_grid(dep, "r", sigma, t, cut)
    return float(np.sum(np.abs(rs) * density) / np.sum(density))


#: A bisection step whose fast-path smECE lies within this of the bandwidth
#: is re-evaluated with the point-wise deposit and the full kernel, so the
#: fast path (which differs from it by about 1e-16) never flips a decision.
_DECISION_GUARD = 1e-12


def _relplot_search(deposit: _GridDeposit) -> tuple[float, float]:
    """``relplot.metrics.smECE``: 10-step bisection, upper bracket returned."""
    memo: dict[float, float] = {}

    def value(alpha):
        if alpha not in memo:
            v = _relplot_smece_at(deposit, alpha)
            if deposit.use_sums and abs(v - alpha) <= _DECISION_GUARD:
                v = _relplot_smece_at(deposit, alpha, exact=True)
            memo[alpha] = v
        return memo[alpha]

    def check(alpha):
        return alpha < _RELPLOT_EPS_SIGMA or alpha < value(alpha)

    if check(1):
        sigma = 1
    else:
        start, end = 1, 0
        for _ in range(_RELPLOT_REFINE):
            mid = (start + end) / 2
            if check(mid):
                end = mid
            else:
                start = mid
        sigma = start
    return value(sigma), float(sigma)


# ----------------------------------------------------------------------------
# SmoothECE: the continuous definition
# ----------------------------------------------------------------------------

#: Images of the reflected kernel farther than this many bandwidths from
#: [0, 1] carry less than 1e-19 of their mass into [0, 1] and are dropped.
_IMAGE_REACH = 9.0


def _images(u: np.ndarray, w: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Centres and weights of the reflected-Gaussian images of points ``u``.

    ``K(t, s) = sum_k phi(t - s - 2k) + phi(t + s - 2k)``; returns the
    centres ``+-s + 2k`` within ``_IMAGE_REACH * sigma`` of ``[0, 1]`` (all
    others are negligible in double precision), each carrying the weight of
    its point.
    """
    kmax = 1 + int(math.ceil((1 + _IMAGE_REACH * sigma) / 2))
    shifts = 2.0 * np.arange(-kmax, kmax + 1)
    c = np.concatenate([u[:, None] + shifts, -u[:, None] + shifts], axis=1)
    wt = np.broadcast_to(w[:, None], c.shape)
    reach = _IMAGE_REACH * sigma
    keep = (c >= -reach) & (c <= 1 + reach)
    return c[keep], wt[keep]


def _gauss_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """P(a < Z < b) for a standard normal Z, accurate in both tails."""
    from scipy.special import ndtr

    return np.where(a > 0, ndtr(-a) - ndtr(-b), ndtr(b) - ndtr(a))


class _ContinuousSmoother:
    """Exact reflected-Gaussian smoothing of residuals aggregated per distinct f."""

    def __init__(self, f: np.ndarray, r: np.ndarray):
        self.u, inv = np.unique(f, return_inverse=True)
        self.R = np.bincount(inv, weights=r)  # summed residual f - y per distinct f
        self.n = f.shape[0]

    @staticmethod
    def _blocks(npts: int, ncent: int):
        step = max(1, (1 << 21) // max(1, npts))
        return range(0, ncent, step), step

    def S(self, t: np.ndarray, sigma: float, c: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Smoothed residual (1/n) sum_i K(t, f_i) (f_i - y_i) at points t."""
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        out = np.zeros(t.shape[0])
        starts, step = self._blocks(t.shape[0], c.shape[0])
        for s in starts:
            z = (t[:, None] - c[None, s : s + step]) / sigma
            out += np.exp(-0.5 * z * z) @ w[s : s + step]
        return out / (math.sqrt(2 * math.pi) * sigma * self.n)

    def integral(self, a, b, sigma: float, c: np.ndarray, w: np.ndarray) -> np.ndarray:
        """(1/n) sum_i (f_i - y_i) int_a^b K(t, f_i) dt for interval arrays a, b."""
        out = np.zeros(a.shape[0])
        starts, step = self._blocks(a.shape[0], c.shape[0])
        for s in starts:
            cc = c[None, s : s + step]
            out += _gauss_mass((a[:, None] - cc) / sigma, (b[:, None] - cc) / sigma) @ w[s : s + step]
        return out / self.n

    def smece_at(self, sigma: float) -> float:
        from scipy.optimize import brentq

        c, w = _images(self.u, self.R, sigma)
        mesh = np.linspace(0.0, 1.0, int(math.ceil(16.0 / sigma)) + 1)
        vals = self.S(mesh, sigma, c, w)
        # exact zeros on the mesh are cuts themselves; sign changes between
        # neighbouring mesh points are refined with Brent's method
        cuts = list(mesh[1:-1][vals[1:-1] == 0])

        def s_at(t):
            return float(self.S(np.array([t]), sigma, c, w)[0])

        for i in np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0):
            a, b = mesh[i], mesh[i + 1]
            sa, sb = s_at(a), s_at(b)
            if sa * sb < 0:
                cuts.append(brentq(s_at, a, b, xtol=1e-15, rtol=4 * np.finfo(float).eps))
            else:
                # the batched and the scalar sum disagree in the last bits: S
                # is zero to rounding at an end point, which is the crossing
                cuts.append(a if abs(sa) <= abs(sb) else b)
        pts = np.array([0.0, *sorted(cuts), 1.0])
        return float(np.abs(self.integral(pts[:-1], pts[1:], sigma, c, w)).sum())

    def fixed_point(self) -> tuple[float, float]:
        from scipy.optimize import brentq

        if not np.any(self.R):
            return 0.0, 0.0  # smECE_sigma == 0 for every sigma
        top = self.smece_at(1.0)
        if top >= 1.0:
            return top, 1.0
        lo = 0.5
        while self.smece_at(lo) <= lo:
            lo /= 2
            if lo < 1e-6:  # pragma: no cover - only for pathological inputs
                raise ValueError("smECE fixed point below 1e-6; use method='relplot'")
        sigma = brentq(lambda s: self.smece_at(s) - s, lo, min(1.0, 2 * lo), xtol=1e-12)
        return self.smece_at(sigma), float(sigma)


def smece(
    confidence,
    correct,
    *,
    return_bandwidth: bool = False,
    method: str = "relplot",
    sigma: float | None = None,
):
    r"""SmoothECE (smECE): kernel-smoothed calibration error (Błasiok & Nakkiran).

    .. math::

        \mathrm{smECE}_\sigma = \frac1n\int_0^1\Big|\sum_i K_\sigma(t, f_i)
        (f_i - y_i)\Big|\,dt,

    with the reflected Gaussian kernel :math:`K_\sigma` on ``[0, 1]``, at the
    bandwidth :math:`\sigma^*` solving :math:`\mathrm{smECE}_{\sigma^*} =
    \sigma^*`.  Unlike binned ECE it is continuous in the predictions and
    needs no bin-count choice, which is why the appendix of [9]_ recommends it.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.
    return_bandwidth : bool, default=False
        Also return the bandwidth ``sigma`` used.
    method : {"relplot", "continuous"}, default="relplot"
        ``"relplot"`` reproduces ``relplot.smECE`` 1.0.3 (``relplot.smECE_sigma``
        when ``sigma`` is given) to within 1e-7 absolute -- in our tests to
        within 1e-15 -- including its grid, kernel truncation, end-point
        reflection, density epsilon and 10-step bisection (listed in the module
        docstring).  ``"continuous"`` evaluates the definition exactly (no
        grid, reflected kernel with all images, exact integral) and finds the
        fixed point with Brent's method; it costs ``O(n_distinct / sigma)`` per
        bandwidth and agrees with ``"relplot"`` to within ``1e-3`` on
        well-behaved data (module docstring).
    sigma : float, optional
        A fixed bandwidth in ``(0, 1]`` instead of the fixed point.

    Returns
    -------
    float or (float, float)
        smECE in ``[0, 1]``, and the bandwidth when ``return_bandwidth=True``
        (for the default method, a multiple of ``2**-10`` at or just above the
        fixed point; exactly 1 if smECE at bandwidth 1 is at least 1).

    Notes
    -----
    Where ``method="relplot"`` (relplot's numerics) departs from the
    definition above -- details in the module docstring: (1) the kernel is
    applied on a grid of ``max(2000, round(20/sigma)) // 2 + 1`` nodes after a
    linear deposit of each prediction onto its two neighbouring nodes;
    (2) the Gaussian is truncated at ``|t - s| = 1/2``; (3) the grid is
    reflected once about its end nodes without duplicating them, so a
    prediction exactly at 0 or 1 keeps half of its kernel mass; (4) ``1e-4``
    is added to the smoothed density; (5) the integral is an average over
    ``max(round(10/sigma), 200)`` points normalised by the discretised
    density; (6) for even grid sizes (bandwidths below 0.01) the kernel is
    centred half a node off; (7) the bandwidth comes from 10 bisection steps
    on ``[0, 1]`` (bandwidths below 0.001 count as too small) and is the upper
    bracket.  relplot validates nothing; we validate the inputs first.

    With ``method="relplot"`` the data enter only through two linear
    deposits onto the grid, after which each of the 11 bandwidths of the
    bisection costs ``O(M * half-width)`` on the grid; relplot instead
    re-deposits all ``n`` points twice per bandwidth with
    :func:`numpy.add.at`.  Below 32768 predictions the deposits are made point
    by point, once per grid size (the grid has 1001 nodes for every bandwidth
    of at least 0.01).  From 32768 predictions on, one chunked pass, fused
    with the input validation, collects per-cell sums -- count, sum and sum of
    squares of the fractional position, per label -- from which the deposits
    follow exactly up to rounding: for a bandwidth search on the common
    refinement of six grids (about 19000 cells) that contains every grid the
    search can reach, so the data are read once even when the bandwidth
    falls below 0.01, where relplot's grid size changes at every bisection
    step.  (After 131072 points the pass estimates smECE at bandwidth
    ``16/1024``; when that is well above it, the search will almost surely
    stay at bandwidths of 0.01 or more, and the pass continues on the 1000
    cells of their grid, which costs about half as much per point; a wrong
    guess costs one more pass, never accuracy.)  For smECE this path also
    drops kernel weights below ``2**-60`` of the peak and smooths both
    deposits with one batched FFT (the curves of :func:`smooth_reliability`
    keep the direct sum with the full kernel).  It agrees with the point-wise
    path to within ``1e-15`` in our tests (they require ``1e-12``), and a
    bisection step whose value lies within ``1e-12`` of its threshold is
    recomputed point-wise, so the rounding differences cannot change the
    bandwidth.  Extra memory is ``O(chunk + cells)``, independent of ``n``.

    References
    ----------
    .. [1] J. Błasiok and P. Nakkiran, "Smooth ECE: Principled Reliability
       Diagrams via Kernel Smoothing", ICLR 2024.  arXiv:2309.12236.
    .. [9] S. Devic et al., "From Calibration to Collaboration", 2025,
       arXiv:2506.07461, appendix.

    Examples
    --------
    All residuals ``f - y`` of this sample are negative, so the smoothed
    residual never changes sign and the exact smECE is the absolute mean
    residual, 0.15, at every bandwidth; relplot's numerics give slightly less:

    >>> round(smece([0.3, 0.3, 0.9, 0.9], [0, 1, 1, 1], method="continuous"), 12)
    0.15
    >>> round(smece([0.3, 0.3, 0.9, 0.9], [0, 1, 1, 1]), 6)
    0.149776
    """
    first = _first_pass(sigma, need_sq=True) if method == "relplot" else None
    f, y = _check_inputs(confidence, correct, visit=first)
    _check_choice(method, "method", ("relplot", "continuous"))
    if sigma is not None:
        if _bad_sigma(sigma):
            raise ValueError(f"sigma must be a number in (0, 1]; found {sigma!r}")
        sigma = float(sigma)
    if method == "continuous":
        sm = _ContinuousSmoother(f, f - y)
        if sigma is None:
            value, bw = sm.fixed_point()
        else:
            value, bw = sm.smece_at(sigma), sigma
    else:
        deposit = _GridDeposit(f, y, ("r", "one"), search=sigma is None, first=None if first is None else first.sums)
        if sigma is None:
            value, bw = _relplot_search(deposit)
        else:
            value, bw = _relplot_smece_at(deposit, sigma), sigma
    return (value, bw) if return_bandwidth else value


# ----------------------------------------------------------------------------
# Reliability-diagram data
# ----------------------------------------------------------------------------

def binned_reliability(
    confidence,
    correct,
    n_bins: int = 15,
    *,
    binning: str = "width",
    convention: str = "default",
    n_boot: int = 0,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Per-bin data of a binned reliability diagram.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.
    n_bins, binning, convention
        As in :func:`ece` (with ``convention="torchmetrics"`` the table has an
        extra last row for the bin ``[1, 1]``).
    n_boot : int, default=0
        Number of bootstrap resamples for a band on each bin's accuracy; 0
        for none.
    seed : int, default=0
        Seed of the :class:`numpy.random.Generator`; the same seed gives the
        same numbers.
    alpha : float, default=0.05
        The band is the ``(alpha/2, 1 - alpha/2)`` percentile interval.

    Returns
    -------
    pandas.DataFrame
        One row per bin (empty bins included, with NaN means): ``bin``,
        ``lower``, ``upper`` (bin edges), ``count``, ``weight`` (``count/n``),
        ``mean_confidence``, ``accuracy``, ``gap`` (``accuracy -
        mean_confidence``) and, when ``n_boot > 0``, ``accuracy_lower`` and
        ``accuracy_upper``.  ``(weight * abs(gap)).sum()`` is :func:`ece`.

    Notes
    -----
    The bins are fixed from the full sample; the bootstrap resamples the
    ``n`` (confidence, label) pairs with replacement.  A bin's accuracy in a
    resample depends only on how many of its correct and wrong predictions are
    drawn, so each replicate is drawn exactly as a multinomial over the
    ``(bin, label)`` cells (``O(n_bins)`` per replicate).  Bins that are empty
    in a replicate are skipped for that replicate.
    """
    f, y = _check_inputs(confidence, correct)
    n_bins = _check_int(n_bins, "n_bins", 1)
    _check_choice(binning, "binning", BINNINGS)
    _check_choice(convention, "convention", CONVENTIONS)
    n_boot = _check_int(n_boot, "n_boot", 0)
    alpha = _check_alpha(alpha)
    sums = _binned_sums(f, y, n_bins, binning, convention)
    df = _bins_frame(sums, f.shape[0])
    if n_boot:
        rng = np.random.default_rng(seed)
        n = f.shape[0]
        cells = np.concatenate([sums.sum_y, sums.count - sums.sum_y])
        cells = np.rint(cells).astype(np.int64)
        draws = rng.multinomial(n, cells / n, size=n_boot).astype(np.float64)
        k = sums.count.shape[0]
        pos, tot = draws[:, :k], draws[:, :k] + draws[:, k:]
        with np.errstate(invalid="ignore", divide="ignore"):
            acc = np.where(tot > 0, pos / tot, np.nan)
        lo, hi = _nan_percentiles(acc, alpha)
        df["accuracy_lower"] = lo
        df["accuracy_upper"] = hi
    return df


def _nan_percentiles(samples: np.ndarray, alpha: float):
    """Column-wise (alpha/2, 1-alpha/2) percentiles ignoring NaN; NaN if all NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanpercentile(samples, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    return q[0], q[1]


def smooth_reliability(
    confidence,
    correct,
    *,
    sigma: float | None = None,
    n_points: int = 200,
    n_boot: int = 0,
    seed: int = 0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    r"""Kernel-smoothed reliability curve (relplot's), density and bootstrap band.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.
    sigma : float, optional
        Bandwidth in ``(0, 1]``; by default the smECE bandwidth
        (``smece(..., return_bandwidth=True)[1]``), as in relplot's
        ``prepare_rel_diagram``.
    n_points : int, default=200
        Number of equally spaced evaluation points on ``[0, 1]`` (relplot's
        ``config.plot_mesh_pts``).
    n_boot : int, default=0
        Bootstrap resamples for a pointwise band on the curve; 0 for none.
    seed : int, default=0
        Seed of the :class:`numpy.random.Generator`.
    alpha : float, default=0.05
        The band is the pointwise ``(alpha/2, 1 - alpha/2)`` percentile
        interval.

    Returns
    -------
    pandas.DataFrame
        One row per evaluation point: ``confidence`` (the point ``t``),
        ``accuracy`` (the Nadaraya--Watson estimate of
        :math:`E[y \mid f = t]`, equal to relplot's
        ``KernelSmoother(ReflectedGaussianKernel(sigma))`` prediction),
        ``density`` (relplot's ``ReflectedGaussianKernel(sigma).kde``, a
        density of the confidences on ``[0, 1]``, except that predictions at
        exactly 0 or 1 count half) and, when ``n_boot > 0``,
        ``accuracy_lower`` / ``accuracy_upper``.  ``df.attrs`` holds
        ``sigma`` and ``smece``.

    Notes
    -----
    The curve uses relplot's grid numerics (see the module docstring),
    including its density epsilon ``1e-4`` in the denominator.  The bootstrap
    resamples the pairs with replacement and keeps the bandwidth fixed (as
    relplot's bagged band does); each replicate re-deposits the resample onto
    the grid, ``O(n)``.  The curve itself is the estimate on the full sample
    (relplot's ``prepare_rel_diagram`` plots the mean of its bootstrap
    curves instead).
    """
    first = _first_pass(sigma, need_sq=True)
    f, y = _check_inputs(confidence, correct, visit=first)
    n_points = _check_int(n_points, "n_points", 2)
    n_boot = _check_int(n_boot, "n_boot", 0)
    alpha = _check_alpha(alpha)
    yf = np.asarray(y, dtype=np.float64)
    deposit = _GridDeposit(f, yf, ("r", "y", "one"), search=sigma is None, first=None if first is None else first.sums)
    if sigma is None:
        value, sigma = _relplot_search(deposit)
    else:
        if _bad_sigma(sigma):
            raise ValueError(f"sigma must be a number in (0, 1]; found {sigma!r}")
        sigma = float(sigma)
        value = _relplot_smece_at(deposit, sigma)
    t = np.linspace(0, 1, n_points)
    mu, _ = _relplot_smooth(deposit, "y", sigma, t, curve=True)
    dep, cut = _relplot_grid(deposit, sigma, curve=True)
    density = _relplot_apply(dep["one"], sigma, t, cut) / f.shape[0]
    df = pd.DataFrame({"confidence": t, "accuracy": mu, "density": density})
    if n_boot:
        rng = np.random.default_rng(seed)
        n = f.shape[0]
        curves = np.empty((n_boot, n_points))
        for b in range(n_boot):
            idx = rng.integers(0, n, size=n)
            boot = _GridDeposit(f[idx], yf[idx], ("y", "one"))
            curves[b], _ = _relplot_smooth(boot, "y", sigma, t, curve=True)
        lo, hi = _nan_percentiles(curves, alpha)
        df["accuracy_lower"] = lo
        df["accuracy_upper"] = hi
    df.attrs["sigma"] = float(sigma)
    df.attrs["smece"] = float(value)
    return df


# ----------------------------------------------------------------------------
# Bootstrap
# ----------------------------------------------------------------------------

class BootstrapCI(NamedTuple):
    """Result of :func:`bootstrap_ci`."""

    estimate: float
    """The metric on the full sample."""
    low: float
    """Lower end of the percentile interval."""
    high: float
    """Upper end of the percentile interval."""
    alpha: float
    """The interval has nominal coverage ``1 - alpha``."""
    replicates: np.ndarray
    """The ``n_boot`` bootstrap values (NaN where the metric raised ValueError)."""


def bootstrap_ci(
    metric_fn: Callable,
    confidence,
    correct,
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> BootstrapCI:
    r"""Percentile bootstrap confidence interval for any scalar metric.

    Parameters
    ----------
    metric_fn : callable
        ``metric_fn(confidence, correct) -> float``, e.g. :func:`ece`,
        :func:`smece` or ``functools.partial(ece, n_bins=10)``.
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.
    n_boot : int, default=1000
        Number of resamples (with replacement, of the ``n`` pairs).
    seed : int, default=0
        Seed of the :class:`numpy.random.Generator`; the same seed gives
        identical replicates and interval.
    alpha : float, default=0.05
        The interval is the ``(alpha/2, 1 - alpha/2)`` percentile interval of
        the replicates (nominal coverage ``1 - alpha``).

    Returns
    -------
    BootstrapCI
        ``(estimate, low, high, alpha, replicates)``.

    Notes
    -----
    A replicate for which ``metric_fn`` raises :class:`ValueError` (e.g.
    :func:`auroc` on a resample with a single class) is recorded as NaN and
    left out of the percentiles; a :class:`RuntimeWarning` says how many.

    References
    ----------
    B. Efron and R. J. Tibshirani, *An Introduction to the Bootstrap*,
    Chapman & Hall, 1993, Chapter 13.
    """
    f, y = _check_inputs(confidence, correct)
    if not callable(metric_fn):
        raise ValueError(f"metric_fn must be callable; found {type(metric_fn).__name__}")
    n_boot = _check_int(n_boot, "n_boot", 1)
    alpha = _check_alpha(alpha)
    estimate = float(metric_fn(f, y))
    rng = np.random.default_rng(seed)
    n = f.shape[0]
    reps = np.empty(n_boot)
    failed = 0
    for b in range(n_boot):
        idx = rng.integers(0, n, size=n)
        try:
            reps[b] = float(metric_fn(f[idx], y[idx]))
        except ValueError:
            reps[b] = np.nan
            failed += 1
    if failed == n_boot:
        raise ValueError(f"metric_fn raised ValueError on all {n_boot} bootstrap resamples")
    if failed:
        warnings.warn(
            f"metric_fn raised ValueError on {failed} of {n_boot} bootstrap resamples; "
            "they are left out of the interval",
            RuntimeWarning,
            stacklevel=2,
        )
    lo, hi = np.nanpercentile(reps, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return BootstrapCI(estimate, float(lo), float(hi), alpha, reps)
