"""Calibration metrics versus team performance (recommendations R6-R8 of
Devic et al. 2025, §5): the demonstration page *Team performance*.

A human-AI decision model with a confidence-comparison reliance rule
(:func:`simulate_team_task`, :func:`distort_confidence`,
:func:`team_outcomes`, :func:`temperature_sweep`, :func:`forecaster_family`).

Seeds, assumptions and figures follow the conventions of :mod:`uqsurvey.demos`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from uqsurvey import calibration as cal
from uqsurvey._args import as_generator, check_int, check_positive, probability_array
from uqsurvey.demos._common import logit, sigmoid, subplots
from uqsurvey.plots import color

__all__ = [
    "spearman", "TeamTask", "simulate_team_task", "distort_confidence", "team_outcomes",
    "temperature_sweep", "forecaster_family", "figure_team_sweep", "figure_forecaster_family",
]


def spearman(x, y) -> float:
    """Spearman rank correlation as a Python float."""
    return float(stats.spearmanr(np.asarray(x, float), np.asarray(y, float)).statistic)



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
    n = check_int("n_tasks", n_tasks)
    for name, v in (("human_skill", human_skill), ("ai_skill", ai_skill)):
        if not math.isfinite(float(v)):
            raise ValueError(f"{name} must be finite")
    spread = check_positive("spread", spread)
    rho = float(correlation)
    if not -1 < rho < 1:
        raise ValueError(f"correlation must lie in (-1, 1), not {correlation!r}")
    t_h = check_positive("human_temperature", human_temperature)
    rng = as_generator(seed)
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
    c = probability_array("confidence", confidence)
    T = check_positive("temperature", temperature)
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
    shown = probability_array("ai_shown", ai_shown)
    if len(shown) != len(task):
        raise ValueError(f"ai_shown has {len(shown)} entries; the task has {len(task)}")
    n_draws = check_int("n_draws", n_draws)
    rely = shown > task.human_conf
    expected = float(np.mean(np.where(rely, task.ai_p, task.human_p)))
    rng = as_generator(seed)
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
    temps = [check_positive("temperature", t) for t in temperatures]
    h_temps = [check_positive("human temperature", t) for t in human_temperatures]
    if not temps or not h_temps:
        raise ValueError("temperatures and human_temperatures must be non-empty")
    base = as_generator(seed).integers(2**31 - 1, size=2)
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
    k = check_int("n_forecasters", n_forecasters, minimum=3)
    lo_t, hi_t = (check_positive("temperature_range", v) for v in temperature_range)
    lo_b, hi_b = (float(v) for v in bias_range)
    if lo_t > hi_t or lo_b > hi_b:
        raise ValueError("ranges must be (low, high)")
    rng = as_generator(seed)
    Ts = np.r_[1.0, np.exp(rng.uniform(math.log(lo_t), math.log(hi_t), k - 1))]
    bs = np.r_[0.0, rng.uniform(lo_b, hi_b, k - 1)]
    base = rng.integers(2**31 - 1, size=2)
    rows, corr = [], []
    for t_h in [check_positive("human temperature", t) for t in human_temperatures]:
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



def figure_team_sweep(sweep: pd.DataFrame):
    """ECE and team accuracy against the display temperature, one line per kind of human."""
    fig, axes = subplots(2, height=3.4)
    first = sweep[sweep["human_temperature"] == sweep["human_temperature"].iloc[0]]
    axes[0].plot(first["temperature"], first["ece"], marker="o", ms=3, color=color(0))
    axes[0].axvline(1.0, color=color("diagonal"), ls=":", lw=1)
    axes[0].set_ylabel("ECE of the shown confidence")
    for k, (t_h, g) in enumerate(sweep.groupby("human_temperature", sort=False)):
        label = "calibrated human" if t_h == 1 else f"over-confident human (T_h = {t_h:g})"
        c = color(k + 1)
        axes[1].plot(g["temperature"], g["team_accuracy"], marker="o", ms=3, color=c, label=label)
        best = g.loc[g["team_accuracy"].idxmax()]
        axes[1].scatter([best["temperature"]], [best["team_accuracy"]], s=60, facecolor="none", edgecolor=c, lw=1.5)
    axes[1].axhline(sweep["ai_alone"].iloc[0], color=color("diagonal"), ls="--", lw=1, label="AI alone")
    axes[1].axhline(sweep["human_alone"].iloc[0], color=color("diagonal"), ls=":", lw=1, label="human alone")
    axes[1].axvline(1.0, color=color("diagonal"), ls=":", lw=1)
    axes[1].set_ylabel("team accuracy")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    lo, hi = float(sweep["temperature"].min()), float(sweep["temperature"].max())
    ticks = [t for t in (0.25, 0.5, 1.0, 2.0, 4.0) if lo <= t <= hi] or [lo, hi]
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("display temperature T\n(1 = calibrated)")
    return fig


def figure_forecaster_family(rows: pd.DataFrame, corr: pd.DataFrame):
    """ECE against team accuracy across the family, one panel per kind of human."""
    groups = list(rows.groupby("human_temperature", sort=False))
    fig, axes = subplots(len(groups), height=3.6, sharey=False)
    axes = np.atleast_1d(axes)
    for k, (ax, (t_h, g)) in enumerate(zip(axes, groups)):
        c = color(k + 1)
        ax.scatter(g["ece"], g["team_accuracy"], s=14, color=c, alpha=0.8)
        cal_row = g[g["forecaster"] == 0]
        ax.scatter(cal_row["ece"], cal_row["team_accuracy"], s=90, marker="*", color="black", label="calibrated AI")
        rho = float(corr.loc[corr["human_temperature"] == t_h, "spearman"].iloc[0])
        who = "calibrated human" if t_h == 1 else f"over-confident human (T_h = {t_h:g})"
        ax.set_title(f"{who}\nSpearman ρ = {rho:.2f}")
        ax.set_xlabel("ECE of the shown confidence")
        ax.set_ylabel("team accuracy")
        ax.legend(loc="lower left")
    return fig
