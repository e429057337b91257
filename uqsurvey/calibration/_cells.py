"""Per-cell sums of the data on the common refinement of uniform grids.

The fast path of :mod:`uqsurvey.calibration._relplot` reads the data once and
keeps, per cell of the common refinement of a few uniform grids on ``[0, 1]``,
the count and the first two moments of the points' fractional position, per
label.  From these the linear deposit of the data onto any grid whose number
of cells divides one of the grids follows exactly up to rounding
(:meth:`CellSums.deposit`), so a bandwidth search whose grid changes at every
step still reads the data once.  This module is generic (any grids); which
grids relplot's search needs is known to :mod:`~uqsurvey.calibration._relplot`
only.  The names are public inside this private module.
"""
from __future__ import annotations

import functools

import numpy as np

from uqsurvey.calibration._inputs import MAGIC, MAGIC_BITS

__all__ = ["floor_thresholds", "cell_map", "refinement", "moments", "CellSums"]


def floor_thresholds(c: int) -> np.ndarray:
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
def cell_map(grids: tuple[int, ...], d: int):
    """For ``d`` dividing one of ``grids``: per cell ``u`` of their refinement,
    ``J_L`` (float), the cell ``j`` of the ``d``-grid, and ``a_u``, ``b``
    such that a point's fraction on the ``d``-grid is ``a_u + b w`` (see
    :meth:`CellSums.deposit`)."""
    base = grids[0]
    i = next(i for i, c in enumerate(grids) if c % d == 0)
    if len(grids) == 1:
        jl = jc = np.arange(grids[0] + 1)
    else:
        table = refinement(grids)
        jl, jc = table[:, 0], table[:, i]
    j = jc // (grids[i] // d)
    a = (jl * d - j * base) / base  # exact integer numerator, one rounding
    out = jl.astype(np.float64), j, a
    for arr in out:
        arr.flags.writeable = False
    return (*out, d / base)


@functools.lru_cache(maxsize=8)
def refinement(grids: tuple[int, ...]) -> np.ndarray:
    """Cell indices on each of ``grids`` for every cell of their common refinement.

    A point ``f`` with cell indices ``J_i = floor(fl(f * grids[i]))`` lies in
    refinement cell ``u = sum_i J_i``: each ``J_i`` counts the thresholds of
    grid ``i`` at or below ``f`` (:func:`floor_thresholds`), so ``u`` counts
    all of them and row ``u`` of the returned ``(sum(grids) + 1, len(grids))``
    array is the tuple ``(J_i)`` of every point with that ``u``, exactly as
    the float arithmetic gives it.  (Where thresholds of two grids coincide,
    ``u`` skips a value; that row belongs to no point.)
    """
    x = np.concatenate([floor_thresholds(c) for c in grids])
    which = np.concatenate([np.full(c, i) for i, c in enumerate(grids)])
    steps = np.zeros((x.shape[0] + 1, len(grids)), dtype=np.int64)
    steps[np.arange(1, x.shape[0] + 1), which[np.argsort(x, kind="stable")]] = 1
    table = np.cumsum(steps, axis=0)
    table.flags.writeable = False
    return table


def moments(key: np.ndarray, w: np.ndarray, weights: np.ndarray | None, size: int, need_sq: bool,
            scratch: np.ndarray | None = None):
    """Per key in ``0 .. size-1``: the (integer) total weight, and the sums of
    weight times ``w`` and times ``w**2`` (``None`` without ``need_sq``);
    ``weights`` ``None`` means 1 each.  ``scratch`` (float64, as long as
    ``key``) holds the products instead of new arrays: the same sums."""
    if weights is None:
        count = np.bincount(key, minlength=size)
        wv = w
    else:
        count = np.rint(np.bincount(key, weights=weights, minlength=size)).astype(np.int64)
        wv = np.multiply(w, weights, out=scratch)
    sum_w = np.bincount(key, weights=wv, minlength=size)
    sum_ww = None
    if need_sq:
        sum_ww = np.bincount(key, weights=np.multiply(wv, w, out=None if wv is w else scratch), minlength=size)
    return count, sum_w, sum_ww


class CellSums:
    """Sums of the data over the cells of the common refinement of ``grids``.

    ``grids`` are numbers of cells of uniform grids on [0, 1]; the first,
    ``L``, gives the local coordinate.  A point ``f`` has, on each grid
    ``c``, relplot's cell index ``J_c = floor(t_c)``, ``t_c = fl(f * c)``
    (its ``bins`` for a grid of ``c + 1`` nodes), and lies in cell
    ``u = sum_c J_c`` of the refinement (:func:`refinement`).  For every
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
        key, w = self.locate(fc, yc)
        self.add(key, w)

    def locate(self, fc: np.ndarray, yc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The key ``2 u + y`` and the fraction ``w`` of every point of a chunk
        (views of a buffer that the next call overwrites)."""
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
        np.add(k, MAGIC, out=k)
        key = k.view(np.int64)
        np.subtract(key, MAGIC_BITS, out=key)
        return key, t

    def add(self, key: np.ndarray, w: np.ndarray, weights: np.ndarray | None = None,
            scratch: np.ndarray | None = None) -> None:
        """Add the points with ``key`` and fraction ``w`` (:meth:`locate`),
        each with an integer ``weight`` (1 by default); ``scratch``: see :func:`moments`."""
        rows = key.shape[0] if weights is None else int(round(float(weights.sum())))
        self.add_moments(*moments(key, w, weights, self.nkeys, self.sum_ww is not None, scratch), rows)

    def add_moments(self, count: np.ndarray, sum_w: np.ndarray, sum_ww: np.ndarray | None, rows: int) -> None:
        """Add per-key sums made by :func:`moments` over ``rows`` (total weight)."""
        self.count += count
        self.rows += rows
        self.sum_w += sum_w
        if self.sum_ww is not None:
            self.sum_ww += sum_ww
        self._cells = None

    def merge(self, other: "CellSums") -> None:
        """Add the sums of ``other`` (same grids) to these."""
        if other.grids != self.grids or (other.sum_ww is None) != (self.sum_ww is None):
            raise ValueError("cell sums on different grids cannot be merged")
        self.count += other.count
        self.sum_w += other.sum_w
        if self.sum_ww is not None:
            self.sum_ww += other.sum_ww
        self.rows += other.rows
        self._cells = None

    def __getstate__(self):  # scratch buffer and cached totals are not part of the sums
        return {**self.__dict__, "_buf": None, "_cells": None}

    def drop_cache(self) -> None:
        """Forget the per-cell totals cached by :meth:`deposit` (memory)."""
        self._cells = None

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

    def coarsen(self, d: int) -> "CellSums":
        """The same sums on the ``d``-grid alone (``d`` dividing a grid):
        per cell, ``sum(w') = a n + b sum(w)`` and ``sum(w'**2) = a**2 n +
        2 a b sum(w) + b**2 sum(w**2)`` with ``w' = a + b w`` (see
        :meth:`deposit`); later chunks then go to the cheaper sums."""
        _, j, a, b = cell_map(self.grids, d)
        out = CellSums((d,), need_sq=self.sum_ww is not None)
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
        jl, j, a, b = cell_map(self.grids, m - 1)
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
