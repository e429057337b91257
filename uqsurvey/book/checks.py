"""Live checks of :mod:`uqsurvey.calibration` for the book's calibration chapter.

* :func:`convention_table` -- ECE of one sample under every bin-edge convention;
* :func:`edge_assignment` -- which bin an edge value joins under each convention
  (:func:`uqsurvey.calibration.bin_index`);
* :func:`verbalized_sample` / :func:`convention_spread` -- seeded samples of
  verbalized confidences (:class:`uqsurvey.simulation.GridForecaster`) and how
  far the conventions spread on them;
* :func:`reference_agreement` -- our metrics against relplot, torchmetrics, netcal,
  uncertainty-calibration and scikit-learn on seeded inputs and edge cases;
* :func:`speed_table` -- the last recorded run of ``benchmarks/calibration_speed.py``
  (read from the book that holds the working directory, like the data).

The reference libraries are imported lazily: the package itself never needs them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import uqsurvey
from uqsurvey import calibration as cal
from uqsurvey.simulation import GridForecaster

#: The repository root (the folder that holds the ``uqsurvey`` package).
ROOT = Path(uqsurvey.__file__).resolve().parents[1]
SPEED_CSV = ROOT / "benchmarks" / "results" / "calibration_speed.csv"

#: The verbalized sample of the chapter: 0.05 steps from 0.5 to 1, over-confident by 0.12.
VERBALIZED = GridForecaster(step=0.05, low=0.5, offset=0.12)


def convention_table(confidence, correct, bins=(10, 15, 20)) -> pd.DataFrame:
    """Rows: convention; columns: number of bins; values: l1 ECE (equal width)."""
    rows = {
        conv: {f"{b} bins": cal.ece(confidence, correct, b, convention=conv) for b in bins}
        for conv in cal.CONVENTIONS
    }
    return pd.DataFrame(rows).T.rename_axis("convention")


def verbalized_sample(n: int, rng: np.random.Generator):
    """*n* stated confidences drawn uniformly from the 0.05 grid on [0.5, 1], and
    correctness with probability ``confidence - 0.12`` (an over-confident LLM):
    :data:`VERBALIZED`'s sample."""
    return VERBALIZED.sample(n, rng)


def convention_spread(n: int, reps: int = 100, seed: int = 0, bins=(10, 15, 20)) -> np.ndarray:
    """Max/min ratio of ECE over conventions and bin counts, for *reps* seeded
    verbalized samples of size *n*."""
    rng = np.random.default_rng(seed)
    out = np.empty(reps)
    for r in range(reps):
        t = convention_table(*verbalized_sample(n, rng), bins=bins).to_numpy()
        out[r] = t.max() / t.min()
    return out


def edge_assignment(value: float, n_bins: int) -> pd.DataFrame:
    """The bin (0-based, as ``[lo, hi)`` or ``(lo, hi]``) that *value* joins under each convention,
    from :func:`uqsurvey.calibration.bin_index` and :func:`uqsurvey.calibration.bin_edges`."""
    rows = []
    for conv in cal.CONVENTIONS:
        k = int(cal.bin_index([value], n_bins, convention=conv)[0])
        lower, upper = cal.bin_edges(n_bins, convention=conv)
        rows.append({"convention": conv, "confidence": value, "bins": n_bins, "bin": k,
                     "bin range": f"{lower[k]:.3g} – {upper[k]:.3g}"})
    return pd.DataFrame(rows).set_index("convention")
def _cases(seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for i, n in enumerate((50, 1000, 20000)):
        f = rng.beta(4, 1.5, n)
        y = (rng.random(n) < f**1.3).astype(float)
        out.append((f"beta, n={n}", f, y))
    f = rng.choice(np.round(np.arange(0, 1.0001, 0.05), 2), 3000)
    out.append(("0.05 grid", f, (rng.random(f.size) < f).astype(float)))
    f = np.r_[np.zeros(20), np.ones(30), rng.random(200)]
    out.append(("exact 0 and 1", f, (rng.random(f.size) < f).astype(float)))
    out.append(("constant 0.7", np.full(500, 0.7), (rng.random(500) < 0.6).astype(float)))
    return out


def reference_agreement(seed: int = 0) -> pd.DataFrame:
    """Max absolute difference between our metrics and the reference libraries."""
    import relplot
    import torch
    from calibration import get_ece as kumar_get_ece
    from netcal.metrics import ECE as NetcalECE
    from sklearn.metrics import roc_auc_score
    from torchmetrics.classification import BinaryCalibrationError

    diffs: dict[str, list[float]] = {}

    def add(name, ours, ref):
        diffs.setdefault(name, []).append(abs(float(ours) - float(ref)))

    for _, f, y in _cases(seed):
        add("smECE vs relplot.smECE", cal.smece(f, y), relplot.smECE(f, y))
        for b in (10, 15):
            tm = BinaryCalibrationError(n_bins=b, norm="l1")
            add("ECE vs torchmetrics", cal.ece(f, y, b, convention="torchmetrics"),
                tm(torch.tensor(f, dtype=torch.float64), torch.tensor(y, dtype=torch.long)))
            add("ECE vs netcal", cal.ece(f, y, b, convention="netcal"),
                NetcalECE(bins=b).measure(f, y.astype(int)))
            add("ECE vs uncertainty-calibration", cal.ece(f, y, b, convention="kumar"),
                kumar_get_ece(f, y.astype(int), num_bins=b))
        if 0 < y.sum() < y.size:
            add("AUROC vs scikit-learn", cal.auroc(f, y), roc_auc_score(y, f))
        add("Brier vs definition", cal.brier_score(f, y), np.mean((f - y) ** 2))
    return pd.DataFrame(
        [{"check": k, "cases": len(v), "max |difference|": max(v)} for k, v in diffs.items()]
    )


def book_file(default: Path, path: Path | None = None) -> Path:
    """*path*, or the file at *default*'s place in the book that holds the working directory
    (a second checkout reads its own results, not the ones next to the installed package)."""
    if path is not None:
        return path
    from uqsurvey.survey.data import find_book_root

    root = find_book_root()
    if root is None:
        raise FileNotFoundError(f"not inside the book ({Path.cwd()}): pass the path of {default.name}")
    return root / default.relative_to(ROOT)


def speed_table(path: Path | None = None) -> pd.DataFrame:
    """The last recorded speed run (written by ``benchmarks/calibration_speed.py``): *path*,
    or the file at :data:`SPEED_CSV`'s place in the book that holds the working directory
    (a second checkout reads its own, not the one next to the installed package)."""
    path = book_file(SPEED_CSV, path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `python benchmarks/calibration_speed.py` to record the speed table"
        )
    return pd.read_csv(path)


COVERAGE_CSV = ROOT / "benchmarks" / "results" / "interval_coverage.csv"


def coverage_table(path: Path | None = None) -> pd.DataFrame:
    """The recorded coverage of the audit's bootstrap intervals (written by
    ``benchmarks/interval_coverage.py``): one row per forecaster, n, metric and method;
    read from the book that holds the working directory unless *path* is given."""
    path = book_file(COVERAGE_CSV, path)
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: run `python benchmarks/interval_coverage.py` to record the coverage table"
        )
    return pd.read_csv(path)


def table_coverage(cov: pd.DataFrame) -> pd.DataFrame:
    """Coverage in percent: one row per metric, forecaster and n, one column per method."""
    from uqsurvey.calibration.resample import HEADLINE, METHODS

    labels = dict(zip(HEADLINE, ("ECE (15 bins)", "smECE", "Brier", "AUROC", "AURC")))
    t = cov.pivot_table(index=["metric", "forecaster", "n"], columns="method", values="coverage")[list(METHODS)]
    rows = [(m, f, n) for m in HEADLINE for f in cov["forecaster"].unique() for n in sorted(cov["n"].unique())]
    t = 100 * t.reindex(pd.MultiIndex.from_tuples(rows, names=["metric", "forecaster", "n"]))
    t.index = t.index.set_levels(t.index.levels[0].map(labels), level=0)
    t.columns.name = None
    return t
