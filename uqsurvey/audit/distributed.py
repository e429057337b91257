"""``audit --dask [SCHEDULER]``: partials of each partition of a partitioned
file, reduced with :meth:`uqsurvey.calibration.Partials.merge`.

The input (a directory or glob of Parquet files, or CSV files, gzip
included) is read with :mod:`dask.dataframe`; each partition is validated as
the streaming reader validates a block (messages name the partition file or
number and the row within it) and turned into its
:class:`~uqsurvey.calibration.Partials`, with its own stream of bootstrap
weights (the partition number); a binary tree of ``merge`` tasks reduces
them.  The result does not depend on the scheduler; it equals the in-memory
numbers as merged partials always do.

``SCHEDULER`` is ``local`` (a :class:`distributed.LocalCluster` of 2 worker
processes, one thread each, no dashboard), ``local-threads`` (the same with
workers in this process), ``threads``, ``processes`` or ``synchronous``
(dask's local schedulers), or the address of a running scheduler
(``tcp://host:8786``).  The same partials API serves a user's own Dask or
Spark job (see the calibration-metrics chapter of the book).
"""
from __future__ import annotations

from pathlib import Path

from uqsurvey.audit.reader import AuditError, Checker
from uqsurvey.calibration import Partials

#: CSV bytes per partition (uncompressed CSV only; a gzip file is one partition).
CSV_BLOCKSIZE = "64MB"
#: Partials merged per reduction task.
SPLIT_EVERY = 8


def partition_partials(df, number: int, label: str, columns: tuple[str, str], *, n_boot: int, seed: int,
                       bin_counts) -> Partials:
    """Validate one partition (a pandas DataFrame) and return its partials."""
    import pyarrow as pa

    check = Checker(f"{label} (partition {number})", columns, "partition")
    part = Partials(bin_counts=bin_counts, n_boot=n_boot, seed=seed, stream=number)
    if len(df):
        conf = pa.array(df[columns[0]], from_pandas=True)
        corr = pa.array(df[columns[1]], from_pandas=True)
        f, y = check.check(conf, corr)
        part.update(f, y)
    return part


def merge_all(*parts: Partials) -> Partials:
    """Merge partials in order (one reduction task)."""
    out = parts[0]
    for p in parts[1:]:
        out = out.merge(p)
    return out


def _frame(path: str, columns: tuple[str, str], fmt: str):
    import dask.dataframe as dd

    name = path.lower().rstrip("/*")
    parquet = fmt == "parquet" or (fmt == "auto" and (name.endswith((".parquet", ".pq")) or (
        Path(path).is_dir() and any(Path(path).rglob("*.parquet")))))
    if parquet:
        return dd.read_parquet(path, columns=list(columns))
    gz = fmt == "csv.gz" or (fmt == "auto" and name.endswith(".gz"))
    return dd.read_csv(path if not Path(path).is_dir() else str(Path(path) / "*.csv*"),
                       usecols=list(columns), dtype=str, keep_default_na=False, na_filter=False,
                       blocksize=None if gz else CSV_BLOCKSIZE, compression="gzip" if gz else None)


def _client(scheduler: str):
    """A distributed client (and the cluster it started) for ``scheduler``; ``None`` for dask's local schedulers."""
    if scheduler in ("threads", "processes", "synchronous"):
        return None, None
    from distributed import Client, LocalCluster

    if scheduler in ("local", "local-threads"):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=scheduler == "local",
                               dashboard_address=None)
        return Client(cluster), cluster
    return Client(scheduler), None


def dask_partials(path, confidence_col: str, correct_col: str, *, scheduler: str = "local", n_boot: int = 0,
                  seed: int = 0, fmt: str = "auto", bin_counts=(10, 15, 20)) -> Partials:
    """The merged partials of a partitioned input, computed with Dask."""
    import dask

    columns = (confidence_col, correct_col)
    try:
        ddf = _frame(str(path), columns, fmt)
    except (OSError, ValueError, KeyError) as exc:
        raise AuditError(f"{path}: cannot be read with dask.dataframe: {exc}") from None
    missing = [c for c in columns if c not in ddf.columns]
    if missing:
        cols = ", ".join(repr(c) for c in ddf.columns)
        raise AuditError(f"{path}: no column {missing[0]!r} in the header (columns: {cols})")
    tasks = [dask.delayed(partition_partials)(part, k, str(path), columns, n_boot=n_boot, seed=seed,
                                              bin_counts=bin_counts)
             for k, part in enumerate(ddf.to_delayed())]
    while len(tasks) > 1:
        tasks = [dask.delayed(merge_all)(*tasks[i : i + SPLIT_EVERY]) for i in range(0, len(tasks), SPLIT_EVERY)]
    client, cluster = _client(scheduler)
    try:
        if client is None:
            (result,) = dask.compute(tasks[0], scheduler=scheduler)
        else:
            result = client.compute(tasks[0]).result()
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    if result.n == 0:
        raise AuditError(f"{path}: no data rows")
    return result
