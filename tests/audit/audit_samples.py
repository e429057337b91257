"""The sample file of the audit tests (imported by name: not a conftest, see tests/calibration)."""
from __future__ import annotations

import numpy as np
import pandas as pd


def sample_csv(directory, n: int = 600):
    """600 over-confident predictions on a 0.05 grid, labels spelled True/false:
    ``(path, confidence, correct)``."""
    rng = np.random.default_rng(0)
    f = np.round(rng.beta(5, 2, n) * 20) / 20
    y = rng.random(n) < f**1.6
    path = directory / "preds.csv"
    pd.DataFrame({"id": range(n), "conf": f, "ok": np.where(y, "True", "false")}).to_csv(path, index=False)
    return path, f, y
