"""Simulated predictions whose calibration is known exactly, and real ones.

Modules
-------
:mod:`.forecasters`  forecasters with a known truth: :class:`Forecaster`
                     (Beta confidence, closed-form calibration function),
                     :class:`PowerForecaster`, :class:`LogisticForecaster`,
                     :class:`VerbalizedForecaster`, :class:`GridForecaster`
                     and the named sets of the book
:mod:`.generators`   verbalized confidences (:func:`verbalized_grid`,
                     :func:`verbalize`), seeded replicates, and held-out
                     predictions of small scikit-learn models

The batched metrics that score the replicates are
:func:`uqsurvey.calibration.ece_batch` and
:func:`uqsurvey.calibration.smece_batch`; the seed helper is
:func:`uqsurvey._args.as_generator`.
"""
from uqsurvey.simulation.forecasters import (
    POPULATION_SMECE_POINTS,
    QUAD_EPSABS,
    QUAD_EPSREL,
    Forecaster,
    GridForecaster,
    LogisticForecaster,
    PowerForecaster,
    VerbalizedForecaster,
    llm_like,
    llm_like_crossing,
    over_confident,
    ranking_pair,
    s_shaped,
    standard_forecasters,
    under_confident,
)
from uqsurvey.simulation.generators import simulate_replicates, sklearn_predictions, verbalize, verbalized_grid

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
    "verbalized_grid",
    "verbalize",
    "simulate_replicates",
    "sklearn_predictions",
]
