"""English glosses of the Chinese the book quotes (``data/glossary.csv``).

The source is a Chinese machine translation of the paper, and the data keep
its words beside every coded value (the ``*_as_given`` columns,
``normalizations.as_given``).  Wherever the book shows such a quotation, an
English gloss stands beside it; the glosses are data (the project's reading),
never typed into a chapter.

* :func:`glossary` -- the table as a dict, term -> gloss;
* :func:`gloss_of` -- the gloss of a whole quoted text (``None`` when it has no
  Chinese, so needs none);
* :func:`annotate` -- free text (a description) with a gloss after every
  glossary term it quotes, as HTML;
* :func:`unglossed` -- the Chinese left without a gloss (what a test checks is
  empty for every text the book shows).
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import escape

import pandas as pd

__all__ = ["CJK", "glossary", "has_chinese", "gloss_of", "gloss_html", "annotate", "unglossed"]

#: One character of CJK text or of CJK punctuation and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_PUNCT = re.compile(r"^[\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\s]+$")
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def glossary(d) -> dict[str, str]:
    """term -> gloss, from the data's ``glossary`` table (a :class:`SurveyData` or a DataFrame)."""
    table = d if isinstance(d, pd.DataFrame) else d.glossary
    return dict(zip(table["term"].astype(str), table["gloss"].astype(str)))


def has_chinese(text) -> bool:
    return isinstance(text, str) and bool(_IDEOGRAPH.search(text))


def gloss_of(text, terms: dict[str, str]) -> str | None:
    """The gloss of *text* as a whole; ``None`` if it holds no Chinese.  A Chinese text
    missing from the glossary raises, so that no quotation is shown without one."""
    if not has_chinese(text):
        return None
    key = str(text).strip()
    if key not in terms:
        raise KeyError(f"no English gloss for {key!r}: add a row to data/glossary.csv")
    return terms[key]


def gloss_html(text: str, gloss: str | None) -> str:
    """*text* as Chinese with its gloss beside it: ``<span lang="zh">…</span> (“gloss”)``."""
    if gloss is None:
        return escape(text)
    return f'<span lang="zh">{escape(text)}</span> <span class="uq-gloss">(“{escape(gloss)}”)</span>'


@lru_cache(maxsize=8)
def _pattern(keys: tuple[str, ...]) -> re.Pattern:
    alternatives = sorted((k for k in keys if has_chinese(k) or CJK.search(k)), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alternatives))) if alternatives else re.compile(r"(?!)")


def _matches(text: str, terms: dict[str, str]):
    """Glossary terms quoted in *text*, leftmost and longest first, each a whole run of
    Chinese (not the first or last characters of a longer Chinese word)."""
    for m in _pattern(tuple(sorted(terms))).finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if (before and _IDEOGRAPH.match(before) and _IDEOGRAPH.match(m.group()[0])) or (
                after and _IDEOGRAPH.match(after) and _IDEOGRAPH.match(m.group()[-1])):
            continue
        yield m


def annotate(text: str, terms: dict[str, str]) -> str:
    """*text* as HTML (escaped), with each glossary term it quotes followed by its gloss."""
    out, pos = [], 0
    for m in _matches(text, terms):
        out.append(escape(text[pos:m.start()]))
        out.append(gloss_html(m.group(), terms[m.group()]))
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def unglossed(text: str, terms: dict[str, str]) -> list[str]:
    """The runs of Chinese in *text* that :func:`annotate` leaves without a gloss
    (runs of punctuation alone need none)."""
    rest = text
    for m in reversed(list(_matches(text, terms))):
        rest = rest[:m.start()] + " " + rest[m.end():]
    runs = re.findall(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+", rest)
    return [r for r in runs if not _PUNCT.match(r)]
