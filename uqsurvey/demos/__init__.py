"""The live demonstrations of the book: one module per demonstration chapter.

Modules
-------
:mod:`.ece_vs_smece`          *ECE vs smECE*: Monte Carlo on forecasters with a known
                              truth, bin-edge conventions, real predictions
                              (figures in :mod:`.ece_vs_smece_figures`)
:mod:`.aleatoric`             *Aleatoric uncertainty* (R4): annotator disagreement, ensembles
:mod:`.shift`                 *Distribution shift* (R5): recalibration and conformal sets
:mod:`.team`                  *Team performance* (R6-R8): calibration vs human-AI accuracy
:mod:`.selective`             *Selective prediction*: ECE vs AUROC / AURC
:mod:`.headlines`             each chapter's assumptions (``SETUP``) and its finding in one
                              sentence (shown by the chapter and by the front page)

Each module holds the computations of its chapter and its ``figure_*``
functions (and ``table_*`` functions for display tables).  Import the
modules, e.g. ``from uqsurvey.demos import shift``; this package re-exports
nothing.

Conventions of every module: Every function that draws random numbers takes a ``seed`` (a non-negative
``int`` or a :class:`numpy.random.Generator`); the same integer seed gives the
same numbers.  All of this is *simulation*: it shows what can happen under
stated assumptions, not what happens with any particular LLM.  Metrics come
from :mod:`uqsurvey.calibration`.  Figures (matplotlib; call
:func:`uqsurvey.plots.apply_style` first) are drawn by the ``figure_*``
functions.
"""
from uqsurvey import _moved


def __getattr__(name: str):
    """Names of the old flat ``uqsurvey.demos`` module keep working (see ``uqsurvey._moved``)."""
    return _moved.package_attribute(__name__, name)
