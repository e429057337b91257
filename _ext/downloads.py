"""Write the book's downloadable files before Sphinx reads the pages.

Pages link to them with the ``{download}`` role (``../_build/downloads/...``),
so Sphinx copies them into the HTML output and checks that they exist.
"""
from __future__ import annotations

from pathlib import Path


def _write(app) -> None:
    from uqsurvey.survey.data import default_data_dir
    from uqsurvey.survey.export import write_downloads

    # The book's own data ($UQSURVEY_DATA or <book>/data), as the chapters read it.
    write_downloads(Path(app.srcdir) / "_build" / "downloads", default_data_dir(start=app.srcdir))


def setup(app):
    app.connect("builder-inited", _write)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
