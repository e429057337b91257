"""Helpers shared by the demonstrations: the logistic function and its inverse,
and the figure grid of their figures.  Public names inside a private module."""
from __future__ import annotations

import numpy as np
from scipy import special

from uqsurvey.plots import TEXT_WIDTH

__all__ = ["EPS", "sigmoid", "logit", "subplots"]

#: Probabilities are clipped this far from 0 and 1 before a logarithm.
EPS = 1e-12


def sigmoid(z) -> np.ndarray:
    """The logistic function, elementwise."""
    return special.expit(np.asarray(z, dtype=float))


def logit(p) -> np.ndarray:
    """The log-odds, elementwise, with probabilities clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p) - np.log1p(-p)



def subplots(ncols: int, nrows: int = 1, *, width: float = TEXT_WIDTH, height: float = 3.2, **kw):
    """A figure (not attached to pyplot) with a grid of ``nrows`` x ``ncols`` axes and
    constrained layout, at most the width of the book's text column; returns
    ``(figure, axes)`` like :func:`matplotlib.pyplot.subplots`.  At most two
    panels share a row, so that each stays legible in the column."""
    from matplotlib.figure import Figure

    if ncols > 2:
        raise ValueError(f"at most two panels per row fit the text column; found ncols={ncols}")
    if width > TEXT_WIDTH + 1e-9:
        raise ValueError(f"width must be at most the text column, {TEXT_WIDTH} in; found {width}")
    fig = Figure(figsize=(width, height * nrows), layout="constrained")
    return fig, fig.subplots(nrows, ncols, **kw)
