"""The book's one table helper (uqsurvey.book.tables.table): yes/no, one header row of
human names, consistent numbers, the scroll container and the fold."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from uqsurvey.book.tables import FOLD_ROWS, MISSING, readings_table, sensitivity_table, table, yes_no


class _Cells(HTMLParser):
    """Rows of header cells and of body cells, and the classes of every div."""

    def __init__(self):
        super().__init__()
        self.head_rows, self.body_rows, self.divs, self.where, self.cell = [], [], [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("thead", "tbody"):
            self.where = tag
        elif tag == "tr":
            (self.head_rows if self.where == "thead" else self.body_rows).append([])
        elif tag in ("th", "td"):
            self.cell = [tag, ""]
        elif tag == "div":
            self.divs.append(a)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            (self.head_rows if self.where == "thead" else self.body_rows)[-1].append(tuple(self.cell))
            self.cell = None


def parse(t) -> _Cells:
    p = _Cells()
    p.feed(t.html)
    return p


def test_booleans_and_blank_matches_read_yes_no():
    df = pd.DataFrame({"counting rule": ["a", "b", "c"], "value": ["1/2", "2/3", "3/4"],
                       "matches the paper": ["", "yes", np.nan], "flag": [True, False, True]})
    p = parse(table(df))
    assert [r[2][1] for r in p.body_rows] == ["no", "yes", "no"]
    assert [r[3][1] for r in p.body_rows] == ["yes", "no", "yes"]
    assert "True" not in table(df).html and "False" not in table(df).html


def test_yes_no_refuses_other_values():
    assert yes_no("yes") == "yes" and yes_no("") == "no" and yes_no(None) == "no" and yes_no(0) == "no"
    with pytest.raises(ValueError, match="maybe"):
        table(pd.DataFrame({"matches the paper": ["maybe"]}))


def test_one_header_row_of_human_names_and_no_index_name_row():
    idx = pd.MultiIndex.from_tuples([("covariate", 0.0), ("label", 1.0)], names=["shift", "severity"])
    wide = pd.DataFrame({("temperature", "ece"): [0.1234, 0.2], ("split conformal", "set_size"): [1.2, 1.3]}, index=idx)
    wide.columns.names = ["method", "metric"]
    p = parse(table(wide, columns={"shift": "shift"}))
    assert len(p.head_rows) == 1
    assert [c[1] for c in p.head_rows[0]] == ["shift", "severity", "ECE (temperature)", "mean set size (split conformal)"]
    assert all(tag == "td" for row in p.body_rows for tag, _ in row), "an index-name row or a th in the body"
    assert [c[1] for c in p.body_rows[0]] == ["covariate", "0.000", "0.123", "1.200"]


def test_a_plain_range_index_is_dropped_and_a_named_one_kept():
    df = pd.DataFrame({"a": [1, 2]})
    assert [c[1] for c in parse(table(df)).head_rows[0]] == ["a"]
    named = df.rename_axis("forecaster")
    assert [c[1] for c in parse(table(named)).head_rows[0]] == ["forecaster", "a"]


def test_numbers_are_formatted_consistently():
    df = pd.DataFrame({"n": [1000, 25], "x": [0.12345, np.nan], "share": [0.5, 0.25], "w": ["a", None]})
    p = parse(table(df, formats={"share": "{:.0%}"}))
    assert [c[1] for c in p.body_rows[0]] == ["1,000", "0.123", "50%", "a"]
    assert [c[1] for c in p.body_rows[1]] == ["25", MISSING, "25%", MISSING]
    p = parse(table(df, float_format="{:.1f}", formats={"share": "{:.0%}"}))
    assert p.body_rows[0][1][1] == "0.1"
    with pytest.raises(KeyError, match="nope"):
        table(df, formats={"nope": "{:.1f}"})


def test_numeric_columns_are_right_aligned():
    html = table(pd.DataFrame({"name": ["a"], "n": [3]})).html
    assert '<th scope="col">name</th>' in html and '<th scope="col" class="uq-num">n</th>' in html


def test_wrapped_in_a_labelled_scroll_container():
    t = table(pd.DataFrame({"a": [1]}), caption="Some numbers")
    assert t.html.startswith('<div class="uq-table-scroll" role="region" tabindex="0" aria-label="Some numbers">')
    assert "<caption>Some numbers</caption>" in t.html


def test_long_tables_fold_short_ones_do_not():
    long = pd.DataFrame({"i": range(FOLD_ROWS + 1)})
    assert table(long).html.startswith('<details class="uq-table-fold"><summary>Show the table (25 rows)')
    assert not table(long.head(FOLD_ROWS)).html.startswith("<details")
    assert not table(long, fold=False).html.startswith("<details")
    assert table(long.head(3), fold=True, caption="x").html.startswith('<details class="uq-table-fold"><summary>Show x (3 rows)')


def test_cells_are_escaped_unless_trusted_and_styled_on_request():
    df = pd.DataFrame({"link": ['<a href="#x">x</a>'], "text": ["<b>"]})
    html = table(df, html_columns=["link"], cell_style={"text": lambda v: "color: red"}).html
    assert '<td><a href="#x">x</a></td>' in html and '<td style="color: red">&lt;b&gt;</td>' in html


def test_refuses_a_styler_and_duplicate_headers():
    df = pd.DataFrame({"a": [1], "b": [2]})
    with pytest.raises(TypeError, match="Styler"):
        table(df.style)
    with pytest.raises(ValueError, match="share a header"):
        table(df, columns={"a": "same", "b": "same"})


def test_sensitivity_table_marks_the_paper_rule():
    from uqsurvey.survey.data import load
    from uqsurvey.survey.ledger import evaluate

    r = next(x for x in evaluate(load()) if x.id == "qa-or-commonsense")
    p = parse(sensitivity_table(r))
    marks = [row[2][1] for row in p.body_rows]
    assert marks.count("yes") == 1 and set(marks) == {"yes", "no"}
    assert re.search(r"qa-or-commonsense", sensitivity_table(r).html)


def test_readings_table_links_each_reading_to_part_one_and_marks_the_paper_value():
    from uqsurvey.survey.data import load
    from uqsurvey.survey.ledger import evaluate

    r = next(x for x in evaluate(load()) if x.id == "supervised-shift")
    t = readings_table(r)
    p = parse(t)
    assert [h for _, h in p.head_rows[0]] == ["counting rule", "value", "smallest set of readings", "matches the paper"]
    assert len(p.body_rows) == len(r.readings)
    # the row of the reading that reaches the paper's number: its reading links to Part I, and it says yes
    reach = r.reaches_paper["readings"]
    assert reach and all(f'<a href="survey_data.html#reading-{i.lower()}">{i}</a>' in t.html for i in reach)
    assert [row[3][1] for row in p.body_rows].count("yes") == sum(v["matches_paper"] for v in r.readings) >= 1
    assert "primary reading" in [row[2][1] for row in p.body_rows]  # the unchanged data, not a link
    assert 'href="survey_data.html#reading-primary' not in t.html
    assert "survey_data.html" not in readings_table(r, readings_page=None).html
