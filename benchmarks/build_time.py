"""Time `make book` as a writer uses it: cold, unchanged, after a data edit, after a prose edit.

    .venv/bin/python benchmarks/build_time.py [--nice 10] [--record] [--test]

Every build is the Makefile's own ``make book`` (``-n -W --keep-going``), run
on a throw-away copy of the working tree (``benchmarks/book_copy.py``) with
this interpreter's environment, so the working tree and its ``_build`` are
never touched and installs are excluded:

1. cold: the copy has no ``_build``; every chapter executes;
2. unchanged: the same command again; nothing executes;
3. data edit: one Table 1 value changes (the first C1 "no" becomes "yes");
   only the chapters that declare ``reads: [data]`` may execute;
4. prose edit: one sentence is added to one chapter; nothing executes.

``--test`` also times ``make test`` in the working tree (the whole suite, which
rebuilds the working tree's ``_build``) and lists the slowest test files
(pytest ``--durations=0``, summed per file).  ``--record`` appends the figures
to ``benchmarks/results/build_time.csv``.

Goals on the 2-core machine (issue 14): unchanged <= 20 s, prose edit <= 30 s,
data edit <= the cold build with only the data-reading chapters executed,
``make test`` <= 5 min; cold build <= 180 s (the earlier goal).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "_ext")]

import book_copy  # noqa: E402
from book_copy import ROOT  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "build_time.csv"
GOALS = {"cold build": 180.0, "unchanged": 20.0, "prose edit": 30.0, "make test": 300.0}
PROSE_PAGE = "chapters/ecological_validity"


def data_readers(book: Path) -> set[str]:
    """Pages that declare ``reads: [data]`` (see _ext/cache_keys.py)."""
    import cache_keys as ck

    out = set()
    for path in [book / "intro.md", *sorted((book / "chapters").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        if ck.is_notebook(text) and not ck.forced(text) and "data" in ck.declared_reads(text, path.stem):
            out.add(path.relative_to(book).with_suffix("").as_posix())
    return out


def book_builds(nice: int) -> tuple[list[dict], dict[str, float]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="uqsurvey-build-time-") as tmp:
        book = book_copy.copy_worktree(Path(tmp) / "book")

        def run(measure: str) -> dict:
            build = book_copy.make_book(book, nice=nice)
            if build["rc"]:
                sys.stderr.write(build["log"][-6000:])
                raise SystemExit(f"{measure}: make book failed ({build['rc']})")
            rows.append({"measure": measure, "seconds": build["seconds"], "executed": build["executed"]})
            print(f"  {measure:<12} {build['seconds']:7.1f} s, {len(build['executed'])} chapters executed", flush=True)
            return build

        run("cold build")
        per_chapter = book_copy.execution_seconds(book)
        run("unchanged")
        book_copy.flip_one_c1(book)
        data = run("data edit")
        readers = data_readers(book)
        if set(data["executed"]) != readers:
            raise SystemExit(f"data edit executed {data['executed']}, expected the data readers {sorted(readers)}")
        book_copy.append_prose(book, PROSE_PAGE, "A sentence added by benchmarks/build_time.py.")
        run("prose edit")
    return rows, per_chapter


def test_suite(nice: int) -> tuple[dict, list[tuple[str, float]]]:
    env = dict(os.environ, PYTEST_ADDOPTS=(os.environ.get("PYTEST_ADDOPTS", "") + " --durations=0").strip())
    cmd = ["make", "-C", str(ROOT), "test"]
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    per_file: dict[str, float] = defaultdict(float)
    for m in re.finditer(r"^([\d.]+)s (?:setup|call|teardown)\s+(\S+?)::", proc.stdout, re.M):
        per_file[m.group(2)] += float(m.group(1))
    summary = re.findall(r"^=+ (.*(?:passed|failed).*) =+$", proc.stdout, re.M)
    row = {"measure": "make test", "seconds": seconds, "executed": [], "note": summary[-1] if summary else f"rc {proc.returncode}"}
    return row, sorted(per_file.items(), key=lambda kv: -kv[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nice", type=int, default=0, help="run the builds under `nice -n N`")
    ap.add_argument("--record", action="store_true", help=f"append the figures to {RESULTS.relative_to(ROOT)}")
    ap.add_argument("--test", action="store_true", help="also time `make test` and list the slowest test files")
    args = ap.parse_args()

    load_before = os.getloadavg()[1]
    print(f"make book on a copy of the working tree (load average {load_before:.1f} on {os.cpu_count()} CPUs):")
    rows, per_chapter = book_builds(args.nice)
    goals = dict(GOALS, **{"data edit": rows[0]["seconds"]})
    slow_files: list[tuple[str, float]] = []
    if args.test:
        row, slow_files = test_suite(args.nice)
        rows.append(row)

    print(f"\n{'measure':<12}{'seconds':>10}{'goal':>10}  ok  chapters executed")
    for r in rows:
        goal = goals[r["measure"]]
        r["goal"], r["met"] = goal, r["seconds"] <= goal
        executed = r.get("note") or (f"{len(r['executed'])}: " + ", ".join(p.split("/")[-1] for p in r["executed"]) if r["executed"] else "0")
        print(f"{r['measure']:<12}{r['seconds']:>10.1f}{goal:>10.0f}  {'yes' if r['met'] else 'NO ':<3} {executed[:90]}")
    print("\nchapter execution in the cold build (jupyter-cache), seconds:")
    for page, secs in sorted(per_chapter.items(), key=lambda kv: -kv[1]):
        print(f"  {secs:7.1f}  {page}")
    if slow_files:
        print("\nslowest test files (setup + call + teardown), seconds:")
        for name, secs in slow_files[:10]:
            print(f"  {secs:7.1f}  {name}")

    if args.record:
        new = not RESULTS.exists()
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        load = f"load average {load_before:.1f} before, {os.getloadavg()[1]:.1f} after (5 min)"
        machine = f"{os.cpu_count()} CPUs, python {platform.python_version()}, nice {args.nice}, {load}"
        with RESULTS.open("a", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            if new:
                w.writerow(["date", "measure", "seconds", "goal", "met", "chapters_executed", "machine"])
            for r in rows:
                w.writerow([stamp, r["measure"], f"{r['seconds']:.1f}", f"{r['goal']:.0f}", "yes" if r["met"] else "no",
                            r.get("note") or len(r["executed"]), machine])
        print(f"\nrecorded in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
