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
from uqsurvey.simulation import forecasters, generators
from uqsurvey.simulation.forecasters import *  # noqa: F401,F403
from uqsurvey.simulation.generators import *  # noqa: F401,F403

__all__ = forecasters.__all__ + generators.__all__
