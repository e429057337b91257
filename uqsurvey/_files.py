"""Writing a file whole or not at all (layer 0, like :mod:`uqsurvey._args`)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write *data* (bytes, or text as UTF-8) to *path* through a temporary file in the same
    folder, renamed into place: a reader sees the old file or the new one, never part of it.
    The folder is created if needed; on any failure the temporary file is removed and the
    error raised (callers that only cache catch :class:`OSError`)."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
