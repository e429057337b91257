"""``audit --dask``: partials of the partitions on a LocalCluster of 2 workers,
reduced with merge, equal the in-memory functions.

The cluster runs its 2 workers as threads of the test process
(``processes=False``): the same scheduler, task graph, serialization-free
transfer and reduction as with worker processes, without spawning
interpreters (seconds per test on a loaded 2-core machine, and nothing to
leak when a test fails).  ``--dask local`` starts worker processes; the
benchmark (``benchmarks/audit_scale.py``) uses that."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from uqsurvey import calibration as cal
from uqsurvey.audit import cli_audit

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as c:
        yield c


@pytest.fixture(scope="module")
def partitioned(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    rng = np.random.default_rng(7)
    n = 40_000
    f = rng.beta(5, 2, n)
    y = rng.random(n) < f**1.5
    (d / "pq").mkdir()
    (d / "csv").mkdir()
    bounds = [0, 7000, 19000, 19001, 33000, n]  # unequal partitions, one of a single row
    for k, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        pq.write_table(pa.table({"conf": f[a:b], "ok": y[a:b]}), d / "pq" / f"part-{k}.parquet")
        pd.DataFrame({"conf": f[a:b], "ok": y[a:b].astype(int)}).to_csv(d / "csv" / f"part-{k}.csv", index=False)
    return d, f, y


def run(path, out, *extra):
    return cli_audit([str(path), "--confidence", "conf", "--correct", "ok", "--out", str(out), "--quiet", *extra])


@pytest.mark.parametrize("kind", ["pq", "csv"])
def test_dask_equals_in_memory(cluster, partitioned, tmp_path, kind, capsys):
    d, f, y = partitioned
    assert run(d / kind, tmp_path / "o", "--n-boot", "0", "--dask", cluster.scheduler_address) == 0
    m = json.loads((tmp_path / "o" / "metrics.json").read_text())
    assert m["n"] == f.shape[0]
    for conv in cal.CONVENTIONS:
        for b in (10, 15, 20):
            assert m["ece_l1"][conv][str(b)] == pytest.approx(cal.ece(f, y, b, convention=conv), abs=1e-12)
    s, bw = cal.smece(f, y, return_bandwidth=True)
    assert m["smece"] == pytest.approx(s, abs=1e-12) and m["smece_bandwidth"] == bw
    assert m["brier"] == pytest.approx(cal.brier_score(f, y), abs=1e-12)
    assert m["debiased_l2_ce"] == pytest.approx(cal.debiased_ece(f, y), abs=1e-12)
    assert m["auroc"] == cal.auroc(f, y) and m["aurc"] == pytest.approx(cal.aurc(f, y), abs=1e-15)


def test_dask_bootstrap_is_deterministic(cluster, partitioned, tmp_path, capsys):
    d, _, _ = partitioned
    for name in ("a", "b"):
        assert run(d / "pq", tmp_path / name, "--n-boot", "20", "--dask", cluster.scheduler_address) == 0
    a = (tmp_path / "a" / "metrics.json").read_bytes()
    assert a == (tmp_path / "b" / "metrics.json").read_bytes()
    m = json.loads(a)
    assert set(m["bootstrap_95"]) == {"ece_l1_15_default", "smece", "brier", "auroc", "aurc"}
    # the local schedulers give the same numbers
    assert run(d / "pq", tmp_path / "c", "--n-boot", "20", "--dask", "synchronous") == 0
    assert (tmp_path / "c" / "metrics.json").read_bytes() == a


def test_dask_bad_value_names_the_partition(cluster, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    pd.DataFrame({"conf": [0.5, 0.6], "ok": [1, 0]}).to_csv(tmp_path / "in" / "part-0.csv", index=False)
    pd.DataFrame({"conf": [0.5, 0.6, 1.7], "ok": [1, 0, 1]}).to_csv(tmp_path / "in" / "part-1.csv", index=False)
    assert run(tmp_path / "in", tmp_path / "o", "--n-boot", "0", "--dask", cluster.scheduler_address) == 1
    err = capsys.readouterr().err
    assert "(partition 1): row 3 of the partition, column 'conf': '1.7' is outside [0, 1]" in err
    assert not (tmp_path / "o").exists()
    assert run(tmp_path / "in", tmp_path / "o", "--dask", "synchronous", "--confidence", "nope") == 1
