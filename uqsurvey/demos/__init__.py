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

Each module holds the computations of its chapter and its ``figure_*``
functions (and ``table_*`` functions for display tables).  Import the
modules, e.g. ``from uqsurvey.demos import shift``; this package re-exports
nothing.
"""
