"""``python -m uqsurvey audit``: report, files, determinism and bad input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from uqsurvey import calibration as cal
from uqsurvey.audit import FILES, INTERVAL_METHOD, add_arguments, cli_audit, run
from uqsurvey.calibration.resample import poisson_weights

from audit_samples import sample_csv
from conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def good_csv(tmp_path_factory):
    return sample_csv(tmp_path_factory.mktemp("audit"))


def _run(csv, out, *extra):
    return cli_audit([str(csv), "--confidence", "conf", "--correct", "ok", "--out", str(out), *extra])


def test_audit_report_and_files(good_csv, tmp_path, capsys):
    path, f, y = good_csv
    out = tmp_path / "nested" / "result"
    assert _run(path, out, "--n-boot", "30", "--seed", "5") == 0
    text = capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    for name in FILES:
        assert (out / name).stat().st_size > 0
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]  # no temp dir left
    metrics = json.loads((out / "metrics.json").read_text())
    for conv in cal.CONVENTIONS:
        for b in (10, 15, 20):
            assert metrics["ece_l1"][conv][str(b)] == cal.ece(f, y, b, convention=conv)
    v, s = cal.smece(f, y, return_bandwidth=True)
    assert (metrics["smece"], metrics["smece_bandwidth"]) == (v, s)
    assert metrics["brier"] == cal.brier_score(f, y)
    assert metrics["auroc"] == cal.auroc(f, y)
    assert metrics["aurc"] == cal.aurc(f, y)
    assert set(metrics["bootstrap_95"]) == {"ece_l1_15_default", "smece", "brier", "auroc", "aurc"}
    # the Poisson bootstrap, recomputed from the weights: replicate j of the one
    # piece is drawn j-th from the generator seeded (seed, stream 0, chunk 0)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([5, 0, 0])))
    r2 = (f - y) ** 2
    reps = []
    for _ in range(30):
        p = poisson_weights(rng, f.shape[0])
        reps.append(float(np.dot(p, r2) / p.sum()))
    dev = np.percentile(np.array(reps) - metrics["brier"], [2.5, 97.5])
    low, high = metrics["bootstrap_95"]["brier"]["low"], metrics["bootstrap_95"]["brier"]["high"]
    assert metrics["interval_method"] == INTERVAL_METHOD
    expected = {"percentile": (metrics["brier"] + dev[0], metrics["brier"] + dev[1]),
                "basic": (metrics["brier"] - dev[1], metrics["brier"] - dev[0])}.get(INTERVAL_METHOD)
    if expected is not None:
        assert low == pytest.approx(expected[0], abs=1e-12) and high == pytest.approx(expected[1], abs=1e-12)
    assert low < metrics["brier"] < high
    for key in ("Binned ECE", "torchmetrics", "netcal", "Kumar", "smECE", "bandwidth",
                "Brier", "AUROC", "AURC", "Bootstrap 95%", "10 bins", "15 bins", "20 bins"):
        assert key in text
    assert f"{v:.4f}" in text
    assert (out / "report.txt").read_text() in text
    assert (out / "reliability_binned.svg").read_text().startswith("<?xml")
    assert (out / "reliability_smooth.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_audit_is_deterministic_and_overwrites(good_csv, tmp_path, capsys):
    path, _, _ = good_csv
    a, b = tmp_path / "a", tmp_path / "b"
    assert _run(path, a, "--n-boot", "20") == 0
    assert _run(path, b, "--n-boot", "20") == 0
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    (a / "keep.txt").write_text("mine")
    assert _run(path, a, "--n-boot", "20", "--seed", "1") == 0  # existing dir: files replaced
    assert (a / "keep.txt").read_text() == "mine"
    assert json.loads((a / "metrics.json").read_text())["seed"] == 1


def test_audit_single_class_and_no_bootstrap(tmp_path, capsys):
    path = tmp_path / "p.csv"
    path.write_text("conf,ok\n0.9,1\n0.8,1\n0.95,TRUE\n")
    assert _run(path, tmp_path / "o", "--n-boot", "0") == 0
    text = capsys.readouterr().out
    assert "undefined (all labels are one class)" in text
    assert "Bootstrap" not in text


BAD = {
    "not_a_number": ("conf,ok\n0.5,1\n0.7,0\nabc,1\n", "row 4 (counting the header as row 1), column 'conf': 'abc' is not a number"),
    "nan": ("conf,ok\n0.5,1\nNaN,0\n", "row 3 (counting the header as row 1), column 'conf': 'NaN' is NaN"),
    "inf": ("conf,ok\n0.5,1\ninf,0\n", "row 3 (counting the header as row 1), column 'conf': 'inf' is infinite"),
    "above_one": ("conf,ok\n0.5,1\n0.2,0\n1.01,0\n", "row 4 (counting the header as row 1), column 'conf': '1.01' is outside [0, 1]"),
    "negative": ("conf,ok\n-0.1,1\n", "row 2 (counting the header as row 1), column 'conf': '-0.1' is outside [0, 1]"),
    "empty_cell": ("conf,ok\n0.5,1\n,0\n", "row 3 (counting the header as row 1), column 'conf': empty value"),
    "bad_label": ("conf,ok\n0.5,1\n0.6,2\n", "row 3 (counting the header as row 1), column 'ok': '2' is not a correctness label"),
    "label_half": ("conf,ok\n0.5,0.5\n", "row 2 (counting the header as row 1), column 'ok': '0.5' is not a correctness label"),
    "empty_label": ("conf,ok\n0.5,\n", "row 2 (counting the header as row 1), column 'ok': empty value"),
    "missing_column": ("confidence,ok\n0.5,1\n", "no column 'conf' in the header (columns: 'confidence', 'ok')"),
    "header_only": ("conf,ok\n", "no data rows after the header"),
    "empty_file": ("", "the file is empty (no header row)"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_csv_writes_nothing(case, tmp_path, capsys):
    content, message = BAD[case]
    path = tmp_path / f"{case}.csv"
    path.write_text(content)
    out = tmp_path / "out"
    assert _run(path, out) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: ")
    assert message in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_missing_file_and_bad_arguments(tmp_path, capsys):
    assert _run(tmp_path / "nope.csv", tmp_path / "out") == 1
    assert f"error: {tmp_path / 'nope.csv'}: no such file" in capsys.readouterr().err
    assert cli_audit(["x.csv", "--confidence", "c"]) == 2  # argparse: --correct missing
    assert "--correct" in capsys.readouterr().err
    p = tmp_path / "p.csv"
    p.write_text("conf,ok\n0.5,1\n")
    assert _run(p, tmp_path / "o", "--n-boot", "-3") == 1
    assert "--n-boot must be >= 0; found -3" in capsys.readouterr().err
    (tmp_path / "afile").write_text("")
    assert _run(p, tmp_path / "afile") == 1
    assert "exists and is not a directory" in capsys.readouterr().err
    assert sorted(x.name for x in tmp_path.iterdir()) == ["afile", "p.csv"]


def test_module_entry_point(good_csv, tmp_path):
    path, _, _ = good_csv
    res = subprocess.run(
        [sys.executable, "-m", "uqsurvey", "audit", str(path), "--confidence", "conf",
         "--correct", "ok", "--out", str(tmp_path / "o"), "--n-boot", "10"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "smECE" in res.stdout
    # the error path in-process (the command line is the same code; one spawned interpreter is enough)
    res = run_cli("audit", str(path), "--confidence", "nope", "--correct", "ok", "--out", str(tmp_path / "o2"),
                  cwd=ROOT)
    assert res.returncode == 1 and "no column 'nope'" in res.stderr
    assert not (tmp_path / "o2").exists()


def test_add_arguments_and_run_serve_a_shared_parser(good_csv, tmp_path, capsys):
    # the one argparse entry of `python -m uqsurvey` mounts the audit as a subcommand
    import argparse

    parser = argparse.ArgumentParser(prog="uqsurvey")
    sub = parser.add_subparsers(dest="command", required=True)
    add_arguments(sub.add_parser("audit"))
    out = tmp_path / "via-run"
    csv = good_csv[0]
    args = parser.parse_args(["audit", str(csv), "--confidence", "conf", "--correct", "ok",
                              "--out", str(out), "--n-boot", "20"])
    assert run(args) == 0
    direct = tmp_path / "via-cli"
    assert cli_audit([str(csv), "--confidence", "conf", "--correct", "ok", "--out", str(direct),
                      "--n-boot", "20"]) == 0
    for name in FILES:
        assert (out / name).read_bytes() == (direct / name).read_bytes(), name
    args.n_boot = -1
    assert run(args) == 1 and "--n-boot must be >= 0" in capsys.readouterr().err
