"""uqsurvey: the computations behind the executable companion to
Devic et al. (2025), *From Calibration to Collaboration: LLM Uncertainty
Quantification Should Be More Human-Centered* (arXiv:2506.07461).

The package is laid out by concern; ARCHITECTURE.md (repository root) has the
layers, the direction of imports and where to add a claim, a metric, a
demonstration or a paper.

Subpackages and modules
-----------------------
survey/       the paper's data and claims: ``data`` (load and validate ``data/``),
              ``validation``, ``rules`` (one named rule per claim), ``ledger``
              (evaluation, statuses, formats), ``figures``, ``explorer``, ``docs``,
              ``export``
calibration/  ECE family, Brier, AUROC, AURC and SmoothECE (smECE);
              ``from uqsurvey.calibration import ece, smece, ...``
simulation/   synthetic forecasters with a known calibration error
demos/        one module per demonstration chapter (ECE vs smECE, §4 and §5)
book/         the book's side: glue helpers, ``meta`` (version and citation),
              ``checks`` (live checks of ``calibration`` against reference libraries)
plots         plotting helpers with one colour-blind-safe palette
audit         ``python -m uqsurvey audit``: calibration audit of released predictions
cli           ``python -m uqsurvey {validate,claims,audit}``: the one argparse entry
_moved        old import paths (``uqsurvey.claims``, ``uqsurvey.data``, ...) that keep
              working
"""

from uqsurvey import _moved

__version__ = "0.1.0"

_moved.install()
