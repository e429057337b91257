"""uqsurvey._args: the one set of argument validators and the seed helper."""
from __future__ import annotations

import numpy as np
import pytest

from uqsurvey import _args


def test_check_int():
    assert _args.check_int("n", 3) == 3 and type(_args.check_int("n", np.int64(3))) is int
    assert _args.check_int("seed", 0, 0) == 0
    for bad, msg in [(0, r"^n must be an integer >= 1; found 0$"), (2.5, r"^n must be an integer >= 1; found 2\.5$"),
                     (True, r"^n must be an integer >= 1; found True$"), ("3", r"^n must be an integer >= 1; found '3'$")]:
        with pytest.raises(ValueError, match=msg):
            _args.check_int("n", bad)
    assert _args.check_ints("bins", [5, np.int64(15)]) == (5, 15)
    with pytest.raises(ValueError, match=r"^bins must not be empty$"):
        _args.check_ints("bins", ())
    with pytest.raises(ValueError, match=r"^bins must be an integer >= 1; found 0$"):
        _args.check_ints("bins", (5, 0))


def test_check_choice_and_numbers():
    assert _args.check_choice("norm", "l1", ("l1", "l2")) == "l1"
    with pytest.raises(ValueError, match=r"^norm must be one of 'l1', 'l2'; found 'l3'$"):
        _args.check_choice("norm", "l3", ("l1", "l2"))
    assert _args.check_positive("C", 10) == 10.0 and _args.check_number("b", -1) == -1.0
    for bad in (0, -1.0, np.inf, np.nan, True, "2"):
        with pytest.raises(ValueError, match=r"^C must be a positive finite number; found"):
            _args.check_positive("C", bad)
    with pytest.raises(ValueError, match=r"^b must be a finite number; found inf$"):
        _args.check_number("b", np.inf)


@pytest.mark.parametrize("value,open_left,open_right,ok", [
    (0.0, False, False, True), (1.0, False, False, True), (0.0, True, False, False), (1.0, False, True, False),
    (0.5, True, True, True), (1.5, False, False, False), (np.nan, False, False, False), (True, False, False, False),
])
def test_check_unit_interval(value, open_left, open_right, ok):
    if ok:
        assert _args.check_unit_interval("alpha", value, open_left=open_left, open_right=open_right) == value
    else:
        interval = f"{'(' if open_left else '['}0, 1{')' if open_right else ']'}"
        with pytest.raises(ValueError, match=rf"^alpha must be a number in \{interval[0]}0, 1\{interval[-1]}; found"):
            _args.check_unit_interval("alpha", value, open_left=open_left, open_right=open_right)


def test_arrays():
    assert _args.probability_array("p", [0.0, 0.5, 1.0]).tolist() == [0.0, 0.5, 1.0]
    with pytest.raises(ValueError, match="probabilities"):
        _args.probability_array("p", [0.5, 1.5])
    with pytest.raises(ValueError, match="2-dimensional"):
        _args.probability_array("p", [0.5], ndim=2)
    assert _args.binary_array("y", [0, 1.0, True]).tolist() == [False, True, True]
    with pytest.raises(ValueError, match="0/1"):
        _args.binary_array("y", [0, 2])
    with pytest.raises(ValueError, match="expected 3"):
        _args.binary_array("y", [0, 1], n=3)
    assert _args.same_length(a=[1, 2], b=[3, 4]) == 2
    with pytest.raises(ValueError, match="equal length"):
        _args.same_length(a=[1, 2], b=[3])


def test_as_generator():
    g = np.random.default_rng(1)
    assert _args.as_generator(g) is g
    assert _args.as_generator(5).random() == np.random.default_rng(5).random()
    for bad in (-1, 1.5, "0", True, None):
        with pytest.raises(ValueError, match=r"^rng must be a numpy Generator or a non-negative integer seed"):
            _args.as_generator(bad, "rng")
