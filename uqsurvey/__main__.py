"""Command line: ``python -m uqsurvey {validate,claims,audit} ...``."""
from __future__ import annotations

import sys


USAGE = """usage: python -m uqsurvey COMMAND [ARGS]

commands:
  validate [DATA_DIR]                      check the data package; list every problem
  claims [--format json|csv|markdown]      print the reproduction ledger
  audit PREDICTIONS.csv --confidence COL --correct COL [--out DIR]
                                           calibration audit of released predictions
"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command == "validate":
        from uqsurvey.data import cli_validate

        return cli_validate(rest)
    if command == "claims":
        from uqsurvey.claims import cli_claims

        return cli_claims(rest)
    if command == "audit":
        from uqsurvey.audit import cli_audit

        return cli_audit(rest)
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
