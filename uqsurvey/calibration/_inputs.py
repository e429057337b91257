"""Validation of the arrays every calibration metric takes.

Every public function of :mod:`uqsurvey.calibration` takes a 1-D array of
**confidences** ``f_i`` in ``[0, 1]`` and a 1-D array of **correctness
labels** ``y_i`` (0/1 or boolean) and validates them with
:func:`check_inputs`.  Invalid input raises :class:`ValueError` naming the
argument and what was found (NaN, inf, values outside ``[0, 1]``, labels other
than 0/1, length mismatch, empty or non 1-D input).  The reference libraries
accept or silently transform such inputs (torchmetrics applies a sigmoid to
confidences outside ``[0, 1]``, netcal clips them, relplot validates nothing
and returns whatever its arithmetic gives); we refuse.

The batched metrics (``(replicates, n)`` arrays) validate with
:func:`check_batch`.  The names are public inside this private module, for the
sibling modules of the package.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["CHUNK", "MAGIC", "MAGIC_BITS", "check_inputs", "check_confidence", "check_batch"]

#: Elements processed per step of the chunked O(n) passes.  Chunks of 32768
#: float64 values (256 KiB) stay in the L2 cache, which makes the chained
#: element-wise operations cheaper than whole-array passes and keeps the
#: extra memory of every O(n) pass at a few MiB whatever ``n`` is.
CHUNK = 1 << 15

#: Bit pattern of 1.0: the float64 values in [+0, 1], read as uint64, are
#: exactly 0 .. _ONE_BITS (see :func:`check_inputs`).
_ONE_BITS = int(np.array(1.0).view(np.uint64))

#: ``x + 2**52`` for an integer-valued float64 ``x`` in ``[0, 2**52)`` holds
#: ``x`` in the low mantissa bits: subtracting ``MAGIC_BITS`` (the bit pattern
#: of ``2**52``) from the int64 view is an exact float -> int conversion,
#: cheaper than numpy's casting loop.  Used by the chunked binning passes.
MAGIC = 2.0**52
MAGIC_BITS = int(np.array(MAGIC).view(np.int64))


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _as_1d(x, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must be numeric (float, int or bool); found dtype {arr.dtype}"
        )
    if arr.ndim != 1:
        shape = "a scalar" if arr.ndim == 0 else f"an array of shape {arr.shape}"
        raise ValueError(f"{name} must be 1-D; found {arr.ndim}-D input ({shape})")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one value is required")
    return arr


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _unit_ok(bits: np.ndarray, values: np.ndarray) -> bool:
    # Read as unsigned integers, the float64 values in [+0, 1] are exactly
    # the bit patterns 0 .. bits(1.0); negative values, NaN, inf and values
    # above 1 all compare larger.  So one integer max decides, and only a
    # chunk that fails it (-0.0 is valid) needs the float check, where NaN
    # propagates through min/max and fails both comparisons.
    return not (np.maximum.reduce(bits) > _ONE_BITS and not (values.min() >= 0.0 and values.max() <= 1.0))


def check_confidence(confidence, name: str = "confidence") -> np.ndarray:
    """Validate a 1-D array of confidences in ``[0, 1]``; return it as float64."""
    f = np.ascontiguousarray(_as_1d(confidence, name), dtype=np.float64)
    bits = f.view(np.uint64)
    for s in range(0, f.shape[0], CHUNK):
        if not _unit_ok(bits[s : s + CHUNK], f[s : s + CHUNK]):
            _raise_bad_values(f, name, labels=False)
    return f


def check_inputs(confidence, correct, visit: Callable | None = None,
                 block: int = CHUNK, *, fractional: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``(confidence, correct)`` and return them as 1-D arrays.

    The only validation routine of the metrics; every public function calls
    it.  Returns ``f`` as a float64 array (no copy when the input already is
    one) and ``y`` unchanged in dtype (bool, integer or float), both
    validated.  With ``fractional=True`` the labels may be any values in
    ``[0, 1]`` (expected correctness) and are returned as float64.

    The values are checked chunk by chunk (``block`` elements, ``CHUNK`` by
    default); if ``visit`` is given it is called as ``visit(f_chunk,
    y_chunk)`` on each chunk right after the chunk passed, while it is still
    in cache -- this fuses the validation with a single-pass computation such
    as :func:`uqsurvey.calibration.ece`'s.  A later invalid chunk still
    raises (the caller then discards what it accumulated).

    Raises
    ------
    ValueError
        With a message naming the argument and what was found: non-numeric
        dtype, not 1-D, empty, length mismatch, NaN, inf, a confidence outside
        ``[0, 1]``, or a label that is not 0/1 or boolean.
    """
    f = _as_1d(confidence, "confidence")
    y = _as_1d(correct, "correct")
    if f.shape[0] != y.shape[0]:
        raise ValueError(
            f"confidence and correct must have the same length; found "
            f"{f.shape[0]} and {y.shape[0]}"
        )
    f = np.ascontiguousarray(f, dtype=np.float64)
    bits = f.view(np.uint64)
    if fractional:
        y = np.ascontiguousarray(y, dtype=np.float64)
        ybits = y.view(np.uint64)
    n = f.shape[0]
    kind = y.dtype.kind
    buf = np.empty((2, min(n, block)), dtype=bool) if kind == "f" and not fractional else None
    for s in range(0, n, block):
        fc = f[s : s + block]
        yc = y[s : s + block]
        if not _unit_ok(bits[s : s + block], fc):
            _raise_bad_values(f, "confidence", labels=False)
        if fractional:
            if not _unit_ok(ybits[s : s + block], yc):
                _raise_bad_values(y, "correct", labels=False)
        elif kind == "f":
            # all in {0, 1} iff every value == 0 or == 1 (NaN is neither)
            m = yc.shape[0]
            ok = np.equal(yc, 0, out=buf[0, :m])
            ok |= np.equal(yc, 1, out=buf[1, :m])
            if not ok.all():
                _raise_bad_values(y, "correct", labels=True)
        elif kind in "iu" and (yc.min() < 0 or yc.max() > 1):
            _raise_bad_values(y, "correct", labels=True)
        if visit is not None:
            visit(fc, yc)
    return f, y


def _raise_bad_values(a: np.ndarray, name: str, labels: bool):
    """Slow path of :func:`check_inputs`: build the error message and raise."""
    if a.dtype.kind == "f":
        nan = np.isnan(a)
        if nan.any():
            raise ValueError(
                f"{name} contains {_plural(int(nan.sum()), 'NaN value')} "
                f"(first at index {_first(nan)})"
            )
        inf = np.isinf(a)
        if inf.any():
            i = _first(inf)
            raise ValueError(
                f"{name} contains {_plural(int(inf.sum()), 'infinite value')} "
                f"(first at index {i}: {a[i].item()})"
            )
    if labels:
        bad = (a != 0) & (a != 1)
        i = _first(bad)
        raise ValueError(
            f"{name} must contain only 0/1 or boolean labels; found "
            f"{_plural(int(bad.sum()), 'other value')} (first at index {i}: {a[i].item()!r})"
        )
    bad = (a < 0) | (a > 1)
    i = _first(bad)
    raise ValueError(
        f"{name} must lie in [0, 1]; found {_plural(int(bad.sum()), 'value')} "
        f"outside (first at index {i}: {a[i].item()!r})"
    )


def check_batch(confidence, correct) -> tuple[np.ndarray, np.ndarray]:
    """Validate ``(replicates, n)`` arrays of confidences and 0/1 labels.

    Returns both as C-contiguous float64 arrays.  The messages name the
    argument; the values are not located (a batch is simulated, not read).
    """
    f = np.asarray(confidence)
    y = np.asarray(correct)
    if f.dtype.kind not in "biuf" or f.ndim != 2 or f.size == 0:
        raise ValueError(f"confidence must be a non-empty numeric 2-D array (replicates x n); found shape {f.shape}")
    if y.dtype.kind not in "biuf" or y.shape != f.shape:
        raise ValueError(f"correct must be a numeric array of the same shape as confidence {f.shape}; found {y.shape}")
    f = np.ascontiguousarray(f, dtype=np.float64)
    if not (f.min() >= 0.0 and f.max() <= 1.0):
        raise ValueError("confidence must lie in [0, 1] (no NaN)")
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("correct must contain only 0/1 labels")
    return f, y.astype(np.float64)
