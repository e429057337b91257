"""Palette, style and reliability-diagram helpers of :mod:`uqsurvey.plots`."""
from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from uqsurvey import calibration as cal  # noqa: E402
from uqsurvey import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _restore_rcparams():
    with mpl.rc_context():
        yield


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(0)
    f = np.round(rng.beta(5, 2, 1500) * 20) / 20
    y = rng.random(1500) < f**1.5
    return (cal.binned_reliability(f, y, 10, n_boot=50),
            cal.smooth_reliability(f, y, n_boot=10))


def test_palette_is_okabe_ito():
    assert plots.OKABE_ITO == ("#000000", "#E69F00", "#56B4E9", "#009E73",
                               "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
    assert sorted(plots.CYCLE) == sorted(plots.OKABE_ITO)
    for c in plots.OKABE_ITO:
        assert re.fullmatch(r"#[0-9A-F]{6}", c)
    assert {plots.COLOR_BINNED, plots.COLOR_SMOOTH, plots.COLOR_DENSITY} <= set(plots.OKABE_ITO)


def test_one_palette_and_one_accessor():
    # every named constant is an entry of COLORS, and color() reads it
    assert set(plots.OKABE_ITO) | {plots.COLOR_DIAGONAL} == set(plots.COLORS.values())
    assert plots.color("binned") == plots.COLOR_BINNED == plots.COLORS["blue"]
    assert plots.color("smooth") == plots.COLOR_SMOOTH and plots.color("diagonal") == plots.COLOR_DIAGONAL
    assert [plots.color(k) for k in range(10)] == [plots.CYCLE[k % 8] for k in range(10)]
    with pytest.raises(TypeError):
        plots.COLORS["blue"] = "#FFFFFF"  # read-only
    with pytest.raises(ValueError, match="key must be"):
        plots.color("purple")


def test_importing_the_palette_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, uqsurvey.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_apply_style_sets_cycle_and_svg_salt():
    plots.apply_style()
    colors = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    assert colors == list(plots.CYCLE)
    assert mpl.rcParams["svg.hashsalt"] == "uqsurvey"


def test_reliability_diagram_binned_and_smooth(frames):
    binned, smooth = frames
    fig, (ax,) = plots.new_figure(1, title="figure title")
    plots.reliability_diagram(ax, binned_df=binned, smooth_df=smooth, title="panel title")
    assert ax.get_title() == "panel title"
    assert fig._suptitle.get_text() == "figure title"
    bars = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]
    assert len(bars) == int((binned["count"] > 0).sum())
    heights = sorted(round(b.get_height(), 12) for b in bars)
    assert heights == sorted(round(v, 12) for v in binned.loc[binned["count"] > 0, "accuracy"])
    curve = [ln for ln in ax.get_lines() if ln.get_label() == "smoothed accuracy"][0]
    assert np.allclose(curve.get_ydata(), smooth["accuracy"])
    assert matplotlib.colors.to_hex(curve.get_color()).upper() == plots.COLOR_SMOOTH
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)


def test_reliability_diagrams_side_by_side(frames):
    binned, smooth = frames
    fig = plots.reliability_diagrams(binned, smooth, title="Two views")
    assert len(fig.axes) == 2
    assert fig._suptitle.get_text() == "Two views"
    assert [ax.get_title() for ax in fig.axes] == ["binned", "smoothed (smECE)"]


def test_torchmetrics_extra_bin_is_drawn():
    df = cal.binned_reliability([1.0, 1.0, 0.95, 0.2], [1, 0, 1, 0], 10, convention="torchmetrics")
    fig, (ax,) = plots.new_figure(1)
    plots.reliability_diagram(ax, binned_df=df)
    widths = [p.get_width() for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle)]
    assert len(widths) == 3 and min(widths) > 0


def test_needs_a_frame():
    fig, (ax,) = plots.new_figure(1)
    with pytest.raises(ValueError, match="needs binned_df, smooth_df or both"):
        plots.reliability_diagram(ax)


def test_svg_is_deterministic(frames):
    binned, smooth = frames
    outs = []
    for _ in range(2):
        plots.apply_style()
        fig = plots.reliability_diagrams(binned, smooth, title="t")
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
        outs.append(buf.getvalue())
    assert outs[0] == outs[1]
    assert b"<dc:date>" not in outs[0]
