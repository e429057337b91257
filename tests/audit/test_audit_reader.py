"""Streaming input of the audit: CSV, gzip CSV and Parquet in pieces; exact row
numbers in later blocks and pieces; the same numbers whatever the format."""
from __future__ import annotations

import gzip
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from uqsurvey import calibration as cal
from uqsurvey.audit import AuditError, cli_audit, open_predictions
from uqsurvey.audit import reader


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 7 rows and CSV blocks of 64 bytes: many of both in a small file."""
    monkeypatch.setattr(reader, "PIECE", 7)
    monkeypatch.setattr(reader, "BLOCK_BYTES", 64)


def frame(n=100, seed=0):
    rng = np.random.default_rng(seed)
    f = np.round(rng.beta(5, 2, n), 6)
    y = rng.random(n) < f
    return pd.DataFrame({"id": np.arange(n), "conf": f, "ok": y.astype(int)})


def write(df, path):
    if path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=9)
    elif path.suffix == ".gz":
        with gzip.open(path, "wt", newline="") as fh:
            df.to_csv(fh, index=False)
    else:
        df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("name", ["p.csv", "p.csv.gz", "p.parquet"])
def test_pieces_are_bounded_and_complete(small_pieces, tmp_path, name):
    df = frame()
    preds = open_predictions(write(df, tmp_path / name), "conf", "ok")
    pieces = list(preds)
    assert all(p[0].shape[0] == 7 for p in pieces[:-1]) and 0 < pieces[-1][0].shape[0] <= 7
    f = np.concatenate([p[0] for p in pieces])
    y = np.concatenate([p[1] for p in pieces])
    assert f.tolist() == df["conf"].tolist() and y.tolist() == (df["ok"] == 1).tolist()
    assert preds.rows == 100 and preds.done() == preds.size  # progress reaches the size


@pytest.mark.parametrize("name", ["p.csv", "p.csv.gz", "p.parquet"])
@pytest.mark.parametrize("row", [3, 9, 58, 99])  # first piece, second piece and later
def test_error_rows_are_exact_in_later_blocks(small_pieces, tmp_path, name, row):
    df = frame().astype({"conf": object})
    df.loc[row, "conf"] = 1.5 if name.endswith("parquet") else "1.5"
    if name.endswith("parquet"):
        df["conf"] = df["conf"].astype(float)
    path = write(df, tmp_path / name)
    with pytest.raises(AuditError) as err:
        list(open_predictions(path, "conf", "ok"))
    if name.endswith("parquet"):
        assert f"row {row + 1} (counting the first record as row 1), column 'conf'" in str(err.value)
    else:
        assert f"row {row + 2} (counting the header as row 1), column 'conf'" in str(err.value)
    assert "'1.5' is outside [0, 1]" in str(err.value) or "1.5" in str(err.value)


def test_label_error_in_a_late_block_and_nothing_written(small_pieces, tmp_path, capsys):
    df = frame(200).astype({"ok": object})
    df.loc[180, "ok"] = "yes"
    path = write(df, tmp_path / "p.csv")
    out = tmp_path / "out"
    assert cli_audit([str(path), "--confidence", "conf", "--correct", "ok", "--out", str(out)]) == 1
    assert "row 182 (counting the header as row 1), column 'ok': 'yes' is not a correctness label" \
        in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_spellings_white_space_and_types(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("conf,ok\n 0.5 ,TRUE\n0.25,  false \n1,1.0\n0,0.0\n")
    f, y = next(iter(open_predictions(p, "conf", "ok")))
    assert f.tolist() == [0.5, 0.25, 1.0, 0.0] and y.tolist() == [True, False, True, False]
    q = tmp_path / "p.parquet"
    pq.write_table(pa.table({"conf": pa.array([0.5, 0.25], pa.float32()), "ok": [True, False]}), q)
    f, y = next(iter(open_predictions(q, "conf", "ok")))
    assert f.tolist() == [0.5, 0.25] and y.tolist() == [True, False]
    pq.write_table(pa.table({"conf": [0.5, None], "ok": [1, 0]}), q)
    with pytest.raises(AuditError, match="row 2 .*empty value"):
        list(open_predictions(q, "conf", "ok"))
    pq.write_table(pa.table({"conf": [0.5, 0.6], "ok": [1, 2]}), q)
    with pytest.raises(AuditError, match="row 2 .*'ok': 2 is not a correctness label"):
        list(open_predictions(q, "conf", "ok"))
    pq.write_table(pa.table({"conf": [0.5], "label": [1]}), q)
    with pytest.raises(AuditError, match="no column 'ok' in the header"):
        list(open_predictions(q, "conf", "ok"))
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(AuditError, match="cannot be read as Parquet"):
        list(open_predictions(tmp_path / "bad.parquet", "conf", "ok"))
    (tmp_path / "ragged.csv").write_text("conf,ok\n0.5,1\n0.6,1,3\n")
    with pytest.raises(AuditError, match="cannot be read as CSV"):
        list(open_predictions(tmp_path / "ragged.csv", "conf", "ok"))


def test_same_numbers_whatever_the_format(tmp_path):
    df = frame(3000, seed=4)
    out = {}
    for name in ("p.csv", "p.csv.gz", "p.parquet"):
        path = write(df, tmp_path / name)
        o = tmp_path / f"out-{name}"
        assert cli_audit([str(path), "--confidence", "conf", "--correct", "ok", "--out", str(o),
                          "--n-boot", "20", "--quiet"]) == 0
        out[name] = json.loads((o / "metrics.json").read_text())
    assert out["p.csv"] == out["p.csv.gz"] == out["p.parquet"]
    f, y = df["conf"].to_numpy(), df["ok"].to_numpy() == 1
    m = out["p.parquet"]
    assert m["smece"] == cal.smece(f, y) and m["ece_l1"]["kumar"]["20"] == cal.ece(f, y, 20, convention="kumar")
