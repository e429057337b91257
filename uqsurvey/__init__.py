"""uqsurvey: the computations behind the executable companion to
Devic et al. (2025), *From Calibration to Collaboration: LLM Uncertainty
Quantification Should Be More Human-Centered* (arXiv:2506.07461).

Submodules
----------
data                load and validate the survey data package in ``data/``
claims              one named rule per quantitative claim of the paper, and the ledger
calibration         ECE family, Brier, AUROC, AURC and SmoothECE (smECE)
calibration_checks  live checks of ``calibration`` against the reference libraries
audit               ``python -m uqsurvey audit``: calibration audit of released predictions
simulate            synthetic forecasters with known calibration error
ece_demo            the ECE vs smECE experiments of Part III
demos               the simulations of the paper's recommendations (§4, §5)
survey_figures      tables and figures regenerated from the survey data
explorer            interactive offline views of the survey data
data_docs           generated data dictionary and annotated-papers pages
book                glue helpers: numbers in the prose come from code
export              the downloadable data zip and ledger CSV
meta                the book's version and citation metadata
plots               plotting helpers with one colour-blind-safe palette
"""

__version__ = "0.1.0"
