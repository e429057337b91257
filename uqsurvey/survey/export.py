"""Files the book offers for download, written at build time from the data.

* ``uqsurvey-data.zip``: every resource of ``data/datapackage.json`` plus the
  descriptor itself, with fixed timestamps so that the same data gives the
  same bytes;
* ``ledger.csv``: the reproduction ledger (``python -m uqsurvey claims --format csv``).
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

from uqsurvey._files import atomic_write

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can carry


def data_zip_bytes(data_dir: str | os.PathLike | None = None) -> bytes:
    """The data package as a deterministic zip (validated first)."""
    import io

    from uqsurvey.survey.data import default_data_dir, load

    data_dir = Path(data_dir) if data_dir else default_data_dir()
    load(data_dir)  # refuse to publish an invalid package
    descriptor = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    names = ["datapackage.json"] + [r["path"] for r in descriptor["resources"]]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(f"uqsurvey-data/{name}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, (data_dir / name).read_bytes())
    return buf.getvalue()


def write_downloads(out_dir: str | os.PathLike, data_dir: str | os.PathLike | None = None) -> dict[str, Path]:
    """Write ``uqsurvey-data.zip`` and ``ledger.csv`` into *out_dir*; return their paths."""
    from uqsurvey.survey.data import load
    from uqsurvey.survey.ledger import evaluate, to_csv

    out = Path(out_dir)
    d = load(data_dir)
    files = {
        "uqsurvey-data.zip": data_zip_bytes(data_dir),
        "ledger.csv": to_csv(evaluate(d)).encode("utf-8"),
    }
    paths = {}
    for name, data in files.items():
        atomic_write(out / name, data)
        paths[name] = out / name
    return paths
