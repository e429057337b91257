"""``python -m uqsurvey audit``: a calibration audit of released predictions.

For a reviewer who wants to check the calibration numbers of a paper from the
predictions its authors released, at any size::

    python -m uqsurvey audit PREDICTIONS --confidence COL --correct COL \\
        [--out DIR] [--n-boot N] [--seed S] [--interval METHOD] [--quiet] [--dask [SCHEDULER]]

``PREDICTIONS`` is a CSV file with a header row (``.csv``, or gzip-compressed
``.csv.gz``) or a Parquet file; ``--confidence`` names a column of
confidences in ``[0, 1]`` and ``--correct`` a column of correctness labels
(``0``/``1``, ``0.0``/``1.0`` or ``true``/``false``, any case).  The audit
prints

* binned ECE (l1) under each binning convention (this package's default,
  torchmetrics, netcal, uncertainty-calibration/Kumar) at 10, 15 and 20 bins
  -- the spread across conventions is itself informative;
* smECE with its bandwidth, the debiased l2 calibration error, Brier score,
  AUROC and AURC;
* Poisson-bootstrap 95% intervals for the headline metrics, by the method
  chosen by measured coverage (named in the report);
* warnings: too few predictions for the intervals to be trusted, an interval
  that excludes its own estimate, metrics computed on a grid;

and writes binned and smoothed reliability diagrams as PNG and SVG (plus
``report.txt`` and ``metrics.json`` with the same numbers) into ``--out``
(default ``./audit-out``).

The file is read once, in pieces of bounded size (:mod:`.reader`), into the
mergeable partial statistics of :class:`uqsurvey.calibration.Partials`;
memory does not grow with the number of rows.  ``--dask`` reads partitioned
files with ``dask.dataframe`` and reduces the partials of the partitions
(:mod:`.distributed`).  On a terminal a progress bar shows rows read, rows
per second and the time left (``--quiet`` turns it off).

A bad file (missing, unreadable, no data rows, a missing column, a value that
is not a number, NaN, inf, a confidence outside ``[0, 1]`` or a label that is
not 0/1) stops the audit with one message naming the file, the row and the
column, exit status 1, and **nothing written**.  ``--out`` is checked for
writing before the file is read; everything is read, validated and computed
before the output directory is created, and the files are written to a
temporary directory next to it and moved into place at the end (the
temporary directory is removed on any error and on SIGTERM).  An OS error
gives one line with the path and the reason, never a traceback.  Same input,
seed and ``--n-boot`` give byte-identical files (SVG written with a fixed
``svg.hashsalt`` and no date), whatever the input format.
"""
from uqsurvey.audit.command import (
    BIN_COUNTS,
    CONVENTION_LABELS,
    DESCRIPTION,
    FILES,
    INTERVAL_METHOD,
    MIN_ROWS,
    add_arguments,
    cli_audit,
    compute_audit,
    format_report,
    run,
)
from uqsurvey.audit.reader import AuditError, open_predictions

__all__ = [
    "BIN_COUNTS", "CONVENTION_LABELS", "DESCRIPTION", "FILES", "INTERVAL_METHOD", "MIN_ROWS",
    "AuditError", "add_arguments", "cli_audit", "compute_audit", "format_report", "open_predictions", "run",
]
