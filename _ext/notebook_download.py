"""Offer each chapter as a Jupyter notebook (``.ipynb``) beside its ``.md`` source.

sphinx-book-theme adds an ``.ipynb`` entry to its download menu only when a
launch button (Binder, Colab, ...) is configured, which this offline book does
not have.  For every page that is a notebook, this writes the notebook that
MyST-NB read (``_build/jupyter_execute/<page>.ipynb``) into the HTML's
``_sources/`` and tells the theme to offer it.

The download holds the chapter's cells without outputs, like the companion
notebooks in ``notebooks/``: the page shows the outputs, the notebook is for
running (from a clone of the repository, where ``data/`` and the package are).
Without outputs it is also the same whether the page was executed or served
from the execution cache, where MyST-NB writes no outputs.
"""
from __future__ import annotations

from pathlib import Path

#: Metadata key of the cells the build adds to every chapter (``cache_keys.CELL_MARK``).
BUILD_CELL_MARK = "uqsurvey_build"


def _offer_notebook(app, pagename, templatename, context, doctree) -> None:
    import nbformat

    if app.builder.format != "html" or not app.env.metadata.get(pagename, {}).get("kernelspec"):
        return
    written = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not written.exists():
        raise FileNotFoundError(f"{pagename} is a notebook but MyST-NB wrote no {written}")
    notebook = nbformat.read(written, as_version=4)
    # The build's own hidden cells (execution-cache keys and the read guard, _ext/cache_keys.py)
    # are not part of the chapter.
    notebook.cells = [c for c in notebook.cells if not c.get("metadata", {}).get(BUILD_CELL_MARK)]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    # Before sphinx-book-theme builds its download menu (priority 501).
    app.connect("html-page-context", _offer_notebook, priority=500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
