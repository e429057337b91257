"""Hints for a value that is not allowed: "did you mean ...?".

A hint is given only when it is likely to be right.  In order:

1. the value with its leading/trailing whitespace removed is allowed (``'ECE '`` -> ``'ECE'``);
2. the value differs from an allowed one only in letter case or spacing
   (``'ece'`` -> ``'ECE'``, ``'Natural  questions'`` -> ``'Natural Questions'``);
3. when *fuzzy* is true, the closest allowed value by :func:`difflib.get_close_matches`
   (a typo in a name: ``'TriviaQ'`` -> ``'TriviaQA'``).

Fuzzy matching is turned off for well-formed identifiers (a paper id that matches its
pattern but does not exist): ``'P13'`` is not a typo of ``'P3'``, and a hint that says
so sends the reader to the wrong row.
"""
from __future__ import annotations

import difflib
from typing import Iterable


def fold(value: str) -> str:
    """*value* without letter case and with runs of whitespace as one space (trimmed)."""
    return " ".join(str(value).split()).casefold()


def whitespace_issue(value: str) -> str | None:
    """``'leading'``, ``'trailing'``, ``'leading and trailing'`` whitespace of *value*, or ``None``."""
    lead, trail = value[:1].isspace(), value[-1:].isspace()
    if lead and trail:
        return "leading and trailing"
    return "leading" if lead else "trailing" if trail else None


def suggest(value: str, choices: Iterable[object], fuzzy: bool = True) -> str | None:
    """The allowed value *value* most likely stands for, or ``None`` (see the module docstring)."""
    allowed = list(dict.fromkeys(str(c) for c in choices))
    if not allowed:
        return None
    stripped = value.strip()
    if stripped != value and stripped in allowed:
        return stripped
    folded = fold(value)
    same = [c for c in allowed if fold(c) == folded]
    if same:
        return same[0]
    if not fuzzy:
        return None
    close = difflib.get_close_matches(value, allowed, n=1)
    if close:
        return close[0]
    by_fold = {fold(c): c for c in allowed}
    close = difflib.get_close_matches(folded, list(by_fold), n=1)
    return by_fold[close[0]] if close else None


def did_you_mean(value: str, choices: Iterable[object], fuzzy: bool = True) -> str:
    """``" (did you mean 'X'?)"`` when :func:`suggest` finds an ``'X'``, else ``""``."""
    s = suggest(value, choices, fuzzy)
    return f" (did you mean {s!r}?)" if s is not None else ""
