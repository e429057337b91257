r"""Mergeable partial statistics: calibration metrics of data too large for memory.

Every metric of the calibration audit is a function of sums over the
predictions: smECE of per-cell sums (:mod:`uqsurvey.calibration._cells`),
binned ECE of per-bin sums, Brier of one sum, AUROC and AURC of counts per
distinct confidence.  :class:`Partials` holds these sums for a chunk of
predictions.  Sums add, so partials of chunks read one after another, by
several processes or on several machines, **merge** into the partials of all
of them, in any grouping, and :meth:`Partials.finalize` gives the metrics::

    from functools import reduce
    from uqsurvey.calibration import Partials

    parts = [Partials().update(f_chunk, y_chunk) for f_chunk, y_chunk in chunks]
    metrics = reduce(Partials.merge, parts).finalize()

What is kept, per chunk (memory independent of ``n``):

* the cell sums of smECE on the refinement of relplot's search grids (about
  19000 cells; count, sum and sum of squares of the fractional position, per
  label): smECE and its bandwidth as :func:`~uqsurvey.calibration.smece`
  finds them, and the smoothed reliability curve;
* the per-bin sums of every binning convention and bin count asked for
  (:func:`~uqsurvey.calibration.ece` under each);
* the sum of squared residuals (:func:`~uqsurvey.calibration.brier_score`);
* counts per distinct confidence and label, exact up to :data:`DISTINCT_LIMIT`
  distinct values and on a stated grid past it, with a bound on what the
  grid can change (:mod:`uqsurvey.calibration._ranks`): AUROC, AURC and the
  debiased l2 calibration error;
* while there are fewer than ``keep_rows`` predictions (32768 by default),
  the predictions themselves, so that small data give exactly the in-memory
  functions' numbers;
* optionally (``n_boot > 0``) the Poisson bootstrap replicates and jackknife
  groups of :mod:`uqsurvey.calibration.resample`.

Merged partials equal the in-memory functions: exactly below ``keep_rows``
predictions; above, binned ECE and Brier to rounding (bit for bit when one
``Partials`` is fed the chunks in order, each a multiple of 32768 predictions,
as the audit's reader does), smECE and
its bandwidth to about ``1e-15``, and AUROC and AURC exactly while the
distinct confidences fit.  (:func:`~uqsurvey.calibration.smece` re-decides
a bisection step whose value lies within ``1e-12`` of its threshold from the
points; partials cannot, so on such a knife edge -- never seen in our tests --
the bandwidth could differ by one step of ``2**-10``.)
"""
from __future__ import annotations

import copy

import numpy as np

from uqsurvey._args import check_int
from uqsurvey.calibration import _bins, _relplot
from uqsurvey.calibration._cells import CellSums
from uqsurvey.calibration._inputs import check_inputs
from uqsurvey.calibration._ranks import DISTINCT_LIMIT, RankCounts
from uqsurvey.calibration.binned import CONVENTIONS, debiased_ece, reliability_table
from uqsurvey.calibration.ranking import aurc, auroc, brier_score
from uqsurvey.calibration.resample import HEADLINE, Resampler, interval
from uqsurvey.calibration.smooth import smece, smooth_table

__all__ = ["Partials", "DISTINCT_LIMIT", "BIN_COUNTS", "KEEP_ROWS"]

#: Bin counts of binned ECE kept by default (every convention of :data:`CONVENTIONS`).
BIN_COUNTS = (10, 15, 20)
#: Below this many predictions the partials keep the predictions themselves.
KEEP_ROWS = _relplot.CELL_SUMS_MIN_N
#: Rows per piece for the counts per distinct confidence and the bootstrap.
PIECE = 1 << 18


class Partials:
    """Mergeable sums of a chunk of predictions (see the module docstring).

    Parameters
    ----------
    bin_counts : tuple of int, default (10, 15, 20)
        Bin counts of the binned ECE, under every convention of :data:`CONVENTIONS`.
    n_boot : int, default 0
        Poisson bootstrap replicates (0: no intervals).
    seed, stream : int, default 0
        Seed of the replicates' weights, and a number for this chunk's stream
        of weights: partials merged together must have different streams
        (e.g. the partition number) and the same seed.
    keep_rows : int, default 32768
        Keep the predictions while there are fewer than this.
    distinct_limit : int, default 2**20
        Distinct confidences counted exactly.
    """

    def __init__(self, *, bin_counts=BIN_COUNTS, n_boot: int = 0, seed: int = 0, stream: int = 0,
                 keep_rows: int = KEEP_ROWS, distinct_limit: int = DISTINCT_LIMIT):
        self.bin_counts = tuple(check_int("bin_counts", b, 1) for b in bin_counts)
        self.n = 0
        self.n1 = 0
        self.sum_f = 0.0
        self.sq = 0.0
        self.cells = CellSums(_relplot.SEARCH_GRIDS, need_sq=True)
        self.bins = {(c, b): _bins.accumulator(None, b, "width", c, need_means=(c, b) == ("default", 15))
                     for c in CONVENTIONS for b in self.bin_counts}
        self.ranks = RankCounts(check_int("distinct_limit", distinct_limit, 1))
        self.keep_rows = check_int("keep_rows", keep_rows, 0)
        self.rows: list[tuple[np.ndarray, np.ndarray]] | None = [] if self.keep_rows else None
        n_boot = check_int("n_boot", n_boot, 0)
        self.boot = Resampler(n_boot, check_int("seed", seed, 0), check_int("stream", stream, 0)) if n_boot else None
        self._locator = None

    # -- building -------------------------------------------------------------
    def update(self, confidence, correct) -> "Partials":
        """Add a chunk of predictions (validated as every metric does); returns ``self``."""
        f, y = check_inputs(confidence, correct, visit=self._visit)
        for s in range(0, f.shape[0], PIECE):
            fc, yc = f[s : s + PIECE], y[s : s + PIECE]
            self.ranks.update(fc, yc)
            if self.boot is not None:
                if self._locator is None:
                    self._locator = CellSums(_relplot.SEARCH_GRIDS, need_sq=False)
                key, w = self._locator.locate(fc, yc)
                self.boot(fc, yc, key, w)
        self.n += f.shape[0]
        self.n1 += int(np.count_nonzero(y))
        if self.rows is not None:
            if self.n < self.keep_rows:
                self.rows.append((f.copy(), np.asarray(y, dtype=bool).copy()))
            else:
                self.rows = None
        return self

    def _visit(self, fc: np.ndarray, yc: np.ndarray) -> None:
        # one validated CHUNK: the sums in the order of the in-memory functions
        self.cells(fc, yc)
        for acc in self.bins.values():
            acc(fc, yc)
        r = fc - yc
        self.sq += float(np.dot(r, r))
        self.sum_f += float(fc.sum())

    def merge(self, other: "Partials") -> "Partials":
        """The partials of both chunks (a new object; ``self`` and ``other`` are unchanged)."""
        if other.bin_counts != self.bin_counts:
            raise ValueError(f"partials with bin counts {self.bin_counts} and {other.bin_counts} cannot be merged")
        out = copy.deepcopy(self)
        out.n += other.n
        out.n1 += other.n1
        out.sum_f += other.sum_f
        out.sq += other.sq
        out.cells.merge(other.cells)
        for k, acc in out.bins.items():
            acc.merge(other.bins[k])
        out.ranks.merge(other.ranks)
        if out.rows is not None and other.rows is not None and out.n < out.keep_rows:
            out.rows = out.rows + other.rows
        else:
            out.rows = None
        if (out.boot is None) != (other.boot is None):
            raise ValueError("partials with and without bootstrap replicates cannot be merged")
        if out.boot is not None:
            out.boot.merge(other.boot)
        out._locator = None
        return out

    def __getstate__(self):  # the scratch buffers are not part of the sums
        return {**self.__dict__, "_locator": None}

    # -- results ---------------------------------------------------------------
    def _points(self):
        if self.rows is None or not self.rows:
            return None
        return np.concatenate([r[0] for r in self.rows]), np.concatenate([r[1] for r in self.rows])

    def finalize(self) -> dict:
        """The metrics (a JSON-serializable dict).

        Keys: ``n``, ``accuracy``, ``mean_confidence``, ``ece_l1``
        (convention -> bin count -> value), ``smece``, ``smece_bandwidth``,
        ``debiased_l2_ce``, ``brier``, ``auroc`` (``None`` for one class),
        ``aurc`` and ``exactness``: ``distinct_exact`` (whether AUROC, AURC
        and the debiased ECE come from exact counts per distinct confidence),
        ``auroc_bound`` / ``aurc_bound`` (the most the grid can have moved
        them; 0 when exact), ``debiased_binning`` and
        ``debiased_unassigned`` (predictions in grid cells that hold an
        equal-mass boundary).
        """
        if self.n == 0:
            raise ValueError("no predictions: the partials are empty")
        n = self.n
        out: dict = {"n": n, "accuracy": self.n1 / n, "mean_confidence": self.sum_f / n}
        out["ece_l1"] = {c: {str(b): _bins.norm_from_sums(self.bins[c, b].result().sum_r, None, n, "l1")
                             for b in self.bin_counts} for c in CONVENTIONS}
        points = self._points()
        if points is not None:  # small data: the in-memory functions themselves
            f, y = points
            out["accuracy"], out["mean_confidence"] = float(np.mean(y)), float(np.mean(f))
            out["smece"], out["smece_bandwidth"] = smece(f, y, return_bandwidth=True)
            out["debiased_l2_ce"] = debiased_ece(f, y)
            out["brier"] = brier_score(f, y)
            out["auroc"] = None if self.n1 in (0, n) else auroc(f, y)
            out["aurc"] = aurc(f, y)
            out["exactness"] = {"distinct_exact": True, "auroc_bound": 0.0, "aurc_bound": 0.0,
                                "debiased_binning": _debiased_binning(f), "debiased_unassigned": 0}
            return out
        out["smece"], out["smece_bandwidth"] = _relplot.search(self.deposit(("r", "one")))
        out["brier"] = self.sq / n
        dce, binning, unassigned = self.ranks.debiased(15)
        out["debiased_l2_ce"] = dce
        a, c = self.ranks.auroc(), self.ranks.aurc()
        out["auroc"], out["aurc"] = a.value, c.value
        out["exactness"] = {"distinct_exact": self.ranks.exact, "auroc_bound": a.bound, "aurc_bound": c.bound,
                            "debiased_binning": binning, "debiased_unassigned": unassigned}
        return out

    def deposit(self, names: tuple[str, ...]):
        """The grid deposits of smECE's engine from the cell sums."""
        return _relplot.GridDeposit.from_sums(self.cells, names)

    def intervals(self, metrics: dict, method: str, alpha: float = 0.05) -> dict:
        """Bootstrap ``1 - alpha`` intervals of the headline metrics
        (:data:`uqsurvey.calibration.resample.HEADLINE`) by ``method``, for the
        values ``metrics`` of :meth:`finalize`: metric -> ``{"low", "high",
        "failed_replicates"}``.  Needs ``n_boot > 0``."""
        if self.boot is None:
            raise ValueError("no bootstrap replicates: make the partials with n_boot > 0")
        center = self.boot.center()
        reps = self.boot.replicates()
        jack = self.boot.jackknife(self.boot.total()) if method == "bca" else None
        point = {"ece_l1_15_default": metrics["ece_l1"]["default"]["15"], "smece": metrics["smece"],
                 "brier": metrics["brier"], "auroc": metrics["auroc"], "aurc": metrics["aurc"]}
        out = {}
        for k, name in enumerate(HEADLINE):
            if point[name] is None:
                continue
            lo, hi = interval(point[name], center[k], reps[:, k], None if jack is None else jack[:, k], method, alpha)
            out[name] = {"low": lo, "high": hi, "failed_replicates": int(np.isnan(reps[:, k]).sum())}
        return out

    def binned_table(self, n_boot: int = 0, seed: int = 0, alpha: float = 0.05):
        """:func:`~uqsurvey.calibration.binned_reliability`'s table, 15 bins, default convention."""
        return reliability_table(self.bins["default", 15].result(), self.n, n_boot, seed, alpha)

    def smooth_table(self, sigma: float, value: float, alpha: float = 0.05):
        """:func:`~uqsurvey.calibration.smooth_reliability`'s table at ``sigma``,
        with a band from the bootstrap replicates (if any)."""
        points = self._points()
        dep = (_relplot.GridDeposit(points[0], points[1].astype(np.float64), ("r", "y", "one"))
               if points is not None else self.deposit(("r", "y", "one")))
        boot = None
        if self.boot is not None:
            def replicate_deposits():
                for sk in self.boot.reps:
                    yield _relplot.GridDeposit.from_sums(sk.cells, ("y", "one"))
                    sk.cells.drop_cache()  # one replicate's totals in memory at a time

            boot = replicate_deposits()
        return smooth_table(dep, self.n, sigma, value, _relplot.PLOT_MESH_PTS, boot, alpha)


def _debiased_binning(f: np.ndarray) -> str:
    return "unique" if np.unique(f).shape[0] < f.shape[0] / 4.0 else "mass"
