"""Generators of simulated and real predictions.

* :func:`verbalized_grid` and :func:`verbalize` -- the one place where numbers
  become *verbalized* confidences: the decimals a parser reads from "0.35" or
  "80%", on a grid of 0.05 or 0.1 steps (used by
  :class:`~uqsurvey.simulation.forecasters.VerbalizedForecaster` and
  :class:`~uqsurvey.simulation.forecasters.GridForecaster`);
* :func:`simulate_replicates` -- ``R`` seeded samples of size ``n`` from any
  forecaster, as ``(R, n)`` arrays;
* :func:`sklearn_predictions` -- held-out top-label confidences of three small
  scikit-learn classifiers on a locally generated data set (no download).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from uqsurvey._args import check_int

__all__ = ["verbalized_grid", "verbalize", "simulate_replicates", "sklearn_predictions"]


def verbalized_grid(step: float = 0.1, low: float = 0.0) -> np.ndarray:
    """The stated values ``low, low + step, ..., 1`` (``step`` divides 1 and
    ``low``), each the double nearest to its decimal, as parsing "0.35" gives."""
    k = int(round(1.0 / step))
    return np.round(np.arange(k + 1) * step, 10)[int(round(low / step)):]


def verbalize(confidence, step: float = 0.1) -> np.ndarray:
    """Round confidences in ``[0, 1]`` to the nearest value of the ``step`` grid
    (:func:`verbalized_grid`), as a model stating "80%" rounds what it means."""
    k = int(round(1.0 / step))
    return verbalized_grid(step)[np.rint(np.asarray(confidence) * k).astype(np.int64)]


def simulate_replicates(forecaster, n: int, reps: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``reps`` seeded samples of size ``n`` from ``forecaster`` as ``(reps, n)``."""
    if not hasattr(forecaster, "sample_batch"):
        raise ValueError(f"forecaster must have sample_batch; found {forecaster!r}")
    return forecaster.sample_batch(n, reps, rng)


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

    n_samples = check_int("n_samples", n_samples, 20)
    if not (0 < test_size < 1):
        raise ValueError(f"test_size must be in (0, 1); found {test_size!r}")
    seed = check_int("seed", seed, 0)
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
        raise ValueError(f"models must be a non-empty subset of {list(factory)}; found {models!r}")
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
