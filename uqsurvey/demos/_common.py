"""Helpers shared by the demonstrations: the logistic function and its inverse,
and the figure grid of their figures.  Public names inside a private module."""
from __future__ import annotations

import numpy as np
from scipy import special

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



def subplots(ncols: int, nrows: int = 1, *, width: float = 7.5, height: float = 3.0, **kw):
    import matplotlib.pyplot as plt

    return plt.subplots(nrows, ncols, figsize=(width, height * nrows), **kw)
