"""The book's side of the package: glue helpers (here), the book's metadata
(:mod:`uqsurvey.book.meta`) and the live checks of the calibration page
(:mod:`uqsurvey.book.checks`).

Small helpers the chapters use to put recomputed numbers into their prose.

A chapter never types a statistic: it glues it.  :func:`glue_claim` glues,
for one ledger entry, every form the prose may need, under keys built from a
prefix and the claim id (``-`` becomes ``_``):

``<key>``          the recomputed display value, e.g. ``6/22 (27.3%)``
``<key>_count``    the recomputed count (int)
``<key>_total``    the total it is out of (int)
``<key>_share``    count / total (float; format with ``:.1%``)
``<key>_paper``    the value the paper states
``<key>_status``   reproduced / reproduced-under-reading / differs / project-coded / not-checkable
``<key>_badge``    the status as the ledger's coloured badge (HTML; paste with ``{glue}`<key>_badge```)
``<key>_verdict``  the status before project-coded applies (reproduced, reproduced-under-reading, ...)
``<key>_members``  what was counted, comma-separated
``<key>_rule``     the counting rule
``<key>_reaches``  how the paper's number is reached (rule and recorded readings), or "no recorded reading"
``<key>_enumeration``  how many recorded readings touch the claim and how they were combined
``<key>_reaches_value``     the value under that smallest reading (the paper's number), when one exists
``<key>_reaches_readings``  its reading ids, comma-separated ("none" when a rule alone reaches it)
``<key>_reaches_primary``   the smallest reading set that reaches it under the primary rule, if any
"""
from __future__ import annotations

from typing import Iterable


def claim_key(claim_id: str, prefix: str = "") -> str:
    return prefix + claim_id.replace("-", "_")


def claim_values(result) -> dict[str, object]:
    """The glue values of one :class:`uqsurvey.survey.ledger.ClaimResult`."""
    vals: dict[str, object] = {
        "": result.recomputed_value,
        "_paper": result.paper_value,
        "_status": result.status,
        "_members": ", ".join(result.members) if result.members else "none",
        "_rule": result.rule,
        "_verdict": result.verdict or result.status,
        "_reaches": result.reaches_text or "no recorded reading or counting rule",
        "_enumeration": result.enumeration or "no recorded reading touches the claim's inputs",
    }
    if result.reaches_paper:
        vals["_reaches_value"] = result.reaches_paper["value"]
        vals["_reaches_readings"] = ", ".join(result.reaches_paper["readings"]) or "none"
    if result.reaches_primary_rule:
        vals["_reaches_primary"] = ", ".join(result.reaches_primary_rule["readings"]) or "none"
    if result.recomputed_count is not None:
        vals["_count"] = int(result.recomputed_count)
    if result.recomputed_total:
        vals["_total"] = int(result.recomputed_total)
        vals["_share"] = float(result.recomputed_count / result.recomputed_total)
    return vals


def glue_claim(result, prefix: str = "") -> None:
    """Glue :func:`claim_values`, and ``<key>_badge``: the status badge as HTML (the same
    badge as on the ledger page; pasted with the ``{glue}`` role, not ``{glue:text}``)."""
    from IPython.display import HTML
    from myst_nb import glue

    from uqsurvey.book.ledger_page import badge

    base = claim_key(result.id, prefix)
    for suffix, value in claim_values(result).items():
        glue(base + suffix, value, display=False)
    glue(base + "_badge", HTML(badge(result.status)), display=False)


def glue_claims(results: Iterable, ids: Iterable[str] | None = None, prefix: str = "") -> dict:
    """Glue every claim in *ids* (all when None); return them by id."""
    by_id = {r.id: r for r in results}
    wanted = list(by_id) if ids is None else list(ids)
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise KeyError(f"no ledger entry for {missing}")
    for i in wanted:
        glue_claim(by_id[i], prefix)
    return {i: by_id[i] for i in wanted}


def glue_values(values: dict[str, object], prefix: str = "") -> None:
    """Glue plain values, converting numpy scalars to Python numbers."""
    from myst_nb import glue

    for key, value in values.items():
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        glue(prefix + key, value, display=False)


def sensitivity_frame(result):
    """The sensitivity of one claim as a DataFrame (rule, value), with the paper's row marked."""
    import pandas as pd

    from uqsurvey.survey.ledger import variant_matches_paper

    rows = [
        {"counting rule": v["rule"], "value": v["value"],
         "matches the paper": "yes" if variant_matches_paper(v, result) else ""}
        for v in result.sensitivity
    ]
    return pd.DataFrame(rows)


def readings_frame(result):
    """The claim under the recorded readings: one row per counting rule and distinct
    value, with the smallest set of readings that gives it and whether it is the
    paper's number."""
    import pandas as pd

    rows = [
        {"counting rule": v["rule"], "value": v["value"],
         "smallest set of readings": ", ".join(v["readings"]) or "primary reading",
         "matches the paper": "yes" if v["matches_paper"] else ""}
        for v in result.readings
    ]
    return pd.DataFrame(rows, columns=["counting rule", "value", "smallest set of readings", "matches the paper"])
