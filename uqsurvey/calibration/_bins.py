"""Bin edges, bin indices and per-bin sums: the engine of :mod:`uqsurvey.calibration.binned`.

The rules (which bin a confidence falls in under each convention) are stated
in the docstring of :mod:`uqsurvey.calibration.binned`; this module implements
them once, for the metrics of one sample (:class:`BinAccumulator`, one chunked
pass with :func:`numpy.bincount`) and for batches of samples
(:func:`index`, used by :func:`uqsurvey.calibration.ece_batch`).  The names
are public inside this private module, for :mod:`~uqsurvey.calibration.binned`.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from uqsurvey.calibration._inputs import CHUNK, MAGIC, MAGIC_BITS

__all__ = [
    "CONVENTIONS", "ALL_CONVENTIONS", "NORMS", "BINNINGS", "EDGE_SNAP", "NETCAL_EPS",
    "torch_linspace_edges", "width_edges", "mass_edges", "kumar_edges", "width_search", "group_sizes", "index",
    "BinSums", "BinAccumulator", "accumulator", "binned_sums", "norm_from_sums",
]

#: The bin-edge conventions of the libraries the book compares.
CONVENTIONS = ("default", "torchmetrics", "netcal", "kumar")
#: Every convention the binned metrics accept: also relplot's ``binnedECE``.
ALL_CONVENTIONS = CONVENTIONS + ("relplot",)
NORMS = ("l1", "l2", "max")
BINNINGS = ("width", "mass")

#: Relative tolerance of the default width binning (see the binned module's docstring).
EDGE_SNAP = 1.0 + 2.0**-36

#: netcal clips confidences to ``[eps, 1 - eps]`` with this ``eps``.
NETCAL_EPS = float(np.finfo(np.float64).eps)


def torch_linspace_edges(n_bins: int) -> np.ndarray:
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


def _relplot_slots(n_bins: int) -> int:
    """Number of bins of relplot's ``binning``: ``int(1 / (1 / B)) + 1`` -- the
    last holds ``f == 1``, unless ``1 / (1 / B)`` rounds below ``B`` (e.g.
    ``B = 93``), where ``f == 1`` joins bin ``B - 1``."""
    return int(1 / (1.0 / n_bins)) + 1


def width_edges(n_bins: int, convention: str) -> np.ndarray:
    """Edges of the equal-width bins (``B + 1`` values; relplot: one per slot + 1)."""
    if convention == "torchmetrics":
        return torch_linspace_edges(n_bins)
    if convention == "netcal":
        return np.linspace(0.0, 1.0, n_bins + 1)
    if convention == "relplot":  # nominal edges; the index is int(f / (1 / B))
        return np.minimum(np.arange(_relplot_slots(n_bins) + 1) / n_bins, 1.0)
    # default and kumar: k / n_bins, correctly rounded (Kumar: i * 1.0 / num_bins)
    return np.arange(n_bins + 1) / n_bins


def group_sizes(n: int, n_bins: int) -> np.ndarray:
    """Sizes of the ``min(n_bins, n)`` groups of Kumar et al.'s equal-mass bins
    (as :func:`numpy.array_split`: sizes differ by at most one, larger first)."""
    k = min(n_bins, n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    return sizes


def mass_edges(f: np.ndarray, n_bins: int, convention: str) -> np.ndarray:
    """Edges (including 0 and 1) of equal-mass bins; see the binned module's docstring."""
    if convention == "netcal":
        fc = np.clip(f, NETCAL_EPS, 1.0 - NETCAL_EPS)
        edges = np.quantile(fc, np.linspace(0.0, 1.0, n_bins + 1))
        edges[0], edges[-1] = 0.0, 1.0
        return edges
    # Kumar et al.'s get_equal_bins.
    return kumar_edges(f.shape[0], n_bins, lambda k: np.partition(f, k)[k])


def kumar_edges(n: int, n_bins: int, order_stats) -> np.ndarray:
    """Kumar et al.'s equal-mass edges for ``n`` confidences, given
    ``order_stats(k)``: the ``k``-th smallest confidences (0-based array ``k``)."""
    cut = np.cumsum(group_sizes(n, n_bins))[:-1]  # first index of groups 1..k-1
    if cut.size:
        vals = order_stats(np.concatenate([cut - 1, cut]))
        mids = (vals[: cut.size] + vals[cut.size :]) / 2.0
    else:
        mids = np.empty(0)
    inner = np.unique(np.concatenate([mids, [1.0]]))  # sorted(set(bins)) in Kumar
    return np.concatenate([[0.0], inner])


def index(fc: np.ndarray, edges: np.ndarray, n_bins: int, convention: str, binning: str) -> np.ndarray:
    """Bin index of each confidence in ``fc`` (any shape; validated).

    Default width bins: ``min(floor(f * B * EDGE_SNAP), B - 1)``; netcal's
    confidences are clipped first (which never moves one to another bin);
    torchmetrics' ``f == 1`` gets index ``B`` (its extra bin ``[1, 1]``),
    relplot's gets ``int(1 / (1 / B))``.
    """
    nb = edges.shape[0] - 1
    if binning == "width" and convention == "default":
        return np.minimum(np.floor(fc * (n_bins * EDGE_SNAP)), n_bins - 1).astype(np.intp)
    if binning == "width" and convention == "relplot":
        return (fc / (1.0 / n_bins)).astype(np.intp)  # relplot.metrics.binning, verbatim
    search = width_search if binning == "width" else np.searchsorted
    if convention == "kumar" or (binning == "mass" and convention == "default"):
        # bins (e_{k-1}, e_k]: index of the first upper edge >= f, i.e. the
        # number of edges below f less edge 0 (= 0) when f > 0
        return search(edges, fc, side="left") - (fc > edges[0])
    if convention == "torchmetrics":
        # [e_k, e_{k+1}); f == 1.0 gets index n_bins (an extra bin)
        return search(edges, fc, side="right") - 1
    # netcal: [e_k, e_{k+1}), last bin closed
    fc = np.clip(fc, NETCAL_EPS, 1.0 - NETCAL_EPS)
    return np.minimum(search(edges, fc, side="right") - 1, nb - 1)


def width_search(edges: np.ndarray, fc: np.ndarray, side: str) -> np.ndarray:
    """``numpy.searchsorted(edges, fc, side)`` for equal-width ``edges`` (each
    within a few ulps of ``k / B``) and ``fc`` in [0, 1], without a binary
    search: ``floor(f B)`` is the index of the edge at or below ``f`` up to
    one, and one comparison with each neighbouring edge corrects it."""
    b = edges.shape[0] - 1
    padded = np.append(edges, np.inf)
    g = np.minimum(np.floor(fc * b), b).astype(np.intp)
    below, above = padded[g], padded[g + 1]
    if side == "right":  # number of edges <= f
        return g + 1 - (fc < below) + (above <= fc)
    return g + 1 - (fc <= below) + (above < fc)  # number of edges < f


class BinSums(NamedTuple):
    lower: np.ndarray
    upper: np.ndarray
    count: np.ndarray  # float64
    sum_f: np.ndarray | None
    sum_y: np.ndarray | None
    sum_r: np.ndarray  # sum of (f - y) per bin


class BinAccumulator:
    """Chunk-wise per-bin sums for one binning rule (see :func:`binned_sums`).

    Called on consecutive pieces of the data.  The sums are accumulated per
    ``part`` elements (``CHUNK``): for each ``part``-element block (one
    :func:`numpy.bincount` over a whole piece, with the bin keys of block
    ``k`` offset by ``k * nout``, adds within a block in input order) and then
    into the totals block by block, so the result does not depend on the size
    of the pieces as long as they are multiples of ``part`` (except the
    last): :func:`uqsurvey.calibration.ece` feeds pieces of ``4 * CHUNK``
    elements, to make fewer, longer numpy calls.  Under relplot's convention
    the whole sample is one block (relplot adds in input order with
    :func:`numpy.add.at`, and so do we, to the last bit).
    """

    def __init__(self, n_bins, binning, convention, edges, *, need_means=True, need_count=True, part=CHUNK):
        self.n_bins, self.binning, self.convention, self.edges = n_bins, binning, convention, edges
        nb = edges.shape[0] - 1
        self.nout = nout = nb + 1  # room for torchmetrics' extra bin / the f == 1 overflow
        self.count = np.zeros(nout) if need_count else None
        self.sum_f = np.zeros(nout) if need_means else None
        self.sum_y = np.zeros(nout) if need_means else None
        self.sum_r = np.zeros(nout)
        self.fast = convention == "default" and binning == "width"
        self.scale = n_bins * EDGE_SNAP
        self.part = part
        self._buf = np.empty((2, 0))

    def __call__(self, fc: np.ndarray, yc: np.ndarray) -> None:
        m = fc.shape[0]
        nout, part = self.nout, self.part
        parts = -(-m // part)
        if self._buf.shape[1] < m:
            self._buf = np.empty((2, m))
        if self.convention == "netcal":
            fc = np.clip(fc, NETCAL_EPS, 1.0 - NETCAL_EPS)
        if self.fast:
            # k = floor(f * B * (1 + 2**-36)) (>= 0: f is validated), converted
            # to int64 exactly through the 2**52 bit pattern (k <= B, far
            # below 2**52 for any B whose bins fit in memory), plus the
            # offset of its part
            p = np.multiply(fc, self.scale, out=self._buf[0, :m])
            np.floor(p, out=p)
            np.add(p, MAGIC, out=p)
            idx = p.view(np.int64)
            for k in range(parts):
                block = idx[k * part : (k + 1) * part]
                np.subtract(block, MAGIC_BITS - k * nout, out=block)
        else:
            idx = index(fc, self.edges, self.n_bins, self.convention, self.binning)
            for k in range(1, parts):
                idx[k * part : (k + 1) * part] += k * nout
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

    def __getstate__(self):  # the scratch buffer is not part of the sums
        return {**self.__dict__, "_buf": np.empty((2, 0))}

    def merge(self, other: "BinAccumulator") -> None:
        """Add the sums of ``other`` (same rule) to these."""
        if (other.n_bins, other.convention, other.binning) != (self.n_bins, self.convention, self.binning):
            raise ValueError("bin sums of different rules cannot be merged")
        for name in ("count", "sum_f", "sum_y", "sum_r"):
            mine = getattr(self, name)
            if mine is not None:
                mine += getattr(other, name)

    def result(self) -> BinSums:
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

        return BinSums(lower, upper, fold(self.count), fold(self.sum_f),
                       fold(self.sum_y), fold(self.sum_r))


def _add_parts(total: np.ndarray, sums: np.ndarray) -> None:
    """Add the per-part bin sums of :class:`BinAccumulator` to ``total`` in order."""
    for row in sums.reshape(-1, total.shape[0]):
        total += row


def accumulator(f, n_bins, binning, convention, **need) -> BinAccumulator:
    """The :class:`BinAccumulator` of a rule (``f``: the sample, for equal-mass edges
    and relplot's one block; ``None`` for a fused width pass)."""
    if binning == "mass":
        if convention in ("torchmetrics", "relplot"):
            raise ValueError(
                f"binning='mass' is not available with convention={convention!r} "
                f"({convention} only has equal-width bins)"
            )
        edges = mass_edges(f, n_bins, convention)  # needs all of f first
    else:
        edges = width_edges(n_bins, convention)
    if convention == "relplot":
        need["part"] = max(f.shape[0], 1)
    return BinAccumulator(n_bins, binning, convention, edges, **need)


def binned_sums(f, y, n_bins, binning, convention, *, need_means=True, need_count=True) -> BinSums:
    """Per-bin count, sum of confidences, sum of labels and sum of residuals.

    One chunked pass over (validated) data with :func:`numpy.bincount`.
    """
    acc = accumulator(f, n_bins, binning, convention, need_means=need_means, need_count=need_count)
    for s in range(0, f.shape[0], acc.part):
        acc(f[s : s + acc.part], y[s : s + acc.part])
    return acc.result()


def norm_from_sums(sum_r: np.ndarray, count: np.ndarray | None, n: int, norm: str) -> float:
    """The l1, l2 or max norm of the per-bin gaps from the per-bin residual sums."""
    if norm == "l1":
        return float(np.abs(sum_r).sum() / n)
    nz = count > 0
    gap = sum_r[nz] / count[nz]
    if norm == "l2":
        return float(math.sqrt(max(float(np.sum(count[nz] * gap * gap)) / n, 0.0)))
    return float(np.abs(gap).max())
