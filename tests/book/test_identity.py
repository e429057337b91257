"""The book's identity: canonical URL and repository URL from configuration.

``uqsurvey.book.meta.book_identity`` reads ``html.baseurl`` / ``repository.url`` of
``_config.yml`` (empty in the sources) and lets ``UQSURVEY_BOOK_URL`` /
``UQSURVEY_REPOSITORY_URL`` override them; the Pages workflow sets both.  The
session's book build is a local build (relative links, "local build" shown);
one small extra build with the variables set checks the Pages override.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, jupyter_book_cmd

BOOK_URL = "https://example-owner.github.io/uqsurvey-book"
REPO_URL = "https://github.com/example-owner/uqsurvey-book"
PAGES_ENV = {"UQSURVEY_BOOK_URL": BOOK_URL + "/", "UQSURVEY_REPOSITORY_URL": REPO_URL}


def _config(tmp_path: Path, baseurl: str = "", repo: str = "") -> Path:
    (tmp_path / "_config.yml").write_text(
        yaml.safe_dump({"html": {"baseurl": baseurl}, "repository": {"url": repo}}), encoding="utf-8"
    )
    return tmp_path


# --------------------------------------------------------------------------- #
# The resolver
# --------------------------------------------------------------------------- #
def test_the_sources_hold_no_url():
    """No placeholder: the sources leave both URLs empty (a local build)."""
    from uqsurvey.book.meta import book_identity

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["html"]["baseurl"] == "" and config["repository"]["url"] == ""
    assert book_identity(ROOT, environ={}) == {"book_url": None, "repository_url": None}


def test_environment_overrides_the_config(tmp_path):
    from uqsurvey.book.meta import book_identity

    src = _config(tmp_path, baseurl="https://books.example.org/uq/", repo="https://git.example.org/uq")
    assert book_identity(src, environ={}) == {
        "book_url": "https://books.example.org/uq", "repository_url": "https://git.example.org/uq"}
    assert book_identity(src, environ=PAGES_ENV) == {"book_url": BOOK_URL, "repository_url": REPO_URL}
    # an empty variable does not hide the configured value
    assert book_identity(src, environ={"UQSURVEY_BOOK_URL": " "})["book_url"] == "https://books.example.org/uq"


@pytest.mark.parametrize("env, config, message", [
    ({"UQSURVEY_BOOK_URL": "example-owner.github.io/book"}, {}, "environment variable UQSURVEY_BOOK_URL"),
    ({"UQSURVEY_REPOSITORY_URL": "git@github.com:o/r.git"}, {}, "environment variable UQSURVEY_REPOSITORY_URL"),
    ({}, {"baseurl": "/book/"}, "html.baseurl in"),
    ({}, {"repo": "github.com/o/r"}, "repository.url in"),
])
def test_a_url_that_is_not_absolute_is_refused(tmp_path, env, config, message):
    from uqsurvey.book.meta import book_identity

    with pytest.raises(ValueError, match=re.escape(message)):
        book_identity(_config(tmp_path, **config), environ=env)


def test_links_and_citations_with_and_without_a_url():
    from uqsurvey.book.meta import book_bibtex, book_link, cite_text, clone_command

    published = {"book_url": BOOK_URL, "repository_url": REPO_URL}
    local = {"book_url": None, "repository_url": None}
    version = {"version": "abc1234", "commit": "abc1234", "date": "2026-01-02"}

    assert book_link("/chapters/ledger.html#claim-c1", published) == f"{BOOK_URL}/chapters/ledger.html#claim-c1"
    assert book_link("chapters/ledger.html#claim-c1", local) == "chapters/ledger.html#claim-c1"
    assert clone_command(published) == f"git clone {REPO_URL}.git && cd uqsurvey-book"
    assert clone_command(local).startswith("# local build:")

    line = cite_text("C1 share", "chapters/ledger.html#claim-c1", version=version, identity=published)
    assert line.endswith(f"version abc1234 (built 2026-01-02), {BOOK_URL}/chapters/ledger.html#claim-c1.")
    line = cite_text("C1 share", "chapters/ledger.html#claim-c1", version=version, identity=local)
    assert line.endswith("version abc1234 (built 2026-01-02), local build, chapters/ledger.html#claim-c1.")

    bib = book_bibtex(version=version, identity=published)
    assert f"url = {{{BOOK_URL}}}" in bib and f"repository = {{{REPO_URL}}}" in bib
    assert "url =" not in book_bibtex(version=version, identity=local)


# --------------------------------------------------------------------------- #
# The session's build is a local build
# --------------------------------------------------------------------------- #
@pytest.mark.build
def test_a_local_build_links_relatively_and_says_so(built_book):
    assert built_book["returncode"] == 0
    html = built_book["html"]
    from conftest import toc_pages

    for page in toc_pages():
        text = (html / f"{page}.html").read_text(encoding="utf-8")
        assert 'rel="canonical"' not in text, page
        assert '<span class="book-local">local build</span>' in text, page
        assert "repository-button" not in text, page
    cite = (html / "chapters" / "how_to_cite.html").read_text(encoding="utf-8")
    assert "url = {" not in cite
    assert re.search(r"recomputed in <em>[^<]+</em>, version \S+ \(built [\d-]+\), local build, "
                     r"chapters/ledger.html#claim-c1\.", cite)
    intro = (html / "intro.html").read_text(encoding="utf-8")
    assert "local build: no repository URL is configured" in intro
    assert "git clone" not in intro


# --------------------------------------------------------------------------- #
# The Pages override, in a build
# --------------------------------------------------------------------------- #
@pytest.mark.build
def test_the_pages_override_gives_absolute_urls(tmp_path):
    """Build the front page and How to cite with the Pages workflow's variables set.

    Two pages, not the whole book: the URLs reach the HTML by two routes, the
    Sphinx extension (canonical link, footer, repository button: the same on every
    page) and the chapters' own code (clone command, BibTeX, citation line), and
    these two pages exercise both.  The rest of the book is not rebuilt (minutes);
    links to its pages are unresolved here, so this build is not run with -W.
    """
    book = tmp_path / "book"
    book.mkdir()
    for name in ["_config.yml", "references.bib", "intro.md", "CITATION.cff"]:
        shutil.copy2(ROOT / name, book / name)
    for folder in ["_ext", "_static", "data"]:  # the build writes the data downloads
        shutil.copytree(ROOT / folder, book / folder)
    (book / "chapters").mkdir()
    shutil.copy2(ROOT / "chapters" / "how_to_cite.md", book / "chapters" / "how_to_cite.md")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n  - file: chapters/how_to_cite\n", encoding="utf-8")
    env = {**os.environ, **PAGES_ENV}
    proc = subprocess.run(
        [*jupyter_book_cmd(), "build", str(book)], cwd=book, env=env,
        capture_output=True, text=True, timeout=900,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert not re.search(r"Execution Failed|Traceback \(most recent call last\)", out), out[-4000:]
    html = book / "_build" / "html"
    for page in ["intro", "chapters/how_to_cite"]:
        text = (html / f"{page}.html").read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="{BOOK_URL}/{page}.html" />' in text, page
        assert f'<span class="book-url"><a href="{BOOK_URL}/">{BOOK_URL}</a></span>' in text, page
        assert f'href="{REPO_URL}"' in text and "repository-button" in text, page
        assert "local build" not in text, page
    intro = (html / "intro.html").read_text(encoding="utf-8")
    assert f"{REPO_URL}.git" in intro and "uqsurvey-book" in intro
    cite = (html / "chapters" / "how_to_cite.html").read_text(encoding="utf-8")
    assert f"url = {{{BOOK_URL}}}" in cite and f"repository = {{{REPO_URL}}}" in cite
    assert f"{BOOK_URL}/chapters/ledger.html#claim-c1." in cite


def test_readme_clone_instruction_has_no_placeholder():
    """The README names the repository's URL when the sources configure one, and
    otherwise describes the step without a placeholder such as <this repository>."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    repo = (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"] or "").rstrip("/")
    assert not re.search(r"git clone\s+<", readme)
    if repo:
        assert f"git clone {repo}.git" in readme
    else:
        assert "clone this repository" in readme
