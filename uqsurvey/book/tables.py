"""The one way the book shows a table: :func:`table`.

Every table of every chapter goes through :func:`table`, which turns a
DataFrame into HTML a reader can use:

* **one header row** of human column names (:func:`uqsurvey.plots.label`, or
  the caller's ``columns``); a MultiIndex of columns is flattened
  ("ECE (temperature)"), and a meaningful index becomes ordinary leading
  columns, so no index-name row is ever printed;
* **yes / no** for booleans and for yes/no columns (:data:`YES_NO`, or the
  caller's ``yes_no``), where a blank or a missing value reads "no";
* **consistent numbers**: integers with thousands separators, floats with
  three decimals unless the caller gives a format, missing values as "–",
  numeric columns right-aligned with tabular figures;
* a **horizontal scroll container** (``div.uq-table-scroll``, styled by
  ``_static/uq-reading.css`` with shadows at the edge that has more to
  show), so a table wider than the text column scrolls on its own and says
  so;
* a **fold** (``<details>``) for a long table (more than :data:`FOLD_ROWS`
  rows, or ``fold=True``), which opens with one click.

The result displays itself in a notebook (``_repr_html_``) and prints as
plain text elsewhere.
"""
from __future__ import annotations

import re
from html import escape
from numbers import Integral, Real
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from uqsurvey.plots import label

__all__ = ["table", "Table", "sensitivity_table", "readings_table", "FOLD_ROWS", "YES_NO", "MISSING", "yes_no"]

#: A table with more rows than this folds into a toggle unless ``fold=False``.
FOLD_ROWS = 24
#: Columns read as yes / no wherever they appear (a blank or missing cell is "no").
YES_NO = frozenset({"matches the paper", "intervals overlap", "required", "used"})
#: How a missing value is shown.
MISSING = "–"
#: A text column with a longer value wraps; shorter values stay on one line.
WRAP_CHARS = 32

Format = str | Callable[[object], str]


def yes_no(value) -> str:
    """``"yes"`` for a true value (``True``, ``"yes"``, a non-zero number), else ``"no"``
    (also for a blank or missing cell)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "no"
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("", "no", "false", "0"):
            return "no"
        if v in ("yes", "true", "1", "= paper"):
            return "yes"
        raise ValueError(f"a yes/no column holds {value!r}; expected yes, no, a boolean or a blank")
    return "yes" if bool(value) else "no"


def _flat_name(col, columns: Mapping) -> str:
    if col in columns:
        return str(columns[col])
    if isinstance(col, tuple):
        kept = [str(c) for c in col if str(c) != ""]
        if len(kept) == 1:  # an index level turned into a column: ("shift", "")
            return _flat_name(kept[0], columns)
        parts = [label(c) for c in kept]
        if len(parts) == 2:
            return f"{parts[1]} ({parts[0]})"
        return " · ".join(parts)
    return label(str(col))


def _is_missing(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


_NUMERIC_TEXT = re.compile(r"^[\d.,/()%+−\-–\s]*\d[\d.,/()%+−\-–\s]*$")


def _numeric_text(col: pd.Series) -> bool:
    """A text column whose every value reads as a number ("15/22 (68.2%)"): aligned
    and kept on one line like numbers."""
    values = [v for v in col.tolist() if isinstance(v, str) and v.strip()]
    return bool(values) and all(_NUMERIC_TEXT.match(v) for v in values)


def _default_format(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return yes_no(bool(v))
    if isinstance(v, Integral):
        return f"{int(v):,}"
    if isinstance(v, Real):
        f = float(v)
        return f"{int(f):,}" if f.is_integer() and abs(f) >= 1000 else f"{f:.3f}"
    return str(v)


def _formatter(fmt: Format | None) -> Callable[[object], str]:
    if fmt is None:
        return _default_format
    if callable(fmt):
        return fmt
    return lambda v: fmt.format(v)


class Table:
    """A display table (see :func:`table`): ``html`` is what the book shows."""

    def __init__(self, header: list[str], rows: list[list[str]], numeric: list[bool], *,
                 styles: list[list[str]], caption: str | None, fold: bool, escape_cells: list[bool]):
        self.header, self.rows, self.numeric = header, rows, numeric
        # columns of running text wrap; short values (names, numbers) stay on one line,
        # so that a table too wide for the column scrolls rather than squeezes
        self.wrap = [not n and max([0] + [len(r[j]) for r in rows]) > WRAP_CHARS for j, n in enumerate(numeric)]
        self.styles, self.caption, self.fold, self.escape_cells = styles, caption, fold, escape_cells

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def html(self) -> str:
        num = [' class="uq-num"' if n else (' class="uq-wrap"' if w else "") for n, w in zip(self.numeric, self.wrap)]
        head = "".join(f'<th scope="col"{num[j]}>{escape(h)}</th>' for j, h in enumerate(self.header))
        body = []
        for row, styles in zip(self.rows, self.styles):
            cells = []
            for j, (v, st) in enumerate(zip(row, styles)):
                text = escape(v) if self.escape_cells[j] else v
                style = f' style="{escape(st)}"' if st else ""
                cells.append(f"<td{num[j]}{style}>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        caption = f"<caption>{escape(self.caption)}</caption>" if self.caption else ""
        label_ = escape(self.caption or "table", quote=True)
        out = (f'<div class="uq-table-scroll" role="region" tabindex="0" aria-label="{label_}">'
               f'<table class="uq-table">{caption}<thead><tr>{head}</tr></thead>'
               f'<tbody>{"".join(body)}</tbody></table></div>')
        if self.fold:
            what = escape(self.caption) if self.caption else "the table"
            out = (f'<details class="uq-table-fold"><summary>Show {what} '
                   f'({len(self.rows):,} rows)</summary>{out}</details>')
        return out

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        widths = [max([len(h)] + [len(r[j]) for r in self.rows]) for j, h in enumerate(self.header)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(self.header, widths))]
        lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in self.rows]
        return "\n".join(([self.caption] if self.caption else []) + lines)


def table(
    frame: pd.DataFrame,
    *,
    columns: Mapping | Iterable | None = None,
    formats: Mapping[object, Format] | Format | None = None,
    float_format: Format | None = None,
    caption: str | None = None,
    index: bool | None = None,
    yes_no_columns: Iterable[str] = (),
    fold: bool | None = None,
    cell_style: Mapping[str, Callable[[object], str]] | None = None,
    html_columns: Iterable[str] = (),
) -> Table:
    """The book's display of *frame*.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.  A Styler is refused: style with ``formats`` and ``cell_style``.
    columns : mapping or list, optional
        A mapping from column (after the index is turned into columns) to its
        header, which also selects and orders the columns when it is a list
        of names; other headers come from :func:`uqsurvey.plots.label`.
    formats : mapping or format, optional
        Per shown header (or original column), a ``str.format`` pattern
        (``"{:.1%}"``) or a callable; a single pattern is the same as
        ``float_format``.  Unlisted columns: integers ``1,234``, floats as
        ``float_format``, by default three decimals.
    float_format : format, optional
        The format of every float column that ``formats`` does not name.
    caption : str, optional
        Shown above the table; also names the scroll region and the fold.
    index : bool, optional
        Show the index as leading columns.  By default it is shown when it is
        named or a MultiIndex, and dropped when it is a plain range.
    yes_no_columns : iterable of str
        Headers read as yes / no besides booleans and :data:`YES_NO`.
    fold : bool, optional
        Fold the table into a toggle; by default when it has more than
        :data:`FOLD_ROWS` rows.
    cell_style : mapping, optional
        Per header, a function of the raw value returning inline CSS.
    html_columns : iterable of str
        Headers whose cells are trusted HTML (links), not escaped.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"table() needs a pandas DataFrame; found {type(frame).__name__}")
    df = frame.copy()
    show_index = index if index is not None else (
        isinstance(df.index, pd.MultiIndex) or df.index.name is not None)
    if show_index:
        names = [n if n is not None else f"level_{i}" for i, n in enumerate(df.index.names)]
        df.index = df.index.set_names(names)
        df = df.reset_index()
    else:
        df = df.reset_index(drop=True)
    df.columns.names = [None] * df.columns.nlevels
    if isinstance(columns, Mapping):
        mapping = dict(columns)
    elif columns is not None:
        keep = list(columns)
        missing = [c for c in keep if c not in df.columns]
        if missing:
            raise KeyError(f"columns {missing} are not in the table; it has {list(df.columns)}")
        df = df[keep]
        mapping = {}
    else:
        mapping = {}
    originals = list(df.columns)
    header = [_flat_name(c, mapping) for c in originals]
    if len(set(header)) != len(header):
        raise ValueError(f"two columns would share a header: {header}")

    fmts: dict = {}
    if formats is not None and not isinstance(formats, Mapping):
        formats, float_format = {}, formats
    if float_format is not None:
        for j, c in enumerate(originals):
            if pd.api.types.is_float_dtype(df[c]):
                fmts[j] = float_format
    if isinstance(formats, Mapping):
        for key, f in formats.items():
            for j, c in enumerate(originals):
                if key == c or key == header[j]:
                    fmts[j] = f
        unknown = [k for k in formats if k not in originals and k not in header]
        if unknown:
            raise KeyError(f"formats for unknown columns {unknown}; the table has {header}")
    yn = set(YES_NO) | set(yes_no_columns)
    styles_by = dict(cell_style or {})
    unknown = [k for k in styles_by if k not in header]
    if unknown:
        raise KeyError(f"cell_style for unknown columns {unknown}; the table has {header}")
    raw_html = set(html_columns)

    numeric, rows_txt, rows_style = [], [[] for _ in range(len(df))], [[] for _ in range(len(df))]
    for j, c in enumerate(originals):
        col = df[c]
        is_yn = header[j] in yn or pd.api.types.is_bool_dtype(col)
        numeric.append(not is_yn and (
            (pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)) or _numeric_text(col)))
        fmt = _formatter(fmts.get(j))
        style = styles_by.get(header[j])
        for i, v in enumerate(col.tolist()):
            if is_yn:
                text = yes_no(v)
            elif _is_missing(v):
                text = MISSING
            else:
                text = fmt(v)
            rows_txt[i].append(text)
            rows_style[i].append(style(v) if style else "")
    return Table(header, rows_txt, numeric, styles=rows_style, caption=caption,
                 fold=len(df) > FOLD_ROWS if fold is None else bool(fold),
                 escape_cells=[h not in raw_html for h in header])


def sensitivity_table(result) -> Table:
    """The value of one ledger claim under each counting rule, with the rule that gives
    the paper's number marked "yes" (:func:`uqsurvey.book.sensitivity_frame`)."""
    from uqsurvey.book import sensitivity_frame

    return table(sensitivity_frame(result), caption=f"Claim {result.id}: the value under each counting rule")


def readings_table(result, *, readings_page: str | None = "survey_data.html") -> Table:
    """One ledger claim under the recorded readings of the source: each counting rule
    and distinct value with the smallest set of readings that gives it, and whether it
    is the paper's number (:func:`uqsurvey.book.readings_frame`).  Each reading links
    to its row in the "Readings of the source" section (*readings_page*, relative to
    the chapter; ``None``: no links)."""
    from html import escape as e

    from uqsurvey.book import readings_frame

    frame = readings_frame(result)
    column = "smallest set of readings"
    html_columns = ()
    if readings_page:
        def link(ids: str) -> str:
            if ids == "primary reading":
                return e(ids)
            return ", ".join(f'<a href="{e(readings_page)}#reading-{e(i.strip().lower())}">{e(i.strip())}</a>'
                             for i in ids.split(","))
        frame[column] = [link(v) for v in frame[column]]
        html_columns = (column,)
    return table(frame, caption=f"Claim {result.id}: the value under the recorded readings of the source",
                 html_columns=html_columns)
