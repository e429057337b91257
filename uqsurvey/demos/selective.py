"""Selective prediction: ECE versus AUROC and AURC (Devic et al. 2025, §5):
the demonstration page *Selective prediction*.

A calibrated but weakly discriminating forecaster against a sharp but
miscalibrated one (:func:`simulate_selective_pair`,
:func:`selective_comparison`).

Seeds, assumptions and figures follow the conventions of :mod:`uqsurvey.demos`.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from uqsurvey import calibration as cal
from uqsurvey._args import (
    as_generator,
    binary_array,
    check_int,
    check_positive,
    check_unit_interval,
    probability_array,
    same_length,
)
from uqsurvey.demos._common import logit, sigmoid, subplots
from uqsurvey.demos.shift import fit_isotonic
from uqsurvey.plots import color, reliability_diagram

__all__ = [
    "posterior_mean_sigmoid", "simulate_selective_pair", "selective_accuracy", "sharp_temperature_sweep",
    "SELECTIVE_METRICS", "paired_bootstrap_difference", "selective_comparison", "figure_selective",
]


def posterior_mean_sigmoid(mu: float, sigma: float, signal, noise_sd: float, n_nodes: int = 60) -> np.ndarray:
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
    n = check_int("n", n, minimum=2)
    spread = check_positive("spread", spread)
    weak_noise = check_positive("weak_noise", weak_noise)
    t = check_positive("sharp_temperature", sharp_temperature)
    if not math.isfinite(float(mean_logit)):
        raise ValueError("mean_logit must be finite")
    rng = as_generator(seed)
    z = rng.standard_normal(n)
    p = sigmoid(float(mean_logit) + spread * z)
    correct = rng.random(n) < p
    signal = z + weak_noise * rng.standard_normal(n)
    return {
        "p_true": p,
        "correct": correct,
        "calibrated": posterior_mean_sigmoid(float(mean_logit), spread, signal, weak_noise),
        "sharp": sigmoid(logit(p) / t),
    }


def selective_accuracy(confidence, correct, coverage: float) -> float:
    """Accuracy on the ``coverage`` share of items with the highest confidence (ties by order)."""
    c = probability_array("confidence", confidence)
    y = binary_array("correct", correct, len(c))
    cov = check_unit_interval("coverage", coverage, open_left=True)
    k = max(1, int(round(cov * len(c))))
    keep = np.argsort(-c, kind="stable")[:k]
    return float(y[keep].mean())


def sharp_temperature_sweep(p_true, correct, temperatures: Sequence[float]) -> pd.DataFrame:
    """ECE, Brier and AUROC of ``sigmoid(logit(p_true) / T)`` for each ``T``.

    The sharp forecaster of :func:`simulate_selective_pair` at other
    temperatures, on the same answers: its ranking (hence AUROC) never
    changes, while its calibration and its Brier score do.
    """
    p = probability_array("p_true", p_true)
    y = binary_array("correct", correct, len(p))
    temps = [check_positive("temperature", t) for t in temperatures]
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
    a = probability_array("confidence_a", confidence_a)
    b = probability_array("confidence_b", confidence_b)
    y = binary_array("correct", correct)
    n = same_length(confidence_a=a, confidence_b=b, correct=y)
    n_boot = check_int("n_boot", n_boot)
    alpha = check_unit_interval("alpha", alpha, open_left=True, open_right=True)
    if not callable(metric):
        raise ValueError("metric must be callable")
    rng = as_generator(seed)
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
    coverage = check_unit_interval("coverage", coverage, open_left=True)
    n_boot = check_int("n_boot", n_boot, 0)
    rng = as_generator(seed)
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



def figure_selective(data: dict, names: Sequence[str] = ("calibrated", "sharp"), n_bins: int = 10):
    """Reliability diagrams (book style) of the forecasters in ``names``, side by side,
    and below them their risk-coverage curves."""
    from matplotlib.figure import Figure

    from uqsurvey.plots import TEXT_WIDTH

    if len(names) > 2:
        raise ValueError(f"at most two forecasters fit side by side; found {len(names)}")
    y = data["correct"]
    fig = Figure(figsize=(TEXT_WIDTH, 8.4), layout="constrained")
    mosaic = fig.subplot_mosaic([list(names), ["risk"] * len(names)], height_ratios=[1.25, 1])
    for k, name in enumerate(names):
        reliability_diagram(
            mosaic[name],
            binned_df=cal.binned_reliability(data[name], y, n_bins=n_bins),
            title=f"{name}: reliability",
            binned_color=color(k),
            binned_label="share correct per bin",
            show_density=False,
            legend=False,
            ylabel="share correct",
        )
        cov, risk, _ = cal.risk_coverage_curve(data[name], y)
        mosaic["risk"].step(cov, risk, where="post", color=color(k), label=name)
    handles, labels = mosaic[names[0]].get_legend_handles_labels()
    keep = [i for i, lab in enumerate(labels) if lab != "share correct per bin"]
    mosaic[names[0]].legend([handles[i] for i in keep], [labels[i] for i in keep], loc="upper left")
    ax = mosaic["risk"]
    ax.set_xlabel("coverage (share of answers kept)")
    ax.set_ylabel("error rate of kept answers")
    ax.set_title("risk–coverage")
    ax.set_xlim(0, 1)
    ax.legend(loc="upper left")
    return fig
