"""The assumptions of each demonstration chapter, and its finding in one sentence.

Each demonstration chapter reads its assumptions (seed, sizes, settings) from
a ``SETUP`` mapping here, and opens with its :class:`Headline`; the book's
front page shows the five headlines as its key findings.  Both call the same
function with the same ``SETUP``, so the front page can never show another
number than the chapter.  A headline computes only the part of its chapter's
simulation that the sentence needs, with the same seeds, so its numbers are
the chapter's numbers (``tests/demos/test_headlines.py`` checks this against
the chapters' own computations) and the front page stays quick to build.

To explore other assumptions, copy a setup and change it, e.g.
``TEAM | {"seed": 7}``, in the chapter; the book is built from the values here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from types import MappingProxyType
from typing import Mapping

import numpy as np

from uqsurvey._files import atomic_write
from uqsurvey.demos import aleatoric, ece_vs_smece, selective, shift, team

__all__ = ["Headline", "ALEATORIC", "SHIFT", "TEAM", "SELECTIVE", "ECE_VS_SMECE",
           "headline_aleatoric", "headline_shift", "headline_team", "headline_selective",
           "headline_ece_vs_smece", "headlines"]


@dataclass(frozen=True)
class Headline:
    """What a demonstration shows, in one sentence (``text``), with the numbers in it
    (``values``) and the chapter that shows it (``chapter``, a docname)."""

    chapter: str
    title: str
    text: str
    values: Mapping[str, float] = field(default_factory=dict)

    def html(self, href: str | None = None) -> str:
        """``<div class="uq-finding">`` with the sentence (and a link to the chapter if *href*)."""
        more = f' <a href="{escape(href)}">{escape(self.title)} →</a>' if href else ""
        return f'<div class="uq-finding"><p><b>Finding.</b> {escape(self.text)}{more}</p></div>'

    def _repr_html_(self) -> str:
        return self.html()


def _frozen(d: dict) -> Mapping:
    return MappingProxyType(d)


#: chapters/demo_aleatoric.md
ALEATORIC = _frozen({
    "seed": 2025,
    "n_annotators": (1, 3, 5, 11, 25, 51, 101),  # votes per item (odd: no ties)
    "headline_m": 25,                             # the annotator count quoted in the text
    "n_train": 3000, "n_test": 6000,              # items for the label models
    "signal": 1.5,                                # sd of the annotators' log-odds
    "train_sizes": (25, 100, 400, 1600, 6400, 25600),
    "n_members": 10,                              # bootstrap ensemble size
    "near_half": 0.1,                             # "near even odds": |p - 1/2| below this
})

#: chapters/demo_shift.md
SHIFT = _frozen({
    "seed": 2025,
    "alpha": 0.1,                                 # split conformal targets coverage 1 - alpha
    "noise_levels": (0, 1, 2, 3, 4, 6),           # pixel-noise sd on the 0-16 intensity scale
    "label_shift_levels": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0),
    "n_hard": 3,                                  # label shift moves mass towards this many hardest classes
    "n_repeats": 5,                               # random splits
    "train_share": 0.4, "cal_share": 0.3,         # the rest is the test set
    "pool": 2,                                    # average-pool the 8x8 images by this factor
    "C": 1000.0,                                  # weak L2 regularisation of the logistic regression
})

#: chapters/demo_team_performance.md
TEAM = _frozen({
    "seed": 2025,
    "n_tasks": 20000,
    "task": _frozen(dict(human_skill=0.5, ai_skill=1.0, spread=1.5, correlation=0.3)),
    "human_temperatures": (1.0, 0.5),             # 1: calibrated human; below 1: over-confident human
    "temperatures": tuple(float(t) for t in np.round(np.geomspace(0.25, 4.0, 25), 4)),  # display temperatures
    "n_forecasters": 80,                          # random monotone distortions of the calibrated AI
    "temperature_range": (0.3, 3.0), "bias_range": (-1.0, 1.0),
})

#: chapters/demo_selective_prediction.md
SELECTIVE = _frozen({
    "seed": 2025,
    "n": 5000,                                    # answers; half fit the isotonic fix, half are scored
    "pair": _frozen(dict(mean_logit=1.0, spread=1.5, weak_noise=2.0, sharp_temperature=0.4)),
    "coverage": 0.5,                              # selective accuracy: keep this share of the most confident answers
    "n_boot": 200,                                # bootstrap resamples for the intervals
})

#: chapters/ece_vs_smece.md
ECE_VS_SMECE = _frozen({
    "seed": ece_vs_smece.DEFAULT_SEED,
    "reps": 400,                                  # Monte Carlo evaluation sets per (forecaster, n)
    "sample_sizes": ece_vs_smece.SAMPLE_SIZES,    # 100 ... 10,000 examples
    "bin_counts": ece_vs_smece.BIN_COUNTS,        # 5 ... 50 bins
    "main_bins": 15,                              # the bin count most papers use
    "n_bins_demo": 1000,                          # evaluation-set size of the "bins" section
    "mark": ece_vs_smece.STABILITY_MARK,          # the paper's stability threshold
    "table_ns": (100, 1000, 5000, 10000),
    "verbal_reps": 300,
    "n_boot": 200,                                # bootstrap resamples for the real models
    "subset": 300,                                # size of the small test sets
})


def headline_aleatoric(setup: Mapping = ALEATORIC) -> Headline:
    """Scored against a majority vote, the honest forecaster looks worse than one trained to hide
    the disagreement.  Runs :func:`~uqsurvey.demos.aleatoric.annotator_sweep` up to the
    headline's annotator count (the same random draws as the chapter's full sweep)."""
    ms = tuple(setup["n_annotators"])
    m = setup["headline_m"]
    sweep = aleatoric.annotator_sweep(ms[: ms.index(m) + 1], n_train=setup["n_train"], n_test=setup["n_test"],
                                      signal=setup["signal"], seed=setup["seed"])
    row = sweep[sweep["n_annotators"] == m].set_index("forecaster")
    v = {"m": m, "ece_gold_true": float(row.loc["true distribution", "ece_gold"]),
         "ece_gold_major": float(row.loc["trained on majority vote", "ece_gold"]),
         "ece_soft_true": float(row.loc["true distribution", "ece_soft"]),
         "ece_soft_major": float(row.loc["trained on majority vote", "ece_soft"])}
    reverses = (v["ece_gold_true"] > v["ece_gold_major"]) == (v["ece_soft_true"] < v["ece_soft_major"])
    text = (f"Against a {m}-annotator majority vote, an honest forecaster of their disagreement scores ECE "
            f"{v['ece_gold_true']:.3f} and one trained to hide it {v['ece_gold_major']:.3f}; against their votes "
            f"the order {'reverses' if reverses else 'stays'} ({v['ece_soft_true']:.3f} and "
            f"{v['ece_soft_major']:.3f}).")
    return Headline("chapters/demo_aleatoric", "Aleatoric uncertainty", text, _frozen(v))


def headline_shift(setup: Mapping = SHIFT) -> Headline:
    """Split-conformal coverage under the strongest pixel noise.  Runs the chapter's
    experiment without smECE (which draws no random numbers)."""
    runs = shift.shift_experiment(
        noise_levels=setup["noise_levels"], label_shift_levels=setup["label_shift_levels"], n_hard=setup["n_hard"],
        alpha=setup["alpha"], n_repeats=setup["n_repeats"], train_share=setup["train_share"],
        cal_share=setup["cal_share"], pool=setup["pool"], C=setup["C"], with_smece=False, seed=setup["seed"])
    s = shift.summarize_runs(runs).set_index(["shift", "severity", "method", "metric"])["mean"]
    noise = float(max(setup["noise_levels"]))
    v = {"nominal": 1 - setup["alpha"], "noise_max": noise,
         "cov_src": float(s[("covariate", 0.0, "split conformal", "coverage")]),
         "cov_noise": float(s[("covariate", noise, "split conformal", "coverage")]),
         "size_src": float(s[("covariate", 0.0, "split conformal", "set_size")]),
         "size_noise": float(s[("covariate", noise, "split conformal", "set_size")])}
    text = (f"Under pixel noise (sd {noise:g}), split-conformal coverage falls from {v['cov_src']:.1%} to "
            f"{v['cov_noise']:.1%} (nominal {v['nominal']:.0%}), while the mean prediction set goes from "
            f"{v['size_src']:.2f} to {v['size_noise']:.2f} labels.")
    return Headline("chapters/demo_shift", "Distribution shift", text, _frozen(v))


def headline_team(setup: Mapping = TEAM) -> Headline:
    """For an over-confident human, the best display of the AI's confidence is miscalibrated."""
    sweep = team.temperature_sweep(setup["temperatures"], human_temperatures=setup["human_temperatures"],
                                   n_tasks=setup["n_tasks"], seed=setup["seed"], **setup["task"])
    t_over = min(setup["human_temperatures"])
    g = sweep[sweep["human_temperature"] == t_over]
    best = g.loc[g["team_accuracy"].idxmax()]
    at_one = g[np.isclose(g["temperature"], 1.0)].iloc[0]
    v = {"t_h": t_over, "t_best": float(best["temperature"]), "ece_best": float(best["ece"]),
         "acc_best": float(best["team_accuracy"]), "acc_t1": float(at_one["team_accuracy"])}
    kind = "inflated" if v["t_best"] < 1 else ("deflated" if v["t_best"] > 1 else "the calibrated one")
    text = (f"For a simulated over-confident person, the best display of the AI's confidence is {kind} "
            f"(T = {v['t_best']:.2f}, ECE {v['ece_best']:.3f}): team accuracy {v['acc_best']:.1%}, against "
            f"{v['acc_t1']:.1%} with the calibrated one.")
    return Headline("chapters/demo_team_performance", "Team performance", text, _frozen(v))


def headline_selective(setup: Mapping = SELECTIVE) -> Headline:
    """ECE and AUROC rank the same two forecasters in opposite orders (point estimates of the
    chapter's comparison; its bootstrap intervals are left to the chapter)."""
    table, _, _ = selective.selective_comparison(setup["n"], coverage=setup["coverage"], n_boot=0,
                                                 seed=setup["seed"], **setup["pair"])
    t = table.set_index("forecaster")
    v = {f"{m}_{k}": float(t.loc[name, m]) for m in ("ece", "auroc")
         for k, name in (("cal", "calibrated"), ("sharp", "sharp"))}
    ece_pick = "calibrated" if v["ece_cal"] < v["ece_sharp"] else "sharp"
    auroc_pick = "sharp" if v["auroc_sharp"] > v["auroc_cal"] else "calibrated"
    verdict = "in opposite orders" if ece_pick != auroc_pick else "in the same order"
    text = (f"ECE prefers the {ece_pick} forecaster (calibrated {v['ece_cal']:.3f}, sharp {v['ece_sharp']:.3f}), "
            f"AUROC the {auroc_pick} one (sharp {v['auroc_sharp']:.3f}, calibrated {v['auroc_cal']:.3f}): "
            f"they rank the pair {verdict}.")
    return Headline("chapters/demo_selective_prediction", "Selective prediction", text, _frozen(v))


def headline_ece_vs_smece(setup: Mapping = ECE_VS_SMECE) -> Headline:
    """How often each metric ranks the better-calibrated of two forecasters first on the smallest
    evaluation sets (the chapter's ranking experiment at its first sample size only: each size
    has its own seed)."""
    from uqsurvey.simulation import ranking_pair

    n0 = int(setup["sample_sizes"][0])
    flips = ece_vs_smece.ranking_flips(ranking_pair(), (n0,), reps=setup["reps"], seed=setup["seed"],
                                       bins=(setup["main_bins"],))
    f = flips.set_index("label")["p_correct"]
    ece_w = ece_vs_smece.metric_label("ECE", "width", setup["main_bins"])
    v = {"n": n0, "bins": setup["main_bins"], "ece": float(f[ece_w]), "smece": float(f[ece_vs_smece.SMECE])}
    coin = " (less often than a coin)" if v["ece"] < 0.5 else ""
    text = (f"With {n0} examples, {v['bins']}-bin ECE picks the better-calibrated of two forecasters in "
            f"{v['ece']:.0%} of evaluation sets{coin}; smECE in {v['smece']:.0%}.")
    return Headline("chapters/ece_vs_smece", "ECE vs smECE", text, _frozen(v))


#: Where :func:`headlines` keeps its result (a folder; ``off``: never stored).
CACHE_ENV = "UQSURVEY_HEADLINES_CACHE"


def _fingerprint() -> str:
    """A key that changes whenever the code of the package or a library it computes with
    changes: the headlines read no file, so these decide them (with the setups above,
    which are code)."""
    import hashlib
    import sys
    from importlib import metadata
    from pathlib import Path

    h = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    h.update(sys.version.encode())
    for dist in ("numpy", "scipy", "pandas", "scikit-learn", "relplot"):
        try:
            h.update(f"|{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"|{dist}=none".encode())
    return h.hexdigest()


def _cache_file() -> "Path | None":
    import os
    import tempfile
    from pathlib import Path

    where = os.environ.get(CACHE_ENV, "").strip()
    if where.lower() == "off":
        return None
    base = Path(where) if where else Path(tempfile.gettempdir()) / "uqsurvey-headlines"
    return base / f"{_fingerprint()}.json"


def _compute() -> list[Headline]:
    return [headline_aleatoric(), headline_shift(), headline_team(), headline_selective(), headline_ece_vs_smece()]


def headlines() -> list[Headline]:
    """The five headlines in the order of the book.

    Computing them takes seconds and the front page (which shows them) executes
    at every build, so the result is kept as JSON per package code and library
    versions (``$UQSURVEY_HEADLINES_CACHE``, by default a folder of the system's
    temporary directory; ``off`` disables it).  The values are deterministic
    (seeded), so a stored result is the computed one.
    """
    import json

    path = _cache_file()
    if path is not None and path.is_file():
        try:
            return [Headline(h["chapter"], h["title"], h["text"], _frozen(dict(h["values"])))
                    for h in json.loads(path.read_text(encoding="utf-8"))]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # unreadable or from another version: recompute
    result = _compute()
    if path is not None:
        try:
            text = json.dumps([{"chapter": h.chapter, "title": h.title, "text": h.text, "values": dict(h.values)}
                               for h in result])
            atomic_write(path, text)
        except OSError:
            pass  # a cache that cannot be written is only slower
    return result
