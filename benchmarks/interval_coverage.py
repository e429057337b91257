"""Measured coverage of the audit's bootstrap intervals (percentile, basic, BCa).

Runs :func:`uqsurvey.simulation.coverage.coverage_runs` for every forecaster
of :func:`~uqsurvey.simulation.coverage.coverage_forecasters` and every n,
and writes the table (coverage and mean width by forecaster, n, metric and
method) to ``benchmarks/results/interval_coverage.csv``, which the book's
calibration-metrics chapter shows.  Seeded: the same arguments give the same
table.  Slow (about an hour on two loaded cores with the defaults); run it
nice'd::

    nice -n 10 .venv/bin/python benchmarks/interval_coverage.py            # the recorded table
    .venv/bin/python benchmarks/interval_coverage.py --datasets 5 --ns 1000 --csv ''   # a quick look
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pandas as pd  # noqa: E402

from uqsurvey.simulation.coverage import coverage_forecasters, coverage_runs, coverage_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "interval_coverage.csv"


def _one(job):
    k, n, datasets, n_boot, seed = job
    return coverage_runs(coverage_forecasters()[k], n, datasets, n_boot=n_boot, seed=seed)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ns", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--datasets", type=int, default=100, help="simulated samples per forecaster and n")
    ap.add_argument("--n-boot", type=int, default=200, help="bootstrap replicates (the audit's default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument("--csv", default=str(RESULTS), help="output CSV ('' for none)")
    args = ap.parse_args(argv)
    jobs = [(k, n, args.datasets, args.n_boot, args.seed)
            for k in range(len(coverage_forecasters())) for n in args.ns]
    start = time.time()
    with ProcessPoolExecutor(args.jobs) as pool:
        runs = pd.concat(list(pool.map(_one, jobs)), ignore_index=True)
    table = coverage_table(runs)
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(table.to_string(index=False))
    load = os.getloadavg()
    print(f"\n{time.time() - start:.0f} s; load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
          file=sys.stderr)
    if args.csv:
        table.to_csv(args.csv, index=False, float_format="%.6g")
        print(f"wrote {args.csv}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
