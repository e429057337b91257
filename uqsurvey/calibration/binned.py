r"""Binned calibration metrics: ECE (l1, l2, max), debiased ECE, reliability bins.

All functions take confidences ``f_i`` in ``[0, 1]`` and 0/1 correctness
labels ``y_i`` (validated by :func:`uqsurvey.calibration._inputs.check_inputs`).

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

``"relplot"``
    ``relplot.metrics.binnedECE`` (relplot 1.0.3): the bin index is
    ``int(f / (1 / B))`` (a division, truncated) and there are
    ``int(1 / (1 / B)) + 1`` bins, so ``f == 1`` falls into an **extra bin** of
    its own -- except for the ``B`` where ``1 / (1 / B)`` rounds below ``B``
    (``B = 93, 99, 105, ...``), where it joins bin ``B - 1``.  The per-bin
    residuals are added in input order over the whole sample, as relplot's
    :func:`numpy.add.at` does, so the l1 value equals relplot's to the last
    bit.  relplot has no equal-mass binning.  It is not among
    :data:`CONVENTIONS` (the four conventions the book compares); it is
    accepted wherever a convention is.

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


Batches
-------
:func:`ece_batch` scores every row of ``(replicates, n)`` arrays at once (the
Monte Carlo experiments of the book), with the same bin rule
(:func:`bin_index`) and the same estimator.

References
----------
.. [2] A. Kumar, P. Liang and T. Ma, "Verified Uncertainty Calibration",
   NeurIPS 2019.  arXiv:1909.10155.
.. [3] C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On Calibration of Modern
   Neural Networks", ICML 2017.
.. [4] M. P. Naeini, G. Cooper and M. Hauskrecht, "Obtaining Well Calibrated
   Probabilities Using Bayesian Binning", AAAI 2015.
.. [9] S. Devic et al., "From Calibration to Collaboration: LLM Uncertainty
   Quantification Should Be More Human-Centered", 2025.  arXiv:2506.07461.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from uqsurvey._args import check_choice, check_int, check_unit_interval
from uqsurvey.calibration import _bins
from uqsurvey.calibration._bins import ALL_CONVENTIONS, BINNINGS, CONVENTIONS, NORMS
from uqsurvey.calibration._inputs import CHUNK, check_batch, check_confidence, check_inputs
from uqsurvey.calibration.bootstrap import percentile_interval

__all__ = [
    "CONVENTIONS",
    "ALL_CONVENTIONS",
    "NORMS",
    "BINNINGS",
    "ece",
    "debiased_ece",
    "binned_reliability",
    "bin_index",
    "bin_edges",
    "ece_batch",
]

#: Elements per piece of :func:`ece`'s fused validation-and-binning pass (the
#: sums are still formed per ``CHUNK``; see :class:`_bins.BinAccumulator`).
ECE_BLOCK = 4 * CHUNK


def _check_rule(n_bins, binning, convention) -> int:
    n_bins = check_int("n_bins", n_bins, 1)
    check_choice("binning", binning, BINNINGS)
    check_choice("convention", convention, ALL_CONVENTIONS)
    return n_bins


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
    convention : {"default", "torchmetrics", "netcal", "kumar", "relplot"}, default="default"
        Which bin a confidence falls in.  ``"default"``: bin ``k`` is
        ``[k/B, (k+1)/B)`` with the last bin closed, computed as
        ``min(floor(f * B * (1 + 2**-36)), B - 1)`` so that decimal confidences
        on an edge (``0.3`` with 10 bins) land in the bin that edge opens.
        The others reproduce torchmetrics 1.9 ``BinaryCalibrationError``
        (``torch.linspace`` edges, ``[e_k, e_{k+1})``, ``1.0`` in an extra bin),
        netcal 1.4 ``ECE`` (clip to ``[eps, 1-eps]``, ``numpy.linspace`` edges)
        uncertainty-calibration 0.1.4 ``get_ece`` (edges ``k/B``, bins
        ``(e_{k-1}, e_k]``) and relplot 1.0.3 ``binnedECE`` (index
        ``int(f / (1/B))``, ``1.0`` in an extra bin).  See the module
        docstring for the exact rules.
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
        For invalid inputs (see :mod:`uqsurvey.calibration._inputs`) or arguments.

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
    n_bins = check_int("n_bins", n_bins, 1)
    check_choice("binning", binning, BINNINGS)
    check_choice("norm", norm, NORMS)
    check_choice("convention", convention, ALL_CONVENTIONS)
    need = dict(need_means=return_bins, need_count=return_bins or norm != "l1")
    if binning == "width" and convention != "relplot":
        # one pass over memory: the sums are accumulated chunk by chunk while
        # each validated chunk is still in cache
        acc = _bins.accumulator(None, n_bins, binning, convention, **need)
        f, y = check_inputs(confidence, correct, visit=acc, block=ECE_BLOCK)
        sums = acc.result()
    else:
        f, y = check_inputs(confidence, correct)
        sums = _bins.binned_sums(f, y, n_bins, binning, convention, **need)
    value = _bins.norm_from_sums(sums.sum_r, sums.count, f.shape[0], norm)
    if return_bins:
        return value, bins_frame(sums, f.shape[0])
    return value


def bins_frame(sums: _bins.BinSums, n: int) -> pd.DataFrame:
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
    convention : {"default", "torchmetrics", "netcal", "kumar", "relplot"}, default="default"
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
    f, y = check_inputs(confidence, correct)
    n_bins = check_int("n_bins", n_bins, 1)
    check_choice("binning", binning, ("auto", "unique", "mass", "width"))
    check_choice("convention", convention, ALL_CONVENTIONS)
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
        sums = _bins.binned_sums(f, y, n_bins, binning, convention)
        count, sum_f, sum_y = sums.count, sums.sum_f, sums.sum_y
    return debiased_from_sums(count, sum_f, sum_y, n)


def debiased_from_sums(count: np.ndarray, sum_f: np.ndarray, sum_y: np.ndarray, n: int) -> float:
    """:func:`debiased_ece` from the per-bin count, sum of confidences and of labels."""
    ok = count >= 2
    cnt = count[ok]
    mf = sum_f[ok] / cnt
    my = sum_y[ok] / cnt
    terms = (mf - my) ** 2 - my * (1.0 - my) / (cnt - 1.0)
    sq = float(np.dot(cnt / n, terms))
    return math.sqrt(max(sq, 0.0))



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
        As in :func:`ece` (with ``convention="torchmetrics"`` or
        ``"relplot"`` the table has an extra last row for the bin ``[1, 1]``).
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
    f, y = check_inputs(confidence, correct)
    n_bins = _check_rule(n_bins, binning, convention)
    n_boot = check_int("n_boot", n_boot, 0)
    alpha = check_unit_interval("alpha", alpha, open_left=True, open_right=True)
    sums = _bins.binned_sums(f, y, n_bins, binning, convention)
    return reliability_table(sums, f.shape[0], n_boot, seed, alpha)


def reliability_table(sums: _bins.BinSums, n: int, n_boot: int, seed, alpha: float) -> pd.DataFrame:
    """:func:`binned_reliability`'s table from the per-bin sums of ``n`` predictions."""
    df = bins_frame(sums, n)
    if n_boot:
        rng = np.random.default_rng(seed)
        cells = np.concatenate([sums.sum_y, sums.count - sums.sum_y])
        cells = np.rint(cells).astype(np.int64)
        draws = rng.multinomial(n, cells / n, size=n_boot).astype(np.float64)
        k = sums.count.shape[0]
        pos, tot = draws[:, :k], draws[:, :k] + draws[:, k:]
        with np.errstate(invalid="ignore", divide="ignore"):
            acc = np.where(tot > 0, pos / tot, np.nan)
        lo, hi = percentile_interval(acc, alpha)
        df["accuracy_lower"] = lo
        df["accuracy_upper"] = hi
    return df




# ----------------------------------------------------------------------------
# Bin membership
# ----------------------------------------------------------------------------

def bin_index(confidence, n_bins: int = 15, binning: str = "width", convention: str = "default") -> np.ndarray:
    r"""The bin each confidence falls in, under a binning rule of :func:`ece`.

    Parameters
    ----------
    confidence : array-like of shape (n,)
        Confidences in ``[0, 1]``.
    n_bins, binning, convention
        As in :func:`ece`.  With ``binning="mass"`` the edges are built from
        ``confidence`` itself.

    Returns
    -------
    ndarray of int, shape (n,)
        0-based bin indices: row ``k`` of :func:`binned_reliability`'s table
        and entry ``k`` of :func:`bin_edges`.  Under ``"torchmetrics"`` and
        ``"relplot"``, ``1.0`` gets the index of the extra bin ``[1, 1]``.

    Examples
    --------
    The decimal 0.3 opens bin 3 of 10 under the default rule; torchmetrics'
    and netcal's edge is ``0.30000000000000004`` and kumar's bins are closed
    on the right, so they put it in bin 2:

    >>> [int(bin_index([0.3], 10, convention=c)[0]) for c in CONVENTIONS]
    [3, 2, 2, 2]
    """
    f = check_confidence(confidence)
    n_bins = _check_rule(n_bins, binning, convention)
    edges = _edges(f, n_bins, binning, convention)
    return _bins.index(f, edges, n_bins, convention, binning)


def _edges(f, n_bins: int, binning: str, convention: str) -> np.ndarray:
    if binning == "width":
        return _bins.width_edges(n_bins, convention)
    if convention in ("torchmetrics", "relplot"):
        _bins.accumulator(f, n_bins, binning, convention)  # raises: no equal-mass bins
    return _bins.mass_edges(f, n_bins, convention)


def bin_edges(n_bins: int = 15, binning: str = "width", convention: str = "default",
              confidence=None) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edge of every bin of a rule (the ``lower`` / ``upper``
    columns of :func:`binned_reliability`); ``confidence`` is required for
    ``binning="mass"``.  Whether an edge belongs to the bin below or above it
    is the convention's rule (module docstring), not said by the numbers."""
    n_bins = _check_rule(n_bins, binning, convention)
    if binning == "mass":
        if confidence is None:
            raise ValueError("confidence is required for binning='mass' (the edges depend on it)")
        edges = _edges(check_confidence(confidence), n_bins, binning, convention)
    else:
        edges = _edges(None, n_bins, binning, convention)
    lower, upper = edges[:-1], edges[1:]
    if convention == "torchmetrics" and binning == "width":
        lower, upper = np.append(lower, 1.0), np.append(upper, 1.0)
    return lower, upper


# ----------------------------------------------------------------------------
# Batches of samples
# ----------------------------------------------------------------------------

def ece_batch(confidence, correct, n_bins: int | Sequence[int] = 15, *, binning: str = "width",
              convention: str = "default") -> np.ndarray:
    r"""l1 binned ECE of every row of ``(R, n)`` arrays, in one pass.

    Reproduces :func:`ece` (``norm="l1"``) row by row, up to floating-point
    summation order (the tests require agreement to ``1e-12``), with the bin
    rule of :func:`bin_index`.  Equal-width bins cost one
    :func:`numpy.bincount` over all rows per bin count; equal-mass bins
    (default and kumar conventions) sum the sorted rows group by group
    (Kumar et al.'s midpoint edges, bins ``(e_{k-1}, e_k]``), and a row whose
    midpoint edges do not separate the groups (ties across a group boundary)
    is handed to :func:`ece`, as are equal-mass bins under netcal's rule.

    Parameters
    ----------
    confidence, correct : array-like of shape (R, n)
        One sample per row: confidences in ``[0, 1]`` and 0/1 labels.
    n_bins : int or sequence of int, default=15
        Number of bins, or several: the rows are validated (and, for
        equal-mass bins, sorted) once for all of them.
    binning, convention
        As in :func:`ece`.

    Returns
    -------
    ndarray
        Shape ``(R,)`` for one bin count, ``(len(n_bins), R)`` for a sequence.
    """
    f, y = check_batch(confidence, correct)
    single = not isinstance(n_bins, (Sequence, np.ndarray))
    bins = [check_int("n_bins", b, 1) for b in ([n_bins] if single else n_bins)]
    if not bins:
        raise ValueError("n_bins must not be empty")
    check_choice("binning", binning, BINNINGS)
    check_choice("convention", convention, ALL_CONVENTIONS)
    reps, n = f.shape
    out = np.empty((len(bins), reps))
    if binning == "width":
        r = f - y
        offsets = np.arange(reps)[:, None]
        for i, b in enumerate(bins):
            edges = _bins.width_edges(b, convention)
            if convention == "default":
                # as ece: index B (f == 1 and a hair below) is a slot of its
                # own, added to bin B-1 after the sums
                idx = np.floor(f * (b * _bins.EDGE_SNAP)).astype(np.intp)
            else:
                idx = _bins.index(f, edges, b, convention, binning)
            if convention == "netcal":  # netcal's clipped confidences enter the residuals
                rc = np.clip(f, _bins.NETCAL_EPS, 1.0 - _bins.NETCAL_EPS) - y
            else:
                rc = r
            nout = edges.shape[0] - 1 + (convention in ("default", "torchmetrics"))  # ece's bins (+ overflow)
            idx += offsets * nout
            sums = np.bincount(idx.ravel(), weights=rc.ravel(), minlength=reps * nout).reshape(reps, nout)
            if convention == "default":
                sums[:, b - 1] += sums[:, b]
                sums = sums[:, :b]
            out[i] = np.abs(sums).sum(axis=1) / n
    elif convention in ("default", "kumar"):
        _mass_batch(f, y, bins, out)
    else:
        for i, b in enumerate(bins):
            out[i] = [ece(f[j], y[j], b, binning=binning, convention=convention) for j in range(reps)]
    return out[0] if single else out


def _mass_batch(f: np.ndarray, y: np.ndarray, bins: list[int], out: np.ndarray) -> None:
    """Equal-mass rows of :func:`ece_batch` (default / kumar rule)."""
    order = np.argsort(f, axis=1)
    fs = np.take_along_axis(f, order, axis=1)
    rs = np.take_along_axis(f - y, order, axis=1)
    n = f.shape[1]
    for i, n_bins in enumerate(bins):
        sizes = _bins.group_sizes(n, n_bins)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        sums = np.add.reduceat(rs, starts, axis=1)
        out[i] = np.abs(sums).sum(axis=1) / n
        if sizes.shape[0] > 1:
            cut = starts[1:]
            mids = (fs[:, cut - 1] + fs[:, cut]) / 2.0
            for j in np.flatnonzero(~np.all(mids < fs[:, cut], axis=1)):
                out[i, j] = ece(f[j], y[j], n_bins, binning="mass")
