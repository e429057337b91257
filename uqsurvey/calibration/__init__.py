"""Calibration metrics: the binned ECE family, Brier, AUROC, AURC and SmoothECE.

Every function takes a 1-D array of confidences in ``[0, 1]`` and a 1-D array
of 0/1 correctness labels, validates both (:mod:`._inputs`: a bad value raises
:class:`ValueError` naming the argument and the first offending index) and
returns plain numbers or tables.  The batched variants take ``(replicates,
n)`` arrays.

Modules
-------
:mod:`.binned`     binned ECE (l1, l2, max) under five bin-edge conventions,
                   debiased ECE, binned reliability, :func:`bin_index`,
                   :func:`ece_batch`
:mod:`.ranking`    Brier score, AUROC, risk--coverage curve, AURC
:mod:`.smooth`     SmoothECE, smoothed reliability, smECE of expected labels,
                   :func:`smece_batch`
:mod:`.bootstrap`  percentile bootstrap intervals
:mod:`.partials`   :class:`Partials`: mergeable sums of a chunk of predictions
                   (streaming, Dask, Spark) and the metrics from them
:mod:`.resample`   Poisson bootstrap and grouped jackknife on those sums;
                   percentile, basic and BCa intervals
:mod:`._relplot`   the only module that knows relplot's numerics (and where
                   they depart from the definition of smECE)
:mod:`._bins`, :mod:`._cells`, :mod:`._ranks`, :mod:`._inputs`  private engines

``from uqsurvey.calibration import ece, smece, ...`` is the public interface;
the submodules are an implementation layout.
"""
from uqsurvey.calibration.binned import (
    ALL_CONVENTIONS,
    BINNINGS,
    CONVENTIONS,
    NORMS,
    bin_edges,
    bin_index,
    binned_reliability,
    debiased_ece,
    ece,
    ece_batch,
)
from uqsurvey.calibration.bootstrap import BootstrapCI, bootstrap_ci
from uqsurvey.calibration.partials import Partials
from uqsurvey.calibration.ranking import aurc, auroc, brier_score, risk_coverage_curve
from uqsurvey.calibration.smooth import smece, smece_batch, smece_expected, smooth_reliability

__all__ = [
    "CONVENTIONS",
    "NORMS",
    "BINNINGS",
    "ece",
    "debiased_ece",
    "brier_score",
    "auroc",
    "risk_coverage_curve",
    "aurc",
    "smece",
    "binned_reliability",
    "smooth_reliability",
    "bootstrap_ci",
    "BootstrapCI",
    # added with the package layout (issue 11)
    "ALL_CONVENTIONS",
    "bin_index",
    "bin_edges",
    "ece_batch",
    "smece_batch",
    "smece_expected",
    # issue 17: mergeable partial statistics
    "Partials",
]
