"""The shared validators of function arguments, and the seed helper.

Every public function of the package checks its scalar and small-array
arguments with these helpers, so that a bad argument always raises
:class:`ValueError` with a message of one form: the argument's name, what is
required and what was found, e.g. ``n_bins must be an integer >= 1; found 0``.
(The confidence/correctness arrays of the calibration metrics have their own,
fused validation in :mod:`uqsurvey.calibration._inputs`.)

The names are public inside this private module: sibling modules import them
(``from uqsurvey._args import check_int``); user code should not.
"""
from __future__ import annotations

import math
from typing import Iterable

import numpy as np

__all__ = [
    "check_int",
    "check_ints",
    "check_choice",
    "check_number",
    "check_positive",
    "check_unit_interval",
    "probability_array",
    "binary_array",
    "same_length",
    "as_generator",
]


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an ``int`` if it is an integer (not a bool) ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}; found {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; found {value}")
    return int(value)


def check_ints(name: str, values: Iterable, minimum: int = 1) -> tuple[int, ...]:
    """A non-empty sequence of integers ``>= minimum``, as a tuple."""
    values = tuple(values)
    if not values:
        raise ValueError(f"{name} must not be empty")
    return tuple(check_int(name, v, minimum) for v in values)


def check_choice(name: str, value, choices) -> str:
    """``value`` if it is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; found {value!r}")
    return value


def check_number(name: str, value) -> float:
    """A finite real number (not a bool), as a ``float``."""
    if not _is_real(value) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number; found {value!r}")
    return float(value)


def check_positive(name: str, value) -> float:
    """A finite real number ``> 0``, as a ``float``."""
    if not _is_real(value) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number; found {value!r}")
    return float(value)


def check_unit_interval(name: str, value, *, open_left: bool = False, open_right: bool = False) -> float:
    """A real number in ``[0, 1]`` (``(0, ...`` / ``..., 1)`` when open), as a ``float``."""
    ok = _is_real(value) and math.isfinite(value)
    if ok:
        ok = (value > 0 if open_left else value >= 0) and (value < 1 if open_right else value <= 1)
    if not ok:
        interval = f"{'(' if open_left else '['}0, 1{')' if open_right else ']'}"
        raise ValueError(f"{name} must be a number in {interval}; found {value!r}")
    return float(value)


def probability_array(name: str, x, *, ndim: int | None = 1) -> np.ndarray:
    """A non-empty float array of probabilities in ``[0, 1]`` (``ndim`` dimensions)."""
    a = np.asarray(x, dtype=float)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional; found shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(a > 1):
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    return a


def binary_array(name: str, x, n: int | None = None) -> np.ndarray:
    """A non-empty 1-D array of 0/1 (or bool) values as ``bool``; of length ``n`` if given."""
    a = np.asarray(x)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array; found shape {a.shape}")
    if a.dtype != bool:
        af = a.astype(float)
        if not np.all((af == 0) | (af == 1)):
            raise ValueError(f"{name} must hold 0/1 (or bool) values")
        a = af.astype(bool)
    if n is not None and a.size != n:
        raise ValueError(f"{name} has {a.size} entries; expected {n}")
    return a


def same_length(**arrays) -> int:
    """The common length of the keyword arrays; ValueError naming them if they differ."""
    sizes = {k: len(v) for k, v in arrays.items()}
    if len(set(sizes.values())) != 1:
        raise ValueError(f"arrays must have equal length; found {sizes}")
    return next(iter(sizes.values()))


def as_generator(seed, name: str = "seed") -> np.random.Generator:
    """A :class:`numpy.random.Generator` from a non-negative integer seed, or the Generator itself."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name} must be a numpy Generator or a non-negative integer seed; found {seed!r}")
    return np.random.default_rng(int(seed))
