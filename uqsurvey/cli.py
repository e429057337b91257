"""The command line: ``python -m uqsurvey {validate,claims,review,audit} ...`` (also ``uqsurvey ...``).

One :mod:`argparse` parser with one subcommand per feature.  Each subcommand's
help, arguments and handler live with the feature, as two functions
``add(parser)`` and ``run(args) -> exit status``, listed in :data:`COMMANDS`:

=========  ================================================================
validate   :func:`uqsurvey.survey.data.add_validate_args` / :func:`~uqsurvey.survey.data.run_validate`
claims     :func:`uqsurvey.survey.ledger.add_claims_args` / :func:`~uqsurvey.survey.ledger.run_claims`
review     :func:`uqsurvey.book.review.add_review_args` / :func:`~uqsurvey.book.review.run_review`
audit      :func:`uqsurvey.audit.add_arguments` / :func:`~uqsurvey.audit.run`
=========  ================================================================

To add a subcommand: write ``add_*_args(parser)`` and ``run_*(args)`` next to the
feature, add one line to :data:`COMMANDS` and one line to :data:`USAGE`.
"""
from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module

PROG = "python -m uqsurvey"

USAGE = """usage: python -m uqsurvey COMMAND [ARGS]

commands:
  validate [DATA_DIR]                      check the data package; list every problem
  claims [--format json|csv|markdown]      print the reproduction ledger
  review SUBMISSION.yaml [--base-url URL]  a review checklist of a submission, linked to the book
  audit PREDICTIONS --confidence COL --correct COL [--out DIR]
                                           calibration audit of released predictions
                                           (CSV, .csv.gz or Parquet; streaming; --dask)
"""

#: Subcommand -> (module, function adding its help and arguments, function running it).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("uqsurvey.survey.data", "add_validate_args", "run_validate"),
    "claims": ("uqsurvey.survey.ledger", "add_claims_args", "run_claims"),
    "review": ("uqsurvey.book.review", "add_review_args", "run_review"),
    "audit": ("uqsurvey.audit", "add_arguments", "run"),
}

#: Subcommands whose handler still parses its own argument list: name -> (module, function(argv) -> int).
RAW_COMMANDS: dict[str, tuple[str, str]] = {}


def build_parser(only: str | None = None) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The parser of ``python -m uqsurvey`` and, by name, the parser of each subcommand.

    With *only* (a command's name), only that command's module is imported and its arguments
    added; the others are listed bare (a run imports what it uses, nothing more: the audit's
    memory does not carry the review's or the ledger's libraries)."""
    parser = argparse.ArgumentParser(prog=PROG, usage=f"{PROG} COMMAND [ARGS]", add_help=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers: dict[str, argparse.ArgumentParser] = {}
    for name, (module, add, _run) in COMMANDS.items():
        subparsers[name] = sub.add_parser(name, prog=f"{PROG} {name}")
        if only is None or name == only:
            getattr(import_module(module), add)(subparsers[name])
    for name in RAW_COMMANDS:  # listed, so that the parser knows every command
        subparsers[name] = sub.add_parser(name, prog=f"{PROG} {name}", add_help=False)
    return parser, subparsers


class _StdoutFailed(Exception):
    """Writing to standard output failed (closed pipe, full disk)."""


class _GuardedStdout:
    """``sys.stdout`` whose write errors become :class:`_StdoutFailed`."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        try:
            return self.stream.write(text)
        except OSError as exc:
            raise _StdoutFailed(exc) from None

    def flush(self):
        try:
            self.stream.flush()
        except OSError as exc:
            raise _StdoutFailed(exc) from None

    def __getattr__(self, name):
        return getattr(self.stream, name)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; return its exit status (2 for a usage error, 1 when
    standard output cannot be written, e.g. ``claims > /dev/full``)."""
    real = sys.stdout
    sys.stdout = _GuardedStdout(real)
    try:
        status = _main(argv)
        sys.stdout.flush()
        return status
    except _StdoutFailed as exc:
        reason = exc.args[0].strerror or str(exc.args[0])
        print(f"error: cannot write to standard output: {reason}", file=sys.stderr)
        try:  # drop what is still buffered, so that the exit's flush does not fail again
            os.dup2(os.open(os.devnull, os.O_WRONLY), real.fileno())
        except (OSError, AttributeError, ValueError):  # not a real file (captured output)
            pass
        return 1
    finally:
        sys.stdout = real


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command in RAW_COMMANDS:
        module, fn = RAW_COMMANDS[command]
        return getattr(import_module(module), fn)(rest)
    if command not in COMMANDS:
        print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    parser, subparsers = build_parser(only=command)
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the subcommand's parser, with its own usage line
            subparsers[command].error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse has printed the help (0) or the error (2)
        return int(exc.code or 0)
    module, _add, run = COMMANDS[command]
    return getattr(import_module(module), run)(args)
