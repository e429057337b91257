"""Seeded simulations behind the demonstration pages of §4 and §5.

Sections 4 and 5 of Devic et al. (2025) argue from the literature.  The four
demonstration pages of the book give each argument a small executable
illustration.  Everything they compute lives here, so that it is tested:

* **Aleatoric uncertainty (R4)** -- items whose label is intrinsically
  uncertain (annotators disagree), scored against a majority-vote gold label
  and against the annotators' label distribution
  (:func:`simulate_annotations`, :func:`score_forecast`,
  :func:`annotator_sweep`); and a bootstrap ensemble whose disagreement
  vanishes with data while the label noise stays
  (:func:`entropy_decomposition`, :func:`ensemble_uncertainty`).
* **Distribution shift (R5)** -- temperature, Platt and isotonic
  recalibration and split-conformal prediction sets fitted on a source
  distribution of scikit-learn's bundled digits, evaluated under covariate and
  label shift (:func:`fit_temperature`, :func:`fit_platt`,
  :func:`fit_isotonic`, :func:`conformal_threshold`,
  :func:`prediction_sets`, :func:`shift_experiment`).
* **Metrics vs team performance (R6-R8)** -- a human-AI decision model with a
  confidence-comparison reliance rule (:func:`simulate_team_task`,
  :func:`distort_confidence`, :func:`team_outcomes`,
  :func:`temperature_sweep`, :func:`forecaster_family`).
* **Selective prediction** -- a calibrated but weakly discriminating forecaster
  against a sharp but miscalibrated one (:func:`simulate_selective_pair`,
  :func:`selective_comparison`).

Every function that draws random numbers takes a ``seed`` (an ``int`` or a
:class:`numpy.random.Generator`); the same integer seed gives the same numbers.
All of this is *simulation*: it shows what can happen under stated
assumptions, not what happens with any particular LLM.  Metrics (ECE, smECE,
Brier, AUROC, AURC, bootstrap intervals) come from
:mod:`uqsurvey.calibration`; only metrics that module does not define (scores
against a *soft* label) are defined here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from uqsurvey import calibration as cal

_EPS = 1e-12


# --------------------------------------------------------------------------- #
# Shared helpers
# --------------------------------------------------------------------------- #
def _rng(seed) -> np.random.Generator:
    """A Generator from an integer seed (or the Generator itself)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an int or a numpy Generator, not {seed!r}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, not {seed}")
    return np.random.default_rng(int(seed))


def _positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, not {value!r}")
    return int(value)


def _positive_float(name: str, value) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, not {value!r}") from None
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a positive finite number, not {value!r}")
    return v


def _unit_interval(name: str, value, *, open_left=False, open_right=False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 1], not {value!r}") from None
    lo_ok = v > 0 if open_left else v >= 0
    hi_ok = v < 1 if open_right else v <= 1
    if not (math.isfinite(v) and lo_ok and hi_ok):
        interval = f"{'(' if open_left else '['}0, 1{')' if open_right else ']'}"
        raise ValueError(f"{name} must lie in {interval}, not {value!r}")
    return v


def _prob_array(name: str, x, *, ndim: int | None = 1) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > 1):
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    return a


def _binary_array(name: str, x, n: int | None = None) -> np.ndarray:
    a = np.asarray(x)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {a.shape}")
    if a.dtype != bool:
        af = a.astype(float)
        if not np.all((af == 0) | (af == 1)):
            raise ValueError(f"{name} must hold 0/1 (or bool) values")
        a = af.astype(bool)
    if n is not None and a.size != n:
        raise ValueError(f"{name} has {a.size} entries; expected {n}")
    return a


def _same_length(**arrays) -> int:
    sizes = {k: len(v) for k, v in arrays.items()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"arrays must have equal length, got {sizes}")
    return next(iter(sizes.values()))


def sigmoid(z) -> np.ndarray:
    """The logistic function, elementwise."""
    return special.expit(np.asarray(z, dtype=float))


def logit(p) -> np.ndarray:
    """The log-odds, elementwise, with probabilities clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p) - np.log1p(-p)


def binary_entropy(p) -> np.ndarray:
    """Entropy of a Bernoulli(p) label, in bits (1 bit at p = 1/2)."""
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def spearman(x, y) -> float:
    """Spearman rank correlation as a Python float."""
    return float(stats.spearmanr(np.asarray(x, float), np.asarray(y, float)).statistic)


# --------------------------------------------------------------------------- #
# §4, R4 -- aleatoric uncertainty
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class AnnotatedItems:
    """Binary items with a true label distribution and *m* annotator votes each.

    ``p_true[i]`` is the probability that a random annotator says "1" for item
    *i*; ``votes[i]`` counts the "1" votes among ``n_annotators``; ``soft`` is
    the vote share; ``gold`` is the majority vote (ties broken by a fair coin).
    """

    X: np.ndarray
    p_true: np.ndarray
    votes: np.ndarray
    n_annotators: int
    gold: np.ndarray

    @property
    def soft(self) -> np.ndarray:
        return self.votes / self.n_annotators

    def __len__(self) -> int:
        return len(self.p_true)


def simulate_annotations(
    n_items: int, n_annotators: int, *, n_features: int = 4, signal: float = 1.5, seed=0
) -> AnnotatedItems:
    """Draw items whose labels annotators genuinely disagree on.

    Generative model (the assumptions of the page): features
    ``X ~ N(0, I_d)``; the annotators' label distribution is logistic in the
    features, ``p(x) = sigmoid(w . x)`` with ``w = signal / sqrt(d) * (1, ..., 1)``
    (so the log-odds are ``N(0, signal**2)`` and many items sit near 50/50);
    each of ``n_annotators`` annotators votes independently from ``p(x)``.
    Disagreement is therefore intrinsic (aleatoric): no amount of data
    removes it.
    """
    n_items = _positive_int("n_items", n_items)
    m = _positive_int("n_annotators", n_annotators)
    d = _positive_int("n_features", n_features)
    signal = _positive_float("signal", signal)
    rng = _rng(seed)
    X = rng.standard_normal((n_items, d))
    w = np.full(d, signal / math.sqrt(d))
    p = sigmoid(X @ w)
    votes = rng.binomial(m, p)
    gold = (2 * votes > m).astype(int)
    ties = 2 * votes == m
    gold[ties] = rng.integers(0, 2, int(ties.sum()))
    return AnnotatedItems(X=X, p_true=p, votes=votes, n_annotators=m, gold=gold)


def annotator_ece(confidence, agreeing_votes, n_annotators: int, n_bins: int = 15) -> float:
    """Calibration error against the annotators rather than against one gold label.

    ``confidence`` is the forecaster's probability for the label it predicts
    and ``agreeing_votes`` how many of the ``n_annotators`` annotators gave
    that label.  Each item is expanded into its ``n_annotators`` votes (1 if
    the annotator agrees with the prediction) and the binned ECE of
    :func:`uqsurvey.calibration.ece` is taken over all votes.  Every item
    keeps equal weight, and a bin's "accuracy" becomes the mean vote share:
    the chance that a randomly drawn annotator agrees.  With one annotator it
    is the ordinary ECE.
    """
    conf = _prob_array("confidence", confidence)
    m = _positive_int("n_annotators", n_annotators)
    v = np.asarray(agreeing_votes)
    if v.shape != conf.shape:
        raise ValueError(f"agreeing_votes has shape {v.shape}; confidence has {conf.shape}")
    if not np.all(np.equal(np.mod(v, 1), 0)) or np.any(v < 0) or np.any(v > m):
        raise ValueError(f"agreeing_votes must be integers in 0..{m}")
    v = v.astype(int)
    agree = (np.arange(m)[None, :] < v[:, None]).ravel()
    return float(cal.ece(np.repeat(conf, m), agree, n_bins=n_bins))


def score_forecast(prob_one, items: AnnotatedItems, *, n_bins: int = 15) -> dict[str, float]:
    """Score a binary forecast against the gold label and against the annotators.

    Returns, as Python floats:

    ``accuracy_gold``  agreement of the predicted label with the majority vote;
    ``agreement``      expected agreement with a random annotator;
    ``ece_gold``       binned ECE of the top-label confidence w.r.t. the gold label
                       (:func:`uqsurvey.calibration.ece`);
    ``ece_soft``       the same binning w.r.t. the annotators' votes
                       (:func:`annotator_ece`);
    ``brier_gold``     squared error of ``P(label = 1)`` against the gold label;
    ``brier_soft``     squared error against the vote share;
    ``brier_true``     squared error against the true label distribution (a
                       simulation-only quantity: real data never reveal it).
    """
    q = _prob_array("prob_one", prob_one)
    if len(q) != len(items):
        raise ValueError(f"prob_one has {len(q)} entries; items has {len(items)}")
    pred = q >= 0.5
    conf = np.where(pred, q, 1 - q)
    correct = pred == (items.gold == 1)
    agreeing = np.where(pred, items.votes, items.n_annotators - items.votes)
    agree = agreeing / items.n_annotators
    return {
        "accuracy_gold": float(correct.mean()),
        "agreement": float(agree.mean()),
        "ece_gold": float(cal.ece(conf, correct, n_bins=n_bins)),
        "ece_soft": annotator_ece(conf, agreeing, items.n_annotators, n_bins=n_bins),
        "brier_gold": float(np.mean((q - items.gold) ** 2)),
        "brier_soft": float(np.mean((q - items.soft) ** 2)),
        "brier_true": float(np.mean((q - items.p_true) ** 2)),
    }


def fit_label_models(train: AnnotatedItems, *, C: float = 10.0) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Fit one logistic regression on the soft labels and one on the majority vote.

    The soft-label model sees every item twice, as label 1 with weight equal
    to the vote share and as label 0 with the complementary weight; the
    majority model sees the gold label only.  Returns ``{name: predict}``
    where ``predict(X)`` gives ``P(label = 1)``.
    """
    from sklearn.linear_model import LogisticRegression

    C = _positive_float("C", C)
    n = len(train)
    soft = train.soft
    Xd = np.vstack([train.X, train.X])
    yd = np.r_[np.ones(n, int), np.zeros(n, int)]
    wd = np.r_[soft, 1 - soft]
    keep = wd > 0
    models = {}
    m_soft = LogisticRegression(C=C, max_iter=2000).fit(Xd[keep], yd[keep], sample_weight=wd[keep])
    models["trained on vote shares"] = lambda X, m=m_soft: m.predict_proba(X)[:, 1]
    if len(np.unique(train.gold)) < 2:
        raise ValueError("the gold labels of the training items are all equal; draw more items")
    m_gold = LogisticRegression(C=C, max_iter=2000).fit(train.X, train.gold)
    models["trained on majority vote"] = lambda X, m=m_gold: m.predict_proba(X)[:, 1]
    return models


def annotator_sweep(
    n_annotators: Sequence[int] = (1, 3, 5, 11, 25, 51, 101),
    *,
    n_train: int = 3000,
    n_test: int = 6000,
    n_bins: int = 15,
    signal: float = 1.5,
    seed=0,
) -> pd.DataFrame:
    """Score three forecasters as the number of annotators per item grows.

    For each ``m`` in ``n_annotators`` a fresh training and test set are drawn
    with ``m`` votes per item.  Forecasters: the true label distribution
    (``"true distribution"``), a logistic regression fitted to vote shares, and
    one fitted to majority votes (:func:`fit_label_models`).  One row per
    (``m``, forecaster) with the columns of :func:`score_forecast`.
    """
    ms = [_positive_int("n_annotators entry", m) for m in n_annotators]
    if not ms:
        raise ValueError("n_annotators is empty")
    rng = _rng(seed)
    rows = []
    for m in ms:
        train = simulate_annotations(n_train, m, signal=signal, seed=rng)
        test = simulate_annotations(n_test, m, signal=signal, seed=rng)
        forecasts = {"true distribution": test.p_true}
        forecasts.update({name: f(test.X) for name, f in fit_label_models(train).items()})
        for name, q in forecasts.items():
            rows.append({"n_annotators": m, "forecaster": name, **score_forecast(q, test, n_bins=n_bins)})
    return pd.DataFrame(rows)


def entropy_decomposition(member_probs) -> dict[str, np.ndarray]:
    """Split an ensemble's predictive entropy into its usual two parts (bits).

    ``member_probs`` has shape ``(n_members, n_items)``: each member's
    ``P(label = 1)``.  Returns ``total`` (entropy of the mean forecast),
    ``aleatoric`` (mean entropy of the members) and ``epistemic`` (their
    difference: the mutual information between label and member, which is
    zero exactly when the members agree).
    """
    P = _prob_array("member_probs", member_probs, ndim=2)
    if P.shape[0] < 2:
        raise ValueError("an ensemble needs at least two members (rows)")
    total = binary_entropy(P.mean(axis=0))
    aleatoric = binary_entropy(P).mean(axis=0)
    return {"total": total, "aleatoric": aleatoric, "epistemic": np.maximum(total - aleatoric, 0.0)}


def ensemble_uncertainty(
    train_sizes: Sequence[int] = (25, 100, 400, 1600, 6400, 25600),
    *,
    n_members: int = 10,
    n_test: int = 2000,
    near_half: float = 0.1,
    signal: float = 1.5,
    seed=0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A bootstrap ensemble of logistic regressions at growing training sizes.

    Training items carry one annotator's vote each (a draw from the true label
    distribution of :func:`simulate_annotations`).  Each member is fitted to a
    bootstrap resample.  The model family contains the truth, which is the
    most favourable case for the ensemble.

    Returns ``(summary, detail)``.  ``summary`` has one row per training size
    with the mean ``epistemic``, ``total`` and ``aleatoric`` entropy (bits)
    over all test items and over the items whose true probability is within
    ``near_half`` of 1/2 (suffix ``_near_half``), and the true label entropy.
    ``detail`` has one row per test item at the largest training size.
    """
    from sklearn.linear_model import LogisticRegression

    sizes = [_positive_int("train size", n, minimum=10) for n in train_sizes]
    if not sizes:
        raise ValueError("train_sizes is empty")
    n_members = _positive_int("n_members", n_members, minimum=2)
    near_half = _unit_interval("near_half", near_half, open_left=True)
    if near_half > 0.5:
        raise ValueError("near_half must be at most 0.5")
    rng = _rng(seed)
    test = simulate_annotations(n_test, 1, signal=signal, seed=rng)
    true_h = binary_entropy(test.p_true)
    near = np.abs(test.p_true - 0.5) < near_half
    if not near.any():
        raise ValueError("no test item lies near 1/2; increase n_test or near_half")
    rows, detail = [], None
    for n in sizes:
        train = simulate_annotations(n, 1, signal=signal, seed=rng)
        y = train.votes
        P = np.empty((n_members, n_test))
        for k in range(n_members):
            for _ in range(100):  # a resample needs both labels
                idx = rng.integers(0, n, n)
                if 0 < y[idx].sum() < n:
                    break
            else:
                raise ValueError(f"training size {n} gives single-label resamples; use larger sizes")
            P[k] = LogisticRegression(C=1.0, max_iter=2000).fit(train.X[idx], y[idx]).predict_proba(test.X)[:, 1]
        parts = entropy_decomposition(P)
        row = {"train_size": n}
        for key, v in parts.items():
            row[key] = float(v.mean())
            row[f"{key}_near_half"] = float(v[near].mean())
        row["true_entropy"] = float(true_h.mean())
        row["true_entropy_near_half"] = float(true_h[near].mean())
        rows.append(row)
        detail = pd.DataFrame({"p_true": test.p_true, "true_entropy": true_h, **parts})
    return pd.DataFrame(rows), detail


# --------------------------------------------------------------------------- #
# §4, R5 -- recalibration and conformal prediction under distribution shift
# --------------------------------------------------------------------------- #
def softmax(logits, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``."""
    L = np.asarray(logits, dtype=float)
    if L.ndim != 2:
        raise ValueError(f"logits must be 2-dimensional (items x classes), got shape {L.shape}")
    T = _positive_float("temperature", temperature)
    return special.softmax(L / T, axis=1)


def _labels(name: str, labels, n: int, k: int) -> np.ndarray:
    y = np.asarray(labels)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"{name} must be a 1-d array of length {n}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.equal(np.mod(y, 1), 0)):
            raise ValueError(f"{name} must hold integer class indices")
        y = y.astype(int)
    if np.any(y < 0) or np.any(y >= k):
        raise ValueError(f"{name} must lie in 0..{k - 1}")
    return y


def fit_temperature(logits, labels, *, bounds: tuple[float, float] = (1e-2, 1e2)) -> float:
    """The temperature that minimises the mean negative log-likelihood.

    ``logits`` has shape ``(n, K)`` and ``labels`` holds class indices.  The
    NLL is minimised over ``log T`` on ``log(bounds)`` (a bounded scalar
    search, so the result is deterministic).
    """
    L = np.asarray(logits, dtype=float)
    if L.ndim != 2 or L.shape[0] == 0 or L.shape[1] < 2:
        raise ValueError(f"logits must have shape (n >= 1, K >= 2), got {L.shape}")
    if not np.all(np.isfinite(L)):
        raise ValueError("logits must be finite")
    y = _labels("labels", labels, L.shape[0], L.shape[1])
    lo, hi = (_positive_float("bounds[0]", bounds[0]), _positive_float("bounds[1]", bounds[1]))
    if lo >= hi:
        raise ValueError("bounds must be increasing")
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        return float(-special.log_softmax(L / math.exp(log_t), axis=1)[rows, y].mean())

    res = optimize.minimize_scalar(nll, bounds=(math.log(lo), math.log(hi)), method="bounded", options={"xatol": 1e-6})
    return float(math.exp(res.x))


def fit_platt(confidence, correct) -> Callable[[np.ndarray], np.ndarray]:
    """Platt scaling of a confidence: ``sigmoid(a * logit(c) + b)``, fitted by maximum likelihood.

    Fitted to 0/1 correctness with scipy (no target smoothing).  Returns the
    fitted map; its ``params`` attribute holds ``(a, b)``.
    """
    c = _prob_array("confidence", confidence)
    y = _binary_array("correct", correct, len(c)).astype(float)
    if y.min() == y.max():
        raise ValueError("correct must contain both outcomes to fit Platt scaling")
    z = logit(c)

    def nll(theta):
        s = theta[0] * z + theta[1]
        return float(np.mean(np.logaddexp(0, s) - y * s))

    def grad(theta):
        r = sigmoid(theta[0] * z + theta[1]) - y
        return np.array([np.mean(r * z), np.mean(r)])

    res = optimize.minimize(nll, x0=np.array([1.0, 0.0]), jac=grad, method="BFGS")
    a, b = map(float, res.x)

    def platt(conf):
        return sigmoid(a * logit(_prob_array("confidence", conf)) + b)

    platt.params = (a, b)
    return platt


def fit_isotonic(confidence, correct) -> Callable[[np.ndarray], np.ndarray]:
    """Isotonic recalibration (scikit-learn), clipped to [0, 1] outside the fitted range."""
    from sklearn.isotonic import IsotonicRegression

    c = _prob_array("confidence", confidence)
    y = _binary_array("correct", correct, len(c)).astype(float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(c, y)

    def isotonic(conf):
        return np.clip(iso.predict(_prob_array("confidence", conf)), 0.0, 1.0)

    return isotonic


def conformal_threshold(cal_probs, cal_labels, alpha: float = 0.1) -> float:
    """Split-conformal threshold for the score ``1 - p(true class)``.

    The ``ceil((n + 1)(1 - alpha))``-th smallest calibration score; ``inf``
    when that rank exceeds ``n`` (then every class enters every set).  On
    exchangeable data the sets of :func:`prediction_sets` then contain the
    true class with probability at least ``1 - alpha``.
    """
    P = _prob_array("cal_probs", cal_probs, ndim=2)
    y = _labels("cal_labels", cal_labels, P.shape[0], P.shape[1])
    alpha = _unit_interval("alpha", alpha, open_left=True, open_right=True)
    scores = np.sort(1.0 - P[np.arange(len(y)), y])
    n = len(scores)
    k = math.ceil((n + 1) * (1 - alpha))
    return float("inf") if k > n else float(scores[k - 1])


def prediction_sets(probs, threshold: float) -> np.ndarray:
    """Boolean ``(n, K)`` matrix: class ``k`` is in item ``i``'s set iff ``1 - p_ik <= threshold``."""
    P = _prob_array("probs", probs, ndim=2)
    t = float(threshold)
    if math.isnan(t):
        raise ValueError("threshold is NaN")
    return (1.0 - P) <= t


def set_coverage(sets, labels) -> tuple[float, float]:
    """(share of items whose set holds the true label, mean set size)."""
    S = np.asarray(sets, dtype=bool)
    if S.ndim != 2:
        raise ValueError("sets must be a 2-d boolean matrix")
    y = _labels("labels", labels, S.shape[0], S.shape[1])
    return float(S[np.arange(len(y)), y].mean()), float(S.sum(axis=1).mean())


def load_digit_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 handwritten digits (no download): ``(images (n, 8, 8) in 0..16, labels)``."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return d.images.astype(float), d.target.astype(int)


def digit_features(images, *, pool: int = 2) -> np.ndarray:
    """Average-pool 8x8 images by ``pool`` (1, 2, 4 or 8) and scale pixels to [0, 1]."""
    im = np.asarray(images, dtype=float)
    if im.ndim != 3 or im.shape[1:] != (8, 8):
        raise ValueError(f"images must have shape (n, 8, 8), got {im.shape}")
    if pool not in (1, 2, 4, 8):
        raise ValueError(f"pool must be 1, 2, 4 or 8, not {pool!r}")
    s = 8 // pool
    return im.reshape(len(im), s, pool, s, pool).mean(axis=(2, 4)).reshape(len(im), -1) / 16.0


def corrupt_images(images, noise_sd: float, seed=0) -> np.ndarray:
    """Add Gaussian pixel noise (sd on the 0-16 intensity scale) and clip to [0, 16]."""
    im = np.asarray(images, dtype=float)
    sd = float(noise_sd)
    if not math.isfinite(sd) or sd < 0:
        raise ValueError(f"noise_sd must be a non-negative number, not {noise_sd!r}")
    if sd == 0:
        return im.copy()
    return np.clip(im + _rng(seed).normal(0.0, sd, im.shape), 0.0, 16.0)


def label_shift_prior(n_classes: int, hard_classes, severity: float) -> np.ndarray:
    """Class prior ``(1 - s) * uniform + s * uniform-over-hard_classes``."""
    K = _positive_int("n_classes", n_classes, minimum=2)
    s = _unit_interval("severity", severity)
    hard = np.asarray(hard_classes, dtype=int)
    if hard.ndim != 1 or hard.size == 0 or np.any(hard < 0) or np.any(hard >= K) or len(set(hard)) != hard.size:
        raise ValueError("hard_classes must be distinct class indices")
    prior = np.full(K, (1 - s) / K)
    prior[hard] += s / hard.size
    return prior


def resample_to_prior(labels, prior, size: int, seed=0) -> np.ndarray:
    """Indices drawn with replacement so that the label mix follows ``prior`` (p(x | y) unchanged)."""
    y = np.asarray(labels, dtype=int)
    prior = np.asarray(prior, dtype=float)
    if y.ndim != 1 or y.size == 0:
        raise ValueError("labels must be a non-empty 1-d array")
    if prior.ndim != 1 or np.any(prior < 0) or not np.isclose(prior.sum(), 1.0) or y.max() >= len(prior):
        raise ValueError("prior must be a probability vector over the label values")
    counts = np.bincount(y, minlength=len(prior)).astype(float)
    if np.any((prior > 0) & (counts == 0)):
        raise ValueError("prior puts mass on a class absent from labels")
    w = np.where(counts[y] > 0, prior[y] / np.maximum(counts[y], 1), 0.0)
    return _rng(seed).choice(len(y), size=_positive_int("size", size), replace=True, p=w / w.sum())


RECALIBRATORS = ("uncalibrated", "temperature", "Platt", "isotonic")


def shift_experiment(
    *,
    noise_levels: Sequence[float] = (0, 1, 2, 3, 4, 6),
    label_shift_levels: Sequence[float] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
    n_hard: int = 3,
    alpha: float = 0.1,
    n_repeats: int = 5,
    train_share: float = 0.4,
    cal_share: float = 0.3,
    pool: int = 2,
    C: float = 1000.0,
    n_bins: int = 15,
    with_smece: bool = True,
    seed=0,
) -> pd.DataFrame:
    """Recalibrate on the source distribution, then evaluate under shift.

    Each repeat splits scikit-learn's digits at random (stratified) into
    training (``train_share``), calibration (``cal_share``) and test (the
    rest) sets; images are average-pooled by ``pool`` to make the task hard
    enough that confidence varies.  A multinomial logistic regression with
    weak regularisation (``C``) is fitted on the training set.
    On the calibration set we fit a temperature (multiclass NLL), Platt
    scaling and isotonic regression (both on the top-label confidence), and
    the split-conformal threshold at level ``1 - alpha`` on the
    temperature-scaled probabilities.

    Shifts of the test set:

    ``covariate``  Gaussian pixel noise with sd in ``noise_levels`` (0-16 scale);
                   the digit, hence the label, is unchanged;
    ``label``      resampling so that the class prior moves from uniform towards
                   the ``n_hard`` classes with the lowest calibration-set
                   accuracy, by the amounts in ``label_shift_levels``; images
                   of a class are unchanged.

    Returns a long DataFrame: ``repeat, shift, severity, method, metric, value``
    where ``method`` is one of :data:`RECALIBRATORS` (metrics ``accuracy``,
    ``confidence`` (the mean top-label confidence), ``ece``, ``smece``) or ``"split conformal"`` (metrics ``coverage``,
    ``set_size``).  ``df.attrs["temperature"]`` lists the fitted temperature
    of each repeat and ``df.attrs["n_test"]`` the size of each test set.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    noise = [float(s) for s in noise_levels]
    if any(not math.isfinite(s) or s < 0 for s in noise):
        raise ValueError("noise_levels must be non-negative numbers")
    label_levels = [_unit_interval("label shift level", s) for s in label_shift_levels]
    alpha = _unit_interval("alpha", alpha, open_left=True, open_right=True)
    n_repeats = _positive_int("n_repeats", n_repeats)
    n_hard = _positive_int("n_hard", n_hard)
    C = _positive_float("C", C)
    if n_hard >= 10:
        raise ValueError("n_hard must be below the number of classes (10)")
    rng = _rng(seed)
    images, y = load_digit_images()
    rows, temperatures, n_tests = [], [], []
    for r in range(n_repeats):
        split_seed = int(rng.integers(2**31 - 1))
        i_tr, i_rest = train_test_split(np.arange(len(y)), train_size=train_share, stratify=y, random_state=split_seed)
        i_cal, i_te = train_test_split(
            i_rest, train_size=cal_share / (1 - train_share), stratify=y[i_rest], random_state=split_seed
        )
        n_tests.append(len(i_te))
        model = LogisticRegression(C=C, solver="newton-cholesky", max_iter=500)
        model.fit(digit_features(images[i_tr], pool=pool), y[i_tr])

        def logits_of(im):
            return model.decision_function(digit_features(im, pool=pool))

        L_cal = logits_of(images[i_cal])
        T = fit_temperature(L_cal, y[i_cal])
        temperatures.append(T)
        p_cal = softmax(L_cal)
        conf_cal = p_cal.max(axis=1)
        correct_cal = p_cal.argmax(axis=1) == y[i_cal]
        platt = fit_platt(conf_cal, correct_cal)
        iso = fit_isotonic(conf_cal, correct_cal)
        q_hat = conformal_threshold(softmax(L_cal, T), y[i_cal], alpha)
        class_acc = np.array([correct_cal[y[i_cal] == k].mean() for k in range(10)])
        hard = np.argsort(class_acc, kind="stable")[:n_hard]

        def evaluate(im, labels, shift, severity):
            L = logits_of(im)
            p = softmax(L)
            conf = p.max(axis=1)
            correct = p.argmax(axis=1) == labels
            confs = {
                "uncalibrated": conf,
                "temperature": softmax(L, T).max(axis=1),
                "Platt": platt(conf),
                "isotonic": iso(conf),
            }
            base = {"repeat": r, "shift": shift, "severity": float(severity)}
            for name, c in confs.items():
                rows.append({**base, "method": name, "metric": "accuracy", "value": float(correct.mean())})
                rows.append({**base, "method": name, "metric": "confidence", "value": float(c.mean())})
                ece = float(cal.ece(c, correct, n_bins=n_bins))
                rows.append({**base, "method": name, "metric": "ece", "value": ece})
                if with_smece:
                    rows.append({**base, "method": name, "metric": "smece", "value": float(cal.smece(c, correct))})
            cov, size = set_coverage(prediction_sets(softmax(L, T), q_hat), labels)
            rows.append({**base, "method": "split conformal", "metric": "coverage", "value": cov})
            rows.append({**base, "method": "split conformal", "metric": "set_size", "value": size})

        for sd in noise:
            evaluate(corrupt_images(images[i_te], sd, seed=rng), y[i_te], "covariate", sd)
        for s in label_levels:
            idx = resample_to_prior(y[i_te], label_shift_prior(10, hard, s), len(i_te), seed=rng)
            evaluate(images[i_te][idx], y[i_te][idx], "label", s)
    df = pd.DataFrame(rows)
    df.attrs["temperature"] = temperatures
    df.attrs["n_test"] = n_tests
    return df


def summarise_runs(df: pd.DataFrame, by: Sequence[str] = ("shift", "severity", "method", "metric")) -> pd.DataFrame:
    """Mean, min and max of ``value`` over repeats, per group."""
    missing = (set(by) | {"value"}) - set(df.columns)
    if missing:
        raise ValueError(f"df lacks columns {sorted(missing)}")
    return df.groupby(list(by), sort=False)["value"].agg(["mean", "min", "max"]).reset_index()


# --------------------------------------------------------------------------- #
# §5, R6-R8 -- calibration metrics vs team performance
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class TeamTask:
    """Per-task probabilities of a binary human-AI decision task.

    ``human_p`` / ``ai_p``: probability that the human's / the AI's own answer
    is correct; ``human_conf``: the confidence the human *feels* (equal to
    ``human_p`` for a calibrated human); the AI's calibrated confidence is
    ``ai_p`` itself.
    """

    human_p: np.ndarray
    human_conf: np.ndarray
    ai_p: np.ndarray

    def __len__(self) -> int:
        return len(self.ai_p)


def _excess_over_chance(z) -> np.ndarray:
    """Map a real number to a probability of being right in [1/2, 1)."""
    return 0.5 + 0.5 * sigmoid(z)


def simulate_team_task(
    n_tasks: int,
    *,
    human_skill: float = 0.5,
    ai_skill: float = 1.0,
    spread: float = 1.5,
    correlation: float = 0.3,
    human_temperature: float = 1.0,
    seed=0,
) -> TeamTask:
    """Draw the probabilities of a binary decision task with a human and an AI.

    Assumptions: per task, latent difficulties ``(z_h, z_a)`` are standard
    bivariate normal with the given ``correlation``; the human is right with
    probability ``1/2 + 1/2 * sigmoid(human_skill + spread * z_h)`` and the AI
    with ``1/2 + 1/2 * sigmoid(ai_skill + spread * z_a)``; given these
    probabilities their errors are independent.  The human's felt confidence
    is ``sigmoid(logit(human_p) / human_temperature)``: a temperature below 1
    makes the human over-confident, 1 calibrated.
    """
    n = _positive_int("n_tasks", n_tasks)
    for name, v in (("human_skill", human_skill), ("ai_skill", ai_skill)):
        if not math.isfinite(float(v)):
            raise ValueError(f"{name} must be finite")
    spread = _positive_float("spread", spread)
    rho = float(correlation)
    if not -1 < rho < 1:
        raise ValueError(f"correlation must lie in (-1, 1), not {correlation!r}")
    t_h = _positive_float("human_temperature", human_temperature)
    rng = _rng(seed)
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], size=n)
    human_p = _excess_over_chance(float(human_skill) + spread * z[:, 0])
    ai_p = _excess_over_chance(float(ai_skill) + spread * z[:, 1])
    human_conf = sigmoid(logit(human_p) / t_h)
    return TeamTask(human_p=human_p, human_conf=human_conf, ai_p=ai_p)


def distort_confidence(confidence, temperature: float = 1.0, bias: float = 0.0) -> np.ndarray:
    """A monotone distortion of a binary top-label confidence.

    ``max(1/2, sigmoid(logit(c) / temperature + bias))``: temperature below 1
    and positive bias inflate the confidence, temperature above 1 and negative
    bias deflate it; ``(1, 0)`` is the identity.  The result stays in
    [1/2, 1] because a binary answer is never shown with less than even odds.
    """
    c = _prob_array("confidence", confidence)
    T = _positive_float("temperature", temperature)
    b = float(bias)
    if not math.isfinite(b):
        raise ValueError("bias must be finite")
    return np.maximum(0.5, sigmoid(logit(c) / T + b))


def team_outcomes(task: TeamTask, ai_shown, *, seed=0, n_draws: int = 1) -> dict[str, float]:
    """Team accuracy under the rule "adopt the AI's answer iff its shown confidence exceeds mine".

    ``expected_accuracy`` is exact given the probabilities:
    ``mean(where(rely, ai_p, human_p))``.  ``simulated_accuracy`` draws the
    correctness of both answers ``n_draws`` times (independently given the
    probabilities) and averages the realised team correctness.  Also returns
    the reliance rate and the expected accuracy of the human and of the AI
    alone.
    """
    shown = _prob_array("ai_shown", ai_shown)
    if len(shown) != len(task):
        raise ValueError(f"ai_shown has {len(shown)} entries; the task has {len(task)}")
    n_draws = _positive_int("n_draws", n_draws)
    rely = shown > task.human_conf
    expected = float(np.mean(np.where(rely, task.ai_p, task.human_p)))
    rng = _rng(seed)
    hits = 0.0
    for _ in range(n_draws):
        human_ok = rng.random(len(task)) < task.human_p
        ai_ok = rng.random(len(task)) < task.ai_p
        hits += np.where(rely, ai_ok, human_ok).mean()
    return {
        "expected_accuracy": expected,
        "simulated_accuracy": float(hits / n_draws),
        "reliance": float(rely.mean()),
        "human_alone": float(task.human_p.mean()),
        "ai_alone": float(task.ai_p.mean()),
    }


def temperature_sweep(
    temperatures: Sequence[float] = tuple(np.round(np.geomspace(0.25, 4.0, 25), 4)),
    *,
    human_temperatures: Sequence[float] = (1.0, 0.5),
    n_tasks: int = 20000,
    n_bins: int = 15,
    seed=0,
    **task_kwargs,
) -> pd.DataFrame:
    """ECE and team accuracy of ``distort_confidence(ai_p, T)`` for each ``T``.

    One task population per human temperature (same seed, so the same tasks
    and the same realised AI correctness; only the human's felt confidence
    differs).  ECE is computed on one realisation of the AI's correctness with
    :func:`uqsurvey.calibration.ece`; team accuracy is the exact expectation
    given the probabilities (:func:`team_outcomes`).
    """
    temps = [_positive_float("temperature", t) for t in temperatures]
    h_temps = [_positive_float("human temperature", t) for t in human_temperatures]
    if not temps or not h_temps:
        raise ValueError("temperatures and human_temperatures must be non-empty")
    base = _rng(seed).integers(2**31 - 1, size=2)
    rows = []
    for t_h in h_temps:
        task = simulate_team_task(n_tasks, human_temperature=t_h, seed=int(base[0]), **task_kwargs)
        ai_ok = np.random.default_rng(int(base[1])).random(len(task)) < task.ai_p
        for T in temps:
            shown = distort_confidence(task.ai_p, T)
            out = team_outcomes(task, shown, seed=int(base[1]))
            rows.append(
                {
                    "human_temperature": t_h,
                    "temperature": T,
                    "ece": float(cal.ece(shown, ai_ok, n_bins=n_bins)),
                    "team_accuracy": out["expected_accuracy"],
                    "reliance": out["reliance"],
                    "human_alone": out["human_alone"],
                    "ai_alone": out["ai_alone"],
                }
            )
    return pd.DataFrame(rows)


def forecaster_family(
    n_forecasters: int = 80,
    *,
    human_temperatures: Sequence[float] = (1.0, 0.5),
    temperature_range: tuple[float, float] = (0.3, 3.0),
    bias_range: tuple[float, float] = (-1.0, 1.0),
    n_tasks: int = 20000,
    n_bins: int = 15,
    seed=0,
    **task_kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ECE and team accuracy across random monotone distortions of one calibrated AI.

    Each forecaster shows ``distort_confidence(ai_p, T, b)`` with ``log T``
    uniform on ``log(temperature_range)`` and ``b`` uniform on ``bias_range``;
    the calibrated AI itself (``T = 1, b = 0``) is forecaster 0.  Returns
    ``(rows, correlations)``: one row per (human temperature, forecaster) with
    ``ece`` and ``team_accuracy``, and per human temperature the Spearman
    correlation between ECE and team accuracy and how the calibrated AI ranks.
    """
    k = _positive_int("n_forecasters", n_forecasters, minimum=3)
    lo_t, hi_t = (_positive_float("temperature_range", v) for v in temperature_range)
    lo_b, hi_b = (float(v) for v in bias_range)
    if lo_t > hi_t or lo_b > hi_b:
        raise ValueError("ranges must be (low, high)")
    rng = _rng(seed)
    Ts = np.r_[1.0, np.exp(rng.uniform(math.log(lo_t), math.log(hi_t), k - 1))]
    bs = np.r_[0.0, rng.uniform(lo_b, hi_b, k - 1)]
    base = rng.integers(2**31 - 1, size=2)
    rows, corr = [], []
    for t_h in [_positive_float("human temperature", t) for t in human_temperatures]:
        task = simulate_team_task(n_tasks, human_temperature=t_h, seed=int(base[0]), **task_kwargs)
        ai_ok = np.random.default_rng(int(base[1])).random(len(task)) < task.ai_p
        block = []
        for j, (T, b) in enumerate(zip(Ts, bs)):
            shown = distort_confidence(task.ai_p, T, b)
            block.append(
                {
                    "human_temperature": t_h,
                    "forecaster": j,
                    "temperature": float(T),
                    "bias": float(b),
                    "ece": float(cal.ece(shown, ai_ok, n_bins=n_bins)),
                    "team_accuracy": team_outcomes(task, shown)["expected_accuracy"],
                }
            )
        bdf = pd.DataFrame(block)
        acc_rank = bdf["team_accuracy"].rank(ascending=False, method="min")
        corr.append(
            {
                "human_temperature": t_h,
                "spearman": spearman(bdf["ece"], bdf["team_accuracy"]),
                "calibrated_rank": int(acc_rank.iloc[0]),
                "n_forecasters": k,
                "best_team_accuracy": float(bdf["team_accuracy"].max()),
                "calibrated_team_accuracy": float(bdf["team_accuracy"].iloc[0]),
            }
        )
        rows.extend(block)
    return pd.DataFrame(rows), pd.DataFrame(corr)


# --------------------------------------------------------------------------- #
# §5 -- selective prediction: ECE vs AUROC / AURC
# --------------------------------------------------------------------------- #
def _posterior_mean_sigmoid(mu: float, sigma: float, signal, noise_sd: float, n_nodes: int = 60) -> np.ndarray:
    """``E[sigmoid(mu + sigma z) | z + noise_sd * e = signal]`` for standard normal z, e."""
    shrink = 1.0 / (1.0 + noise_sd**2)
    m = np.asarray(signal, float) * shrink
    sd = math.sqrt(noise_sd**2 * shrink)
    x, w = np.polynomial.hermite_e.hermegauss(n_nodes)
    w = w / w.sum()
    return sigmoid(mu + sigma * (m[:, None] + sd * x[None, :])) @ w


def simulate_selective_pair(
    n: int,
    *,
    mean_logit: float = 1.0,
    spread: float = 1.5,
    weak_noise: float = 2.0,
    sharp_temperature: float = 0.4,
    seed=0,
) -> dict[str, np.ndarray]:
    """One set of answers, two confidence forecasters.

    Each answer is correct with probability ``p = sigmoid(mean_logit + spread * z)``,
    ``z ~ N(0, 1)``.  The *calibrated* forecaster sees only a noisy signal
    ``z + weak_noise * e`` and reports ``E[p | signal]`` (exact, by Gauss-Hermite
    quadrature), so it is calibrated by construction but ranks answers poorly.
    The *sharp* forecaster reports ``sigmoid(logit(p) / sharp_temperature)``:
    it ranks answers as well as anything can (it is monotone in ``p``) but is
    over-confident for a temperature below 1.  Returns ``p_true``, ``correct``
    and the two confidences.
    """
    n = _positive_int("n", n, minimum=2)
    spread = _positive_float("spread", spread)
    weak_noise = _positive_float("weak_noise", weak_noise)
    t = _positive_float("sharp_temperature", sharp_temperature)
    if not math.isfinite(float(mean_logit)):
        raise ValueError("mean_logit must be finite")
    rng = _rng(seed)
    z = rng.standard_normal(n)
    p = sigmoid(float(mean_logit) + spread * z)
    correct = rng.random(n) < p
    signal = z + weak_noise * rng.standard_normal(n)
    return {
        "p_true": p,
        "correct": correct,
        "calibrated": _posterior_mean_sigmoid(float(mean_logit), spread, signal, weak_noise),
        "sharp": sigmoid(logit(p) / t),
    }


def selective_accuracy(confidence, correct, coverage: float) -> float:
    """Accuracy on the ``coverage`` share of items with the highest confidence (ties by order)."""
    c = _prob_array("confidence", confidence)
    y = _binary_array("correct", correct, len(c))
    cov = _unit_interval("coverage", coverage, open_left=True)
    k = max(1, int(round(cov * len(c))))
    keep = np.argsort(-c, kind="stable")[:k]
    return float(y[keep].mean())


def sharp_temperature_sweep(p_true, correct, temperatures: Sequence[float]) -> pd.DataFrame:
    """ECE, Brier and AUROC of ``sigmoid(logit(p_true) / T)`` for each ``T``.

    The sharp forecaster of :func:`simulate_selective_pair` at other
    temperatures, on the same answers: its ranking (hence AUROC) never
    changes, while its calibration and its Brier score do.
    """
    p = _prob_array("p_true", p_true)
    y = _binary_array("correct", correct, len(p))
    temps = [_positive_float("temperature", t) for t in temperatures]
    if not temps:
        raise ValueError("temperatures is empty")
    rows = []
    for T in temps:
        c = sigmoid(logit(p) / T)
        rows.append(
            {
                "temperature": T,
                "ece": float(cal.ece(c, y)),
                "brier": float(cal.brier_score(c, y)),
                "auroc": float(cal.auroc(c, y)),
            }
        )
    return pd.DataFrame(rows)


SELECTIVE_METRICS = ("ece", "smece", "brier", "auroc", "aurc", "selective_accuracy")


def _selective_metrics(coverage: float) -> dict[str, Callable]:
    return {
        "ece": lambda c, k: cal.ece(c, k),
        "smece": lambda c, k: cal.smece(c, k),
        "brier": lambda c, k: cal.brier_score(c, k),
        "auroc": lambda c, k: cal.auroc(c, k),
        "aurc": lambda c, k: cal.aurc(c, k),
        "selective_accuracy": lambda c, k: selective_accuracy(c, k, coverage),
    }


def paired_bootstrap_difference(
    metric: Callable, confidence_a, confidence_b, correct, *, n_boot: int = 1000, seed=0, alpha: float = 0.05
) -> dict[str, float]:
    """Percentile bootstrap interval for ``metric(b) - metric(a)`` on the same items.

    Both forecasters are scored on the same resampled items in every
    replicate, so the interval reflects the uncertainty of the *comparison*
    (the per-forecaster intervals of :func:`uqsurvey.calibration.bootstrap_ci`
    cannot, since they ignore that the two scores share their items).
    Returns ``estimate``, ``low`` and ``high``.
    """
    a = _prob_array("confidence_a", confidence_a)
    b = _prob_array("confidence_b", confidence_b)
    y = _binary_array("correct", correct)
    n = _same_length(confidence_a=a, confidence_b=b, correct=y)
    n_boot = _positive_int("n_boot", n_boot)
    alpha = _unit_interval("alpha", alpha, open_left=True, open_right=True)
    if not callable(metric):
        raise ValueError("metric must be callable")
    rng = _rng(seed)
    estimate = float(metric(b, y)) - float(metric(a, y))
    reps = np.empty(n_boot)
    for r in range(n_boot):
        idx = rng.integers(0, n, n)
        reps[r] = float(metric(b[idx], y[idx])) - float(metric(a[idx], y[idx]))
    lo, hi = np.percentile(reps, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return {"estimate": estimate, "low": float(lo), "high": float(hi)}


def selective_comparison(
    n: int = 5000,
    *,
    coverage: float = 0.5,
    n_boot: int = 200,
    seed=0,
    **pair_kwargs,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Score the two forecasters of :func:`simulate_selective_pair` (and an isotonic fix).

    Half of the items (chosen at random) fit isotonic recalibration of the
    sharp forecaster; all forecasters are scored on the other half, so the
    fix is evaluated out of sample.  Returns ``(table, differences, data)``:

    ``table``        one row per forecaster with the metrics of
                     :data:`SELECTIVE_METRICS` (selective accuracy at
                     ``coverage``), each with a percentile bootstrap interval
                     from :func:`uqsurvey.calibration.bootstrap_ci`
                     (``_lo``/``_hi``; NaN for smECE, whose bootstrap is slow,
                     and for every metric when ``n_boot`` is 0);
    ``differences``  one row per metric: sharp minus calibrated, with a paired
                     bootstrap interval (:func:`paired_bootstrap_difference`);
    ``data``         the evaluation half's arrays.
    """
    coverage = _unit_interval("coverage", coverage, open_left=True)
    if isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer, not {n_boot!r}")
    rng = _rng(seed)
    d = simulate_selective_pair(n, seed=rng, **pair_kwargs)
    perm = rng.permutation(n)
    fit_half, eval_half = perm[: n // 2], perm[n // 2 :]
    iso = fit_isotonic(d["sharp"][fit_half], d["correct"][fit_half])
    data = {k: v[eval_half] for k, v in d.items()}
    data["sharp, isotonic-recalibrated"] = iso(data["sharp"])
    y = data["correct"]
    metrics = _selective_metrics(coverage)
    rows = []
    boot_seed = int(rng.integers(2**31 - 1))
    for name in ("calibrated", "sharp", "sharp, isotonic-recalibrated"):
        c = data[name]
        row = {"forecaster": name}
        for m, f in metrics.items():
            row[m] = float(f(c, y))
            if n_boot and m != "smece":  # smECE's interval is skipped for speed; its paired difference is kept
                ci = cal.bootstrap_ci(f, c, y, n_boot=n_boot, seed=boot_seed)
                row[f"{m}_lo"], row[f"{m}_hi"] = float(ci.low), float(ci.high)
            else:
                row[f"{m}_lo"], row[f"{m}_hi"] = np.nan, np.nan
        rows.append(row)
    diffs = []
    for m, f in metrics.items():
        if n_boot:
            out = paired_bootstrap_difference(f, data["calibrated"], data["sharp"], y, n_boot=n_boot, seed=boot_seed)
        else:
            est = float(f(data["sharp"], y)) - float(f(data["calibrated"], y))
            out = {"estimate": est, "low": np.nan, "high": np.nan}
        diffs.append({"metric": m, **out})
    return pd.DataFrame(rows), pd.DataFrame(diffs), data


# --------------------------------------------------------------------------- #
# Figures (matplotlib; call uqsurvey.plots.apply_style() first)
# --------------------------------------------------------------------------- #
def _palette() -> list[str]:
    """The book's line colours (Okabe-Ito, :data:`uqsurvey.plots.CYCLE`)."""
    from uqsurvey import plots

    return list(plots.CYCLE)


def _grey() -> str:
    from uqsurvey import plots

    return plots.COLOR_DIAGONAL


def _band_alpha() -> float:
    from uqsurvey import plots

    return float(plots.BAND_ALPHA)


def _subplots(ncols: int, nrows: int = 1, *, width: float = 7.5, height: float = 3.0, **kw):
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=(width, height * nrows), **kw)


def figure_annotator_sweep(df: pd.DataFrame):
    """ECE against the majority vote and against the annotators, by number of annotators."""
    colors = _palette()
    fig, axes = _subplots(2, sharey=True)
    for ax, col, title in (
        (axes[0], "ece_gold", "against the majority-vote label"),
        (axes[1], "ece_soft", "against the annotators' votes"),
    ):
        for k, (name, g) in enumerate(df.groupby("forecaster", sort=False)):
            ax.plot(
                g["n_annotators"], g[col], marker="os^"[k % 3], ms=5, ls=("-", "--", "-")[k % 3],
                color=colors[k % len(colors)], label=name,
            )
        ax.set_xscale("log")
        ticks = sorted(df["n_annotators"].unique())
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("annotators per item")
        ax.set_title(f"ECE {title}", fontsize="medium")
    axes[0].set_ylabel("ECE")
    axes[1].legend(frameon=False, fontsize="small")
    fig.tight_layout()
    return fig


def figure_ensemble(summary: pd.DataFrame, detail: pd.DataFrame):
    """Entropy parts vs training size (items near even odds), and per item at the largest size."""
    colors = _palette()
    fig, axes = _subplots(2)
    ax = axes[0]
    for k, (key, label) in enumerate(
        (
            ("total", "total (predictive entropy)"),
            ("aleatoric", "expected member entropy"),
            ("epistemic", "disagreement (mutual information)"),
        )
    ):
        ax.plot(summary["train_size"], summary[f"{key}_near_half"], marker="o", color=colors[k], label=label)
    ax.axhline(summary["true_entropy_near_half"].iloc[0], color=_grey(), ls="--", lw=1, label="true label entropy")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training items")
    ax.set_ylabel("bits (items near even odds)")
    ax.legend(frameon=False, fontsize="x-small")
    ax = axes[1]
    order = np.argsort(detail["p_true"].to_numpy())
    d = detail.iloc[order]
    ax.plot(d["p_true"], d["true_entropy"], color=_grey(), ls="--", lw=1, label="true label entropy")
    ax.scatter(d["p_true"], d["total"], s=4, color=colors[0], label="total")
    ax.scatter(d["p_true"], d["epistemic"], s=4, color=colors[2], label="disagreement")
    ax.set_xlabel("true P(label = 1)")
    ax.set_ylabel("bits")
    ax.set_title(f"{int(summary['train_size'].iloc[-1]):,} training items", fontsize="medium")
    ax.legend(frameon=False, fontsize="x-small", markerscale=3)
    fig.tight_layout()
    return fig


def figure_shift(df: pd.DataFrame, *, alpha: float = 0.1):
    """ECE, smECE and conformal coverage against shift severity (mean and range over repeats)."""
    colors = _palette()
    s = summarise_runs(df)
    has_smece = "smece" in set(s["metric"])
    panels = [("ece", "ECE")] + ([("smece", "smECE")] if has_smece else []) + [("coverage", "coverage")]
    fig, axes = _subplots(len(panels), 2, height=2.6, sharex="row")
    xlabels = {"covariate": "pixel-noise sd (0–16 scale)", "label": "label-shift severity"}
    for i, shift in enumerate(("covariate", "label")):
        for j, (metric, title) in enumerate(panels):
            ax = axes[i, j]
            if metric == "coverage":
                for k, (method, m2, label) in enumerate(
                    (("split conformal", "coverage", "conformal coverage"), ("temperature", "accuracy", "accuracy"))
                ):
                    g = s[(s["shift"] == shift) & (s["method"] == method) & (s["metric"] == m2)]
                    ax.plot(g["severity"], g["mean"], marker="o", ms=3, color=colors[4 + k], label=label)
                    ax.fill_between(g["severity"], g["min"], g["max"], color=colors[4 + k], alpha=_band_alpha(), lw=0)
                ax.axhline(1 - alpha, color=_grey(), ls="--", lw=1, label="nominal")
            else:
                for k, method in enumerate(RECALIBRATORS):
                    g = s[(s["shift"] == shift) & (s["method"] == method) & (s["metric"] == metric)]
                    ax.plot(g["severity"], g["mean"], marker="o", ms=3, color=colors[k], label=method)
                    ax.fill_between(g["severity"], g["min"], g["max"], color=colors[k], alpha=_band_alpha(), lw=0)
            ax.set_title(f"{title}, {shift} shift", fontsize="medium")
            ax.set_xlabel(xlabels[shift])
            if i == 0 and j in (0, len(panels) - 1):
                ax.legend(frameon=False, fontsize="x-small")
    fig.tight_layout()
    return fig


def figure_team_sweep(sweep: pd.DataFrame):
    """ECE and team accuracy against the display temperature, one line per kind of human."""
    colors = _palette()
    fig, axes = _subplots(2)
    first = sweep[sweep["human_temperature"] == sweep["human_temperature"].iloc[0]]
    axes[0].plot(first["temperature"], first["ece"], marker="o", ms=3, color=colors[0])
    axes[0].axvline(1.0, color=_grey(), ls=":", lw=1)
    axes[0].set_ylabel("ECE of the shown confidence")
    for k, (t_h, g) in enumerate(sweep.groupby("human_temperature", sort=False)):
        label = "calibrated human" if t_h == 1 else f"over-confident human (T_h = {t_h:g})"
        c = colors[(k + 1) % len(colors)]
        axes[1].plot(g["temperature"], g["team_accuracy"], marker="o", ms=3, color=c, label=label)
        best = g.loc[g["team_accuracy"].idxmax()]
        axes[1].scatter([best["temperature"]], [best["team_accuracy"]], s=60, facecolor="none", edgecolor=c, lw=1.5)
    axes[1].axhline(sweep["ai_alone"].iloc[0], color=_grey(), ls="--", lw=1, label="AI alone")
    axes[1].axhline(sweep["human_alone"].iloc[0], color=_grey(), ls=":", lw=1, label="human alone")
    axes[1].axvline(1.0, color=_grey(), ls=":", lw=1)
    axes[1].set_ylabel("team accuracy")
    axes[1].legend(frameon=False, fontsize="x-small")
    lo, hi = float(sweep["temperature"].min()), float(sweep["temperature"].max())
    ticks = [t for t in (0.25, 0.5, 1.0, 2.0, 4.0) if lo <= t <= hi] or [lo, hi]
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("display temperature T (1 = calibrated)")
    fig.tight_layout()
    return fig


def figure_forecaster_family(rows: pd.DataFrame, corr: pd.DataFrame):
    """ECE against team accuracy across the family, one panel per kind of human."""
    colors = _palette()
    groups = list(rows.groupby("human_temperature", sort=False))
    fig, axes = _subplots(len(groups), sharey=False)
    axes = np.atleast_1d(axes)
    for k, (ax, (t_h, g)) in enumerate(zip(axes, groups)):
        c = colors[(k + 1) % len(colors)]
        ax.scatter(g["ece"], g["team_accuracy"], s=14, color=c, alpha=0.8)
        cal_row = g[g["forecaster"] == 0]
        ax.scatter(cal_row["ece"], cal_row["team_accuracy"], s=90, marker="*", color="black", label="calibrated AI")
        rho = float(corr.loc[corr["human_temperature"] == t_h, "spearman"].iloc[0])
        who = "calibrated human" if t_h == 1 else f"over-confident human (T_h = {t_h:g})"
        ax.set_title(f"{who}\nSpearman ρ = {rho:.2f}", fontsize="medium")
        ax.set_xlabel("ECE of the shown confidence")
        ax.set_ylabel("team accuracy")
        ax.legend(frameon=False, fontsize="x-small", loc="lower left")
    fig.tight_layout()
    return fig


def figure_selective(data: dict, names: Sequence[str] = ("calibrated", "sharp"), n_bins: int = 10):
    """Reliability diagrams (book style) of the forecasters in ``names`` and their risk-coverage curves."""
    from uqsurvey import plots

    colors = _palette()
    y = data["correct"]
    fig, axes = _subplots(len(names) + 1, width=10.0, height=3.4)
    for k, name in enumerate(names):
        plots.reliability_diagram(
            axes[k],
            binned_df=cal.binned_reliability(data[name], y, n_bins=n_bins),
            title=f"{name}: reliability",
            binned_color=colors[k],
            binned_label="share correct per bin",
            show_density=False,
            legend=(k == 0),
            ylabel="share correct",
        )
        cov, risk, _ = cal.risk_coverage_curve(data[name], y)
        axes[-1].step(cov, risk, where="post", color=colors[k], label=name)
    axes[0].legend(loc="upper left", fontsize="x-small")
    axes[-1].set_xlabel("coverage (share of answers kept)")
    axes[-1].set_ylabel("error rate of kept answers")
    axes[-1].set_title("risk–coverage")
    axes[-1].set_xlim(0, 1)
    axes[-1].legend(fontsize="x-small")
    fig.tight_layout()
    return fig
