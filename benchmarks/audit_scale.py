"""Time and peak memory of ``python -m uqsurvey audit`` at 1e6, 1e7 and 1e8 predictions.

Generates seeded predictions (confidence ``Beta(5, 2)`` rounded to 7
decimals, correct with probability ``f**1.5``) as Parquet, CSV and (at the
largest n) 16 Parquet partitions, in a temporary directory that is removed
at the end; runs the audit on each case in a child process, nice'd, and
records wall time, CPU time (user + system, workers included), the child's peak RSS (``ru_maxrss``, via
``/usr/bin/time``'s ``%M``) and the peak summed RSS of the child's process
tree (sampled every 0.2 s with psutil: the Dask workers included).  The
load average before and after each case is recorded next to the figures:
the machine is shared.  Goals (issue 17), on 2 cores:

* 1e7 rows, 200 replicates: <= 60 s and <= 500 MB;
* 1e8 rows, no replicates: <= 3 min and <= 400 MB, memory flat in n;
* 1e8 rows through Dask with 2 local workers: within 1.5x of single-process streaming.

Disk: about 2.5 GB at 1e8 (CSV 1.2 GB, Parquet 0.5 GB, partitions 0.5 GB)::

    df -h /tmp
    nice -n 10 .venv/bin/python benchmarks/audit_scale.py                  # all cases, once
    .venv/bin/python benchmarks/audit_scale.py --ns 1000000 --csv ''       # a quick look
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results" / "audit_scale.csv"
ROOT = Path(__file__).resolve().parents[1]
ROWS_PER_WRITE = 1_000_000


def generate(n: int, d: Path, seed: int = 0, partitions: int = 0) -> dict[str, Path]:
    """Seeded predictions as Parquet and CSV (and Parquet partitions) under ``d``."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng([seed, n])
    paths = {"parquet": d / f"preds-{n}.parquet", "csv": d / f"preds-{n}.csv"}
    schema = pa.schema([("confidence", pa.float64()), ("correct", pa.int8())])
    pw = pq.ParquetWriter(paths["parquet"], schema)
    cw = pcsv.CSVWriter(paths["csv"], schema)
    parts_dir = None
    if partitions:
        parts_dir = d / f"preds-{n}-parts"
        parts_dir.mkdir()
        paths["partitions"] = parts_dir
        per_part = n // partitions
        part_writer, part_no, part_rows = None, -1, per_part
    for start in range(0, n, ROWS_PER_WRITE):
        m = min(ROWS_PER_WRITE, n - start)
        f = np.round(rng.beta(5.0, 2.0, m), 7)
        y = (rng.random(m) < f**1.5).astype(np.int8)
        table = pa.table({"confidence": f, "correct": y}, schema=schema)
        pw.write_table(table)
        cw.write_table(table)
        if parts_dir is not None:
            offset = 0
            while offset < m:
                if part_rows >= per_part and part_no < partitions - 1:
                    if part_writer is not None:
                        part_writer.close()
                    part_no += 1
                    part_rows = 0
                    part_writer = pq.ParquetWriter(parts_dir / f"part-{part_no:03d}.parquet", schema)
                take = m - offset if part_no == partitions - 1 else min(m - offset, per_part - part_rows)
                part_writer.write_table(table.slice(offset, take))
                offset += take
                part_rows += take
    pw.close()
    cw.close()
    if parts_dir is not None and part_writer is not None:
        part_writer.close()
    return paths


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_case(path: Path, out: Path, n_boot: int, dask: bool) -> dict:
    cmd = ["nice", "-n", "10", "/usr/bin/time", "-f", "TIME %e %M %U %S", sys.executable, "-m", "uqsurvey", "audit",
           str(path), "--confidence", "confidence", "--correct", "correct", "--out", str(out),
           "--n-boot", str(n_boot), "--quiet"]
    if dask:
        cmd += ["--dask", "local"]
    load_before = os.getloadavg()[0]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.2)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    start = time.monotonic()
    out_text, err = proc.communicate()
    wall = time.monotonic() - start
    t.join()
    if proc.returncode != 0:
        raise RuntimeError(f"audit failed ({proc.returncode}): {err[-2000:]}")
    line = [x for x in err.splitlines() if x.startswith("TIME ")][-1]
    elapsed, maxrss_kb, user, system = line.split()[1:5]
    return {"wall_s": round(float(elapsed), 1), "cpu_s": round(float(user) + float(system), 1),
            "peak_rss_mb": round(int(maxrss_kb) / 1024, 1),
            "peak_tree_rss_mb": round(peak[0] / 2**20, 1), "load_before": round(load_before, 2),
            "load_after": round(os.getloadavg()[0], 2), "report_tail": out_text.splitlines()[-1][:60],
            "wall_driver_s": round(wall, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ns", type=float, nargs="+", default=[1e6, 1e7, 1e8])
    ap.add_argument("--boot-n", type=float, default=1e7, help="n of the case with replicates")
    ap.add_argument("--n-boot", type=int, default=200)
    ap.add_argument("--partitions", type=int, default=16, help="Parquet partitions for Dask (largest n)")
    ap.add_argument("--dir", default=None, help="where to put the data (default: a new temporary directory)")
    ap.add_argument("--csv", default=str(RESULTS), help="output CSV ('' for none)")
    args = ap.parse_args(argv)
    ns = [int(x) for x in args.ns]
    base = Path(tempfile.mkdtemp(prefix="audit-scale-", dir=args.dir))
    rows = []
    try:
        for n in ns:
            t0 = time.monotonic()
            paths = generate(n, base, partitions=args.partitions if n == max(ns) else 0)
            print(f"generated n={n:.0e} in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
            cases = [("parquet", 0, False), ("csv", 0, False)]
            if n == int(args.boot_n):
                cases.append(("parquet", args.n_boot, False))
            if "partitions" in paths:
                cases.append(("partitions", 0, True))
            for fmt, n_boot, dask in cases:
                res = run_case(paths[fmt], base / "out", n_boot, dask)
                row = {"n": n, "input": fmt, "n_boot": n_boot, "mode": "dask local (2 workers)" if dask else
                       "streaming", **res, "input_mb": round(_size(paths[fmt]) / 2**20, 1)}
                print(row, file=sys.stderr, flush=True)
                rows.append(row)
            for p in paths.values():
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    finally:
        shutil.rmtree(base, ignore_errors=True)
    table = pd.DataFrame(rows)
    print(table.drop(columns=["report_tail"]).to_string(index=False))
    if args.csv:
        table.drop(columns=["report_tail"]).to_csv(args.csv, index=False)
        print(f"wrote {args.csv}", file=sys.stderr)
    return 0


def _size(p: Path) -> int:
    return sum(q.stat().st_size for q in p.rglob("*")) if p.is_dir() else p.stat().st_size


if __name__ == "__main__":
    sys.exit(main())
