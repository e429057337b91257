"""Every figure of the book is legible at the width it is shown.

matplotlib: the style (uqsurvey.plots.STYLE) sets no font below MIN_FONT_PT; each
``figure_*`` function of the package, drawn with the book's layout (small data),
fits the text column (so it is shown at its own size on a desktop) and has no text
smaller than 10 pt at that shown size.  Altair: the one configuration
(uqsurvey.plots.ALTAIR_CONFIG) and every size a chart sets itself are at least
11 px, labels are not truncated, and tooltips carry human names.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.text  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from uqsurvey import plots  # noqa: E402

#: The smallest font a reader may meet, in points at the figure's shown size.
MIN_SHOWN_PT = 10.0


def test_style_fonts_are_at_least_the_minimum():
    plots.apply_style()
    for key in ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
                "legend.fontsize", "legend.title_fontsize", "figure.titlesize"):
        size = matplotlib.rcParams[key]
        if isinstance(size, str):  # relative: resolve against font.size
            size = matplotlib.font_manager.font_scalings[size] * matplotlib.rcParams["font.size"]
        assert size >= plots.MIN_FONT_PT, key
    assert plots.TEXT_WIDTH * plots.PX_PER_INCH <= plots.COLUMN_PX
    assert matplotlib.rcParams["savefig.dpi"] >= 2 * matplotlib.rcParams["figure.dpi"]  # 2x for raster parts


def shown(fig) -> tuple[float, float]:
    """(width in CSS px of the figure as the book saves it, smallest font in pt at its shown size)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    width_px = (fig.get_tightbbox(renderer).width + 2 * 0.1) * plots.PX_PER_INCH  # bbox_inches="tight", pad 0.1 in
    scale = min(1.0, plots.COLUMN_PX / width_px)
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    return width_px, min(sizes) * scale


def _survey_figures():
    from uqsurvey.survey import figures as sf
    from uqsurvey.survey.data import load

    d = load()
    return {
        "survey.figure_categories": lambda: sf.figure_categories(d.benchmarks),
        "survey.figure_criteria": lambda: sf.figure_criteria(d.benchmarks),
        "survey.figure_supervision_shift": lambda: sf.figure_supervision_shift(d),
    }


def _demo_figures():
    from uqsurvey import simulation as S
    from uqsurvey.demos import aleatoric, selective, shift, team
    from uqsurvey.demos import ece_vs_smece as D
    from uqsurvey.demos import ece_vs_smece_figures as F

    def ece_small():
        fcs = S.standard_forecasters()
        mc = D.monte_carlo(fcs, (100, 200), reps=5, seed=1, bins=(5, 15))
        targets = D.population_targets(fcs, (5, 15))
        return fcs, D.summarize(mc, targets), targets

    def verbal():
        return D.verbalized_conventions((S.llm_like(), S.llm_like_crossing()), steps=(0.1, 0.05), sample_sizes=(200,),
                                        reps=5, bins=(10, 15, 20))[0]

    def sel():
        _, _, data = selective.selective_comparison(400, n_boot=0, seed=1)
        return selective.figure_selective(data)

    return {
        "aleatoric.figure_annotator_sweep": lambda: aleatoric.figure_annotator_sweep(
            aleatoric.annotator_sweep((1, 3, 25), n_train=200, n_test=300, seed=1)),
        "aleatoric.figure_ensemble": lambda: aleatoric.figure_ensemble(
            *aleatoric.ensemble_uncertainty((25, 100, 25600), n_members=3, seed=1)),
        "shift.figure_shift": lambda: shift.figure_shift(
            shift.shift_experiment(noise_levels=(0, 6), label_shift_levels=(0.0, 1.0), n_repeats=1, seed=1)),
        "team.figure_team_sweep": lambda: team.figure_team_sweep(team.temperature_sweep(n_tasks=500, seed=1)),
        "team.figure_forecaster_family": lambda: team.figure_forecaster_family(
            *team.forecaster_family(8, n_tasks=500, seed=1)),
        "selective.figure_selective": sel,
        "ece.figure_calibration_curves": lambda: F.figure_calibration_curves(
            D.calibration_curves(S.standard_forecasters()), D.ground_truth(S.standard_forecasters())),
        "ece.figure_ece_vs_bins": lambda: (lambda f, s, t: F.figure_ece_vs_bins(s, t, 200))(*ece_small()),
        "ece.figure_sample_size": lambda: (lambda f, s, t: F.figure_sample_size(
            s, ["ECE, 15 equal-width bins", "ECE, 15 equal-mass bins", "smECE"]))(*ece_small()),
        "ece.figure_ranking": lambda: F.figure_ranking(D.ranking_flips(sample_sizes=(100, 200), reps=5, seed=1)),
        "ece.figure_verbalized": lambda: F.figure_verbalized(verbal(), 200),
        "ece.figure_model_comparison": lambda: F.figure_model_comparison(
            D.model_comparison(S.sklearn_predictions(seed=0), bins=(5, 15, 50), n_boot=5)),
        "ece.figure_reliability_pair": lambda: F.figure_reliability_pair(S.llm_like(), 300, n_boot=5)[0],
        "plots.reliability_diagrams": _reliability_diagrams,
    }


def _reliability_diagrams():
    from uqsurvey import calibration as cal

    rng = np.random.default_rng(0)
    f = rng.uniform(size=400)
    y = rng.uniform(size=400) < f
    return plots.reliability_diagrams(cal.binned_reliability(f, y, 10), cal.smooth_reliability(f, y), title="t")


FIGURES = {**_survey_figures(), **_demo_figures()}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_matplotlib_figure_fits_the_column_and_is_legible(name):
    plots.apply_style()
    fig = FIGURES[name]()
    width_px, smallest = shown(fig)
    assert width_px <= plots.COLUMN_PX, f"{name} is {width_px:.0f} px wide: shrunk in the text column"
    assert smallest >= MIN_SHOWN_PT, f"{name} has text of {smallest:.1f} pt at its shown size"
    for ax in fig.axes:
        assert ax.get_gridspec().ncols <= 2, f"{name}: more than two panels in a row"


def test_the_check_catches_small_text_and_wide_figures():
    plots.apply_style()
    fig, (ax,) = plots.new_figure(1)
    ax.set_xlabel("tiny", fontsize=7)
    assert shown(fig)[1] < MIN_SHOWN_PT
    from matplotlib.figure import Figure

    wide = Figure(figsize=(10, 3))
    wide.add_subplot().set_title("wide")
    assert shown(wide)[0] > plots.COLUMN_PX
    with pytest.raises(ValueError, match="wider than the text column"):
        plots.new_figure(3)


# --------------------------------------------------------------------------- #
# Altair
# --------------------------------------------------------------------------- #
def _walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,), k, v
            yield from _walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, path + (i,))


def _altair_charts():
    from uqsurvey.demos import ece_vs_smece as D
    from uqsurvey.demos import ece_vs_smece_figures as F
    from uqsurvey import simulation as S
    from uqsurvey.survey import explorer, figures as sf
    from uqsurvey.survey.data import load
    from uqsurvey.survey.ledger import evaluate, ledger_frame

    d = load()
    fcs = S.standard_forecasters()[:1]
    mc = D.monte_carlo(fcs, (100,), reps=5, seed=1, bins=(15,))
    hist, marks = D.interactive_data(mc, D.population_targets(fcs, (15,)), hist_bins=5)
    return {
        "paper_benchmarks": sf.figure_paper_benchmarks(d),
        "metric_usage": sf.figure_metric_usage(d),
        "status_counts": sf.figure_status_counts(ledger_frame(evaluate(d))),
        "explorer": explorer.figure_explorer(d),
        "benchmark_criteria": explorer.figure_benchmark_criteria(d),
        "interactive": F.figure_interactive(hist, marks, default_n=100, default_bins=15),
    }


@pytest.fixture(scope="module")
def altair_specs():
    return {k: c.to_dict() for k, c in _altair_charts().items()}


def test_altair_config_is_legible_and_never_truncates():
    c = plots.ALTAIR_CONFIG
    for part in ("axis", "legend", "header"):
        assert c[part]["labelFontSize"] >= 11 and c[part]["titleFontSize"] >= 11
    assert c["axis"]["labelLimit"] >= 300 and c["legend"]["labelLimit"] >= 300
    assert c["axis"]["labelOverlap"] is True


def test_every_chart_uses_the_config_and_no_font_below_11px(altair_specs):
    for name, spec in altair_specs.items():
        assert spec.get("config", {}).get("axis") == plots.ALTAIR_CONFIG["axis"], name
        small = [(p, v) for p, k, v in _walk(spec) if k.lower().endswith("fontsize") and v < 11]
        assert small == [], (name, small)


def test_longest_metric_label_fits_without_truncation():
    from uqsurvey.survey.data import load

    longest = max(load().paper_metrics["metric"].astype(str), key=len)
    # at 12 px a character of the default sans-serif is at most ~7.5 px wide
    assert len(longest) * 7.5 <= plots.ALTAIR_CONFIG["axis"]["labelLimit"], longest


def test_tooltips_carry_human_names(altair_specs):
    for name, spec in altair_specs.items():
        tips = [v for _, k, v in _walk(spec) if k == "tooltip"]
        assert tips, name
        for tip in tips:
            for t in tip if isinstance(tip, list) else [tip]:
                title = t.get("title")
                assert title and "_" not in title, (name, t)


def test_labels_of_columns():
    assert plots.label("uq_type") == "UQ type" and plots.label("human_study") == "human uplift study"
    assert plots.label("some_column") == "some column"
