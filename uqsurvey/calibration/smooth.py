r"""SmoothECE (smECE) and the smoothed reliability diagram.

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
``relplot.smECE`` 1.0.3 (Apple), whose numerics depart from this definition in
seven ways (grid, truncation, single reflection, density epsilon, discretised
integral, half-node shift, bisection); they are listed, and our fast
computation of them explained, once, in :mod:`uqsurvey.calibration._relplot`.

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
.. [9] S. Devic et al., "From Calibration to Collaboration: LLM Uncertainty
   Quantification Should Be More Human-Centered", 2025.  arXiv:2506.07461.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from uqsurvey._args import check_choice, check_int, check_unit_interval
from uqsurvey.calibration import _relplot
from uqsurvey.calibration._inputs import check_batch, check_inputs
from uqsurvey.calibration.bootstrap import percentile_interval

__all__ = ["smece", "smooth_reliability", "smece_expected", "smece_batch"]


def _check_sigma(sigma) -> float:
    return check_unit_interval("sigma", sigma, open_left=True)


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
        docstring of :mod:`uqsurvey.calibration._relplot`).  ``"continuous"`` evaluates the definition exactly (no
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
    With ``method="relplot"`` the numbers are relplot's, whose numerics
    depart from the definition above -- a grid of ``max(2000, round(20/sigma))
    // 2 + 1`` nodes, the kernel truncated at ``|t - s| = 1/2``, a single
    reflection (a prediction at exactly 0 or 1 keeps half its mass), ``1e-4``
    added to the density, a discretised integral, a half-node shift for even
    grids and a 10-step bisection returning the upper bracket: see
    :mod:`uqsurvey.calibration._relplot` for the list and for how we compute
    them (one pass over the data from 32768 predictions on).  relplot
    validates nothing; we validate the inputs first.

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
    first = _relplot.first_pass(sigma, need_sq=True) if method == "relplot" else None
    f, y = check_inputs(confidence, correct, visit=first)
    check_choice("method", method, ("relplot", "continuous"))
    if sigma is not None:
        sigma = _check_sigma(sigma)
    if method == "continuous":
        sm = _ContinuousSmoother(f, f - y)
        if sigma is None:
            value, bw = sm.fixed_point()
        else:
            value, bw = sm.smece_at(sigma), sigma
    else:
        deposit = _relplot.GridDeposit(f, y, ("r", "one"), search=sigma is None,
                                       first=None if first is None else first.sums)
        if sigma is None:
            value, bw = _relplot.search(deposit)
        else:
            value, bw = _relplot.smece_at(deposit, sigma), sigma
    return (value, bw) if return_bandwidth else value


def smooth_reliability(
    confidence,
    correct,
    *,
    sigma: float | None = None,
    n_points: int = _relplot.PLOT_MESH_PTS,
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
    The curve uses relplot's grid numerics (see :mod:`uqsurvey.calibration._relplot`),
    including its density epsilon ``1e-4`` in the denominator.  The bootstrap
    resamples the pairs with replacement and keeps the bandwidth fixed (as
    relplot's bagged band does); each replicate re-deposits the resample onto
    the grid, ``O(n)``.  The curve itself is the estimate on the full sample
    (relplot's ``prepare_rel_diagram`` plots the mean of its bootstrap
    curves instead).
    """
    first = _relplot.first_pass(sigma, need_sq=True)
    f, y = check_inputs(confidence, correct, visit=first)
    n_points = check_int("n_points", n_points, 2)
    n_boot = check_int("n_boot", n_boot, 0)
    alpha = check_unit_interval("alpha", alpha, open_left=True, open_right=True)
    yf = np.asarray(y, dtype=np.float64)
    deposit = _relplot.GridDeposit(f, yf, ("r", "y", "one"), search=sigma is None,
                                   first=None if first is None else first.sums)
    if sigma is None:
        value, sigma = _relplot.search(deposit)
    else:
        sigma = _check_sigma(sigma)
        value = _relplot.smece_at(deposit, sigma)
    boot = None
    if n_boot:
        rng = np.random.default_rng(seed)
        n = f.shape[0]

        def resamples():
            for _ in range(n_boot):
                idx = rng.integers(0, n, size=n)
                yield _relplot.GridDeposit(f[idx], yf[idx], ("y", "one"))

        boot = resamples()
    return smooth_table(deposit, f.shape[0], sigma, value, n_points, boot, alpha)


def smooth_table(deposit, n: int, sigma: float, value: float, n_points: int, boot, alpha: float) -> pd.DataFrame:
    """:func:`smooth_reliability`'s table from the deposits of ``n`` predictions
    (``deposit``: an :class:`~uqsurvey.calibration._relplot.GridDeposit` with
    ``"y"`` and ``"one"``) at bandwidth ``sigma``, smECE ``value``; ``boot``:
    ``None`` or an iterable of the deposits of the bootstrap replicates."""
    t = np.linspace(0, 1, n_points)
    mu, _ = _relplot.smooth(deposit, "y", sigma, t, curve=True)
    dep, cut = _relplot.grid(deposit, sigma, curve=True)
    density = _relplot.apply(dep["one"], sigma, t, cut) / n
    df = pd.DataFrame({"confidence": t, "accuracy": mu, "density": density})
    if boot is not None:
        curves = np.array([_relplot.smooth(b, "y", sigma, t, curve=True)[0] for b in boot])
        lo, hi = percentile_interval(curves, alpha)
        df["accuracy_lower"] = lo
        df["accuracy_upper"] = hi
    df.attrs["sigma"] = float(sigma)
    df.attrs["smece"] = float(value)
    return df


def smece_expected(confidence, expected, *, return_bandwidth: bool = False):
    r"""smECE of confidences against **expected** (fractional) correctness.

    ``expected[i]`` in ``[0, 1]`` is the probability that answer ``i`` is
    correct, e.g. the known calibration function ``c(f_i)`` of a simulated
    forecaster; smECE is linear in the labels before the absolute value is
    taken, so this is the population smECE of a quadrature of the law.  The
    numerics are relplot's, in relplot's own arithmetic order
    (:func:`uqsurvey.calibration._relplot.smece_reference`): the value equals
    ``relplot.smECE(confidence, expected)`` to the last bit.  It re-deposits
    the data at every bandwidth of the search (``O(n)`` each), as relplot
    does; with 0/1 labels prefer :func:`smece`.

    Returns
    -------
    float or (float, float)
        smECE, and the bandwidth when ``return_bandwidth=True``.
    """
    f, c = check_inputs(confidence, expected, fractional=True)
    value, bw = _relplot.smece_reference(f, c)
    return (value, bw) if return_bandwidth else value


def smece_batch(confidence, correct, *, return_bandwidth: bool = False):
    """smECE of every row of ``(R, n)`` arrays, vectorised over the rows.

    Reproduces :func:`smece` (``method="relplot"``) row by row: the same grid
    deposit, truncated reflected Gaussian kernel, density epsilon, evaluation
    mesh and 10-step bisection for the bandwidth
    (:mod:`uqsurvey.calibration._relplot`), run for all rows at once.  Rows
    that share a bandwidth at a bisection step are smoothed together with one
    FFT convolution (the public function convolves directly), so values agree
    with ``smece`` up to rounding (the tests require 1e-9 relative and
    identical bandwidths).

    Returns
    -------
    ndarray of shape (R,), or (values, bandwidths)
    """
    f, y = check_batch(confidence, correct)
    value, bw = _relplot.search_batch(f, y)
    return (value, bw) if return_bandwidth else value
