"""Recalibration and conformal prediction under distribution shift
(recommendation R5 of Devic et al. 2025, §4): the demonstration page
*Distribution shift*.

Temperature, Platt and isotonic recalibration and split-conformal prediction
sets fitted on a source distribution of scikit-learn's bundled digits,
evaluated under covariate and label shift (:func:`fit_temperature`,
:func:`fit_platt`, :func:`fit_isotonic`, :func:`conformal_threshold`,
:func:`prediction_sets`, :func:`shift_experiment`).

Seeds, assumptions and figures follow the conventions of :mod:`uqsurvey.demos`.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, special

from uqsurvey import calibration as cal
from uqsurvey._args import (
    as_generator,
    binary_array,
    check_int,
    check_positive,
    check_unit_interval,
    probability_array,
)
from uqsurvey.demos._common import logit, sigmoid, subplots
from uqsurvey.plots import BAND_ALPHA, color

__all__ = [
    "softmax", "fit_temperature", "fit_platt", "fit_isotonic", "conformal_threshold", "prediction_sets",
    "set_coverage", "load_digit_images", "digit_features", "corrupt_images", "label_shift_prior",
    "resample_to_prior", "RECALIBRATORS", "shift_experiment", "summarize_runs", "figure_shift",
]


def softmax(logits, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature``."""
    L = np.asarray(logits, dtype=float)
    if L.ndim != 2:
        raise ValueError(f"logits must be 2-dimensional (items x classes), got shape {L.shape}")
    T = check_positive("temperature", temperature)
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
    lo, hi = (check_positive("bounds[0]", bounds[0]), check_positive("bounds[1]", bounds[1]))
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
    c = probability_array("confidence", confidence)
    y = binary_array("correct", correct, len(c)).astype(float)
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
        return sigmoid(a * logit(probability_array("confidence", conf)) + b)

    platt.params = (a, b)
    return platt


def fit_isotonic(confidence, correct) -> Callable[[np.ndarray], np.ndarray]:
    """Isotonic recalibration (scikit-learn), clipped to [0, 1] outside the fitted range."""
    from sklearn.isotonic import IsotonicRegression

    c = probability_array("confidence", confidence)
    y = binary_array("correct", correct, len(c)).astype(float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(c, y)

    def isotonic(conf):
        return np.clip(iso.predict(probability_array("confidence", conf)), 0.0, 1.0)

    return isotonic


def conformal_threshold(cal_probs, cal_labels, alpha: float = 0.1) -> float:
    """Split-conformal threshold for the score ``1 - p(true class)``.

    The ``ceil((n + 1)(1 - alpha))``-th smallest calibration score; ``inf``
    when that rank exceeds ``n`` (then every class enters every set).  On
    exchangeable data the sets of :func:`prediction_sets` then contain the
    true class with probability at least ``1 - alpha``.
    """
    P = probability_array("cal_probs", cal_probs, ndim=2)
    y = _labels("cal_labels", cal_labels, P.shape[0], P.shape[1])
    alpha = check_unit_interval("alpha", alpha, open_left=True, open_right=True)
    scores = np.sort(1.0 - P[np.arange(len(y)), y])
    n = len(scores)
    k = math.ceil((n + 1) * (1 - alpha))
    return float("inf") if k > n else float(scores[k - 1])


def prediction_sets(probs, threshold: float) -> np.ndarray:
    """Boolean ``(n, K)`` matrix: class ``k`` is in item ``i``'s set iff ``1 - p_ik <= threshold``."""
    P = probability_array("probs", probs, ndim=2)
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
    return np.clip(im + as_generator(seed).normal(0.0, sd, im.shape), 0.0, 16.0)


def label_shift_prior(n_classes: int, hard_classes, severity: float) -> np.ndarray:
    """Class prior ``(1 - s) * uniform + s * uniform-over-hard_classes``."""
    K = check_int("n_classes", n_classes, minimum=2)
    s = check_unit_interval("severity", severity)
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
    return as_generator(seed).choice(len(y), size=check_int("size", size), replace=True, p=w / w.sum())


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
    label_levels = [check_unit_interval("label shift level", s) for s in label_shift_levels]
    alpha = check_unit_interval("alpha", alpha, open_left=True, open_right=True)
    n_repeats = check_int("n_repeats", n_repeats)
    n_hard = check_int("n_hard", n_hard)
    C = check_positive("C", C)
    if n_hard >= 10:
        raise ValueError("n_hard must be below the number of classes (10)")
    rng = as_generator(seed)
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


def summarize_runs(df: pd.DataFrame, by: Sequence[str] = ("shift", "severity", "method", "metric")) -> pd.DataFrame:
    """Mean, min and max of ``value`` over repeats, per group."""
    missing = (set(by) | {"value"}) - set(df.columns)
    if missing:
        raise ValueError(f"df lacks columns {sorted(missing)}")
    return df.groupby(list(by), sort=False)["value"].agg(["mean", "min", "max"]).reset_index()



def figure_shift(df: pd.DataFrame, *, alpha: float = 0.1):
    """ECE, smECE and conformal coverage (rows) against shift severity, for covariate
    and label shift (columns): mean and range over repeats."""
    s = summarize_runs(df)
    has_smece = "smece" in set(s["metric"])
    panels = [("ece", "ECE")] + ([("smece", "smECE")] if has_smece else []) + [("coverage", "coverage")]
    fig, axes = subplots(2, len(panels), height=2.5, sharex="col")
    xlabels = {"covariate": "pixel-noise sd (0–16 scale)", "label": "label-shift severity"}
    for j, shift in enumerate(("covariate", "label")):
        for i, (metric, title) in enumerate(panels):
            ax = axes[i, j]
            if metric == "coverage":
                for k, (method, m2, label) in enumerate(
                    (("split conformal", "coverage", "conformal coverage"), ("temperature", "accuracy", "accuracy"))
                ):
                    g = s[(s["shift"] == shift) & (s["method"] == method) & (s["metric"] == m2)]
                    ax.plot(g["severity"], g["mean"], marker="o", ms=3, color=color(4 + k), label=label)
                    ax.fill_between(g["severity"], g["min"], g["max"], color=color(4 + k), alpha=BAND_ALPHA, lw=0)
                ax.axhline(1 - alpha, color=color("diagonal"), ls="--", lw=1, label="nominal coverage")
            else:
                for k, method in enumerate(RECALIBRATORS):
                    g = s[(s["shift"] == shift) & (s["method"] == method) & (s["metric"] == metric)]
                    ax.plot(g["severity"], g["mean"], marker="o", ms=3, color=color(k), label=method)
                    ax.fill_between(g["severity"], g["min"], g["max"], color=color(k), alpha=BAND_ALPHA, lw=0)
            ax.set_title(f"{title}, {shift} shift")
            if i == len(panels) - 1:
                ax.set_xlabel(xlabels[shift])
    handles, labels = axes[0, 0].get_legend_handles_labels()
    more, more_labels = axes[-1, 0].get_legend_handles_labels()
    fig.legend(handles + more, labels + more_labels, loc="outside lower center", ncol=4)
    return fig
