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
    correctness ``c(f)`` in place of a 0/1 label), computed with
    :func:`uqsurvey.calibration.smece_expected`.  smECE is linear in the
    labels before the absolute value is taken, so this is the population
    functional up to an ``O(1/m)`` quadrature error.

Four named forecasters are provided (:func:`standard_forecasters`):
over-confident, under-confident, S-shaped and LLM-like (confidence massed near
1 and over-confident there).  :class:`VerbalizedForecaster` rounds a latent
forecaster's confidence to a 0.05 or 0.1 grid, as verbalized LLM confidences
are (:func:`uqsurvey.simulation.generators.verbalize`); its truth is computed
cell by cell.  :class:`GridForecaster` states grid values uniformly at random
and is correct with probability ``f - offset``: the verbalized sample of the
calibration-metrics page.

Every sampler draws ``R`` replicates at once as ``(R, n)`` arrays from a
seeded :class:`numpy.random.Generator`; the same seed gives the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import integrate, optimize, special, stats

from uqsurvey._args import as_generator, check_choice, check_int
from uqsurvey.calibration import BINNINGS, smece_expected
from uqsurvey.simulation.generators import verbalize, verbalized_grid

__all__ = [
    "QUAD_EPSABS",
    "QUAD_EPSREL",
    "POPULATION_SMECE_POINTS",
    "Forecaster",
    "PowerForecaster",
    "LogisticForecaster",
    "VerbalizedForecaster",
    "GridForecaster",
    "over_confident",
    "under_confident",
    "s_shaped",
    "llm_like",
    "llm_like_crossing",
    "standard_forecasters",
    "ranking_pair",
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
                raise ValueError(f"{arg} must be a finite number >= 1; found {v!r}")

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
        if not g.any():  # calibrated, c(f) = f: no crossing (not 3999 points to split every integral at)
            return ()
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
        n_bins = check_int("n_bins", n_bins)
        check_choice("binning", binning, BINNINGS)
        q = np.linspace(0.0, 1.0, n_bins + 1)
        return q if binning == "width" else self.quantile(q)

    def population_binned_ece(self, n_bins: int = 15, binning: str = "width") -> float:
        """The limit of binned ECE as ``n -> inf``: ``Σ_bins |∫_bin (c - f) p|``."""
        edges = self.bin_edges(n_bins, binning)
        integrand = lambda f: float(self.gap(f)) * self.density(f)  # noqa: E731
        return float(sum(abs(self._integrate(integrand, u, v)) for u, v in zip(edges[:-1], edges[1:])))

    def quadrature(self, m: int = POPULATION_SMECE_POINTS) -> tuple[np.ndarray, np.ndarray]:
        """``m`` mid-point quantiles of ``p`` and their expected correctness."""
        m = check_int("m", m, 2)
        f = self.quantile((np.arange(m) + 0.5) / m)
        return f, self.calibration(f)

    def population_smece(self, m: int = POPULATION_SMECE_POINTS) -> float:
        """The limit of smECE as ``n -> inf`` (see the module docstring)."""
        def compute():
            f, c = self.quadrature(m)
            return smece_expected(f, c)

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
        n = check_int("n", n)
        reps = check_int("reps", reps)
        rng = as_generator(rng, "rng")
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
            raise ValueError(f"gamma must be a finite number > 0; found {self.gamma!r}")

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
            raise ValueError(f"slope must be a finite number > 0; found {self.slope!r}")
        if not np.isfinite(self.intercept):
            raise ValueError(f"intercept must be finite; found {self.intercept!r}")

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
            raise ValueError(f"latent must be a Forecaster; found {self.latent!r}")
        k = 1.0 / self.step if self.step > 0 else np.inf
        if not (0 < self.step <= 0.5) or abs(k - round(k)) > 1e-9:
            raise ValueError(f"step must divide 1 (e.g. 0.05 or 0.1); found {self.step!r}")
        if not self.name:
            object.__setattr__(self, "name", f"{self.latent.name}, verbalized ({self.step:g} grid)")

    @property
    def grid(self) -> np.ndarray:
        return verbalized_grid(self.step)

    def state(self, latent: np.ndarray) -> np.ndarray:
        return verbalize(latent, self.step)

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
            return smece_expected(self.state(lat), c)

        return _cached(("population_smece", self, m), compute)

    def sample(self, n: int, rng):
        conf, correct = self.sample_batch(n, 1, rng)
        return conf[0], correct[0]

    def sample_batch(self, n: int, reps: int, rng):
        lat, correct = self.latent.sample_batch(n, reps, rng)
        return self.state(lat), correct


@dataclass(frozen=True)
class GridForecaster:
    """Verbalized confidences drawn uniformly from a grid; correct with
    probability ``c(f) = clip(f - offset, 0, 1)`` (over-confident by
    ``offset``).

    The grid is :func:`uqsurvey.simulation.generators.verbalized_grid` ``(step,
    low)``: by default the 0.05 steps from 0.5 to 1, the stated confidences of
    a model that never admits less than even odds.  ``F`` is discrete and
    uniform, so the truth is a finite average:
    ``true_ece = mean_g |c(g) - g|``.  :meth:`sample` draws the grid values
    first (``rng.choice``), then one uniform per draw.
    """

    step: float = 0.05
    low: float = 0.5
    offset: float = 0.12
    name: str = ""

    def __post_init__(self):
        k = 1.0 / self.step if self.step > 0 else np.inf
        if not (0 < self.step <= 0.5) or abs(k - round(k)) > 1e-9:
            raise ValueError(f"step must divide 1 (e.g. 0.05 or 0.1); found {self.step!r}")
        if not 0 <= self.low < 1:
            raise ValueError(f"low must be in [0, 1); found {self.low!r}")
        if not 0 <= self.offset < 1:
            raise ValueError(f"offset must be in [0, 1); found {self.offset!r}")
        if not self.name:
            object.__setattr__(self, "name", f"verbalized on a {self.step:g} grid from {self.low:g}, "
                                             f"over-confident by {self.offset:g}")

    @property
    def grid(self) -> np.ndarray:
        return verbalized_grid(self.step, self.low)

    def calibration(self, f):
        return np.clip(np.asarray(f, dtype=float) - self.offset, 0.0, 1.0)

    def accuracy(self) -> float:
        return float(np.mean(self.calibration(self.grid)))

    def mean_confidence(self) -> float:
        return float(np.mean(self.grid))

    def true_ece(self) -> float:
        g = self.grid
        return float(np.mean(np.abs(self.calibration(g) - g)))

    def sample(self, n: int, rng):
        conf, correct = self.sample_batch(n, 1, rng)
        return conf[0], correct[0]

    def sample_batch(self, n: int, reps: int, rng):
        n = check_int("n", n)
        reps = check_int("reps", reps)
        rng = as_generator(rng, "rng")
        conf = rng.choice(self.grid, size=(reps, n))
        correct = (rng.random(size=(reps, n)) < self.calibration(conf)).astype(np.int8)
        return conf, correct


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
        raise ValueError(f"cross must be in (0, 1); found {cross!r}")
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
