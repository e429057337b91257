"""``python -m uqsurvey``: the one argparse entry and its subcommands.

What each subcommand does is tested with its feature (tests/survey/test_loader_errors.py,
tests/survey/test_claims.py, tests/test_audit.py); here: the dispatch, the usage text,
help and usage errors, and that the module entry and the function give the same output.
"""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module

import pytest
from conftest import ROOT

from uqsurvey import cli


def test_no_command_prints_the_usage_and_exits_2(capsys):
    assert cli.main([]) == 2
    out, err = capsys.readouterr()
    assert out == cli.USAGE + "\n" and err == ""


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_lists_every_command(flag, capsys):
    assert cli.main([flag]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m uqsurvey COMMAND [ARGS]")
    for command in [*cli.COMMANDS, *cli.RAW_COMMANDS]:
        assert f"\n  {command} " in out


def test_unknown_command(capsys):
    assert cli.main(["frobnicate"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("unknown command 'frobnicate'\n\nusage: python -m uqsurvey")


def test_every_command_has_its_handlers():
    _parser, subparsers = cli.build_parser()
    assert set(subparsers) == set(cli.COMMANDS) | set(cli.RAW_COMMANDS) == {"validate", "claims", "review", "audit"}
    for module, add, run in cli.COMMANDS.values():
        assert callable(getattr(import_module(module), add)) and callable(getattr(import_module(module), run))
    for module, fn in cli.RAW_COMMANDS.values():
        assert callable(getattr(import_module(module), fn))


@pytest.mark.parametrize("command, expected", [
    ("validate", ["usage: python -m uqsurvey validate [DATA_DIR | --data DATA_DIR]",
                  "Validate the survey data package in DATA_DIR", "exits 1.", "else data/ of\nthe book that holds"]),
    ("claims", ["usage: python -m uqsurvey claims [-h] [--format {json,csv,markdown}]", "[--data DATA_DIR]",
                "Print the reproduction ledger.", "the data directory (default: $UQSURVEY_DATA, else"]),
    ("audit", ["usage: python -m uqsurvey audit", "--confidence COL", "--correct COL", "--out DIR"]),
    ("review", ["usage: python -m uqsurvey review SUBMISSION.yaml [--base-url URL] [--data DIR]",
                "Write a short Markdown review", "evaluation_set_sizes (required)"]),
])
def test_subcommand_help(command, expected, capsys):
    assert cli.main([command, "--help"]) == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in out, text


@pytest.mark.parametrize("argv, message", [
    (["validate", "a", "b"], "python -m uqsurvey validate: error: unrecognized arguments: b"),
    (["validate", "--frobnicate"], "python -m uqsurvey validate: error: unrecognized arguments: --frobnicate"),
    (["claims", "extra"], "python -m uqsurvey claims: error: unrecognized arguments: extra"),
    (["claims", "--format", "xml"], "python -m uqsurvey claims: error: argument --format: invalid choice: 'xml'"),
    (["review"], "python -m uqsurvey review: error: the following arguments are required: SUBMISSION.yaml"),
    (["audit", "x.csv", "--confidence", "c"], "python -m uqsurvey audit: error: the following arguments are "
                                               "required: --correct"),
])
def test_usage_errors_exit_2_with_the_subcommands_usage(argv, message, capsys):
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and message in err and err.startswith(f"usage: python -m uqsurvey {argv[0]}")


def test_module_entry_and_function_agree(capsys):
    """``python -m uqsurvey claims --format json`` prints what ``cli.main`` prints: the ledger."""
    assert cli.main(["claims", "--format", "json"]) == 0
    in_process = capsys.readouterr().out
    proc = subprocess.run([sys.executable, "-m", "uqsurvey", "claims", "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == in_process
    rows = json.loads(in_process)
    c1 = next(r for r in rows if r["id"] == "c1")  # hand count: tests/survey/test_claims.py
    assert (c1["recomputed_count"], c1["recomputed_total"], c1["status"]) == (6, 22, "reproduced")


def test_validate_dispatches_to_the_data_package(capsys):
    assert cli.main(["validate", str(ROOT / "data")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("data OK: 37 papers, ") and out.rstrip().endswith(str(ROOT / "data")) and err == ""
    assert cli.main(["validate", str(ROOT / "no-such-dir")]) == 1
    assert "data directory not found" in capsys.readouterr().err


def test_validate_takes_the_data_directory_as_an_option(capsys):
    from conftest import ROOT

    assert cli.main(["validate", "--data", str(ROOT / "data")]) == 0
    assert capsys.readouterr().out.startswith("data OK: ")
    assert cli.main(["validate", str(ROOT / "data"), "--data", "/elsewhere"]) == 2
    assert capsys.readouterr().err.startswith("two data directories given: ")


def test_a_command_imports_only_its_own_module():
    # the audit's memory goal: parsing `audit` must not load the review's or the ledger's
    # libraries (a fresh interpreter, since this one has imported everything)
    code = ("import sys, uqsurvey.cli as c; c.build_parser('audit'); "
            "print(sorted(m for m in ('uqsurvey.audit', 'uqsurvey.book.review', 'uqsurvey.survey.ledger') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "['uqsurvey.audit']"
    parser, subparsers = cli.build_parser("audit")
    assert set(subparsers) == set(cli.COMMANDS) | set(cli.RAW_COMMANDS)  # every command still listed
