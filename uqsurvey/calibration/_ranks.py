r"""Counts per distinct confidence and label: what AUROC, AURC and the
debiased ECE of :class:`uqsurvey.calibration.Partials` need, mergeable.

**Exact** while there are at most ``limit`` distinct confidences
(:data:`DISTINCT_LIMIT`, :math:`2^{20}`): the sorted distinct values and, at
each, the number of wrong and of correct predictions.  AUROC, AURC and the
debiased ECE from these equal :func:`~uqsurvey.calibration.auroc`,
:func:`~uqsurvey.calibration.aurc` and
:func:`~uqsurvey.calibration.debiased_ece` (the first two to the last bit).

**Past the limit**, the counts move to a fixed grid of cells (:func:`grid_key`)
and the values inside a cell are forgotten.  The grid is fine where
confidences crowd, near 0 and near 1: a confidence ``f`` is placed by the
leading ``GRID_BITS`` = 12 mantissa bits of ``min(f, 1 - f)`` (``1 - f`` is
exact for ``f >= 1/2``), so a cell spans a relative ``2**-12`` of the distance
to the nearer end (``|f - f'| <= 2.5e-4 min(f, 1 - f)`` inside a cell); all
``min(f, 1 - f) < 2**-40`` share the two end cells.  That is
:func:`grid_cells` (about 320,000) cells.  Predictions in one cell then
count as tied, and each metric carries a bound on what that can change,
computed from the cell counts:

* AUROC: ``(1/2) sum_c n0_c n1_c / (n0 n1)`` (a pair of a correct and a wrong
  prediction in one cell gets 1/2 instead of 0 or 1);
* AURC: ``sum_c (m_c / n) max(r_c - lo_c, hi_c - r_c)``, where ``r_c`` is the
  risk after accepting cell ``c`` whole and ``[lo_c, hi_c]`` holds the risk
  after any part of it (``E/(A + m)`` and ``(E + e)/(A + e)``, or ``E/(A + 1)``
  if ``e = 0``, with ``A``, ``E`` accepted and wrong before the cell and
  ``m``, ``e`` in it);
* debiased ECE: the equal-mass edges are located to a cell; a cell holding a
  group boundary goes to the lower bin whole, and the number of predictions
  in such cells (which might belong to the next bin) is reported.

The names are public inside this private module, for
:mod:`uqsurvey.calibration.partials`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from uqsurvey.calibration import _bins
from uqsurvey.calibration.binned import debiased_from_sums
from uqsurvey.calibration.ranking import aurc_from_groups, auroc_from_groups

__all__ = ["DISTINCT_LIMIT", "GRID_BITS", "GRID_EMIN", "grid_key", "grid_cells", "Ranked", "RankCounts"]

#: Distinct confidences kept exactly.
DISTINCT_LIMIT = 1 << 20
#: Mantissa bits of ``min(f, 1 - f)`` that place a confidence on the grid.
GRID_BITS = 12
#: ``min(f, 1 - f)`` below ``2**-GRID_EMIN`` falls into an end cell.
GRID_EMIN = 40


def _half_key(x: np.ndarray, bits: int, emin: int) -> np.ndarray:
    shift = 52 - bits
    base = int(np.array(2.0**-emin).view(np.int64)) >> shift
    k = (np.ascontiguousarray(x, dtype=np.float64).view(np.int64) >> shift) - base
    return np.maximum(k, 0)  # also -0.0 (negative as an integer) -> 0


def grid_cells(bits: int = GRID_BITS, emin: int = GRID_EMIN) -> int:
    """Number of cells of the grid of :func:`grid_key`."""
    return 2 * int(_half_key(np.array([0.5]), bits, emin)[0]) + 2


def grid_key(f: np.ndarray, bits: int = GRID_BITS, emin: int = GRID_EMIN) -> np.ndarray:
    """The grid cell of each confidence: non-decreasing in ``f``, from 0
    (``f = 0``) to ``grid_cells() - 1`` (``f = 1``)."""
    f = np.asarray(f, dtype=np.float64)
    low = f < 0.5
    x = np.where(low, f, 1.0 - f)
    k = _half_key(x, bits, emin)
    top = grid_cells(bits, emin) - 1
    return np.where(low, k, top - k)


class Ranked(NamedTuple):
    """A metric of :class:`RankCounts` and the most the grid can have moved it
    (0 when the counts are exact)."""

    value: float | None
    bound: float


class RankCounts:
    """Numbers of wrong and correct predictions per distinct confidence
    (exact, up to ``limit`` distinct values) or per grid cell (past it)."""

    def __init__(self, limit: int = DISTINCT_LIMIT):
        self.limit = int(limit)
        self.values: np.ndarray | None = np.empty(0)  # None on the grid
        self.counts = np.zeros((2, 0), dtype=np.int64)  # [wrong, correct] per value / cell
        self.sum_f: np.ndarray | None = None  # per cell, on the grid

    @property
    def exact(self) -> bool:
        return self.values is not None

    def update(self, fc: np.ndarray, yc: np.ndarray) -> None:
        """Add a validated chunk."""
        if self.exact:
            yb = np.asarray(yc, dtype=bool)
            for label, values in ((0, fc[~yb]), (1, fc[yb])):  # a sort with counts per label
                u, cnt = np.unique(values, return_counts=True)
                c = np.zeros((2, u.shape[0]), dtype=np.int64)
                c[label] = cnt
                self._absorb(u, c)
                if not self.exact:  # past the limit: the rest goes to the grid
                    if label == 0:
                        self._add_grid(fc[yb], np.ones(int(yb.sum()), dtype=np.intp))
                    break
        else:
            self._add_grid(fc, np.asarray(yc, dtype=np.intp))

    def _absorb(self, u: np.ndarray, c: np.ndarray) -> None:
        v = self.values
        if v.shape[0] == 0:
            self.values, self.counts = u.copy(), c.copy()
        else:
            pos = np.searchsorted(v, u)
            hit = pos < v.shape[0]
            hit[hit] = v[pos[hit]] == u[hit]
            self.counts[:, pos[hit]] += c[:, hit]
            new = ~hit
            if new.any():
                self.values = np.insert(v, pos[new], u[new])
                self.counts = np.insert(self.counts, pos[new], c[:, new], axis=1)
        if self.values.shape[0] > self.limit:
            self._to_grid()

    def _to_grid(self) -> None:
        v, c = self.values, self.counts
        size = grid_cells()
        key = grid_key(v)
        self.counts = np.stack([np.bincount(key, weights=c[i], minlength=size) for i in (0, 1)])
        self.counts = np.rint(self.counts).astype(np.int64)
        self.sum_f = np.bincount(key, weights=v * (c[0] + c[1]), minlength=size)
        self.values = None

    def _add_grid(self, fc: np.ndarray, yi: np.ndarray) -> None:
        size = grid_cells()
        key = grid_key(fc)
        both = np.bincount(2 * key + yi, minlength=2 * size).reshape(-1, 2).T
        self.counts += both
        self.sum_f += np.bincount(key, weights=fc, minlength=size)

    def merge(self, other: "RankCounts") -> None:
        """Add the counts of ``other``."""
        if self.exact and other.exact:
            if other.values.shape[0]:
                self._absorb(other.values, other.counts)
            return
        if self.exact:
            self._to_grid()
        if other.exact:
            other = other.copy()
            other._to_grid()
        self.counts += other.counts
        self.sum_f += other.sum_f

    def copy(self) -> "RankCounts":
        out = RankCounts(self.limit)
        out.values = None if self.values is None else self.values.copy()
        out.counts = self.counts.copy()
        out.sum_f = None if self.sum_f is None else self.sum_f.copy()
        return out

    # -- the metrics ----------------------------------------------------------
    def groups(self):
        """Increasing groups (distinct values or non-empty cells): size, number correct."""
        size = self.counts[0] + self.counts[1]
        keep = size > 0
        return size[keep], self.counts[1][keep], keep

    def auroc(self) -> Ranked:
        size, pos, _ = self.groups()
        n1, n0 = int(pos.sum()), int((size - pos).sum())
        if n1 == 0 or n0 == 0:
            return Ranked(None, 0.0)
        value = auroc_from_groups(size, pos)
        if self.exact:
            return Ranked(value, 0.0)
        neg = (size - pos).astype(np.float64)
        return Ranked(value, float(0.5 * np.dot(neg, pos.astype(np.float64)) / (float(n1) * n0)))

    def aurc(self) -> Ranked:
        size, pos, _ = self.groups()
        size, pos = size[::-1], pos[::-1]
        value = aurc_from_groups(size, pos)
        if self.exact:
            return Ranked(value, 0.0)
        m = size.astype(np.float64)
        e = (size - pos).astype(np.float64)
        acc_before = np.cumsum(m) - m
        err_before = np.cumsum(e) - e
        r = (err_before + e) / (acc_before + m)
        lo = err_before / (acc_before + m)
        hi = np.where(e > 0, (err_before + e) / (acc_before + np.maximum(e, 1.0)), err_before / (acc_before + 1.0))
        return Ranked(value, float(np.dot(m / m.sum(), np.maximum(r - lo, hi - r))))

    def debiased(self, n_bins: int) -> tuple[float, str, int]:
        """Debiased l2 CE with Kumar et al.'s ``"auto"`` binning (default
        convention): the value, the binning used (``"unique"`` or ``"mass"``)
        and the number of predictions in grid cells that hold an equal-mass
        boundary (0 when exact)."""
        size, pos, keep = self.groups()
        n = int(size.sum())
        if self.exact:
            v = self.values[keep]
            if v.shape[0] < n / 4.0:
                return debiased_from_sums(size.astype(np.float64), v * size, pos.astype(np.float64), n), "unique", 0
            cum = np.cumsum(size)
            edges = _bins.kumar_edges(n, n_bins, lambda k: v[np.searchsorted(cum, k, side="right")])
            idx = _bins.index(v, edges, n_bins, "default", "mass")
            ambiguous = 0
            sum_f_groups = v * size
        else:
            # more than ``limit`` distinct values: Kumar's rule takes equal-mass
            # bins unless they are fewer than n / 4 (assumed, not known, past 4 * limit)
            cum = np.cumsum(size)
            cells = np.arange(size.shape[0])
            cut = np.cumsum(_bins.group_sizes(n, n_bins))[:-1]
            a = np.searchsorted(cum, cut - 1, side="right")
            b = np.searchsorted(cum, cut, side="right")
            idx = np.searchsorted(a, cells, side="left")
            ambiguous = int(size[np.unique(a[a == b])].sum())
            sum_f_groups = self.sum_f[keep]
        nb = int(idx.max()) + 1
        count = np.bincount(idx, weights=size, minlength=nb)
        sum_f = np.bincount(idx, weights=sum_f_groups, minlength=nb)
        sum_y = np.bincount(idx, weights=pos, minlength=nb)
        return debiased_from_sums(count, sum_f, sum_y, n), "mass", ambiguous
