"""Seeded samples shared by the calibration tests (imported by the test modules).

* ``sample(seed, n, kind)`` -- confidences ("beta", or verbalized grids
  "grid05"/"grid10") with labels drawn as ``y ~ Bernoulli(f**1.3)``;
* ``smece_data(seed, n, kind)`` -- the samples of the smECE tests ("beta",
  "uniform", "grid05", "grid10_ends" with many exact 0 and 1, "calibrated");
* ``relplot_smece(f, y)`` -- ``relplot.smECE`` with its bandwidth, as floats;
* ``EDGE_CASES`` / ``EDGE_CASE_PARAMS`` -- degenerate ``(f, y)`` pairs, and
  the same as ``pytest.param`` values for ``parametrize("edge_case", ...)``.

Not a ``conftest.py``: the book tests import the root ``conftest`` by name
(``from conftest import ROOT``), which a second conftest module would shadow.
"""
from __future__ import annotations

import numpy as np
import pytest

EDGE_CASES = {
    "all_zero_predictions_wrong": (np.zeros(50), np.zeros(50)),
    "all_zero_predictions_right": (np.zeros(50), np.ones(50)),
    "all_one_predictions_right": (np.ones(50), np.ones(50)),
    "all_one_predictions_wrong": (np.ones(50), np.zeros(50)),
    "zeros_and_ones_mixed": (np.array([0.0, 1.0] * 20), np.array([1, 0, 1, 1] * 10, float)),
    "constant_0.7_mixed": (np.full(200, 0.7), (np.arange(200) % 3 > 0).astype(float)),
    "constant_0.7_all_correct": (np.full(30, 0.7), np.ones(30)),
    "constant_0.7_all_wrong": (np.full(30, 0.7), np.zeros(30)),
    "single_point_correct": (np.array([0.3]), np.array([1.0])),
    "single_point_wrong": (np.array([0.99]), np.array([0.0])),
    "single_point_at_one": (np.array([1.0]), np.array([1.0])),
    "single_point_at_zero": (np.array([0.0]), np.array([1.0])),
    "perfect": (np.array([0.0, 1.0, 1.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0])),
    "grid_0.05_full": (np.tile(np.arange(21) / 20, 10), np.tile((np.arange(21) % 2), 10).astype(float)),
    "near_one": (1 - np.geomspace(1e-16, 1e-3, 300), np.ones(300)),
    "tiny_values": (np.geomspace(1e-300, 1e-3, 300), np.zeros(300)),
}


EDGE_CASE_PARAMS = [pytest.param(EDGE_CASES[k], id=k) for k in sorted(EDGE_CASES)]


def sample(seed: int, n: int, kind: str = "beta"):
    rng = np.random.default_rng(seed)
    if kind == "beta":
        f = rng.beta(4, 2, n)
    elif kind == "grid05":  # verbalized LLM confidences on a 0.05 grid
        f = np.round(rng.random(n) * 20) / 20
    elif kind == "grid10":
        f = np.round(rng.random(n) * 10) / 10
    else:  # pragma: no cover
        raise ValueError(kind)
    y = (rng.random(n) < f**1.3).astype(np.float64)
    return f, y


def smece_data(seed, n, kind):
    rng = np.random.default_rng(seed)
    if kind == "beta":
        f = rng.beta(5, 2, n)
    elif kind == "uniform":
        f = rng.random(n)
    elif kind == "grid05":
        f = np.round(rng.random(n) * 20) / 20
    elif kind == "grid10_ends":  # LLM grid with many exact 0 and 1
        f = np.round(rng.random(n) * 10) / 10
        f[rng.random(n) < 0.2] = 1.0
        f[rng.random(n) < 0.05] = 0.0
    elif kind == "calibrated":
        f = rng.random(n)
        return f, (rng.random(n) < f).astype(float)
    else:  # pragma: no cover
        raise ValueError(kind)
    return f, (rng.random(n) < f**1.5).astype(float)


def relplot_smece(f, y):
    import relplot

    v, s = relplot.smECE(np.asarray(f, float), np.asarray(y, float), return_width=True)
    return float(v), float(s)
