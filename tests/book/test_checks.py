"""The live checks shown on the calibration-metrics page."""
from __future__ import annotations

import numpy as np
import pytest

from uqsurvey import calibration_checks as cc


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


def test_convention_spread_is_seeded_and_at_least_one():
    a = cc.convention_spread(50, reps=5, seed=7)
    b = cc.convention_spread(50, reps=5, seed=7)
    assert np.array_equal(a, b) and (a >= 1.0).all()


def test_verbalised_sample_lies_on_the_grid():
    f, y = cc.verbalised_sample(500, np.random.default_rng(0))
    assert set(np.unique(f)) <= set(cc.VERBAL_GRID) and y.dtype == bool


def test_speed_table_names_the_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="calibration_speed.py"):
        cc.speed_table(tmp_path / "nope.csv")
    assert {"smECE speed-up", "ECE ours / bincount"} <= set(cc.speed_table().columns)
