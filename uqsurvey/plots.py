"""Plotting helpers with one colour-blind-safe palette (Okabe & Ito).

Every chapter of the book draws with these constants and :func:`apply_style`,
so that a colour means the same thing everywhere and every figure stays
readable with the common forms of colour-vision deficiency.

Palette
-------
The eight colours of Okabe & Ito (2008), in their recommended order, are the
module constants :data:`BLACK`, :data:`ORANGE`, :data:`SKY_BLUE`,
:data:`BLUISH_GREEN`, :data:`YELLOW`, :data:`BLUE`, :data:`VERMILLION` and
:data:`REDDISH_PURPLE`; :data:`OKABE_ITO` lists them and :data:`CYCLE` is the
order used for successive lines (black and yellow, which are poor line
colours on white, come last).  Roles used by the reliability diagrams:

* :data:`COLOR_BINNED` (blue) -- binned reliability diagram bars;
* :data:`COLOR_SMOOTH` (vermillion) -- the smoothed reliability curve;
* bootstrap bands are drawn in the colour of their line at :data:`BAND_ALPHA`;
* :data:`COLOR_DENSITY` (bluish green) -- distribution of confidences;
* :data:`COLOR_DIAGONAL` (grey) -- the line of perfect calibration.

:data:`COLORS` is the whole palette as one read-only mapping (the eight names
in lower case, ``"sky_blue"`` etc., and the four roles ``"binned"``,
``"smooth"``, ``"density"``, ``"diagonal"``), and :func:`color` the one
accessor the figure code uses: ``color("smooth")``, ``color("blue")`` or
``color(k)``, the ``k``-th line colour of :data:`CYCLE` (wrapping around).

Importing this module does not import matplotlib; drawing does.

References
----------
M. Okabe and K. Ito, "Color Universal Design (CUD): How to make figures and
presentations that are friendly to colorblind people", 2008.
https://jfly.uni-koeln.de/color/
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "BLACK", "ORANGE", "SKY_BLUE", "BLUISH_GREEN", "YELLOW", "BLUE", "VERMILLION",
    "REDDISH_PURPLE", "OKABE_ITO", "CYCLE", "COLOR_BINNED", "COLOR_SMOOTH",
    "COLOR_DENSITY", "COLOR_DIAGONAL", "BAND_ALPHA", "COLORS", "color", "apply_style",
    "reliability_diagram", "reliability_diagrams", "new_figure",
]

BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"

#: The Okabe--Ito palette in the authors' order.
OKABE_ITO: tuple[str, ...] = (
    BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN, YELLOW, BLUE, VERMILLION, REDDISH_PURPLE,
)
#: Line colour cycle set by :func:`apply_style`.
CYCLE: tuple[str, ...] = (
    BLUE, VERMILLION, BLUISH_GREEN, ORANGE, REDDISH_PURPLE, SKY_BLUE, BLACK, YELLOW,
)

COLOR_BINNED = BLUE
COLOR_SMOOTH = VERMILLION
COLOR_DENSITY = BLUISH_GREEN
COLOR_DIAGONAL = "#7F7F7F"  # neutral grey, not a data colour
BAND_ALPHA = 0.25

#: The palette: every named colour and role, read-only.
COLORS = MappingProxyType({
    "black": BLACK, "orange": ORANGE, "sky_blue": SKY_BLUE, "bluish_green": BLUISH_GREEN,
    "yellow": YELLOW, "blue": BLUE, "vermillion": VERMILLION, "reddish_purple": REDDISH_PURPLE,
    "binned": COLOR_BINNED, "smooth": COLOR_SMOOTH, "density": COLOR_DENSITY, "diagonal": COLOR_DIAGONAL,
})


def color(key: str | int) -> str:
    """A colour of the palette: a name or role of :data:`COLORS`, or for an
    integer ``k`` the ``k``-th line colour of :data:`CYCLE` (modulo its length)."""
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        return CYCLE[int(key) % len(CYCLE)]
    if key not in COLORS:
        raise ValueError(f"key must be an integer or one of {', '.join(map(repr, COLORS))}; found {key!r}")
    return COLORS[key]


#: rcParams set by :func:`apply_style` (with the colour cycle :data:`CYCLE`).
STYLE: dict = {
    "figure.figsize": (6.4, 4.4),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "image.cmap": "cividis",  # perceptually uniform and colour-blind safe
    # deterministic SVG output (no random ids, no date in the metadata)
    "svg.hashsalt": "uqsurvey",
    "svg.fonttype": "path",
}


def apply_style() -> None:
    """Set matplotlib's rcParams to the book's style and Okabe--Ito cycle.

    Also makes SVG output deterministic (``svg.hashsalt``); pass
    ``metadata={"Date": None}`` to ``savefig`` for SVG (as
    :func:`uqsurvey.audit` does) to drop the time stamp as well.
    """
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(STYLE)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(CYCLE))


def new_figure(ncols: int = 1, *, title: str | None = None, width: float = 4.4, height: float = 4.4):
    """A figure with ``ncols`` square-ish axes side by side and an optional title.

    Returns
    -------
    (matplotlib.figure.Figure, list of matplotlib.axes.Axes)
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
    if title:
        fig.suptitle(title)
    return fig, axes


def _setup_axes(ax, title, xlabel, ylabel):
    ax.plot([0, 1], [0, 1], linestyle="--", color=COLOR_DIAGONAL, linewidth=1.0,
            label="perfect calibration", zorder=1)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)


def _draw_binned(ax, df: pd.DataFrame, color: str, label: str | None, show_gaps: bool):
    full = df[df["count"] > 0]
    lower = full["lower"].to_numpy(float)
    upper = full["upper"].to_numpy(float)
    width = np.maximum(upper - lower, 0.004)  # torchmetrics' [1, 1] bin stays visible
    left = np.where(upper > lower, lower, lower - width)
    acc = full["accuracy"].to_numpy(float)
    conf = full["mean_confidence"].to_numpy(float)
    ax.bar(left, acc, width=width, align="edge", color=color, alpha=0.75,
           edgecolor="white", linewidth=0.6, label=label, zorder=2)
    if show_gaps:
        ax.scatter(conf, conf, marker="_", s=80, color=BLACK, zorder=4,
                   label="mean confidence")
    if "accuracy_lower" in full:
        mid = left + width / 2
        lo = full["accuracy_lower"].to_numpy(float)
        hi = full["accuracy_upper"].to_numpy(float)
        ok = np.isfinite(lo) & np.isfinite(hi)
        # the band as drawn from lo to hi: a percentile band of few replicates
        # need not hold the estimate, so it is not an error bar around it
        ax.errorbar(mid[ok], (lo[ok] + hi[ok]) / 2, yerr=(hi[ok] - lo[ok]) / 2, fmt="none",
                    ecolor=BLACK, elinewidth=0.9, capsize=2, zorder=3,
                    label="bootstrap band")


def _draw_smooth(ax, df: pd.DataFrame, color: str, label: str | None, show_density: bool):
    t = df["confidence"].to_numpy(float)
    mu = df["accuracy"].to_numpy(float)
    if "accuracy_lower" in df:
        ax.fill_between(t, df["accuracy_lower"].to_numpy(float), df["accuracy_upper"].to_numpy(float),
                        color=color, alpha=BAND_ALPHA, linewidth=0, zorder=2,
                        label="bootstrap band")
    ax.plot(t, mu, color=color, zorder=3, label=label)
    if show_density and "density" in df:
        dens = df["density"].to_numpy(float)
        if np.max(dens) > 0:
            scaled = 0.2 * dens / np.max(dens)
            ax.fill_between(t, 0, scaled, color=COLOR_DENSITY, alpha=0.35, linewidth=0,
                            zorder=1, label="density of confidences")


def reliability_diagram(
    ax,
    binned_df: pd.DataFrame | None = None,
    smooth_df: pd.DataFrame | None = None,
    *,
    title: str | None = None,
    binned_label: str | None = "binned accuracy",
    smooth_label: str | None = "smoothed accuracy",
    binned_color: str = COLOR_BINNED,
    smooth_color: str = COLOR_SMOOTH,
    show_density: bool = True,
    show_gaps: bool = True,
    legend: bool = True,
    xlabel: str = "confidence",
    ylabel: str = "accuracy",
):
    """Draw a binned and/or smoothed reliability diagram on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    binned_df : pandas.DataFrame, optional
        Output of :func:`uqsurvey.calibration.binned_reliability`: one bar per
        non-empty bin spanning its edges, at the bin's accuracy, a tick at the
        bin's mean confidence, and error bars if the frame has a bootstrap
        band (``accuracy_lower``/``accuracy_upper``).
    smooth_df : pandas.DataFrame, optional
        Output of :func:`uqsurvey.calibration.smooth_reliability`: the curve,
        its bootstrap band if present, and the density of the confidences
        (scaled to 20% of the height) along the bottom.
    title : str, optional
        Axes title.
    binned_label, smooth_label : str or None
        Legend entries.
    binned_color, smooth_color : str
        Colours; default :data:`COLOR_BINNED` and :data:`COLOR_SMOOTH`.
    show_density : bool, default=True
        Draw the density of the confidences under the smoothed curve.
    show_gaps : bool, default=True
        Mark each bin's mean confidence.
    legend : bool, default=True
        Draw a legend.
    xlabel, ylabel : str
        Axis labels.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    if binned_df is None and smooth_df is None:
        raise ValueError("reliability_diagram needs binned_df, smooth_df or both; found neither")
    _setup_axes(ax, title, xlabel, ylabel)
    if binned_df is not None:
        _draw_binned(ax, binned_df, binned_color, binned_label, show_gaps)
    if smooth_df is not None:
        _draw_smooth(ax, smooth_df, smooth_color, smooth_label, show_density)
    if legend:
        ax.legend(loc="upper left")
    return ax


def reliability_diagrams(
    binned_df: pd.DataFrame,
    smooth_df: pd.DataFrame,
    *,
    title: str | None = None,
    titles: Sequence[str] = ("binned", "smoothed (smECE)"),
    width: float = 4.4,
):
    """Binned and smoothed reliability diagrams side by side.

    Parameters
    ----------
    binned_df, smooth_df : pandas.DataFrame
        Outputs of :func:`uqsurvey.calibration.binned_reliability` and
        :func:`uqsurvey.calibration.smooth_reliability`.
    title : str, optional
        Figure title (``suptitle``).
    titles : pair of str
        Titles of the two panels.
    width : float, default=4.4
        Width in inches of each panel.

    Returns
    -------
    matplotlib.figure.Figure
        A figure not attached to pyplot (no global state; save it with
        ``fig.savefig``).
    """
    fig, (ax1, ax2) = new_figure(2, title=title, width=width, height=width)
    reliability_diagram(ax1, binned_df=binned_df, title=titles[0])
    reliability_diagram(ax2, smooth_df=smooth_df, title=titles[1])
    return fig
