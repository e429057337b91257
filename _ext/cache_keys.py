"""Key the execution cache on everything a chapter's numbers depend on.

jupyter-cache (through myst-nb's ``execute_notebooks: cache``) reuses a
chapter's outputs when the md5 of its *code cells* (sources and metadata, plus
the kernelspec) matches a cached execution.  Code alone is not enough here: a
chapter's numbers also depend on the data package, on the ``uqsurvey``
package and on the installed environment.  This extension makes them part of
the code, so that jupyter-cache can only ever serve outputs computed from the
current inputs:

* Before a chapter is parsed (``source-read``), a hidden (``remove-cell``)
  code cell is inserted right after its front matter (which is rewritten on
  one line, so that every line of the chapter keeps its number in warnings),
  and another at its end.  The first cell's source carries the
  hash of the environment (every installed distribution and its version,
  ``requirements.txt``, ``pyproject.toml``, the Python version, the execution
  settings), the hash of the imported ``uqsurvey`` package's files, and the
  hash of every path the chapter declares in its front matter::

      reads: [data]   # the data package (``$UQSURVEY_DATA`` or ``data/``)

  Other entries are paths relative to the repository root (a file or a
  folder), e.g. ``benchmarks/results/calibration_speed.csv``.  Change any of
  them and the cell's text changes, so the cache misses and the chapter runs.
  Both cells carry the metadata ``uqsurvey_build: true`` (:data:`CELL_MARK`),
  so that a notebook offered to readers can drop them.  A page that sets
  ``mystnb: execution_mode: force`` is never served from the cache: it gets no
  cells, and it is re-read (so executed) at every build.
* That cell also installs a guard in the kernel (a ``sys.addaudithook``): when
  the chapter's code opens, for reading, a file of the repository (or of the
  data package) that is neither declared nor part of ``uqsurvey``, the open
  fails with a message naming the missing declaration, and a second hidden
  cell at the end of the chapter fails again if the first error was caught.
  A chapter that reads the data without declaring it therefore fails the
  build; it can never be served from a key that ignores the data.  The guard
  also refuses ``git``: the book's version is a property of the build, which
  ``_ext/book_version.py`` stamps on every page without executing anything.
  The cell checks that the kernel runs in the environment that was hashed
  and imports the ``uqsurvey`` that was hashed.
* Sphinx does not re-read a page whose source did not change.  The text of
  the injected cells is recorded per page; on the next build
  (``env-get-outdated``) every page whose injected text would differ is
  re-read, so a page whose notebook re-executes is also re-rendered.
* When the environment hash changes, the whole jupyter-cache is deleted
  (``builder-inited``): old executions can never be matched again.
* When an input changes while the book builds, an execution may have read the
  new input under the old key: at the end of the build the inputs are hashed
  again and, if any changed, the execution cache is deleted and the build
  warns (an error under ``-W``).

``make clean`` (``rm -rf _build``) still gives a build from scratch.

The companion notebooks (``notebooks/*.ipynb``) are not pages of the book; the
test suite executes them with :func:`execute_notebook`, through the same
jupyter-cache and the same two cells, a notebook declaring what it reads in its
metadata (``"reads": ["data"]``) as a chapter does in its front matter.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import sys
from pathlib import Path

import yaml
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Front-matter key listing what a chapter's code reads.
READS_KEY = "reads"
#: The ``reads`` entry that stands for the data package (wherever the loader reads it).
DATA = "data"
#: Metadata key (value true) of the injected cells: a notebook offered to readers drops them.
CELL_MARK = "uqsurvey_build"
#: Stamp of a page that forces its execution (``mystnb: execution_mode: force``).
FORCED = "forced"
#: File in the jupyter-cache folder holding the environment hash it was filled under.
ENV_STAMP = "uqsurvey-environment.txt"

_CODE_CELL = re.compile(r"^(```+|~~~+)\{code-cell\}", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(\n|\Z)", re.DOTALL)
_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints"}

# The guard, run in the kernel as the first (hidden) cell of every chapter.
GUARD = r'''
def _uqsurvey_build_guard(protected, reads, package):
    import os
    import sys

    real = os.path.realpath
    protected = [real(p) for p in protected]
    allowed = [real(p) for p in reads] + [real(package)]
    allowed += [real(p) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    violations = []

    def inside(path, folder):
        return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)

    def reading(mode, flags):
        if isinstance(mode, str):
            return "r" in mode or "+" in mode
        return isinstance(flags, int) and (flags & os.O_ACCMODE) != os.O_WRONLY

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int) or path is None or not reading(mode, flags):
                return
            path = real(os.fsdecode(path))
            if any(inside(path, p) for p in protected) and not any(inside(path, a) for a in allowed):
                msg = (
                    f"this chapter read {path}, which its front matter does not declare; "
                    "add it (or 'data' for the data package) to 'reads:' so that the "
                    "execution cache is keyed on it (see _ext/cache_keys.py)"
                )
                violations.append(msg)
                raise RuntimeError(msg)
        elif event == "subprocess.Popen":
            cmd = args[1]
            words = os.fsdecode(cmd).split() if isinstance(cmd, (str, bytes)) else [os.fsdecode(c) for c in cmd or []]
            if "git" in {os.path.basename(w) for w in words[:1] + [os.fsdecode(args[0] or "")]}:
                msg = (
                    "a chapter may not run git: the book's version is not part of the execution "
                    "cache key; _ext/book_version.py provides it ({book-stamp} role, {book-bibtex} directive)"
                )
                violations.append(msg)
                raise RuntimeError(msg)

    sys.addaudithook(hook)

    build_prefix = os.environ.get("UQSURVEY_BUILD_PREFIX")
    if build_prefix and real(sys.prefix) != real(build_prefix):
        raise RuntimeError(f"the kernel runs in {sys.prefix}, but the build hashed the environment {build_prefix}")

    import uqsurvey

    found = real(os.path.dirname(uqsurvey.__file__))
    if found != real(package):
        raise RuntimeError(f"the kernel imports uqsurvey from {found}, but the build hashed {real(package)}")
    return violations
'''

CHECK = (
    "if _uqsurvey_build_violations:\n"
    "    raise RuntimeError('; '.join(_uqsurvey_build_violations))\n"
)


# --------------------------------------------------------------------------- #
# hashing


def _hash_path(path: Path) -> str:
    """sha256 of a file's bytes, or of a folder's files (relative names and bytes)."""
    h = hashlib.sha256()
    if path.is_file():
        h.update(path.read_bytes())
        return h.hexdigest()
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):  # derived from the sources beside them
                continue
            f = Path(dirpath, name)
            rel = f.relative_to(path).as_posix()
            h.update(rel.encode() + b"\0" + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def environment_hash(root: Path, settings: tuple) -> str:
    """The installed environment: distributions, pins, Python, execution *settings*."""
    h = hashlib.sha256()
    dists = sorted(
        f"{(d.metadata['Name'] or '').lower()}=={d.version}" for d in importlib.metadata.distributions()
    )
    h.update("\n".join(dists).encode())
    for name in ("requirements.txt", "pyproject.toml"):
        p = Path(root) / name
        h.update(name.encode() + b"\0" + (p.read_bytes() if p.exists() else b"(absent)"))
    h.update(sys.version.encode() + sys.platform.encode())
    h.update(repr(tuple(settings)).encode())
    return h.hexdigest()


def _environment_hash(app) -> str:
    cfg = app.config
    return environment_hash(Path(app.srcdir), (cfg.nb_execution_allow_errors, cfg.nb_execution_in_temp,
                                               cfg.nb_execution_mode))


class _Keys:
    """The hashes of one build, each computed at most once."""

    def __init__(self, app=None, *, root: Path | None = None, environment: str | None = None):
        import uqsurvey

        self.root = Path(app.srcdir if app is not None else root).resolve()
        self.package = Path(uqsurvey.__file__).resolve().parent
        # The data of the book that holds the chapters (or $UQSURVEY_DATA), as the chapters see it.
        from uqsurvey.survey.data import default_data_dir

        self.data = default_data_dir(start=self.root).resolve()
        self.environment = _environment_hash(app) if app is not None else environment
        self._hashes: dict[Path, str] = {}

    def path_of(self, entry: str) -> Path:
        return self.data if entry.rstrip("/") == DATA else (self.root / entry).resolve()

    def hash(self, path: Path) -> str:
        if path not in self._hashes:
            self._hashes[path] = _hash_path(path)
        return self._hashes[path]


def _keys(app) -> _Keys:
    if getattr(app, "_uqsurvey_keys", None) is None:
        app._uqsurvey_keys = _Keys(app)
    return app._uqsurvey_keys


# --------------------------------------------------------------------------- #
# the injected cells


def declared_reads(text: str, docname: str) -> list[str]:
    m = _FRONT_MATTER.match(text)
    meta = (yaml.safe_load(m.group(1)) if m else None) or {}
    return _reads_of(meta, docname)


def _reads_of(meta, docname: str) -> list[str]:
    """The ``reads:`` list of a page's front matter (or a notebook's metadata)."""
    reads = meta.get(READS_KEY, []) if isinstance(meta, dict) else []
    if isinstance(reads, str):
        reads = [reads]
    if not isinstance(reads, list) or not all(isinstance(r, str) for r in reads):
        raise ValueError(f"{docname}: front matter '{READS_KEY}:' must be a list of paths")
    return sorted(set(reads))


def is_notebook(text: str) -> bool:
    from myst_nb.core.read import is_myst_markdown_notebook

    return bool(
        is_myst_markdown_notebook(text) and _FRONT_MATTER.match(text) and _CODE_CELL.search(text)
    )


def forced(text: str) -> bool:
    """The page sets its own execution mode (``mystnb: execution_mode: force``): never cached."""
    m = _FRONT_MATTER.match(text)
    meta = (yaml.safe_load(m.group(1)) if m else None) or {}
    mode = (meta.get("mystnb") or {}).get("execution_mode") if isinstance(meta, dict) else None
    return mode not in (None, "cache")


def injected_cells(app, docname: str, reads: list[str]) -> tuple[str, str]:
    """The code of the hidden first and last cells of *docname* (their text is its cache key)."""
    return key_cells(_keys(app), Path(app.env.doc2path(docname)).resolve().parent, reads, docname)


def key_cells(keys: _Keys, docdir: Path, reads: list[str], docname: str) -> tuple[str, str]:
    """The hidden first and last cells of a notebook that runs in *docdir* and reads *reads*."""

    def rel(p: Path) -> str:  # relative to the kernel's working directory when inside the book
        return os.path.relpath(p, docdir) if p.is_relative_to(keys.root) else str(p)

    hashes = [f"environment {keys.environment[:16]}", f"uqsurvey {keys.hash(keys.package)[:16]}"]
    paths = []
    for entry in reads:
        path = keys.path_of(entry)
        if not path.exists():
            raise ValueError(f"{docname}: '{READS_KEY}:' names {entry}, which does not exist ({path})")
        paths.append(rel(path))
        hashes.append(f"{entry} {keys.hash(path)[:16]}")
    protected = sorted({rel(keys.root), rel(keys.data)})
    first = (
        f"# execution-cache key (_ext/cache_keys.py): {'; '.join(hashes)}\n"
        f"exec({GUARD.strip()!r})\n"
        f"_uqsurvey_build_violations = _uqsurvey_build_guard({protected!r}, {paths!r}, {rel(keys.package)!r})\n"
    )
    return first, CHECK


def _stamp(first: str, last: str) -> str:
    return hashlib.sha256((first + "\0" + last).encode()).hexdigest()


def _cell(code: str) -> str:
    return f"```{{code-cell}} python\n:tags: [remove-cell]\n:{CELL_MARK}: true\n" + code + "```\n"


def inject(text: str, first: str, last: str) -> str:
    """*text* with the hidden cells: *first* right after the front matter, *last* at the end.

    The front matter is rewritten on one line (same YAML), so that the first cell fits in the
    lines it occupied and every line of the chapter keeps its number in warnings.
    """
    m = _FRONT_MATTER.match(text)
    meta = yaml.safe_load(m.group(1))
    head = "---\n" + yaml.safe_dump(meta, default_flow_style=True, width=float("inf"), sort_keys=False) + "---\n"
    head += _cell(first)
    pad = text[: m.end()].count("\n") - head.count("\n")
    body = text[m.end():]
    if not m.group(2):  # front matter at the very end of the file
        body = "\n" + body
    return head + "\n" * max(pad, 0) + body.rstrip("\n") + "\n\n" + _cell(last)


# --------------------------------------------------------------------------- #
# Companion notebooks (notebooks/*.ipynb), outside the book build


#: The execution settings of the companion notebooks: errors fail, run in their folder, cached.
NOTEBOOK_SETTINGS = (False, False, "cache")


class NotebookFailed(RuntimeError):
    """A companion notebook failed; the message holds its name and the traceback."""


def execute_notebook(path: Path, cache_path: Path, root: Path, timeout: int = 600):
    """Execute a companion notebook through the execution cache, keyed like a chapter.

    The notebook declares what it reads in its metadata (``"reads": ["data"]``, as a
    chapter's front matter does); the same hidden first and last cells as a chapter's
    (:func:`key_cells`: hashes of the environment, the package and what it reads, and
    the guard that refuses undeclared reads) are added to it in memory.  A cached
    execution with the same cells is reused; otherwise the notebook executes (in its
    own folder) and, when it succeeds and its inputs did not change meanwhile, is
    cached.  Returns ``(notebook with outputs, executed)``; raises
    :class:`NotebookFailed` with the traceback.
    """
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution

    path, root = Path(path).resolve(), Path(root).resolve()
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    nb = nbformat.read(path, as_version=4)

    def cells() -> tuple[str, str]:
        keys = _Keys(root=root, environment=environment_hash(root, NOTEBOOK_SETTINGS))
        return key_cells(keys, path.parent, _reads_of(nb.metadata, name), name)

    first, last = cells()
    meta = {"tags": ["remove-cell"], CELL_MARK: True}
    nb.cells.insert(0, nbformat.v4.new_code_cell(first, metadata=dict(meta)))
    nb.cells.append(nbformat.v4.new_code_cell(last, metadata=dict(meta)))
    cache = get_cache(Path(cache_path))
    try:
        cache.match_cache_notebook(nb)
    except KeyError:
        pass
    else:
        return cache.merge_match_into_notebook(nb)[1], False
    before = os.environ.get("UQSURVEY_BUILD_PREFIX")
    os.environ["UQSURVEY_BUILD_PREFIX"] = sys.prefix  # checked by the guard in the kernel
    try:
        result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False)
    finally:
        if before is None:
            os.environ.pop("UQSURVEY_BUILD_PREFIX", None)
        else:
            os.environ["UQSURVEY_BUILD_PREFIX"] = before
    if result.err is not None:
        raise NotebookFailed(f"{name} failed: {result.err.__class__.__name__}\n{result.exc_string}")
    if cells() == (first, last):  # else an input changed while it ran: not cached under the old key
        cache.cache_notebook_bundle(CacheBundleIn(nb, str(path), data={"execution_seconds": result.time}),
                                    check_validity=False, overwrite=True)
    return nb, True


# --------------------------------------------------------------------------- #
# Sphinx events


def _source_read(app, docname, source) -> None:
    text = source[0]
    stamps = app.env.uqsurvey_cache_stamps
    if is_notebook(text) and forced(text):
        stamps[docname] = ([], FORCED)  # executes at every read: read at every build
        return
    if not is_notebook(text) or app.config.nb_execution_mode != "cache":
        stamps[docname] = ([], None)  # not served from the execution cache: no key needed
        return
    try:
        reads = declared_reads(text, docname)
        first, last = injected_cells(app, docname, reads)
    except ValueError as exc:
        logger.warning(str(exc), location=docname)
        stamps[docname] = ([], None)
        return
    source[0] = inject(text, first, last)
    stamps[docname] = (reads, _stamp(first, last))


def _outdated(app, env, added, changed, removed) -> list[str]:
    """Pages whose injected cells (their cache key) changed since they were read."""
    stamps = env.uqsurvey_cache_stamps
    stale = []
    for docname in env.found_docs:
        if docname in added or docname in changed or docname in removed:
            continue
        if docname not in stamps:  # read before this extension kept stamps
            stale.append(docname)
            continue
        reads, old = stamps[docname]
        if old is None:
            continue
        if old == FORCED:  # its outputs depend on the build itself (e.g. the version)
            stale.append(docname)
            continue
        try:
            new = _stamp(*injected_cells(app, docname, reads))
        except ValueError:
            new = None
        if new != old:
            stale.append(docname)
    if stale:
        logger.info(f"[cache_keys] inputs changed or execution forced, re-reading: {', '.join(sorted(stale))}")
    return stale


def _env_before_read(app, env, docnames) -> None:
    if not hasattr(env, "uqsurvey_cache_stamps"):
        env.uqsurvey_cache_stamps = {}


def _purge(app, env, docname) -> None:
    getattr(env, "uqsurvey_cache_stamps", {}).pop(docname, None)


def _merge(app, env, docnames, other) -> None:
    for d in docnames:
        if d in other.uqsurvey_cache_stamps:
            env.uqsurvey_cache_stamps[d] = other.uqsurvey_cache_stamps[d]


def _builder_inited(app) -> None:
    """Drop the whole execution cache when the environment changed."""
    if not hasattr(app.env, "uqsurvey_cache_stamps"):
        app.env.uqsurvey_cache_stamps = {}
    keys = _keys(app)
    os.environ["UQSURVEY_BUILD_PREFIX"] = sys.prefix  # checked by the guard in every kernel
    if not keys.package.is_relative_to(keys.root):  # keyed all the same: on the package imported
        logger.info(f"[cache_keys] uqsurvey is imported from {keys.package}, outside the book ({keys.root})")
    if app.config.nb_execution_mode != "cache":
        return
    cache = Path(app.config.nb_execution_cache_path or ".jupyter_cache").resolve()
    stamp = cache / ENV_STAMP
    current = keys.environment
    if (cache / "global.db").exists() and (
        not stamp.exists() or stamp.read_text(encoding="utf-8").strip() != current
    ):
        from jupyter_cache import get_cache

        logger.info(f"[cache_keys] environment changed: clearing the execution cache {cache}")
        get_cache(cache).clear_cache()
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current + "\n", encoding="utf-8")


def _build_finished(app, exception) -> None:
    """Inputs edited during the build: drop executions that may sit under the wrong key."""
    keys = getattr(app, "_uqsurvey_keys", None)
    if keys is None or app.config.nb_execution_mode != "cache":
        return
    fresh = _Keys(app)
    changed = [str(p) for p, h in keys._hashes.items() if fresh.hash(p) != h]
    if fresh.environment != keys.environment:
        changed.append("the environment")
    if changed:
        from jupyter_cache import get_cache

        cache = Path(app.config.nb_execution_cache_path or ".jupyter_cache").resolve()
        if (cache / "global.db").exists():
            get_cache(cache).clear_cache()
        logger.warning(
            f"[cache_keys] changed during the build: {', '.join(changed)}; the execution cache was "
            "cleared, build again"
        )


def setup(app):
    app.connect("builder-inited", _builder_inited)
    app.connect("env-before-read-docs", _env_before_read)
    app.connect("env-get-outdated", _outdated)
    app.connect("source-read", _source_read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("build-finished", _build_finished)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
