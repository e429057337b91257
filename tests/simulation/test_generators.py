"""uqsurvey.simulation.generators: verbalized confidences, seeded replicates and
the scikit-learn predictions."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uqsurvey import simulation as S


def test_verbalized_grid_holds_the_parsed_decimals():
    for step in (0.1, 0.05):
        g = S.verbalized_grid(step)
        k = int(round(1 / step))
        assert g.tolist() == [float(f"{i * step:.2f}") for i in range(k + 1)]
    assert S.verbalized_grid(0.05, low=0.5).tolist() == [float(f"{0.5 + i * 0.05:.2f}") for i in range(11)]


def test_verbalize_rounds_to_the_nearest_grid_value():
    x = np.array([0.0, 0.04, 0.049, 0.051, 0.33, 0.349, 0.351, 0.97, 1.0])
    assert S.verbalize(x, 0.1).tolist() == [0.0, 0.0, 0.0, 0.1, 0.3, 0.3, 0.4, 1.0, 1.0]
    assert S.verbalize(x, 0.05).tolist() == [0.0, 0.05, 0.05, 0.05, 0.35, 0.35, 0.35, 0.95, 1.0]
    vf = S.VerbalizedForecaster(S.llm_like(), 0.05)
    assert np.array_equal(vf.state(x), S.verbalize(x, 0.05))


def test_simulate_replicates_is_sample_batch():
    a = S.simulate_replicates(S.llm_like(), 30, 4, 5)
    b = S.llm_like().sample_batch(30, 4, 5)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


# --------------------------------------------------------------------------- #
# sklearn predictions
# --------------------------------------------------------------------------- #
def test_sklearn_predictions_are_seeded_and_consistent():
    a = S.sklearn_predictions(seed=1, n_samples=600)
    b = S.sklearn_predictions(seed=1, n_samples=600)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["model"].unique()) == ["naive Bayes", "logistic regression", "random forest"]
    assert (a["confidence"] >= 0.5).all() and (a["confidence"] <= 1).all()
    pred = (a["p_positive"] >= 0.5).astype(int)
    assert ((pred == a["label"]).astype(int) == a["correct"]).all()


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: S.simulate_replicates(object(), 10, 2, 0), "forecaster"),
        (lambda: S.sklearn_predictions(models=("svm",)), "models"),
        (lambda: S.sklearn_predictions(test_size=1.0), "test_size"),
        (lambda: S.sklearn_predictions(n_samples=5), "n_samples"),
        (lambda: S.sklearn_predictions(seed=-1), "seed"),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
