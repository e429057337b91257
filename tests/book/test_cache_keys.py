"""The execution-cache keys of ``_ext/cache_keys.py``, without building the book.

What is checked here: the injected cells keep every chapter line where it
was; a chapter's key moves with exactly the inputs it declares (and with the
environment and the package); the kernel guard refuses undeclared reads and
``git``; the whole cache is cleared when the environment changes.  The
end-to-end proof (a data edit shows in the HTML, a prose edit executes
nothing) is ``test_incremental_build.py``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
sys.path.insert(0, str(ROOT / "_ext"))

import cache_keys as ck  # noqa: E402

CHAPTERS = sorted(p for p in [ROOT / "intro.md", *(ROOT / "chapters").glob("*.md")] if ck.is_notebook(p.read_text("utf-8")))


def _front_matter(text: str) -> dict:
    return yaml.safe_load(ck._FRONT_MATTER.match(text).group(1))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_injection_keeps_every_line_number_and_the_front_matter(path):
    from myst_nb.core.read import read_myst_markdown_notebook

    text = path.read_text(encoding="utf-8")
    out = ck.inject(text, "first = 1\n", "last = 2\n")
    fm_lines = ck._FRONT_MATTER.match(text).group(0).count("\n")
    before, after = text.splitlines(), out.splitlines()
    assert after[fm_lines : len(before)] == before[fm_lines:]
    assert _front_matter(out) == _front_matter(text)
    nb = read_myst_markdown_notebook(out)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == "first = 1" and code[-1].source == "last = 2"
    assert code[0].metadata["tags"] == ["remove-cell"] == code[-1].metadata["tags"]
    assert code[0].metadata[ck.CELL_MARK] is True and code[-1].metadata[ck.CELL_MARK] is True
    assert not any(c.metadata.get(ck.CELL_MARK) for c in code[1:-1])
    assert len(code) == text.count("```{code-cell}") + 2


def test_chapters_that_load_the_data_declare_it():
    """A static pre-check; the kernel guard enforces the declarations at build time."""
    loading = [p for p in CHAPTERS if "load(" in p.read_text(encoding="utf-8")]
    assert loading
    undeclared = [p.name for p in loading if "data" not in ck.declared_reads(p.read_text(encoding="utf-8"), p.stem)]
    assert undeclared == []


def test_reads_parsing():
    fm = "---\njupytext: {}\n{}---\n"
    assert ck.declared_reads(fm.format("", ""), "d") == []
    assert ck.declared_reads(fm.format("", "reads: data\n"), "d") == ["data"]
    assert ck.declared_reads(fm.format("", "reads: [data, CITATION.cff, data]\n"), "d") == ["CITATION.cff", "data"]
    with pytest.raises(ValueError, match="list of paths"):
        ck.declared_reads(fm.format("", "reads: {a: 1}\n"), "d")


def test_a_page_that_forces_execution_is_not_keyed():
    fm = "---\njupytext: {{text_representation: {{format_name: myst}}}}\nkernelspec: {{name: python3}}\n{}---\n\n```{{code-cell}} python\nx = 1\n```\n"
    assert ck.is_notebook(fm.format("")) and not ck.forced(fm.format(""))
    assert ck.forced(fm.format("mystnb:\n  execution_mode: force\n"))
    assert not ck.forced(fm.format("mystnb:\n  execution_mode: cache\n"))


def test_path_hash_follows_content_and_names_not_bytecode(tmp_path):
    d = tmp_path / "data"
    (d / "sub").mkdir(parents=True)
    (d / "a.csv").write_text("x\n1\n")
    (d / "sub" / "b.csv").write_text("y\n2\n")
    h0 = ck._hash_path(d)
    (d / "__pycache__").mkdir()
    (d / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    (d / "c.pyc").write_bytes(b"\0")
    assert ck._hash_path(d) == h0
    (d / "a.csv").write_text("x\n2\n")
    h1 = ck._hash_path(d)
    assert h1 != h0
    (d / "a.csv").write_text("x\n1\n")
    assert ck._hash_path(d) == h0
    (d / ".hidden").write_text("read by nobody, but a reader could")
    assert ck._hash_path(d) != h0
    (d / ".hidden").unlink()
    (d / "sub" / "b.csv").rename(d / "b.csv")
    assert ck._hash_path(d) != h0
    assert ck._hash_path(d / "a.csv") != ck._hash_path(d / "b.csv")


def _fake_app(root: Path, environment: str = "env-1") -> SimpleNamespace:
    keys = ck._Keys.__new__(ck._Keys)
    keys.root, keys.package, keys.data = root, root / "uqsurvey", root / "data"
    keys.environment, keys._hashes = environment, {}
    env = SimpleNamespace(doc2path=lambda d: str(root / f"{d}.md"), uqsurvey_cache_stamps={}, found_docs=set())
    config = SimpleNamespace(nb_execution_mode="cache", nb_execution_cache_path=str(root / "_build" / "cache"))
    return SimpleNamespace(_uqsurvey_keys=keys, env=env, srcdir=str(root), config=config)


@pytest.fixture
def book(tmp_path):
    for rel, text in {
        "uqsurvey/__init__.py": "",
        "data/benchmarks.csv": "name,c1\nA,no\n",
        "benchmarks/results/speed.csv": "n,ms\n1,2\n",
        "chapters/x.md": "",
    }.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_a_chapter_key_moves_with_exactly_what_it_reads(book):
    def stamps(app):
        return {
            reads: ck._stamp(*ck.injected_cells(app, "chapters/x", list(reads)))
            for reads in [(), ("data",), ("benchmarks/results/speed.csv",)]
        }

    s0 = stamps(_fake_app(book))
    assert len(set(s0.values())) == 3
    (book / "data" / "benchmarks.csv").write_text("name,c1\nA,yes\n")
    s1 = stamps(_fake_app(book))
    assert s1[()] == s0[()] and s1[("benchmarks/results/speed.csv",)] == s0[("benchmarks/results/speed.csv",)]
    assert s1[("data",)] != s0[("data",)]
    (book / "uqsurvey" / "__init__.py").write_text("# a change to the package\n")
    s2 = stamps(_fake_app(book))
    assert all(s2[k] != s1[k] for k in s1)
    s3 = stamps(_fake_app(book, environment="env-2"))
    assert all(s3[k] != s2[k] for k in s2)
    # paths in the cell are relative to the chapter, so the key survives moving the book
    first, _ = ck.injected_cells(_fake_app(book), "chapters/x", ["data"])
    assert str(book) not in first and "'../data'" in first
    with pytest.raises(ValueError, match="does not exist"):
        ck.injected_cells(_fake_app(book), "chapters/x", ["no/such/file"])


def test_pages_whose_key_changed_are_outdated(book):
    app = _fake_app(book)
    app.env.found_docs = {"chapters/x", "chapters/prose", "chapters/new", "chapters/forced"}
    app.env.uqsurvey_cache_stamps = {
        "chapters/x": (["data"], ck._stamp(*ck.injected_cells(app, "chapters/x", ["data"]))),
        "chapters/prose": ([], None),
        "chapters/forced": ([], ck.FORCED),
    }
    assert sorted(ck._outdated(app, app.env, {"chapters/new"}, set(), set())) == ["chapters/forced"]
    (book / "data" / "benchmarks.csv").write_text("name,c1\nA,yes\n")
    app2 = _fake_app(book)
    app2.env = app.env
    assert sorted(ck._outdated(app2, app2.env, {"chapters/new"}, set(), set())) == ["chapters/forced", "chapters/x"]


def test_environment_hash_follows_the_pins(tmp_path):
    cfg = SimpleNamespace(nb_execution_allow_errors=False, nb_execution_in_temp=False, nb_execution_mode="cache")
    app = SimpleNamespace(srcdir=str(tmp_path), config=cfg)
    (tmp_path / "requirements.txt").write_text("numpy==2.4.6\n")
    h0 = ck._environment_hash(app)
    assert ck._environment_hash(app) == h0
    (tmp_path / "requirements.txt").write_text("numpy==2.4.7\n")
    assert ck._environment_hash(app) != h0
    cfg.nb_execution_allow_errors = True
    assert len({h0, ck._environment_hash(app)}) == 2


def test_a_new_environment_clears_the_whole_execution_cache(book):
    from jupyter_cache import get_cache

    app = _fake_app(book)
    cache = Path(app.config.nb_execution_cache_path)
    ck._builder_inited(app)
    get_cache(cache).list_cache_records()  # creates global.db
    marker = cache / "executed" / "marker"
    marker.parent.mkdir(parents=True)
    marker.write_text("an old execution")
    ck._builder_inited(_fake_app(book))
    assert marker.exists()  # same environment: kept
    ck._builder_inited(_fake_app(book, environment="env-2"))
    assert not marker.exists()
    assert (cache / ck.ENV_STAMP).read_text().strip() == "env-2"


GUARD_SCRIPT = r"""
import json, os, subprocess, sys
root, package = sys.argv[1], sys.argv[2]
os.chdir(os.path.join(root, "chapters"))
exec(GUARD)
_uqsurvey_build_violations = _uqsurvey_build_guard([".."], ["../data"], package)
results = {}

def attempt(name, fn):
    try:
        fn()
        results[name] = "ok"
    except RuntimeError as exc:
        results[name] = str(exc)

attempt("declared", lambda: open("../data/benchmarks.csv").read())
attempt("declared_pandas", lambda: __import__("pandas").read_csv("../data/benchmarks.csv"))
attempt("undeclared", lambda: open("../benchmarks/results/speed.csv").read())
attempt("undeclared_pandas", lambda: __import__("pandas").read_csv("../benchmarks/results/speed.csv"))
attempt("undeclared_os_open", lambda: os.close(os.open("../benchmarks/results/speed.csv", os.O_RDONLY)))
attempt("write", lambda: open("../out.txt", "w").write("x"))
attempt("outside", lambda: open(os.devnull).read())
attempt("git", lambda: subprocess.run(["git", "--version"], capture_output=True))
attempt("other_process", lambda: subprocess.run([sys.executable, "-c", "pass"], check=True))
try:
    open("../benchmarks/results/speed.csv")
except Exception:
    pass  # a chapter that swallows the error still fails at its last cell
attempt("last_cell", lambda: exec(CHECK, globals()))
print(json.dumps(results))
"""


def _run_guard(book: Path, package: Path, build_prefix: str | None = None) -> dict:
    script = f"GUARD = {ck.GUARD!r}\nCHECK = {ck.CHECK!r}\n" + GUARD_SCRIPT
    env = {k: v for k, v in os.environ.items() if k != "UQSURVEY_BUILD_PREFIX"}
    if build_prefix:
        env["UQSURVEY_BUILD_PREFIX"] = build_prefix
    proc = subprocess.run(
        [sys.executable, "-c", script, str(book), str(package)], capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0 or "the kernel" in proc.stderr, proc.stderr
    return json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr}


def test_guard_refuses_undeclared_reads_and_git(book):
    import uqsurvey

    res = _run_guard(book, Path(uqsurvey.__file__).parent, build_prefix=sys.prefix)
    ok = {k for k, v in res.items() if v == "ok"}
    assert ok == {"declared", "declared_pandas", "write", "outside", "other_process"}, res
    for name in ("undeclared", "undeclared_pandas", "undeclared_os_open"):
        assert "speed.csv, which its front matter does not declare" in res[name], res[name]
    assert "may not run git" in res["git"]
    assert "does not declare" in res["last_cell"]


def test_guard_refuses_a_kernel_that_imports_another_uqsurvey(book):
    res = _run_guard(book, book / "uqsurvey")
    assert "the kernel imports uqsurvey from" in res["error"]


def test_guard_refuses_a_kernel_in_another_environment(book):
    import uqsurvey

    res = _run_guard(book, Path(uqsurvey.__file__).parent, build_prefix=str(book))
    assert "the kernel runs in" in res["error"]


@pytest.mark.book  # starts Jupyter kernels
def test_a_companion_notebook_executes_once_per_key_and_declares_what_it_reads(book, tmp_path):
    """``execute_notebook`` (the companion notebooks' runner) keys a notebook like a chapter:
    the second run is served from the cache, a data edit executes it again, and reading
    the data without declaring it fails."""
    import nbformat
    from uqsurvey.survey.data import BOOK_MARKERS

    for marker in BOOK_MARKERS:
        (book / marker).touch()
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}, "reads": ["data"]})
    nb.cells = [nbformat.v4.new_code_cell("print(open('../data/benchmarks.csv').read().split()[1])")]
    path = book / "notebooks" / "n.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    cache = tmp_path / "cache"

    def run():
        out, executed = ck.execute_notebook(path, cache, book)
        return out.cells[1].outputs[0]["text"].strip(), executed

    assert run() == ("A,no", True)
    assert run() == ("A,no", False)
    (book / "data" / "benchmarks.csv").write_text("name,c1\nA,yes\n")
    assert run() == ("A,yes", True)
    del nb.metadata["reads"]
    nbformat.write(nb, path)
    with pytest.raises(ck.NotebookFailed, match=r"notebooks/n.ipynb failed(.|\n)*which its front matter does not declare"):
        run()
