"""The ``audit`` subcommand: arguments, the one pass over the input, the
report, and the atomic write of the output directory."""
from __future__ import annotations

import argparse
import errno
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from uqsurvey.audit.reader import AuditError, open_predictions

CONVENTION_LABELS = {
    "default": "default (this package)",
    "torchmetrics": "torchmetrics 1.9",
    "netcal": "netcal 1.4",
    "kumar": "Kumar et al. (uncertainty-calibration)",
}
BIN_COUNTS = (10, 15, 20)
FILES = (
    "reliability_binned.png", "reliability_binned.svg",
    "reliability_smooth.png", "reliability_smooth.svg",
    "report.txt", "metrics.json",
)
#: The interval method of the report, chosen by measured coverage
#: (:mod:`uqsurvey.simulation.coverage`, ``benchmarks/results/interval_coverage.csv``):
#: the basic interval covers as the others do for Brier, AUROC and AURC, and far
#: better for ECE and smECE, whose bootstrap replicates are biased upward (the
#: percentile interval sits above the estimate; BCa collapses).
INTERVAL_METHOD = "basic"
INTERVAL_METHODS = ("percentile", "basic", "bca")
#: Below this many predictions the report warns that the intervals are not
#: to be trusted (the coverage simulation starts there).
MIN_ROWS = 1000
METRIC_NAMES = {
    "ece_l1_15_default": "ECE (l1, 15 bins, default)",
    "smece": "smECE",
    "brier": "Brier score",
    "auroc": "AUROC",
    "aurc": "AURC",
}

DESCRIPTION = ("Calibration audit of released predictions (binned ECE under four "
               "conventions, smECE, Brier, AUROC, AURC, bootstrap intervals, "
               "reliability diagrams); CSV, gzip CSV or Parquet, read in one streaming pass.")


# ----------------------------------------------------------------------------
# Computation
# ----------------------------------------------------------------------------

def compute_audit(partials, *, n_boot: int, seed: int, method: str = INTERVAL_METHOD) -> dict:
    """All numbers of the audit from the merged partials, as a JSON-serializable dict."""
    out = partials.finalize()
    out.update(n_boot=n_boot, seed=seed, interval_method=method if n_boot else None)
    out["bootstrap_95"] = partials.intervals(out, method) if n_boot else {}
    out["warnings"] = _warnings(out)
    return out


def _warnings(audit: dict) -> list[str]:
    notes = []
    n = audit["n"]
    if n < MIN_ROWS:
        notes.append(f"only {n} prediction{'s' if n != 1 else ''}: below {MIN_ROWS}, the minimum this audit "
                     "states for its intervals (their coverage was measured from there up, not below); "
                     "read the intervals and the binned metrics with care")
    point = _points(audit)
    for key, ci in audit["bootstrap_95"].items():
        if not (ci["low"] <= point[key] <= ci["high"]):
            head = (f"the {METRIC_NAMES[key]} interval [{ci['low']:.4f}, {ci['high']:.4f}] excludes its own "
                    f"estimate {point[key]:.4f}: ")
            if key in ("ece_l1_15_default", "smece"):
                notes.append(head + "a calibration error measured on a sample is biased upward (noise adds "
                             "to every |gap|) and resampling adds that bias once more, so the replicates sit "
                             "above the estimate; this is not a valid 95% interval -- the true error may be "
                             "smaller than the estimate, down to 0 for a calibrated model")
            else:
                notes.append(head + "the replicates are skewed or too few; this is not a valid 95% interval")
    ex = audit["exactness"]
    if not ex["distinct_exact"]:
        notes.append(f"more distinct confidences than counted exactly: AUROC and AURC treat confidences "
                     f"within one grid cell as tied, which moves them by at most {ex['auroc_bound']:.2g} "
                     f"and {ex['aurc_bound']:.2g}; {ex['debiased_unassigned']} predictions lie in cells "
                     "that hold an equal-mass bin boundary of the debiased l2 CE")
    return notes


def _points(audit: dict) -> dict:
    return {"ece_l1_15_default": audit["ece_l1"]["default"]["15"], "smece": audit["smece"],
            "brier": audit["brier"], "auroc": audit["auroc"], "aurc": audit["aurc"]}


def format_report(path, audit: dict) -> str:
    """The human-readable report printed by the CLI (and saved as report.txt)."""
    lines = [
        f"Calibration audit of {path}",
        f"  {audit['n']} predictions, accuracy {audit['accuracy']:.4f}, "
        f"mean confidence {audit['mean_confidence']:.4f}",
        "",
        "Binned ECE (l1), by binning convention and number of bins:",
        f"  {'convention':<40}" + "".join(f"{str(b) + ' bins':>10}" for b in BIN_COUNTS),
    ]
    for conv, row in audit["ece_l1"].items():
        lines.append(f"  {CONVENTION_LABELS[conv]:<40}"
                     + "".join(f"{row[str(b)]:>10.4f}" for b in BIN_COUNTS))
    spread = [v for row in audit["ece_l1"].values() for v in row.values()]
    lines += [
        f"  (range over conventions and bin counts: {min(spread):.4f} to {max(spread):.4f})",
        "",
        "Other metrics:",
        f"  smECE                 {audit['smece']:.4f}   (bandwidth sigma = {audit['smece_bandwidth']:.4f})",
        f"  debiased l2 CE        {audit['debiased_l2_ce']:.4f}   (Kumar et al. 2019)",
        f"  Brier score           {audit['brier']:.4f}",
        "  AUROC                 "
        + ("undefined (all labels are one class)" if audit["auroc"] is None else f"{audit['auroc']:.4f}"),
        f"  AURC                  {audit['aurc']:.4f}",
    ]
    if audit["bootstrap_95"]:
        lines += ["", f"Bootstrap 95% intervals, {audit['interval_method']} method "
                      f"({audit['n_boot']} Poisson resamples, seed {audit['seed']}):"]
        point = _points(audit)
        for key, ci in audit["bootstrap_95"].items():
            note = (f"  ({ci['failed_replicates']} single-class resamples skipped)"
                    if ci["failed_replicates"] else "")
            lines.append(f"  {METRIC_NAMES[key]:<28}{point[key]:.4f}  [{ci['low']:.4f}, {ci['high']:.4f}]{note}")
    if audit["warnings"]:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in audit["warnings"]]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------
# Reading (one pass), with a progress bar on a terminal
# ----------------------------------------------------------------------------

def read_partials(args, *, progress: bool):
    """One streaming pass over ``args.predictions`` -> merged :class:`~uqsurvey.calibration.Partials`."""
    from uqsurvey.calibration import Partials

    if args.dask is not None:
        from uqsurvey.audit.distributed import dask_partials

        return dask_partials(args.predictions, args.confidence, args.correct, scheduler=args.dask,
                             n_boot=args.n_boot, seed=args.seed, fmt=args.format)
    preds = open_predictions(args.predictions, args.confidence, args.correct, args.format)
    partials = Partials(bin_counts=BIN_COUNTS, n_boot=args.n_boot, seed=args.seed)
    bar = _progress(preds) if progress else None
    try:
        for f, y in preds:
            partials.update(f, y)
            if bar is not None:
                bar(preds)
    finally:
        if bar is not None:
            bar.close()
    return partials


class _Bar:
    """tqdm on stderr: rows read, rows per second, ETA (size known from the file)."""

    def __init__(self, preds):
        from tqdm import tqdm

        rows = preds.unit == "rows"
        cols, lines = shutil.get_terminal_size((100, 24))  # a terminal of unknown size reports 0
        self.bar = tqdm(total=preds.size, unit=" rows" if rows else "B", unit_scale=True,
                        unit_divisor=1000 if rows else 1024, file=sys.stderr, ncols=cols or 100,
                        nrows=lines or 24, desc=Path(preds.path).name, leave=False,
                        bar_format="{desc} {percentage:3.0f}%|{bar:12}| {postfix} [{elapsed}<{remaining}]")
        self.start = time.monotonic()

    def __call__(self, preds) -> None:
        self.bar.update(preds.done() - self.bar.n)
        rate = preds.rows / max(time.monotonic() - self.start, 1e-9)
        self.bar.set_postfix_str(f"{preds.rows:,} rows, {rate:,.0f} rows/s", refresh=True)  # ETA: the bar's

    def close(self) -> None:
        self.bar.close()


def _progress(preds):
    return _Bar(preds)


# ----------------------------------------------------------------------------
# Figures and output
# ----------------------------------------------------------------------------

def _render(partials, audit: dict, out_dir: Path, *, n_boot: int, seed: int, name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from uqsurvey import plots

    with matplotlib.rc_context():
        plots.apply_style()
        binned = partials.binned_table(n_boot=n_boot, seed=seed)
        smooth = partials.smooth_table(audit["smece_bandwidth"], audit["smece"])

        fig, (ax,) = plots.new_figure(1, title=None)
        plots.reliability_diagram(
            ax, binned_df=binned,
            title=f"{name}: binned, 15 bins (ECE = {audit['ece_l1']['default']['15']:.3f})")
        _save(fig, out_dir / "reliability_binned")

        fig, (ax,) = plots.new_figure(1, title=None)
        plots.reliability_diagram(
            ax, smooth_df=smooth,
            title=f"{name}: smoothed (smECE = {audit['smece']:.3f}, "
                  f"\u03c3 = {audit['smece_bandwidth']:.3f})")
        _save(fig, out_dir / "reliability_smooth")


def _save(fig, stem: Path) -> None:
    fig.savefig(stem.with_suffix(".png"), format="png", metadata={"Software": None})
    fig.savefig(stem.with_suffix(".svg"), format="svg", metadata={"Date": None})


def _install(tmp: Path, out: Path) -> None:
    """Move the finished files from ``tmp`` into ``out``."""
    if not out.exists():
        os.replace(tmp, out)
        return
    for name in FILES:
        os.replace(tmp / name, out / name)
    shutil.rmtree(tmp, ignore_errors=True)


def check_writable(out: Path) -> None:
    """Raise :class:`AuditError` unless ``out`` can be created or written,
    by creating (and removing) an empty directory where ``out`` will go --
    before anything is computed."""
    try:
        _check_writable(out)
    except OSError as exc:  # e.g. a name too long for the file system
        raise AuditError(f"{out}: cannot be written: {_reason(exc)}") from None


def _check_writable(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise AuditError(f"{out}: exists and is not a directory")
    target = out if out.exists() else out.absolute().parent
    probe = target
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise AuditError(f"{out}: cannot be created: {probe} is not a directory")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=probe))
    except OSError as exc:
        raise AuditError(f"{out}: cannot be written: {probe}: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return exc.strerror or str(exc) or type(exc).__name__


class _Terminated(BaseException):
    """Raised by the SIGTERM handler so that the temporary directory is removed."""


def _on_sigterm(signum, frame):  # noqa: ARG001
    raise _Terminated()


def write_outputs(partials, audit: dict, report: str, args) -> Path:
    """Write the files into a temporary directory beside ``--out`` and move them
    into place; the temporary directory is removed on any failure and on SIGTERM."""
    out = Path(args.out)
    parent = out.absolute().parent
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    tmp = None
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the result is a normal directory
        _render(partials, audit, tmp, n_boot=args.n_boot, seed=args.seed,
                name=Path(args.predictions).name)
        (tmp / "report.txt").write_text(report, encoding="utf-8")
        (tmp / "metrics.json").write_text(
            json.dumps(audit, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _install(tmp, out)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
    return out


# ----------------------------------------------------------------------------
# The subcommand
# ----------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the arguments of the ``audit`` subcommand to ``parser`` (for the one
    argparse entry of ``python -m uqsurvey``); returns ``parser``."""
    parser.add_argument("predictions", help="CSV (.csv, .csv.gz) or Parquet (.parquet) file, or with --dask "
                                            "a directory or glob of partitioned files")
    parser.add_argument("--confidence", required=True, metavar="COL",
                        help="column of confidences in [0, 1]")
    parser.add_argument("--correct", required=True, metavar="COL",
                        help="column of correctness labels (0/1 or true/false)")
    parser.add_argument("--out", default="audit-out", metavar="DIR",
                        help="output directory (default: ./audit-out)")
    parser.add_argument("--n-boot", type=int, default=200, metavar="N",
                        help="bootstrap resamples for the intervals and bands (default: 200; 0 = none)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="seed of the bootstrap, >= 0 (default: 0)")
    parser.add_argument("--interval", choices=INTERVAL_METHODS, default=INTERVAL_METHOD,
                        help=f"bootstrap interval method (default: {INTERVAL_METHOD}, chosen by measured coverage)")
    parser.add_argument("--format", choices=("auto", "csv", "csv.gz", "parquet"), default="auto",
                        help="input format (default: from the file name)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--dask", nargs="?", const="local", default=None, metavar="SCHEDULER",
                        help="read partitioned Parquet/CSV with dask.dataframe and reduce partials: "
                             "'local' (a LocalCluster of 2 workers, the default), 'threads', "
                             "'synchronous' or a scheduler address")
    return parser


def lean_memory() -> None:
    """Return freed memory to the system as the pieces stream through: arrow
    buffers from the system allocator, and (glibc) large blocks always
    mapped, never kept in a heap that only grows.  Process-wide: for the
    command line, not for a library caller."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD: 1 MiB, fixed
    except (OSError, AttributeError):  # not glibc
        pass


def run(args: argparse.Namespace) -> int:
    """Run the audit for parsed ``args`` (see :func:`add_arguments`); returns the exit status.

    Prints the report and writes the files; a problem with the input, the
    arguments or the output directory prints ``error: ...`` to stderr, writes
    nothing and returns 1.
    """
    try:
        if args.n_boot < 0:
            raise AuditError(f"--n-boot must be >= 0; found {args.n_boot}")
        if args.seed < 0:
            raise AuditError(f"--seed must be >= 0; found {args.seed}")
        out = Path(args.out)
        check_writable(out)
        lean_memory()
        progress = not args.quiet and sys.stderr.isatty()
        partials = read_partials(args, progress=progress)
        audit = compute_audit(partials, n_boot=args.n_boot, seed=args.seed, method=args.interval)
        report = format_report(args.predictions, audit)
        write_outputs(partials, audit, report, args)
    except AuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except _Terminated:
        print("error: terminated (SIGTERM); nothing written", file=sys.stderr)
        return 128 + signal.SIGTERM
    except OSError as exc:
        where = exc.filename or args.out
        print(f"error: {where}: {_reason(exc)}", file=sys.stderr)
        return 1
    sys.stdout.write(report)
    print(f"\nwrote {', '.join(FILES)} to {out}/")
    return 0


def cli_audit(argv: list[str]) -> int:
    """``python -m uqsurvey audit ARGS``: parse ``argv`` and :func:`run`; returns the exit status."""
    parser = add_arguments(argparse.ArgumentParser(prog="python -m uqsurvey audit", description=DESCRIPTION))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return int(exc.code or 0)
    return run(args)

