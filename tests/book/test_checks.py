"""The live checks shown on the calibration-metrics page."""
from __future__ import annotations

import numpy as np
import pytest

from uqsurvey.book import checks as cc


def test_reference_agreement_is_tight():
    t = cc.reference_agreement(seed=3)
    assert set(t["check"]) >= {"smECE vs relplot.smECE", "ECE vs torchmetrics", "ECE vs netcal",
                               "ECE vs uncertainty-calibration", "AUROC vs scikit-learn"}
    assert (t["max |difference|"] < 1e-12).all(), t


def test_edge_assignment_of_0_3_with_10_bins():
    # 0.3 opens bin 3 ([0.3, 0.4)) by the default rule; torchmetrics' and netcal's
    # linspace edge is 0.30000000000000004, and kumar's bins are (e_{k-1}, e_k]:
    # all three put 0.3 in bin 2.
    t = cc.edge_assignment(0.3, 10)
    assert t["bin"].to_dict() == {"default": 3, "torchmetrics": 2, "netcal": 2, "kumar": 2}
    assert t.loc["default", "bin range"] == "0.3 – 0.4" and t.loc["kumar", "bin range"] == "0.2 – 0.3"
    # 1.0: torchmetrics' extra bin [1, 1]
    assert cc.edge_assignment(1.0, 10).loc["torchmetrics", "bin range"] == "1 – 1"


def test_convention_spread_is_seeded_and_at_least_one():
    a = cc.convention_spread(50, reps=5, seed=7)
    b = cc.convention_spread(50, reps=5, seed=7)
    assert np.array_equal(a, b) and (a >= 1.0).all()


def test_verbalized_sample_lies_on_the_grid():
    f, y = cc.verbalized_sample(500, np.random.default_rng(0))
    assert set(np.unique(f)) <= set(cc.VERBALIZED.grid) and set(np.unique(y)) <= {0, 1}
    assert cc.VERBALIZED.grid.tolist() == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]


def test_speed_table_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="calibration_speed.py"):
        cc.speed_table(tmp_path / "nope.csv")
    assert {"smECE speed-up", "ECE ours / bincount"} <= set(cc.speed_table().columns)
