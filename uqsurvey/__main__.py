"""``python -m uqsurvey {validate,claims,audit} ...``: the command line of :mod:`uqsurvey.cli`."""
from __future__ import annotations

import sys

from uqsurvey.cli import main

if __name__ == "__main__":
    sys.exit(main())
