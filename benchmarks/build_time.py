"""Time a cold build of the book and a rebuild with no change.

    .venv/bin/python benchmarks/build_time.py [--keep]

Cold: ``_build`` removed, every chapter executes.  Unchanged rebuild: the same
command again; Sphinx reads nothing new and jupyter-cache serves every
notebook.  Goals on the 2-core machine: cold <= 3 min, rebuild <= 15 s.
The per-chapter execution times come from the jupyter-cache records.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).parent / "jupyter-book"
GOALS = {"cold build": 180.0, "unchanged rebuild": 15.0}


def build() -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(JB), "build", str(ROOT), "-n", "-W", "--keep-going"], cwd=ROOT, capture_output=True, text=True
    )
    dt = time.perf_counter() - t0
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"build failed ({proc.returncode})")
    return dt


def chapter_times() -> list[tuple[str, float]]:
    try:
        from jupyter_cache import get_cache
    except ImportError:  # pragma: no cover
        return []
    cache = get_cache(ROOT / "_build" / ".jupyter_cache")
    rows = []
    for rec in cache.list_cache_records():
        uri = Path(rec.uri)
        name = str(uri.relative_to(ROOT)) if uri.is_relative_to(ROOT) else uri.name
        rows.append((name, float(rec.data.get("execution_seconds", float("nan")))))
    return sorted(rows, key=lambda r: -r[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args()
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    cold = build()
    warm = build()
    print(f"{'measure':<20}{'seconds':>10}{'goal':>10}  ok")
    for name, value in (("cold build", cold), ("unchanged rebuild", warm)):
        print(f"{name:<20}{value:>10.1f}{GOALS[name]:>10.0f}  {'yes' if value <= GOALS[name] else 'NO'}")
    times = chapter_times()
    if times:
        print("\nchapter execution (jupyter-cache), seconds:")
        for name, secs in times:
            print(f"  {secs:7.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
