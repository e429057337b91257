"""The GitHub workflows: CI runs .ci/run on pull requests and pushes; the book is
published only for a main commit that passed CI, with the identity variables
that uqsurvey.book.meta reads."""
from __future__ import annotations

import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict:
    doc = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as True
    return doc


def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def test_ci_runs_the_ci_script_on_pull_requests_and_pushes():
    ci = _load("ci.yml")
    assert {"pull_request", "push"} <= set(ci["on"])
    runs = [s.get("run", "") for job in ci["jobs"].values() for s in _steps(job)]
    assert any(r.strip() in {"bash .ci/run", ".ci/run"} for r in runs), runs


def test_pages_publishes_only_what_passed_ci():
    ci_name = _load("ci.yml")["name"]
    pages = _load("pages.yml")
    assert set(pages["on"]) == {"workflow_run"}, "no other trigger may skip CI"
    trigger = pages["on"]["workflow_run"]
    assert trigger["workflows"] == [ci_name] and trigger["types"] == ["completed"]
    assert trigger["branches"] == ["main"]
    build = pages["jobs"]["build"]
    assert "github.event.workflow_run.conclusion == 'success'" in build["if"]
    checkout = next(s for s in _steps(build) if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["ref"] == "${{ github.event.workflow_run.head_sha }}"
    assert pages["jobs"]["deploy"]["needs"] == "build"


def test_pages_build_passes_the_identity_that_the_book_reads():
    from uqsurvey.book.meta import BOOK_URL_ENV, REPOSITORY_URL_ENV

    build = _load("pages.yml")["jobs"]["build"]
    step = next(s for s in _steps(build) if "make book" in s.get("run", ""))
    assert step["env"][BOOK_URL_ENV] == "${{ steps.pages.outputs.base_url }}"
    assert step["env"][REPOSITORY_URL_ENV] == "${{ github.server_url }}/${{ github.repository }}"
    assert any(s.get("id") == "pages" and s["uses"].startswith("actions/configure-pages") for s in _steps(build))
