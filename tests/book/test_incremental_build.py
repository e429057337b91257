"""`make book` is incremental and never stale: proven on a copy of the repository.

The copy (the working tree's files, without ``_build`` or ``.venv``) is built
with the Makefile's own ``book`` recipe, using this test's environment
(``VENV=sys.prefix``; ``PYTHONPATH`` points at the copy so that the copy's
``uqsurvey`` and ``data/`` are the ones read).  Then:

1. one value of Table 1 (a benchmark's C1 mark) changes in ``data/``: the next
   ``make book`` must show the new C1 count, counted by hand from the edited
   CSV, in the chapter's HTML, in the ledger and in the downloads, and must
   have executed exactly the chapters that declare ``reads: [data]``;
2. one chapter's prose changes: the next ``make book`` shows it and executes
   no chapter (no new jupyter-cache record, no "Executed notebook" in the log);
3. a prose edit that breaks a reference fails the build, and the next build,
   with the error still there, fails again (a failed build drops Sphinx's
   environment, so an incremental build cannot hide a warning).

Cost: the copy's execution cache starts as a copy of the repository's, which
the session's full build (the ``built_book`` fixture) has just filled, so the
first build executes nothing when the working tree is unchanged since; the
data edit also writes a unique note into the edited row, so that no earlier
execution can match it and the data-reading chapters must execute.  Then one
data-edit build and three short ones.
"""
from __future__ import annotations

import csv
import io
import re
import sys
import uuid
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.build

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
sys.path[:0] = [str(ROOT / "_ext"), str(ROOT / "benchmarks")]

import book_copy  # noqa: E402
import cache_keys as ck  # noqa: E402

PROSE_PAGE = "chapters/ecological_validity"
ADDED_SENTENCE = "This sentence was added by the incremental-build test."


def _text(book: Path, page: str) -> str:
    from bs4 import BeautifulSoup

    html = (book / "_build" / "html" / f"{page}.html").read_text(encoding="utf-8")
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def _ledger_entry_text(book: Path, claim_id: str) -> str:
    """The text of one claim's entry on the ledger page (its section, by its anchor)."""
    from bs4 import BeautifulSoup

    html = (book / "_build" / "html" / "chapters" / "ledger.html").read_text(encoding="utf-8")
    entry = BeautifulSoup(html, "html.parser").find(id=f"claim-{claim_id}")
    return " ".join(entry.get_text(" ").split())


def _observe(book: Path) -> dict:
    """What the built book shows now (the later builds overwrite it)."""
    downloads = {p.name: p for p in (book / "_build" / "html" / "_downloads").rglob("*") if p.is_file()}
    with zipfile.ZipFile(downloads["uqsurvey-data.zip"]) as zf:
        zipped = zf.read("uqsurvey-data/benchmarks.csv")
    return {
        "ecological_validity": _text(book, "chapters/ecological_validity"),
        "ledger": _text(book, "chapters/ledger"),
        "ledger c1": _ledger_entry_text(book, "c1"),
        "ledger.csv": downloads["ledger.csv"].read_text(encoding="utf-8"),
        "zipped benchmarks.csv": zipped,
    }


def _make_book(book: Path) -> dict:
    build = book_copy.make_book(book, timeout=1800)
    build["html"] = _observe(book) if build["rc"] == 0 else {}
    return build


def _c1(book: Path) -> str:
    """The C1 share counted by hand from the copy's Table 1, formatted as the book glues it."""
    with open(book / "data" / "benchmarks.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    k = sum(r["c1"] == "yes" for r in rows)
    return f"{k}/{len(rows)} ({100 * k / len(rows):.1f}%)"


@pytest.fixture(scope="module")
def builds(tmp_path_factory, built_book):
    book = book_copy.copy_worktree(tmp_path_factory.mktemp("incremental") / "book", seed_cache=True)
    out = {"book": book}
    out["first"] = _make_book(book)
    out["c1_before"] = _c1(book)
    out["flipped"] = book_copy.flip_one_c1(book, note=f"(edited by the incremental-build test {uuid.uuid4()})")
    out["c1_after"] = _c1(book)
    out["edited benchmarks.csv"] = (book / "data" / "benchmarks.csv").read_bytes()
    out["data_edit"] = _make_book(book)
    book_copy.append_prose(book, PROSE_PAGE, ADDED_SENTENCE)
    out["prose_edit"] = _make_book(book)
    book_copy.append_prose(book, PROSE_PAGE, "See {ref}`no-such-label-for-the-test`.")
    out["broken"] = _make_book(book)
    out["broken_again"] = _make_book(book)
    for name in ("first", "data_edit", "prose_edit", "broken", "broken_again"):
        print(f"{name}: {out[name]['seconds']:.1f} s, rc {out[name]['rc']}, executed {out[name]['executed']}")
    return out


def _ok(build: dict) -> None:
    assert build["rc"] == 0, build["log"][-6000:]
    assert "build succeeded" in build["log"]


def _notebook_chapters(book: Path) -> tuple[dict[str, list[str]], set[str]]:
    """docname -> declared reads for every page served from the execution cache; and the
    pages that force their execution at every read (never cached, e.g. one showing the
    build's URLs)."""
    cached, forced = {}, set()
    for path in [book / "intro.md", *sorted((book / "chapters").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        doc = path.relative_to(book).with_suffix("").as_posix()
        if ck.is_notebook(text) and ck.forced(text):
            forced.add(doc)
        elif ck.is_notebook(text):
            cached[doc] = ck.declared_reads(text, path.stem)
    return cached, forced


def _logged(build: dict) -> set[str]:
    return set(re.findall(r"/book/(\S+)\.md: Executed notebook", build["log"]))


def _ledger_c1(html: dict) -> str:
    rows = csv.DictReader(io.StringIO(html["ledger.csv"]))
    return next(r for r in rows if r["id"] == "c1")["recomputed_value"]


def test_first_build_succeeds(builds):
    _ok(builds["first"])
    html = builds["first"]["html"]
    assert f"C1 holds for {builds['c1_before']}" in html["ecological_validity"]
    assert _ledger_c1(html) == builds["c1_before"]


def test_a_copy_of_the_book_reuses_its_execution_cache(builds, built_book):
    """The keys hold no absolute path: the copy matches the executions of the session's build."""
    if built_book["output"] == "(reused)" or built_book["returncode"] != 0:
        pytest.skip("no fresh full build of the working tree in this session to compare with")
    assert builds["first"]["executed"] == []


def test_a_data_edit_shows_in_the_html_and_the_downloads(builds):
    build = builds["data_edit"]
    _ok(build)
    before, after, html = builds["c1_before"], builds["c1_after"], build["html"]
    assert before != after
    assert f"C1 holds for {after}" in html["ecological_validity"]
    assert f"C1 holds for {before}" not in html["ecological_validity"]
    # The c1 entry of the ledger page (other entries may show the same display under a reading),
    # and of the ledger CSV download.
    assert f"Recomputed: {after}" in html["ledger c1"]
    assert f"Recomputed: {before}" in builds["first"]["html"]["ledger c1"]
    assert _ledger_c1(builds["first"]["html"]) == before
    assert _ledger_c1(html) == after
    assert html["zipped benchmarks.csv"] == builds["edited benchmarks.csv"]


def test_a_data_edit_executes_exactly_the_chapters_that_read_data(builds):
    chapters, forced = _notebook_chapters(builds["book"])
    readers = {doc for doc, reads in chapters.items() if "data" in reads}
    assert readers and set(chapters) - readers, "need chapters on both sides for this test to mean anything"
    assert set(builds["data_edit"]["executed"]) == readers
    assert _logged(builds["data_edit"]) - forced == readers


def test_a_prose_edit_executes_nothing(builds):
    build = builds["prose_edit"]
    _ok(build)
    assert ADDED_SENTENCE in build["html"]["ecological_validity"]
    assert ADDED_SENTENCE not in builds["data_edit"]["html"]["ecological_validity"]
    assert build["executed"] == []
    _, forced = _notebook_chapters(builds["book"])
    assert _logged(build) <= forced
    assert "Using cached notebook" in build["log"]  # the edited page was re-read, from the cache


def test_an_incremental_build_cannot_hide_a_warning(builds):
    for name in ("broken", "broken_again"):
        build = builds[name]
        assert build["rc"] != 0, name
        assert "undefined label: 'no-such-label-for-the-test'" in build["log"], (name, build["log"][-3000:])
