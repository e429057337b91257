"""Synthetic forecasters whose calibration is known exactly, and real held-out
predictions from small scikit-learn models.

A *forecaster* here is a joint law of (confidence, correctness).  The stated
confidence ``F`` has a density ``p`` on ``[0, 1]`` (a Beta law) and, given
``F = f``, the answer is correct with probability ``c(f) = P(Y = 1 | F = f)``,
the *calibration function*.  Because both are known in closed form, every
population quantity can be computed without sampling:

``true_ece()``
    the (L1) expected calibration error ``∫ |c(f) - f| p(f) df``, by adaptive
    quadrature (:func:`scipy.integrate.quad`, absolute tolerance
    :data:`QUAD_EPSABS`, relative tolerance :data:`QUAD_EPSREL`), split at every
    point where ``c(f) = f`` so that the integrand is smooth on each piece;
``population_binned_ece(n_bins, binning)``
    what binned ECE converges to as ``n -> inf`` for a fixed binning: the sum
    over bins of ``|∫_bin (c(f) - f) p(f) df|``; it is below the true ECE
    whenever ``c(f) - f`` changes sign inside a bin;
``population_smece()``
    what SmoothECE converges to: smECE of a deterministic quadrature of the
    law (the ``m`` mid-point quantiles of ``p``, each with its *expected*
    correctness ``c(f)`` in place of a 0/1 label).  smECE is linear in the
    labels before the absolute value is taken, so this is the population
    functional up to an ``O(1/m)`` quadrature error.  Fractional labels are
    refused by :func:`uqsurvey.calibration.smece`, so this one value is
    computed with the reference implementation it reproduces,
    ``relplot.smECE`` 1.0.3.

Four named forecasters are provided (:func:`standard_forecasters`):
over-confident, under-confident, S-shaped and LLM-like (confidence massed near
1 and over-confident there).  :class:`VerbalizedForecaster` rounds a latent
forecaster's confidence to a 0.05 or 0.1 grid, as verbalized LLM confidences
are; its truth is computed cell by cell.

Monte Carlo helpers draw ``R`` replicates at once as ``(R, n)`` arrays from a
seeded :class:`numpy.random.Generator`; the same seed gives the same numbers.

:func:`sklearn_predictions` trains three small classifiers on a synthetic
scikit-learn data set (no download) and returns held-out top-label
confidences and correctness per model.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special, stats

__all__ = [
    "QUAD_EPSABS",
    "QUAD_EPSREL",
    "Forecaster",
    "PowerForecaster",
    "LogisticForecaster",
    "VerbalizedForecaster",
    "over_confident",
    "under_confident",
    "s_shaped",
    "llm_like",
    "llm_like_crossing",
    "standard_forecasters",
    "ranking_pair",
    "simulate_replicates",
    "ece_batch",
    "ece_batch_bins",
    "smece_batch",
    "sklearn_predictions",
    "as_generator",
]

#: absolute and relative tolerance passed to :func:`scipy.integrate.quad` for
#: every population integral (on each smooth piece).  quad's own error
#: estimates for the forecasters of this module are below 1e-11, and the tests
#: check ``true_ece`` against closed forms (to 1e-11) and dense Riemann sums.
QUAD_EPSABS = 1e-12
QUAD_EPSREL = 1e-10
_QUAD_LIMIT = 200

#: quadrature size used by :meth:`Forecaster.population_smece`.
POPULATION_SMECE_POINTS = 100_000


_CACHE: dict = {}


def _cached(key, compute):
    """Population values are deterministic functions of a frozen forecaster:
    compute each once per process."""
    if key not in _CACHE:
        _CACHE[key] = float(compute())
    return _CACHE[key]


# --------------------------------------------------------------------------- #
# argument checks (ValueError naming the argument)
# --------------------------------------------------------------------------- #
def _check_positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_binning(binning: str) -> str:
    if binning not in ("width", "mass"):
        raise ValueError(f"binning must be 'width' or 'mass', got {binning!r}")
    return binning


def as_generator(rng) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from a Generator or an integer seed."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        return np.random.default_rng(int(rng))
    raise ValueError(f"rng must be a numpy Generator or an integer seed, got {rng!r}")


# --------------------------------------------------------------------------- #
# forecasters
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Forecaster:
    """Confidence ``F ~ Beta(a, b)``; correctness ``Y | F=f ~ Bernoulli(c(f))``.

    Subclasses define :meth:`calibration`.  ``a, b >= 1`` keeps the density
    bounded, so the quadratures below are well conditioned.
    """

    name: str
    a: float = 2.0
    b: float = 2.0

    def __post_init__(self):
        for arg in ("a", "b"):
            v = getattr(self, arg)
            if not np.isfinite(v) or v < 1:
                raise ValueError(f"{arg} must be a finite number >= 1, got {v!r}")

    # -- the law ------------------------------------------------------------ #
    def calibration(self, f):  # pragma: no cover - abstract
        raise NotImplementedError

    def density(self, f):
        """Density ``p(f)`` of the stated confidence."""
        return stats.beta.pdf(f, self.a, self.b)

    def quantile(self, q):
        return stats.beta.ppf(q, self.a, self.b)

    def gap(self, f):
        """``c(f) - f``: positive where the forecaster is under-confident."""
        f = np.asarray(f, dtype=float)
        return self.calibration(f) - f

    @cached_property
    def crossings(self) -> tuple[float, ...]:
        """Points of ``(0, 1)`` where ``c(f) = f`` (sign changes of the gap)."""
        grid = np.linspace(0.0, 1.0, 4001)[1:-1]
        g = self.gap(grid)
        roots = []
        for i in np.flatnonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0):
            roots.append(optimize.brentq(self.gap, grid[i], grid[i + 1], xtol=1e-14))
        roots += [float(x) for x in grid[g == 0]]
        return tuple(sorted(roots))

    def _integrate(self, func, lo: float, hi: float) -> float:
        """``∫_lo^hi func``, split at the crossings inside ``(lo, hi)``."""
        if hi <= lo:
            return 0.0
        cuts = [lo, *[x for x in self.crossings if lo < x < hi], hi]
        total = 0.0
        for u, v in zip(cuts[:-1], cuts[1:]):
            val, _err = integrate.quad(
                func, u, v, epsabs=QUAD_EPSABS, epsrel=QUAD_EPSREL, limit=_QUAD_LIMIT
            )
            total += val
        return total

    # -- population quantities --------------------------------------------- #
    def accuracy(self) -> float:
        """``P(Y = 1) = ∫ c(f) p(f) df``."""
        return self._integrate(lambda f: float(self.calibration(f)) * self.density(f), 0.0, 1.0)

    def mean_confidence(self) -> float:
        return self.a / (self.a + self.b)

    def true_ece(self) -> float:
        """The L1 calibration error ``∫ |c(f) - f| p(f) df`` (quadrature)."""
        return _cached(("true_ece", self), lambda: self._integrate(lambda f: abs(float(self.gap(f))) * self.density(f), 0.0, 1.0))

    def bin_edges(self, n_bins: int, binning: str = "width") -> np.ndarray:
        """Population bin edges: equal width, or equal mass (quantiles of ``p``)."""
        n_bins = _check_positive_int("n_bins", n_bins)
        _check_binning(binning)
        q = np.linspace(0.0, 1.0, n_bins + 1)
        return q if binning == "width" else self.quantile(q)

    def population_binned_ece(self, n_bins: int = 15, binning: str = "width") -> float:
        """The limit of binned ECE as ``n -> inf``: ``Σ_bins |∫_bin (c - f) p|``."""
        edges = self.bin_edges(n_bins, binning)
        integrand = lambda f: float(self.gap(f)) * self.density(f)  # noqa: E731
        return float(sum(abs(self._integrate(integrand, u, v)) for u, v in zip(edges[:-1], edges[1:])))

    def quadrature(self, m: int = POPULATION_SMECE_POINTS) -> tuple[np.ndarray, np.ndarray]:
        """``m`` mid-point quantiles of ``p`` and their expected correctness."""
        m = _check_positive_int("m", m, 2)
        f = self.quantile((np.arange(m) + 0.5) / m)
        return f, self.calibration(f)

    def population_smece(self, m: int = POPULATION_SMECE_POINTS) -> float:
        """The limit of smECE as ``n -> inf`` (see the module docstring)."""
        def compute():
            f, c = self.quadrature(m)
            return _smece_expected_labels(f, c)

        return _cached(("population_smece", self, m), compute)

    # -- sampling ----------------------------------------------------------- #
    def sample(self, n: int, rng) -> tuple[np.ndarray, np.ndarray]:
        """``n`` draws: (confidence float64, correct int8 in {0, 1})."""
        conf, correct = self.sample_batch(n, 1, rng)
        return conf[0], correct[0]

    def sample_batch(self, n: int, reps: int, rng) -> tuple[np.ndarray, np.ndarray]:
        """``reps`` independent samples of size ``n`` as two ``(reps, n)`` arrays.

        The confidences are drawn first, then one uniform per draw; so
        ``sample(n, seed)`` equals row 0 of ``sample_batch(n, 1, seed)``.
        """
        n = _check_positive_int("n", n)
        reps = _check_positive_int("reps", reps)
        rng = as_generator(rng)
        conf = rng.beta(self.a, self.b, size=(reps, n))
        u = rng.random(size=(reps, n))
        correct = (u < self.calibration(conf)).astype(np.int8)
        return self.state(conf), correct

    def state(self, latent: np.ndarray) -> np.ndarray:
        """The stated confidence for a latent one (identity here)."""
        return latent

    def describe(self) -> dict:
        return {"forecaster": self.name, "density": f"Beta({self.a:g}, {self.b:g})", "calibration": self.formula}

    @property
    def formula(self) -> str:  # pragma: no cover - overridden
        return ""


@dataclass(frozen=True)
class PowerForecaster(Forecaster):
    """``c(f) = f ** gamma``: over-confident everywhere for ``gamma > 1``,
    under-confident everywhere for ``gamma < 1``.

    With no crossing inside ``(0, 1)``, ``true_ece = |E[F] - E[F**gamma]|
    = |a/(a+b) - B(a+gamma, b)/B(a, b)|`` in closed form
    (:meth:`closed_form_ece`), which the tests use as an independent check.
    """

    gamma: float = 1.0

    def __post_init__(self):
        super().__post_init__()
        if not np.isfinite(self.gamma) or self.gamma <= 0:
            raise ValueError(f"gamma must be a finite number > 0, got {self.gamma!r}")

    def calibration(self, f):
        return np.power(np.asarray(f, dtype=float), self.gamma)

    def closed_form_ece(self) -> float:
        ef = self.a / (self.a + self.b)
        efg = np.exp(special.betaln(self.a + self.gamma, self.b) - special.betaln(self.a, self.b))
        return float(abs(ef - efg))

    @property
    def formula(self) -> str:
        return f"c(f) = f^{self.gamma:g}"


@dataclass(frozen=True)
class LogisticForecaster(Forecaster):
    """``c(f) = expit(slope * logit(f) + intercept)``.

    ``slope < 1`` with ``intercept = 0`` gives the inverse-S shape of stated
    probabilities that are too extreme at both ends (crossing at 1/2);
    a negative intercept shifts the curve below the diagonal near 1.
    """

    slope: float = 1.0
    intercept: float = 0.0

    def __post_init__(self):
        super().__post_init__()
        if not np.isfinite(self.slope) or self.slope <= 0:
            raise ValueError(f"slope must be a finite number > 0, got {self.slope!r}")
        if not np.isfinite(self.intercept):
            raise ValueError(f"intercept must be finite, got {self.intercept!r}")

    def calibration(self, f):
        f = np.asarray(f, dtype=float)
        with np.errstate(divide="ignore"):
            return special.expit(self.slope * special.logit(f) + self.intercept)

    @property
    def formula(self) -> str:
        shift = f" {self.intercept:+.3g}" if self.intercept else ""
        return f"c(f) = expit({self.slope:g}·logit f{shift})"


@dataclass(frozen=True)
class VerbalizedForecaster:
    """A latent forecaster whose stated confidence is rounded to a grid.

    Verbalized LLM confidences ("I am 80% sure") live on a coarse grid.  The
    latent confidence ``L`` follows ``latent``; the stated confidence is
    ``F = round(L / step) * step`` (written as the nearest double of the
    decimal, as parsing "0.35" would give); the answer is correct with
    probability ``c_latent(L)``.  ``F`` is discrete, so the truth is a finite
    sum over grid values ``g``: ``Σ_g |∫_{cell(g)} (c(l) - g) p(l) dl|``.
    """

    latent: Forecaster
    step: float = 0.1
    name: str = ""

    def __post_init__(self):
        if not isinstance(self.latent, Forecaster):
            raise ValueError(f"latent must be a Forecaster, got {self.latent!r}")
        k = 1.0 / self.step if self.step > 0 else np.inf
        if not (0 < self.step <= 0.5) or abs(k - round(k)) > 1e-9:
            raise ValueError(f"step must divide 1 (e.g. 0.05 or 0.1), got {self.step!r}")
        if not self.name:
            object.__setattr__(self, "name", f"{self.latent.name}, verbalized ({self.step:g} grid)")

    @property
    def grid(self) -> np.ndarray:
        k = int(round(1.0 / self.step))
        return np.round(np.arange(k + 1) * self.step, 10)

    def state(self, latent: np.ndarray) -> np.ndarray:
        k = int(round(1.0 / self.step))
        idx = np.rint(np.asarray(latent) * k).astype(np.int64)
        return self.grid[idx]

    def cells(self) -> pd.DataFrame:
        """Per grid value: probability, stated value, true accuracy, gap."""
        g = self.grid
        half = self.step / 2
        rows = []
        lat = self.latent
        for v in g:
            lo, hi = max(0.0, v - half), min(1.0, v + half)
            mass = float(stats.beta.cdf(hi, lat.a, lat.b) - stats.beta.cdf(lo, lat.a, lat.b))
            hit = lat._integrate(lambda l: float(lat.calibration(l)) * lat.density(l), lo, hi)
            rows.append(
                {
                    "stated": float(v),
                    "probability": mass,
                    "accuracy": hit / mass if mass > 0 else np.nan,
                    "weighted_gap": hit - v * mass,
                }
            )
        return pd.DataFrame(rows)

    def true_ece(self) -> float:
        return float(self.cells()["weighted_gap"].abs().sum())

    def accuracy(self) -> float:
        return self.latent.accuracy()

    def population_smece(self, m: int = POPULATION_SMECE_POINTS) -> float:
        def compute():
            lat, c = self.latent.quadrature(m)
            return _smece_expected_labels(self.state(lat), c)

        return _cached(("population_smece", self, m), compute)

    def sample(self, n: int, rng):
        conf, correct = self.sample_batch(n, 1, rng)
        return conf[0], correct[0]

    def sample_batch(self, n: int, reps: int, rng):
        lat, correct = self.latent.sample_batch(n, reps, rng)
        return self.state(lat), correct


# --------------------------------------------------------------------------- #
# the named forecasters of the chapter
# --------------------------------------------------------------------------- #
def over_confident() -> PowerForecaster:
    """Stated confidence mostly 0.6-0.95; the true accuracy is lower everywhere."""
    return PowerForecaster("over-confident", a=5.0, b=2.0, gamma=1.6)


def under_confident() -> PowerForecaster:
    """Confidence spread over the unit interval; true accuracy higher everywhere."""
    return PowerForecaster("under-confident", a=2.0, b=2.0, gamma=0.75)


def s_shaped() -> LogisticForecaster:
    """Probabilities too extreme at both ends (inverse S, crossing at 1/2)."""
    return LogisticForecaster("S-shaped", a=1.5, b=1.5, slope=0.6, intercept=0.0)


def llm_like() -> LogisticForecaster:
    """Confidence massed near 1 and over-confident there, like a chat model's."""
    return LogisticForecaster("LLM-like", a=7.0, b=1.3, slope=0.6, intercept=0.35)


def llm_like_crossing(cross: float = 0.93) -> LogisticForecaster:
    """LLM-like confidences whose accuracy crosses the diagonal high up, at
    ``cross``: under-confident below it, over-confident above.  On a 0.1 grid
    the crossing falls between the two most used values, 0.9 and 1.0."""
    if not 0 < cross < 1:
        raise ValueError(f"cross must be in (0, 1), got {cross!r}")
    slope = 0.6
    return LogisticForecaster(
        f"LLM-like, crossing at {cross:g}", a=7.0, b=1.3, slope=slope,
        intercept=float((1 - slope) * special.logit(cross)),
    )


def standard_forecasters() -> list[Forecaster]:
    return [over_confident(), under_confident(), s_shaped(), llm_like()]


def ranking_pair() -> tuple[Forecaster, Forecaster]:
    """Two forecasters with close true ECEs and different shapes.

    ``A`` is mildly over-confident with confidence spread widely;  ``B`` is
    concentrated near 1.  Their true ECEs are close, and ``A`` is the better
    calibrated one (smaller true ECE).
    """
    a = LogisticForecaster("A: spread, mildly mis-calibrated", a=2.0, b=1.4, slope=0.75, intercept=0.0)
    b = PowerForecaster("B: confident, over-confident near 1", a=9.0, b=1.5, gamma=1.5)
    return a, b


def _smece_expected_labels(f: np.ndarray, c: np.ndarray) -> float:
    """smECE of confidences ``f`` with expected (fractional) labels ``c``."""
    import relplot

    return float(relplot.smECE(np.asarray(f, dtype=float), np.asarray(c, dtype=float)))


# --------------------------------------------------------------------------- #
# Monte Carlo: draws and batched metrics (one row per replicate)
# --------------------------------------------------------------------------- #
def simulate_replicates(forecaster, n: int, reps: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``reps`` seeded samples of size ``n`` from ``forecaster`` as ``(reps, n)``."""
    if not hasattr(forecaster, "sample_batch"):
        raise ValueError(f"forecaster must have sample_batch, got {forecaster!r}")
    return forecaster.sample_batch(n, reps, rng)


def _check_batch(confidence, correct) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(confidence)
    y = np.asarray(correct)
    if f.dtype.kind not in "biuf" or f.ndim != 2 or f.size == 0:
        raise ValueError(f"confidence must be a non-empty numeric 2-D array (replicates x n), got shape {f.shape}")
    if y.dtype.kind not in "biuf" or y.shape != f.shape:
        raise ValueError(f"correct must be a numeric array of the same shape as confidence {f.shape}, got {y.shape}")
    f = np.ascontiguousarray(f, dtype=np.float64)
    if not (f.min() >= 0.0 and f.max() <= 1.0):
        raise ValueError("confidence must lie in [0, 1] (no NaN)")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("correct must contain only 0/1 labels")
    return f, y.astype(np.float64)


#: the relative tolerance of the default width binning of
#: :func:`uqsurvey.calibration.ece` (``floor(f * B * (1 + 2**-36))``); the
#: tests check that :func:`ece_batch` reproduces ``ece`` with it.
_EDGE_SNAP = 1.0 + 2.0**-36


def ece_batch(confidence, correct, n_bins: int = 15, binning: str = "width") -> np.ndarray:
    """L1 binned ECE of every row of ``(R, n)`` arrays, in one pass.

    Reproduces :func:`uqsurvey.calibration.ece` (``norm="l1"``,
    ``convention="default"``) row by row, up to floating-point summation
    order (the tests require agreement to 1e-12): equal-width bins
    ``[k/B, (k+1)/B)`` with the last one closed, or equal-mass bins from the
    sorted row (Kumar et al.'s midpoint edges, bins ``(e_{k-1}, e_k]``).  A
    row whose equal-mass edges are not strictly between consecutive values
    (ties) is handed to the public ``ece``.
    """
    return ece_batch_bins(confidence, correct, (n_bins,), binning)[0]


def ece_batch_bins(confidence, correct, bins: Sequence[int], binning: str = "width") -> np.ndarray:
    """:func:`ece_batch` for several bin counts at once: ``(len(bins), R)``.

    The rows are validated, and (for equal-mass bins) sorted, only once.
    """
    f, y = _check_batch(confidence, correct)
    bins = [_check_positive_int("n_bins", b) for b in bins]
    if not bins:
        raise ValueError("bins must not be empty")
    _check_binning(binning)
    reps, n = f.shape
    r = f - y
    out = np.empty((len(bins), reps))
    if binning == "width":
        offsets = np.arange(reps)[:, None]
        for i, n_bins in enumerate(bins):
            idx = (f * (n_bins * _EDGE_SNAP)).astype(np.intp)
            np.minimum(idx, n_bins - 1, out=idx)
            idx += offsets * n_bins
            sums = np.bincount(idx.ravel(), weights=r.ravel(), minlength=reps * n_bins).reshape(reps, n_bins)
            out[i] = np.abs(sums).sum(axis=1) / n
        return out
    order = np.argsort(f, axis=1)
    fs = np.take_along_axis(f, order, axis=1)
    rs = np.take_along_axis(r, order, axis=1)
    for i, n_bins in enumerate(bins):
        k = min(n_bins, n)
        sizes = np.full(k, n // k)
        sizes[: n % k] += 1
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        sums = np.add.reduceat(rs, starts, axis=1)
        out[i] = np.abs(sums).sum(axis=1) / n
        if k > 1:
            cut = starts[1:]
            mids = (fs[:, cut - 1] + fs[:, cut]) / 2.0
            bad = np.flatnonzero(~np.all(mids < fs[:, cut], axis=1))
            if bad.size:
                from uqsurvey.calibration import ece

                for j in bad:
                    out[i, j] = ece(f[j], y[j], n_bins, binning="mass")
    return out


#: threads for the batched FFTs (rows are independent; results do not depend on it)
_FFT_WORKERS = 2


# relplot's grid size and sampled kernel: one definition, in uqsurvey.calibration.
from uqsurvey.calibration import _relplot_grid_size as _grid_size  # noqa: E402
from uqsurvey.calibration import _relplot_kernel as _kernel_grid  # noqa: E402


class _BatchDeposit:
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
            t = self.f * float(m - 1)
            j = t.astype(np.intp)
            w = t - j
            om = 1 - w
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


def _smece_at_rows(deposit: _BatchDeposit, rows: np.ndarray, sigma: float) -> np.ndarray:
    """relplot's ``smooth_ece`` at one bandwidth for the given rows.

    The reflected convolution with the full sampled kernel is done by FFT
    (kernel entries that underflow to zero contribute nothing either way).
    """
    from scipy import fft

    m = _grid_size(sigma)
    spec, nfft = deposit.spectrum(m)
    kspec = fft.rfft(_kernel_grid(m, sigma), nfft)
    smoothed = fft.irfft(spec[:, rows, :] * kspec, nfft, axis=-1, workers=_FFT_WORKERS)[..., m - 1 : 2 * m - 1]
    ev = max(round(10 / sigma), 200)
    t = np.linspace(0, 1, ev)
    bucket = 1 / (m - 1)
    inds = (t * (m - 1)).astype(int).clip(0, m - 2)
    resid = (t - inds * bucket) / bucket
    at = smoothed[..., inds] * (1 - resid) + smoothed[..., inds + 1] * resid
    dens = at[1] + 1e-4
    rs = at[0] / dens
    return np.sum(np.abs(rs) * dens, axis=-1) / np.sum(dens, axis=-1)


def smece_batch(confidence, correct, *, return_bandwidth: bool = False):
    """smECE of every row of ``(R, n)`` arrays, vectorised over the rows.

    Reproduces :func:`uqsurvey.calibration.smece` (``method="relplot"``) row
    by row: the same grid deposit, truncated reflected Gaussian kernel, density
    epsilon, evaluation mesh and 10-step bisection for the bandwidth, run for
    all rows at once.  Rows that share a bandwidth at a bisection step are
    smoothed together with one FFT convolution (the public function convolves
    directly), so values agree with ``smece`` up to rounding (the tests
    require 1e-9 relative and identical bandwidths).
    """
    f, y = _check_batch(confidence, correct)
    reps = f.shape[0]
    deposit = _BatchDeposit(f, f - y)
    all_rows = np.arange(reps)

    def values_at(sig: np.ndarray, rows: np.ndarray) -> np.ndarray:
        out = np.empty(rows.shape[0])
        for s in np.unique(sig):
            sel = sig == s
            out[sel] = _smece_at_rows(deposit, rows[sel], float(s))
        return out

    val_one = values_at(np.ones(reps), all_rows)
    start = np.ones(reps)
    end = np.zeros(reps)
    val_start = val_one.copy()
    active = np.flatnonzero(~(1.0 < val_one))  # check(1) fails: bisect
    for _ in range(10):
        if active.size == 0:
            break
        mid = (start[active] + end[active]) / 2
        ok = mid < 1e-3
        need = ~ok
        v = np.full(active.shape[0], np.nan)
        if need.any():
            v[need] = values_at(mid[need], active[need])
        ok |= need & (mid < v)
        end[active[ok]] = mid[ok]
        start[active[~ok]] = mid[~ok]
        val_start[active[~ok]] = v[~ok]
    return (val_start, start) if return_bandwidth else val_start


# --------------------------------------------------------------------------- #
# real predictions from small scikit-learn models
# --------------------------------------------------------------------------- #
def sklearn_predictions(
    seed: int = 0,
    n_samples: int = 12_000,
    test_size: float = 0.5,
    models: Iterable[str] = ("naive Bayes", "logistic regression", "random forest"),
) -> pd.DataFrame:
    """Held-out top-label confidence and correctness of three small classifiers.

    The data set is :func:`sklearn.datasets.make_classification` (generated
    locally, seeded; binary, with label noise ``flip_y``), split in half.
    Models: Gaussian naive Bayes (known to be over-confident), logistic
    regression and a small random forest.  Returns one row per (model, test
    example) with columns ``model, confidence, correct, p_positive, label``.
    """
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import GaussianNB

    n_samples = _check_positive_int("n_samples", n_samples, 20)
    if not (0 < test_size < 1):
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}")
    seed = _check_positive_int("seed", seed, 0)
    x, y = make_classification(
        n_samples=n_samples,
        n_features=20,
        n_informative=6,
        n_redundant=6,
        n_repeated=0,
        n_clusters_per_class=3,
        class_sep=0.8,
        flip_y=0.05,
        random_state=seed,
    )
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y)
    factory = {
        "naive Bayes": lambda: GaussianNB(),
        "logistic regression": lambda: LogisticRegression(max_iter=1000),
        "random forest": lambda: RandomForestClassifier(
            n_estimators=60, min_samples_leaf=3, max_features="sqrt", n_jobs=2, random_state=seed
        ),
    }
    models = list(models)
    unknown = [m for m in models if m not in factory]
    if unknown or not models:
        raise ValueError(f"models must be a non-empty subset of {list(factory)}, got {models!r}")
    frames = []
    for name in models:
        clf = factory[name]().fit(x_tr, y_tr)
        p1 = clf.predict_proba(x_te)[:, 1]
        pred = (p1 >= 0.5).astype(int)
        conf = np.where(pred == 1, p1, 1.0 - p1)
        frames.append(
            pd.DataFrame(
                {
                    "model": name,
                    "confidence": conf,
                    "correct": (pred == y_te).astype(np.int8),
                    "p_positive": p1,
                    "label": y_te.astype(np.int8),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
