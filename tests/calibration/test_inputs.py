"""Input validation of every public metric (:mod:`uqsurvey.calibration._inputs`)
and of their arguments: one message form, naming the argument and the first
offending value."""
from __future__ import annotations

import numpy as np
import pytest

from uqsurvey.calibration import (
    _inputs,
    aurc,
    auroc,
    binned_reliability,
    bootstrap_ci,
    brier_score,
    debiased_ece,
    ece,
    risk_coverage_curve,
    smece,
    smooth_reliability,
)
from uqsurvey.calibration.binned import ECE_BLOCK


# ----------------------------------------------------------------------------
# Input validation: every public function, every case
# ----------------------------------------------------------------------------

PUBLIC = {
    "ece": lambda f, y: ece(f, y),
    "ece_mass": lambda f, y: ece(f, y, 5, binning="mass", norm="max"),
    "ece_torchmetrics": lambda f, y: ece(f, y, convention="torchmetrics"),
    "debiased_ece": debiased_ece,
    "brier_score": brier_score,
    "auroc": auroc,
    "risk_coverage_curve": risk_coverage_curve,
    "aurc": aurc,
    "smece": smece,
    "smece_continuous": lambda f, y: smece(f, y, method="continuous"),
    "binned_reliability": binned_reliability,
    "smooth_reliability": smooth_reliability,
    "bootstrap_ci": lambda f, y: bootstrap_ci(brier_score, f, y, n_boot=5),
}

_F = np.linspace(0.05, 0.95, 12)
_Y = np.array([0, 1] * 6)


def _with(a, idx, val, dtype=float):
    a = np.array(a, dtype=dtype)
    a[idx] = val
    return a


BAD = {
    "conf_nan": (_with(_F, [7, 9, 11], np.nan), _Y,
                 r"^confidence contains 3 NaN values \(first at index 7\)$"),
    "conf_inf": (_with(_F, [4, 5], np.inf), _Y,
                 r"^confidence contains 2 infinite values \(first at index 4: inf\)$"),
    "conf_neg_inf": (_with(_F, [2], -np.inf), _Y,
                     r"^confidence contains 1 infinite value \(first at index 2: -inf\)$"),
    "conf_above_one": (_with(_F, [2, 3], 1.2), _Y,
                       r"^confidence must lie in \[0, 1\]; found 2 values outside \(first at index 2: .*1\.2\)$"),
    "conf_negative": (_with(_F, [0], -0.1), _Y,
                      r"^confidence must lie in \[0, 1\]; found 1 value outside \(first at index 0: .*-0\.1\)$"),
    "label_two": (_F, _with(_Y, [5], 2, dtype=int),
                  r"^correct must contain only 0/1 or boolean labels; found 1 other value \(first at index 5: .*2\)$"),
    "label_half": (_F, _with(_Y, [1, 3], 0.5),
                   r"^correct must contain only 0/1 or boolean labels; found 2 other values \(first at index 1: .*0\.5\)$"),
    "label_minus_one": (_F, _with(_Y, [0], -1, dtype=int),
                        r"^correct must contain only 0/1 or boolean labels; found 1 other value \(first at index 0: .*-1\)$"),
    "label_nan": (_F, _with(_Y, [6], np.nan),
                  r"^correct contains 1 NaN value \(first at index 6\)$"),
    "label_inf": (_F, _with(_Y, [8], np.inf),
                  r"^correct contains 1 infinite value \(first at index 8: inf\)$"),
    "length_mismatch": (_F, _Y[:-1],
                        r"^confidence and correct must have the same length; found 12 and 11$"),
    "empty": (np.array([]), np.array([]),
              r"^confidence is empty; at least one value is required$"),
    "empty_labels": (_F, np.array([], dtype=int),
                     r"^correct is empty; at least one value is required$"),
    "conf_2d": (_F.reshape(3, 4), _Y,
                r"^confidence must be 1-D; found 2-D input \(an array of shape \(3, 4\)\)$"),
    "labels_2d": (_F, _Y.reshape(12, 1),
                  r"^correct must be 1-D; found 2-D input \(an array of shape \(12, 1\)\)$"),
    "conf_scalar": (0.5, _Y, r"^confidence must be 1-D; found 0-D input \(a scalar\)$"),
    "conf_strings": (np.array(["0.1"] * 12), _Y,
                     r"^confidence must be numeric \(float, int or bool\); found dtype <U3$"),
    "labels_object": (_F, np.array([0, 1, None] * 4, dtype=object),
                      r"^correct must be numeric \(float, int or bool\); found dtype object$"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_validation(name, case):
    f, y, message = BAD[case]
    with pytest.raises(ValueError, match=message):
        PUBLIC[name](f, y)


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_valid_dtypes_accepted(name):
    fn = PUBLIC[name]
    ref = fn(_F, _Y)
    for y in (_Y.astype(bool), _Y.astype(np.int8), _Y.astype(np.uint8), _Y.astype(float), list(_Y)):
        out = fn(list(_F), y)
        if isinstance(ref, float):
            assert out == pytest.approx(ref, abs=1e-15)
    assert fn(_F.astype(np.float32), _Y) is not None


@pytest.mark.parametrize("kwargs,message", [
    (dict(n_bins=0), r"^n_bins must be an integer >= 1; found 0$"),
    (dict(n_bins=2.5), r"^n_bins must be an integer >= 1; found 2\.5$"),
    (dict(n_bins=True), r"^n_bins must be an integer >= 1; found True$"),
    (dict(norm="l3"), r"^norm must be one of 'l1', 'l2', 'max'; found 'l3'$"),
    (dict(binning="quantile"), r"^binning must be one of 'width', 'mass'; found 'quantile'$"),
    (dict(convention="sklearn"),
     r"^convention must be one of 'default', 'torchmetrics', 'netcal', 'kumar', 'relplot'; found 'sklearn'$"),
])
def test_argument_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ece(_F, _Y, **kwargs)


def test_argument_validation_other_functions():
    with pytest.raises(ValueError, match=r"^method must be one of 'relplot', 'continuous'; found 'grid'$"):
        smece(_F, _Y, method="grid")
    with pytest.raises(ValueError, match=r"^sigma must be a number in \(0, 1\]; found 0$"):
        smece(_F, _Y, sigma=0)
    with pytest.raises(ValueError, match=r"^alpha must be a number in \(0, 1\); found 1\.5$"):
        bootstrap_ci(ece, _F, _Y, alpha=1.5)
    with pytest.raises(ValueError, match=r"^n_boot must be an integer >= 0; found -1$"):
        binned_reliability(_F, _Y, n_boot=-1)
    with pytest.raises(ValueError, match=r"^metric_fn must be callable; found str$"):
        bootstrap_ci("ece", _F, _Y)
    with pytest.raises(ValueError, match=r"^binning must be one of 'auto', 'unique', 'mass', 'width'"):
        debiased_ece(_F, _Y, binning="equal")


def test_validation_does_not_copy_or_modify_float64_input():
    f = _F.copy()
    y = _Y.astype(float)
    ece(f, y)
    smece(f, y)
    assert np.array_equal(f, _F) and np.array_equal(y, _Y)
    g, _ = _inputs.check_inputs(f, y)
    assert g is f


def test_validation_large_array_finds_first_bad_index():
    f = np.full(200_000, 0.5)
    f[150_001] = np.nan
    with pytest.raises(ValueError, match=r"1 NaN value \(first at index 150001\)"):
        ece(f, np.ones(200_000))
    f[150_001] = 0.5
    y = np.ones(200_000)
    y[99_999] = 3.0
    with pytest.raises(ValueError, match=r"first at index 99999: .*3\.0"):
        ece(f, y)

def test_validation_bit_pattern_check_edge_values():
    n = 3 * ECE_BLOCK
    f = np.full(n, 0.5)
    y = np.ones(n)
    f[-5] = -0.0  # valid: -0.0 == 0 (its bit pattern fails the fast integer check)
    f[-4], f[-3] = 0.0, 1.0
    assert ece(f, y) == ece(np.abs(f), y)
    for bad, msg in [(np.nextafter(1.0, 2.0), r"must lie in \[0, 1\]; found 1 value outside \(first at index 200000"),
                     (-5e-324, r"must lie in \[0, 1\]; found 1 value outside \(first at index 200000"),
                     (-np.nan, r"1 NaN value \(first at index 200000\)"),
                     (np.inf, r"1 infinite value \(first at index 200000: inf\)")]:
        g = f.copy()
        g[200_000] = bad
        for fn in (ece, smece, brier_score):
            with pytest.raises(ValueError, match=msg):
                fn(g, y)
