"""references.bib: every entry links to the work, and every work the data cites is in it.

Convention (CONTRIBUTING.md, "Bibliography"): an entry has a ``doi``, an arXiv
``eprint`` (with ``archiveprefix = {arXiv}``) or a stable ``url``; an entry
without one says why in ``x-identifier-status``: ``none`` (the work has no DOI
or arXiv id) or ``unverified`` (one probably exists but was not checked).
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec: B{\\l}asiok -> Błasiok)
import pandas as pd
import pytest

from conftest import ROOT
BIB = ROOT / "references.bib"
IDENTIFIERS = ("doi", "eprint", "url")
STATUSES = ("none", "unverified")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}(v\d+)?$")


@pytest.fixture(scope="module")
def entries():
    from pybtex.database import parse_file

    return parse_file(str(BIB)).entries


def identifier_problems(entries) -> list[str]:
    """Every breach of the convention, one line per entry."""
    problems = []
    for key, e in entries.items():
        f = {k.lower(): v.strip() for k, v in e.fields.items()}
        ids = [k for k in IDENTIFIERS if f.get(k)]
        status = f.get("x-identifier-status", "")
        if ids and status:
            problems.append(f"{key}: has {ids} and x-identifier-status (drop the status)")
        elif not ids and status.split(":")[0].strip() not in STATUSES:
            problems.append(f"{key}: no doi, eprint or url, and no x-identifier-status of {STATUSES}")
        if "doi" in f and not DOI.match(f["doi"]):
            problems.append(f"{key}: doi {f['doi']!r} is not a bare DOI (10.xxxx/...)")
        if "url" in f and not f["url"].startswith("https://"):
            problems.append(f"{key}: url {f['url']!r} is not https")
        if "eprint" in f:
            m = ARXIV.match(f["eprint"])
            if f.get("archiveprefix", "").lower() != "arxiv":
                problems.append(f"{key}: eprint without archiveprefix = {{arXiv}}")
            if not m:
                problems.append(f"{key}: eprint {f['eprint']!r} is not an arXiv id (yymm.nnnnn)")
            elif not 0 <= int(f["year"]) - (2000 + int(m.group(1))) <= 2:
                # A preprint is posted before, or within two years of, the version cited:
                # an id from another year is most likely a typing error.
                problems.append(f"{key}: arXiv {f['eprint']} is from 20{m.group(1)}, the entry from {f['year']}")
    return problems


def test_every_entry_has_an_identifier_or_says_why_not(entries):
    assert identifier_problems(entries) == []


def test_the_position_paper_links_to_arxiv(entries):
    f = entries["devic2025calibration"].fields
    assert f["eprint"] == "2506.07461" and f["archiveprefix"] == "arXiv"


def test_identifiers_are_not_shared_between_entries(entries):
    seen: dict[str, str] = {}
    dups = []
    for key, e in entries.items():
        for field in IDENTIFIERS:
            value = e.fields.get(field)
            if value and value in seen:
                dups.append(f"{key} and {seen[value]}: {field} {value}")
            elif value:
                seen[value] = key
    assert dups == []


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"year": "2020"}, "no doi, eprint or url"),
        ({"year": "2020", "x-identifier-status": "maybe"}, "no doi, eprint or url"),
        ({"year": "2020", "doi": "10.1/x", "x-identifier-status": "none"}, "drop the status"),
        ({"year": "2020", "doi": "https://doi.org/10.1000/x"}, "not a bare DOI"),
        ({"year": "2020", "eprint": "2001.00001"}, "without archiveprefix"),
        ({"year": "2020", "eprint": "2301.00001", "archiveprefix": "arXiv"}, "from 2023"),
        ({"year": "2020", "url": "http://example.org/x"}, "not https"),
    ],
)
def test_the_check_catches_each_kind_of_fault(fields, expected):
    from pybtex.database import Entry

    problems = identifier_problems({"k": Entry("misc", fields=fields)})
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("fields", [
    {"year": "2020", "x-identifier-status": "none: a workshop abstract"},
    {"year": "2020", "x-identifier-status": "unverified"},
    {"year": "2021", "eprint": "2001.00001", "archiveprefix": "arXiv", "doi": "10.1000/x.y"},
])
def test_the_check_accepts_the_convention(fields):
    from pybtex.database import Entry

    assert identifier_problems({"k": Entry("misc", fields=fields)}) == []


# "Surname et al. (2021)", "Surname et al., 2024b", "Surname and Other (2023)"
CITATION = re.compile(r"\b([A-Z][\w\-]+)(?: et al\.| and [A-Z][\w\-]+),? \(?((?:19|20)\d\d)[a-z]?\b")


def _first_author_surnames(entry) -> set[str]:
    persons = entry.persons.get("author", [])
    if not persons:
        return set()
    last = codecs.decode(" ".join(persons[0].last_names), "ulatex").replace("{", "").replace("}", "")
    return {last, last.split()[-1]}


def test_every_work_the_data_cites_is_in_the_bibliography(entries):
    """A citation written as text in any data file ("Wong et al. (2021)") names a
    work of references.bib: same first author, same year."""
    index = {(name, e.fields["year"]) for e in entries.values() for name in _first_author_surnames(e)}
    missing = set()
    for csv in sorted((ROOT / "data").glob("*.csv")):
        frame = pd.read_csv(csv, dtype=str).fillna("")
        for col in frame.columns:
            for text in frame[col]:
                for name, year in CITATION.findall(text):
                    if name != "Devic" and (name, year) not in index:
                        missing.add(f"{csv.name}: {name} ({year})")
    assert missing == set()
