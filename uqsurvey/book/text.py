"""Sentences the data decides, generated so that they stay true under any valid data.

A chapter never types who uses a metric or which benchmark meets a criterion: the
data says, and a change of the data must change the sentence.  These helpers write
such sentences, with correct agreement ("no annotated paper reports", "one annotated
paper reports", "two annotated papers report"), and never a count that disagrees with
the list that follows it.

A sentence meant for the book cites papers with MyST roles (``{cite:t}`key```), so a
chapter glues it as Markdown and pastes it with ``{glue:md}`key:myst```; the same
sentence with ``cite=False`` names the papers in plain text ("P13 (Ulmer et al., 2024)").
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

import pandas as pd

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_CITATION = re.compile(r"^(?P<who>.+), (?P<year>[0-9]{4}[a-z]?)$")


def count_noun(n: int, singular: str, plural: str | None = None) -> str:
    """``"no paper"``, ``"one paper"``, ``"two papers"`` ... ``"13 papers"`` (zero takes
    the singular, as in "no paper reports")."""
    if n < 0:
        raise ValueError(f"a count cannot be negative, got {n}")
    noun = singular if n <= 1 else (plural or singular + "s")
    return f"{NUMBER_WORDS[n] if n < len(NUMBER_WORDS) else n} {noun}"


def join_words(items: Iterable[str], conj: str = "and") -> str:
    """``"A"``, ``"A and B"``, ``"A, B and C"``; ``""`` for none."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def paper_names(papers: pd.DataFrame, ids: Sequence[str], cite: bool = True, with_ids: bool = True) -> list[str]:
    """Each paper of *ids* as the book names it: ``P13 {cite:p}`ulmer2024calibrating```
    (shown as "P13 (Ulmer et al., 2024)"), or with ``cite=False`` the plain text
    ``P13 (Ulmer et al., 2024)``; without ids, ``{cite:t}`...``` / ``Ulmer et al. (2024)``.
    Raises ``KeyError`` for an id that is not in *papers*."""
    by_id = papers.set_index(papers["id"].astype(str))
    unknown = [i for i in ids if i not in by_id.index]
    if unknown:
        raise KeyError(f"not annotated papers: {', '.join(unknown)}")
    out = []
    for i in ids:
        row = by_id.loc[i]
        key, citation = str(row["bibtex_key"]), str(row["citation"])
        if with_ids:
            out.append(f"{i} {{cite:p}}`{key}`" if cite else f"{i} ({citation})")
        elif cite:
            out.append(f"{{cite:t}}`{key}`")
        else:
            m = _CITATION.match(citation)
            out.append(f"{m['who']} ({m['year']})" if m else citation)
    return out


def papers_sentence(papers: pd.DataFrame, ids: Sequence[str], *, noun: str = "annotated paper",
                    verbs: tuple[str, str] = ("reports", "report"), what: str = "", cite: bool = True) -> str:
    """One sentence saying which papers do something, e.g.
    ``"One annotated paper reports SmoothECE: P13 (Ulmer et al., 2024)."`` or
    ``"No annotated paper reports SmoothECE."``  *verbs* is the (singular, plural) verb."""
    ids = list(dict.fromkeys(ids))
    head = f"{count_noun(len(ids), noun)} {verbs[0] if len(ids) <= 1 else verbs[1]}"
    head = _sentence(f"{head} {what}".rstrip())
    if not ids:
        return head + "."
    return f"{head}: {join_words(paper_names(papers, ids, cite=cite))}."


def criteria_sentence(benchmarks: pd.DataFrame, names: Sequence[str], criteria: Sequence[str]) -> str:
    """What Table 1 says of the benchmarks *names* on the *criteria* columns (``c1`` ...),
    e.g. ``"In the table as printed, NQ-Open fails C3."`` or, when all of them meet every
    criterion, ``"In the table as printed, Natural Questions and NQ-Open both meet C1, C2
    and C3."``"""
    table = benchmarks.set_index(benchmarks["name"].astype(str))
    labels = [c.upper() for c in criteria]
    parts = []
    for name in names:
        if name not in table.index:
            parts.append(f"{name} is not in the table")
            continue
        row = table.loc[name]
        fails = [c.upper() for c in criteria if str(row[c]) == "no"]
        na = [c.upper() for c in criteria if str(row[c]) == "n/a"]
        said = []
        if fails:
            said.append(f"fails {join_words(fails)}")
        if na:
            said.append(f"is marked not applicable on {join_words(na)}")
        if said:
            parts.append(f"{name} {join_words(said)}")
    if parts:
        return f"In the table as printed, {join_words(parts)}."
    subject = join_words(names)
    if len(names) == 1:
        return f"In the table as printed, {subject} meets {join_words(labels)}."
    both = "both" if len(names) == 2 else "all"
    return f"In the table as printed, {subject} {both} meet {join_words(labels)}."


def status_phrase(result, holds: str, fails: str, unchecked: str = "the data cannot say") -> str:
    """The verdict a sentence states on the primary reading, taken from the ledger instead of typed.

    *holds* when a ledger entry (:class:`uqsurvey.survey.ledger.ClaimResult`) is reproduced on
    the primary reading and rule; *fails* when it differs there (``differs``, or
    ``reproduced-under-reading``: only another recorded reading gives the paper's value);
    *unchecked* when it is not checkable.  A ``project-coded`` entry is judged by the verdict
    it keeps (the status before project-coded was applied).
    """
    status = result.verdict if result.status == "project-coded" and result.verdict else result.status
    if status == "reproduced":
        return holds
    if status in ("differs", "reproduced-under-reading"):
        return fails
    return unchecked
