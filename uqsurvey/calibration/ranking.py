r"""Ranking metrics of confidence: Brier score, AUROC, risk--coverage curve, AURC.

They take confidences ``f_i`` in ``[0, 1]`` and 0/1 correctness labels ``y_i``
(validated by :func:`uqsurvey.calibration._inputs.check_inputs`).  AUROC, the
risk--coverage curve and AURC group **tied confidences**: tied predictions are
accepted or rejected together, so the results never depend on input order.

References
----------
.. [6] G. W. Brier, "Verification of Forecasts Expressed in Terms of
   Probability", Monthly Weather Review 78(1), 1950.
.. [7] Y. Geifman, G. Uziel and R. El-Yaniv, "Bias-Reduced Uncertainty
   Estimation for Deep Neural Classifiers", ICLR 2019.
.. [8] J. A. Hanley and B. J. McNeil, "The Meaning and Use of the Area under a
   Receiver Operating Characteristic (ROC) Curve", Radiology 143(1), 1982.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from uqsurvey.calibration._inputs import CHUNK, check_inputs

__all__ = ["brier_score", "auroc", "risk_coverage_curve", "aurc"]


def brier_score(confidence, correct) -> float:
    r"""Brier score :math:`\frac1n\sum_i (f_i - y_i)^2` of the confidences.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    float
        The mean squared error in ``[0, 1]``; lower is better.  Equal to
        ``sklearn.metrics.brier_score_loss(correct, confidence)``.

    References
    ----------
    .. [6] G. W. Brier, "Verification of Forecasts Expressed in Terms of
       Probability", Monthly Weather Review 78(1), 1950.
    """
    f, y = check_inputs(confidence, correct)
    total = 0.0
    for s in range(0, f.shape[0], CHUNK):
        r = f[s : s + CHUNK] - y[s : s + CHUNK]
        total += float(np.dot(r, r))
    return total / f.shape[0]


def _tie_groups(f: np.ndarray, y: np.ndarray, descending: bool):
    """Sort by confidence and aggregate per distinct confidence.

    Returns the distinct confidences (in the requested order), the number of
    predictions and the number of correct ones at each.
    """
    order = np.argsort(f, kind="stable")
    fs = f[order]
    ys = np.asarray(y[order], dtype=np.int64)
    start = np.flatnonzero(np.concatenate([[True], fs[1:] != fs[:-1]]))
    values = fs[start]
    size = np.diff(np.concatenate([start, [fs.shape[0]]]))
    pos = np.add.reduceat(ys, start)
    if descending:
        return values[::-1], size[::-1], pos[::-1]
    return values, size, pos


def auroc(confidence, correct) -> float:
    r"""Area under the ROC curve of confidence as a predictor of correctness.

    The probability that a randomly drawn correct answer has a higher
    confidence than a randomly drawn wrong one, ties counting one half (the
    Mann--Whitney statistic :math:`U/(n_1 n_0)`):

    .. math::

        \mathrm{AUROC} = \frac{1}{n_1 n_0}\sum_{i: y_i = 1}\sum_{j: y_j = 0}
        \Big(\mathbb 1[f_i > f_j] + \tfrac12\mathbb 1[f_i = f_j]\Big).

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    float
        AUROC in ``[0, 1]``; 0.5 is chance.  Equal to
        ``sklearn.metrics.roc_auc_score(correct, confidence)``.  The numerator
        is accumulated in exact integer arithmetic, so the result is the
        correctly rounded value of the rational above.

    Raises
    ------
    ValueError
        If ``correct`` contains a single class (all correct or all wrong):
        the AUROC is then undefined.

    References
    ----------
    .. [8] J. A. Hanley and B. J. McNeil, "The Meaning and Use of the Area under
       a Receiver Operating Characteristic (ROC) Curve", Radiology 143(1), 1982.
    """
    f, y = check_inputs(confidence, correct)
    n = f.shape[0]
    n1 = int(np.count_nonzero(y))
    n0 = n - n1
    if n1 == 0 or n0 == 0:
        which = "all correct (1)" if n0 == 0 else "all wrong (0)"
        raise ValueError(
            f"correct contains a single class ({which} in {n} labels); AUROC "
            "needs at least one correct and one wrong prediction"
        )
    _, size, pos = _tie_groups(f, y, descending=False)
    return auroc_from_groups(size, pos)


def auroc_from_groups(size: np.ndarray, pos: np.ndarray) -> float:
    """AUROC from the tie groups in **increasing** order of confidence: the
    number of predictions ``size`` and of correct ones ``pos`` in each (both
    classes present).  Groups may also be cells of a grid, whose predictions
    then count as tied."""
    size = np.asarray(size, dtype=np.int64)
    pos = np.asarray(pos, dtype=np.int64)
    neg = size - pos
    n1, n0 = int(pos.sum()), int(neg.sum())
    neg_below = np.concatenate([[0], np.cumsum(neg)[:-1]])
    # 2 U = sum_v pos_v * (2 * neg_below_v + neg_v), exact in Python ints
    twice_u = int(np.dot(pos, 2 * neg_below + neg)) if n1 + n0 < 2**31 else sum(
        int(p) * (2 * int(b) + int(q)) for p, b, q in zip(pos, neg_below, neg)
    )
    return float(Fraction(twice_u, 2 * n1 * n0))


def risk_coverage_curve(confidence, correct):
    r"""Selective risk as a function of coverage, ties grouped.

    Predictions are accepted in order of decreasing confidence.  **Tied
    confidences are accepted or rejected together**, so the curve has one
    point per distinct confidence ``c``: the coverage
    :math:`\frac1n\#\{i: f_i \ge c\}` and the risk (error rate) among those
    accepted predictions.  The result does not depend on the order of the
    input.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    coverage : ndarray of shape (k,)
        Increasing coverages in ``(0, 1]``; the last is 1.
    risk : ndarray of shape (k,)
        Error rate of the accepted predictions at each coverage.
    thresholds : ndarray of shape (k,)
        Decreasing distinct confidences; ``coverage[j]`` is the fraction of
        predictions with confidence ``>= thresholds[j]``.

    See Also
    --------
    aurc : the area under this curve.

    References
    ----------
    .. [7] Y. Geifman, G. Uziel and R. El-Yaniv, "Bias-Reduced Uncertainty
       Estimation for Deep Neural Classifiers", ICLR 2019.
    """
    n, values, _, accepted, errors = _curve(confidence, correct)
    return accepted / n, errors / accepted, values


def _curve(confidence, correct):
    """The risk--coverage curve in counts: ``n``, the distinct confidences
    (decreasing), the number of predictions at each, and the numbers accepted
    and wrong among those accepted down to each."""
    f, y = check_inputs(confidence, correct)
    values, size, pos = _tie_groups(f, y, descending=True)
    return (f.shape[0], values, *curve_from_groups(size, pos))


def curve_from_groups(size: np.ndarray, pos: np.ndarray):
    """The tie groups in **decreasing** order of confidence -> their sizes,
    and the numbers accepted and wrong among those accepted down to each."""
    return size, np.cumsum(size), np.cumsum(size - pos)


def aurc_from_groups(size: np.ndarray, pos: np.ndarray) -> float:
    """AURC from the tie groups in **decreasing** order of confidence (sizes
    and numbers correct); groups may also be cells of a grid."""
    size, accepted, errors = curve_from_groups(size, pos)
    # the step widths m_g / n and heights risk_g of risk_coverage_curve's curve
    return float(np.dot(size / accepted[-1], errors / accepted))


def aurc(confidence, correct) -> float:
    r"""Area under the risk--coverage curve (AURC), ties grouped.

    .. math::

        \mathrm{AURC} = \sum_{g} \frac{m_g}{n}\,\mathrm{risk}_g,

    where the sum runs over the distinct confidences in decreasing order,
    :math:`m_g` is the number of predictions with the ``g``-th confidence and
    :math:`\mathrm{risk}_g` is the error rate among all predictions with
    confidence at least that value (see :func:`risk_coverage_curve`): the area
    under the right-continuous step curve.  Without ties this is the usual
    :math:`\frac1n\sum_{k=1}^n \mathrm{risk}(k)` of Geifman et al. [7]_; with
    ties, tied predictions are accepted or rejected together (never split by
    input order).  Lower is better; a perfect ranking achieves
    :math:`\sum_{k>n_1}(k-n_1)/(kn)` and the value is in ``[0, 1]``.

    Parameters
    ----------
    confidence, correct : array-like of shape (n,)
        Confidences in ``[0, 1]`` and 0/1 correctness labels.

    Returns
    -------
    float

    References
    ----------
    .. [7] Y. Geifman, G. Uziel and R. El-Yaniv, "Bias-Reduced Uncertainty
       Estimation for Deep Neural Classifiers", ICLR 2019.
    """
    f, y = check_inputs(confidence, correct)
    _, size, pos = _tie_groups(f, y, descending=True)
    return aurc_from_groups(size, pos)
