"""Aleatoric uncertainty (recommendation R4 of Devic et al. 2025, §4): the
demonstration page *Aleatoric uncertainty*.

Items whose label is intrinsically uncertain (annotators disagree), scored
against a majority-vote gold label and against the annotators' label
distribution (:func:`simulate_annotations`, :func:`score_forecast`,
:func:`annotator_sweep`); and a bootstrap ensemble whose disagreement
vanishes with data while the label noise stays
(:func:`entropy_decomposition`, :func:`ensemble_uncertainty`).  Only metrics
that :mod:`uqsurvey.calibration` does not define (scores against a *soft*
label) are defined here.

Seeds, assumptions and figures follow the conventions of :mod:`uqsurvey.demos`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from uqsurvey import calibration as cal
from uqsurvey._args import as_generator, check_int, check_positive, check_unit_interval, probability_array
from uqsurvey.demos._common import EPS, sigmoid, subplots
from uqsurvey.plots import color

__all__ = [
    "binary_entropy", "AnnotatedItems", "simulate_annotations", "annotator_ece", "score_forecast",
    "fit_label_models", "annotator_sweep", "entropy_decomposition", "ensemble_uncertainty",
    "figure_annotator_sweep", "figure_ensemble",
]


def binary_entropy(p) -> np.ndarray:
    """Entropy of a Bernoulli(p) label, in bits (1 bit at p = 1/2)."""
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))



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
    n_items = check_int("n_items", n_items)
    m = check_int("n_annotators", n_annotators)
    d = check_int("n_features", n_features)
    signal = check_positive("signal", signal)
    rng = as_generator(seed)
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
    conf = probability_array("confidence", confidence)
    m = check_int("n_annotators", n_annotators)
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
    q = probability_array("prob_one", prob_one)
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

    C = check_positive("C", C)
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
    ms = [check_int("n_annotators entry", m) for m in n_annotators]
    if not ms:
        raise ValueError("n_annotators is empty")
    rng = as_generator(seed)
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
    P = probability_array("member_probs", member_probs, ndim=2)
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

    sizes = [check_int("train size", n, minimum=10) for n in train_sizes]
    if not sizes:
        raise ValueError("train_sizes is empty")
    n_members = check_int("n_members", n_members, minimum=2)
    near_half = check_unit_interval("near_half", near_half, open_left=True)
    if near_half > 0.5:
        raise ValueError("near_half must be at most 0.5")
    rng = as_generator(seed)
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



def figure_annotator_sweep(df: pd.DataFrame):
    """ECE against the majority vote and against the annotators, by number of annotators."""
    fig, axes = subplots(2, height=3.4, sharey=True)
    for ax, col, title in (
        (axes[0], "ece_gold", "against the majority-vote label"),
        (axes[1], "ece_soft", "against the annotators' votes"),
    ):
        for k, (name, g) in enumerate(df.groupby("forecaster", sort=False)):
            ax.plot(
                g["n_annotators"], g[col], marker="os^"[k % 3], ms=5, ls=("-", "--", "-")[k % 3],
                color=color(k), label=name,
            )
        ax.set_xscale("log")
        ticks = sorted(df["n_annotators"].unique())
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel("annotators per item")
        ax.set_title(f"ECE {title}")
    axes[0].set_ylabel("ECE")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2)
    return fig


def figure_ensemble(summary: pd.DataFrame, detail: pd.DataFrame):
    """Entropy parts vs training size (items near even odds), and per item at the largest size."""
    fig, axes = subplots(2, height=4.2)
    ax = axes[0]
    for k, (key, label) in enumerate(
        (
            ("total", "total (predictive entropy)"),
            ("aleatoric", "expected member entropy"),
            ("epistemic", "disagreement (mutual information)"),
        )
    ):
        ax.plot(summary["train_size"], summary[f"{key}_near_half"], marker="o", color=color(k), label=label)
    ax.axhline(summary["true_entropy_near_half"].iloc[0], color=color("diagonal"), ls="--", lw=1, label="true label entropy")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training items")
    ax.set_ylabel("bits (items near even odds)")
    ax.set_title("items near even odds")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1)
    ax = axes[1]
    order = np.argsort(detail["p_true"].to_numpy())
    d = detail.iloc[order]
    ax.plot(d["p_true"], d["true_entropy"], color=color("diagonal"), ls="--", lw=1, label="true label entropy")
    # thousands of points: drawn as an image inside the SVG (at savefig.dpi), not as one path each
    ax.scatter(d["p_true"], d["total"], s=4, color=color(0), label="total", rasterized=True)
    ax.scatter(d["p_true"], d["epistemic"], s=4, color=color(2), label="disagreement", rasterized=True)
    ax.set_xlabel("true P(label = 1)")
    ax.set_ylabel("bits")
    ax.set_title(f"every test item, {int(summary['train_size'].iloc[-1]):,} training items")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=1, markerscale=3)
    return fig
