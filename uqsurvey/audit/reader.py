"""Streaming input of the audit: CSV (also gzip-compressed) and Parquet, in
pieces of bounded size, validated as they are read.

:func:`open_predictions` returns a :class:`Predictions` whose iteration yields
``(confidence, correct)`` pieces of exactly :data:`PIECE` rows (the last may be
shorter), whatever the format or the reader's own block sizes: the numbers of
the audit, bootstrap included, do not depend on how the file is stored.  CSV
is read with pyarrow's streaming reader (blocks of :data:`BLOCK_BYTES`), the
two columns as text, so that every value is checked as written; Parquet with
:meth:`pyarrow.parquet.ParquetFile.iter_batches`.  At most one piece and one
block are in memory.

A problem stops the reading with :class:`AuditError` naming the file, the row
and the column: in a CSV file rows count from the header (row 1), blank lines
not counted; in a Parquet file from the first record (row 1).  Row numbers
are exact across blocks and pieces.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import numpy as np

#: Rows per piece handed to the metrics (a multiple of the metrics' chunk).
PIECE = 1 << 18
#: Bytes per block of the CSV reader (one thread: a parallel reader reads
#: blocks ahead, which costs memory and gains little on two shared cores).
BLOCK_BYTES = 1 << 22

_TRUE = ("1", "1.0", "true")
_FALSE = ("0", "0.0", "false")


class AuditError(Exception):
    """A problem with the input file or arguments; the message says where."""


def file_format(path: Path, fmt: str = "auto") -> str:
    """``"csv"``, ``"csv.gz"`` or ``"parquet"`` (from the name, for ``auto``)."""
    if fmt != "auto":
        return fmt
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".gz"):
        return "csv.gz"
    return "csv"


class Checker:
    """Validation of the two columns of one stream of blocks (arrow arrays),
    with row numbers counted across the blocks (``rows``: rows before the
    next block).  ``label`` names the file in messages."""

    def __init__(self, label, columns: tuple[str, str], fmt: str):
        self.path = label
        self.columns = columns
        self.format = fmt
        self.rows = 0

    def check(self, conf, corr) -> tuple[np.ndarray, np.ndarray]:
        """The validated block: confidences (float64) and labels (bool)."""
        f = self._confidence(conf)
        y = self._labels(corr)
        self.rows += f.shape[0]
        return f, y

    # -- validation -------------------------------------------------------------
    def _where(self, i: int, col: str) -> str:
        if self.format == "partition":
            return f"{self.path}: row {self.rows + i + 1} of the partition, column {col!r}"
        if self.format == "parquet":
            return f"{self.path}: row {self.rows + i + 1} (counting the first record as row 1), column {col!r}"
        return f"{self.path}: row {self.rows + i + 2} (counting the header as row 1), column {col!r}"

    def _confidence(self, arr) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        col = self.columns[0]
        kind = _kind(arr.type)
        if kind == "number":
            values = arr.cast(pa.float64())
            if values.null_count:
                raise AuditError(f"{self._where(_first_null(values), col)}: empty value; "
                                 "a confidence in [0, 1] is required")
            f = values.to_numpy(zero_copy_only=False)
            raw = None
        elif kind == "string":
            try:
                f = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
                raw = None
            except pa.ArrowInvalid:  # text that is not a plain number: the slow path locates it
                raw = np.asarray(arr.to_pylist(), dtype=object)
                f = _parse_numbers(raw)
        else:
            raise AuditError(f"{self.path}: column {col!r} holds {arr.type}, not confidences")
        bad = ~np.isfinite(f) | (f < 0) | (f > 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            value = str(arr[i].as_py()) if raw is None else str(raw[i])
            where = self._where(i, col)
            text = value.strip()
            if text == "":
                raise AuditError(f"{where}: empty value; a confidence in [0, 1] is required")
            if np.isnan(f[i]):
                what = "NaN" if text.lower() in {"nan", "-nan", "+nan"} else "not a number"
                raise AuditError(f"{where}: {value!r} is {what}; a confidence in [0, 1] is required")
            if np.isinf(f[i]):
                raise AuditError(f"{where}: {value!r} is infinite; a confidence in [0, 1] is required")
            raise AuditError(f"{where}: {value!r} is outside [0, 1]")
        return np.ascontiguousarray(f, dtype=np.float64)

    def _labels(self, arr) -> np.ndarray:
        import pyarrow as pa
        import pyarrow.compute as pc

        col = self.columns[1]
        kind = _kind(arr.type)
        if kind == "bool":
            if arr.null_count:
                raise AuditError(f"{self._where(_first_null(arr), col)}: empty value; "
                                 "a label 0/1 or true/false is required")
            return arr.to_numpy(zero_copy_only=False).astype(bool)
        if kind == "number":
            if arr.null_count:
                raise AuditError(f"{self._where(_first_null(arr), col)}: empty value; "
                                 "a label 0/1 or true/false is required")
            v = arr.to_numpy(zero_copy_only=False)
            bad = (v != 0) & (v != 1)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise AuditError(f"{self._where(i, col)}: {arr[i].as_py()!r} is not a correctness label "
                                 "(0/1 or true/false)")
            return v == 1
        if kind != "string":
            raise AuditError(f"{self.path}: column {col!r} holds {arr.type}, not correctness labels")
        is_true = pc.is_in(arr, value_set=pa.array(_TRUE)).to_numpy(zero_copy_only=False)
        is_false = pc.is_in(arr, value_set=pa.array(_FALSE)).to_numpy(zero_copy_only=False)
        bad = ~(is_true | is_false)
        if bad.any():  # other spellings: any case, surrounding white space
            text = np.char.lower(np.char.strip(np.asarray(arr.to_pylist(), dtype=str)))
            is_true = np.isin(text, _TRUE)
            bad = ~(is_true | np.isin(text, _FALSE))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                value = arr[i].as_py()
                where = self._where(i, col)
                if str(value).strip() == "":
                    raise AuditError(f"{where}: empty value; a label 0/1 or true/false is required")
                raise AuditError(f"{where}: {value!r} is not a correctness label (0/1 or true/false)")
        return is_true


class Predictions(Checker):
    """The pieces of one input file; ``size`` / ``done()`` measure progress
    (bytes of the file for CSV, rows for Parquet; ``unit`` says which)."""

    def __init__(self, path, confidence_col: str, correct_col: str, fmt: str = "auto"):
        super().__init__(Path(path), (confidence_col, correct_col), "csv")
        if not self.path.exists():
            raise AuditError(f"{self.path}: no such file")
        if not self.path.is_file():
            raise AuditError(f"{self.path}: not a regular file")
        self.format = file_format(self.path, fmt)
        self._stream = None
        if self.format == "parquet":
            self.unit, self.size = "rows", self._parquet_rows()
        else:
            self.unit, self.size = "bytes", self.path.stat().st_size

    def done(self) -> int:
        if self.unit == "rows":
            return self.rows
        if self._stream is None:
            return 0
        try:
            return self._stream.tell()  # bytes of the file read so far (compressed, for gzip)
        except (OSError, ValueError):  # closed: all of it
            return self.size

    # -- reading --------------------------------------------------------------
    def _parquet_file(self):
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(self.path, pre_buffer=False, buffer_size=1 << 22)
        except Exception as exc:  # pyarrow raises ArrowInvalid / OSError with a reason
            raise AuditError(f"{self.path}: cannot be read as Parquet: {exc}") from None

    def _parquet_rows(self) -> int:
        return self._parquet_file().metadata.num_rows

    def _check_columns(self, names) -> None:
        for col in self.columns:
            if col not in names:
                cols = ", ".join(repr(c) for c in names)
                raise AuditError(f"{self.path}: no column {col!r} in the header (columns: {cols})")

    def _batches(self):
        """``(confidence column, correct column)`` arrow arrays, block by block."""
        import pyarrow as pa

        if self.format == "parquet":
            pf = self._parquet_file()
            self._check_columns(pf.schema_arrow.names)
            try:
                for batch in pf.iter_batches(batch_size=PIECE, columns=list(self.columns)):
                    yield batch.column(0), batch.column(1)
            except (pa.ArrowException, OSError) as exc:
                raise AuditError(f"{self.path}: cannot be read as Parquet: {exc}") from None
            return
        import pyarrow.csv as pcsv

        try:
            raw = pa.OSFile(str(self.path), "rb")  # native: arrow's reading threads never need the GIL
        except OSError as exc:
            raise AuditError(f"{self.path}: cannot be read: {_reason(exc)}") from None
        try:
            self._stream = raw
            source = raw
            if self.format == "csv.gz":
                source = pa.CompressedInputStream(raw, "gzip")
            conf, corr = self.columns
            opts = pcsv.ConvertOptions(column_types={conf: pa.string(), corr: pa.string()},
                                       include_columns=[conf, corr], strings_can_be_null=False,
                                       quoted_strings_can_be_null=False)
            try:
                reader = pcsv.open_csv(source, read_options=pcsv.ReadOptions(block_size=BLOCK_BYTES,
                                                                              use_threads=False),
                                       convert_options=opts)
            except (pa.ArrowInvalid, pa.ArrowKeyError) as exc:
                if "Empty CSV file" in str(exc):
                    raise AuditError(f"{self.path}: the file is empty (no header row)") from None
                if isinstance(exc, pa.ArrowKeyError):  # a column of include_columns is missing
                    self._check_columns(self._header())
                raise AuditError(f"{self.path}: cannot be read as CSV: {exc}") from None
            except OSError as exc:
                raise AuditError(f"{self.path}: cannot be read: {_reason(exc)}") from None
            self._check_columns(reader.schema.names)
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as exc:
                    raise AuditError(f"{self.path}: cannot be read as CSV (after row {self.rows + 1}): "
                                     f"{exc}") from None
                except OSError as exc:
                    raise AuditError(f"{self.path}: cannot be read: {_reason(exc)}") from None
                yield batch.column(conf), batch.column(corr)
        finally:
            raw.close()

    def _header(self) -> list[str]:
        import csv
        import gzip

        opener = gzip.open if self.format == "csv.gz" else open
        with opener(self.path, "rt", encoding="utf-8-sig", newline="") as fh:
            return next(csv.reader(fh), [])

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Validated pieces of :data:`PIECE` rows (the last may be shorter)."""
        buf_f: list[np.ndarray] = []
        buf_y: list[np.ndarray] = []
        held = 0
        for conf, corr in self._batches():
            f, y = self.check(conf, corr)
            buf_f.append(f)
            buf_y.append(y)
            held += f.shape[0]
            while held >= PIECE:
                f_all, y_all = np.concatenate(buf_f), np.concatenate(buf_y)
                yield f_all[:PIECE], y_all[:PIECE]
                buf_f, buf_y = [f_all[PIECE:]], [y_all[PIECE:]]
                held -= PIECE
        if held:
            yield np.concatenate(buf_f), np.concatenate(buf_y)
        if self.rows == 0:
            raise AuditError(f"{self.path}: no data rows after the header")

def _kind(t) -> str:
    import pyarrow.types as pt

    if pt.is_boolean(t):
        return "bool"
    if pt.is_integer(t) or pt.is_floating(t) or pt.is_decimal(t):
        return "number"
    if pt.is_string(t) or pt.is_large_string(t):
        return "string"
    return "other"


def _first_null(arr) -> int:
    return int(np.flatnonzero(arr.is_null().to_numpy(zero_copy_only=False))[0])


def _parse_numbers(raw: np.ndarray) -> np.ndarray:
    """Text to float64 as the audit always read it (white space stripped; NaN
    where the text is not a number)."""
    import pandas as pd

    return pd.to_numeric(pd.Series(raw, dtype=object).astype(str).str.strip(),
                         errors="coerce").to_numpy(dtype=np.float64)


def _reason(exc: OSError) -> str:
    if exc.errno:
        return os.strerror(exc.errno)
    return exc.strerror or str(exc) or type(exc).__name__


def open_predictions(path, confidence_col: str, correct_col: str, fmt: str = "auto") -> Predictions:
    """The validated pieces of a predictions file (see the module docstring)."""
    return Predictions(os.fspath(path), confidence_col, correct_col, fmt)
