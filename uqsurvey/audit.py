"""``python -m uqsurvey audit``: a calibration audit of released predictions.

For a reviewer who wants to check the calibration numbers of a paper from the
predictions its authors released::

    python -m uqsurvey audit PREDICTIONS.csv --confidence COL --correct COL \\
        [--out DIR] [--n-boot N] [--seed S]

``PREDICTIONS.csv`` has a header row; ``--confidence`` names a column of
confidences in ``[0, 1]`` and ``--correct`` a column of correctness labels
(``0``/``1``, ``0.0``/``1.0`` or ``true``/``false``, any case).  The audit
prints

* binned ECE (l1) under each binning convention (this package's default,
  torchmetrics, netcal, uncertainty-calibration/Kumar) at 10, 15 and 20 bins
  -- the spread across conventions is itself informative;
* smECE with its bandwidth, the debiased l2 calibration error, Brier score,
  AUROC and AURC;
* percentile-bootstrap 95% intervals for the headline metrics;

and writes binned and smoothed reliability diagrams as PNG and SVG (plus
``report.txt`` and ``metrics.json`` with the same numbers) into ``--out``
(default ``./audit-out``).

A bad file (missing, unreadable, no data rows, a missing column, a value that
is not a number, NaN, inf, a confidence outside ``[0, 1]`` or a label that is
not 0/1) stops the audit with one message naming the file, the row (counting
the header as row 1) and the column, exit status 1, and **nothing written**:
everything is read, validated and computed before the output directory is
created, and the files are written to a temporary directory next to it and
moved into place at the end.  Same input, seed and ``--n-boot`` give
byte-identical files (SVG written with a fixed ``svg.hashsalt`` and no date).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

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


class AuditError(Exception):
    """A problem with the input file or arguments; the message says where."""


# ----------------------------------------------------------------------------
# Reading and validating the CSV
# ----------------------------------------------------------------------------

_TRUE = {"1", "1.0", "true"}
_FALSE = {"0", "0.0", "false"}


def _where(path, row, col):
    return f"{path}: row {row} (counting the header as row 1), column {col!r}"


def read_predictions(path, confidence_col: str, correct_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Read and validate the two columns; raise :class:`AuditError` on any problem.

    Returns
    -------
    confidence : ndarray of float64
    correct : ndarray of bool
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise AuditError(f"{path}: no such file")
    if not path.is_file():
        raise AuditError(f"{path}: not a regular file")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                         skip_blank_lines=True, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise AuditError(f"{path}: the file is empty (no header row)") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise AuditError(f"{path}: cannot be read as CSV: {exc}") from None
    for col in (confidence_col, correct_col):
        if col not in df.columns:
            cols = ", ".join(repr(c) for c in df.columns)
            raise AuditError(f"{path}: no column {col!r} in the header (columns: {cols})")
    if len(df) == 0:
        raise AuditError(f"{path}: no data rows after the header")

    raw = df[confidence_col].fillna("").astype(str).str.strip()
    conf = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(conf) | (conf < 0) | (conf > 1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = raw.iloc[i]
        where = _where(path, i + 2, confidence_col)
        if value == "":
            raise AuditError(f"{where}: empty value; a confidence in [0, 1] is required")
        if np.isnan(conf[i]):
            what = "NaN" if value.lower() in {"nan", "-nan", "+nan"} else "not a number"
            raise AuditError(f"{where}: {value!r} is {what}; a confidence in [0, 1] is required")
        if np.isinf(conf[i]):
            raise AuditError(f"{where}: {value!r} is infinite; a confidence in [0, 1] is required")
        raise AuditError(f"{where}: {value!r} is outside [0, 1]")

    lab = df[correct_col].fillna("").astype(str).str.strip().str.lower()
    is_true = lab.isin(_TRUE).to_numpy()
    is_false = lab.isin(_FALSE).to_numpy()
    bad = ~(is_true | is_false)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        value = df[correct_col].iloc[i]
        where = _where(path, i + 2, correct_col)
        if str(value).strip() == "":
            raise AuditError(f"{where}: empty value; a label 0/1 or true/false is required")
        raise AuditError(f"{where}: {value!r} is not a correctness label (0/1 or true/false)")
    return conf, is_true


# ----------------------------------------------------------------------------
# Computation
# ----------------------------------------------------------------------------

def compute_audit(f: np.ndarray, y: np.ndarray, *, n_boot: int, seed: int) -> dict:
    """All numbers of the audit, as a JSON-serializable dict."""
    from functools import partial

    from uqsurvey import calibration as cal

    n = int(f.shape[0])
    out: dict = {
        "n": n,
        "accuracy": float(np.mean(y)),
        "mean_confidence": float(np.mean(f)),
        "n_boot": n_boot,
        "seed": seed,
        "ece_l1": {c: {str(b): cal.ece(f, y, b, convention=c) for b in BIN_COUNTS}
                   for c in cal.CONVENTIONS},
    }
    value, bw = cal.smece(f, y, return_bandwidth=True)
    out["smece"] = value
    out["smece_bandwidth"] = bw
    out["debiased_l2_ce"] = cal.debiased_ece(f, y)
    out["brier"] = cal.brier_score(f, y)
    single_class = bool(y.all() or not y.any())
    out["auroc"] = None if single_class else cal.auroc(f, y)
    out["aurc"] = cal.aurc(f, y)

    metrics = {
        "ece_l1_15_default": partial(cal.ece, n_bins=15),
        "smece": cal.smece,
        "brier": cal.brier_score,
        "auroc": None if single_class else cal.auroc,
        "aurc": cal.aurc,
    }
    metrics = {k: v for k, v in metrics.items() if v is not None}
    intervals = {}
    if n_boot > 0:
        for k, (name, fn) in enumerate(metrics.items()):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", RuntimeWarning)
                res = cal.bootstrap_ci(fn, f, y, n_boot=n_boot, seed=seed + k)
            intervals[name] = {
                "low": res.low, "high": res.high,
                "failed_replicates": int(np.isnan(res.replicates).sum()),
            }
            del caught
    out["bootstrap_95"] = intervals
    return out


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
        names = {
            "ece_l1_15_default": "ECE (l1, 15 bins, default)",
            "smece": "smECE",
            "brier": "Brier score",
            "auroc": "AUROC",
            "aurc": "AURC",
        }
        lines += ["", f"Bootstrap 95% percentile intervals ({audit['n_boot']} resamples, seed {audit['seed']}):"]
        point = {
            "ece_l1_15_default": audit["ece_l1"]["default"]["15"],
            "smece": audit["smece"], "brier": audit["brier"],
            "auroc": audit["auroc"], "aurc": audit["aurc"],
        }
        for key, ci in audit["bootstrap_95"].items():
            note = (f"  ({ci['failed_replicates']} single-class resamples skipped)"
                    if ci["failed_replicates"] else "")
            lines.append(f"  {names[key]:<28}{point[key]:.4f}  [{ci['low']:.4f}, {ci['high']:.4f}]{note}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------
# Figures and output
# ----------------------------------------------------------------------------

def _render(f, y, audit: dict, out_dir: Path, *, n_boot: int, seed: int, name: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from uqsurvey import calibration as cal
    from uqsurvey import plots

    with matplotlib.rc_context():
        plots.apply_style()
        binned = cal.binned_reliability(f, y, 15, n_boot=n_boot, seed=seed)
        smooth = cal.smooth_reliability(f, y, n_boot=min(n_boot, 200), seed=seed)

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


DESCRIPTION = ("Calibration audit of released predictions (binned ECE under four "
               "conventions, smECE, Brier, AUROC, AURC, bootstrap intervals, "
               "reliability diagrams).")


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the arguments of the ``audit`` subcommand to ``parser`` (for the one
    argparse entry of ``python -m uqsurvey``); returns ``parser``."""
    parser.add_argument("predictions", help="CSV file with a header row")
    parser.add_argument("--confidence", required=True, metavar="COL",
                        help="column of confidences in [0, 1]")
    parser.add_argument("--correct", required=True, metavar="COL",
                        help="column of correctness labels (0/1 or true/false)")
    parser.add_argument("--out", default="audit-out", metavar="DIR",
                        help="output directory (default: ./audit-out)")
    parser.add_argument("--n-boot", type=int, default=200, metavar="N",
                        help="bootstrap resamples for the intervals and bands (default: 200; 0 = none)")
    parser.add_argument("--seed", type=int, default=0, metavar="S",
                        help="seed of the bootstrap (default: 0)")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the audit for parsed ``args`` (see :func:`add_arguments`); returns the exit status.

    Prints the report and writes the files; a problem with the input prints
    ``error: ...`` to stderr, writes nothing and returns 1.
    """
    try:
        if args.n_boot < 0:
            raise AuditError(f"--n-boot must be >= 0; found {args.n_boot}")
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise AuditError(f"{out}: exists and is not a directory")
        f, y = read_predictions(args.predictions, args.confidence, args.correct)
        audit = compute_audit(f, y, n_boot=args.n_boot, seed=args.seed)
        report = format_report(args.predictions, audit)
    except AuditError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the result is a normal directory
    try:
        _render(f, y, audit, tmp, n_boot=args.n_boot, seed=args.seed,
                name=Path(args.predictions).name)
        (tmp / "report.txt").write_text(report, encoding="utf-8")
        (tmp / "metrics.json").write_text(
            json.dumps(audit, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _install(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
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
