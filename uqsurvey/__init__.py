"""uqsurvey: the computations behind the executable companion to
Devic et al. (2025), *From Calibration to Collaboration: LLM Uncertainty
Quantification Should Be More Human-Centered* (arXiv:2506.07461).

Submodules
----------
data         load and validate the survey data package in ``data/``
claims       one named rule per quantitative claim of the paper, and the ledger
calibration  ECE family, Brier, AUROC, AURC and SmoothECE (smECE)
plots        plotting helpers with one colour-blind-safe palette
"""

__version__ = "0.1.0"
