"""The package's architecture rules (ARCHITECTURE.md), checked on the source with ``ast``.

1. No module imports a private name (``_x``, not ``__x__``) of another module, by
   ``from m import _x`` or as ``m._x``.  Private *modules* (``_relplot.py``,
   ``_inputs.py``, ``_args.py``) are fine to import; their public names are
   their interface.
2. Imports go down the layers only:
   book -> demos / survey / audit -> plots / simulation -> calibration -> _inputs / _args.
3. No module is longer than MAX_LINES lines.
4. Code in this repository uses the new module paths, never an old one of
   ``uqsurvey._moved.MOVED``.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT

from uqsurvey._moved import MOVED

PACKAGE = ROOT / "uqsurvey"
MAX_LINES = 600

#: Layers, lowest first.  A module may import from its own group and from any group
#: of a lower rank; a group is the first entry of this table that prefixes its name.
LAYERS: tuple[tuple[str, int], ...] = (
    ("uqsurvey._moved", -2),  # the alias table: imports nothing of the package
    ("uqsurvey._args", 0),
    ("uqsurvey._files", 0),
    ("uqsurvey.version", 0),
    ("uqsurvey.calibration._inputs", 0),
    ("uqsurvey.calibration", 1),
    ("uqsurvey.simulation", 2),
    ("uqsurvey.simulate", 2),  # old flat module (numeric half of issue 11)
    ("uqsurvey.plots", 2),
    ("uqsurvey.survey", 3),
    ("uqsurvey.demos", 3),
    ("uqsurvey.ece_demo", 3),  # old flat module (numeric half of issue 11)
    ("uqsurvey.audit", 3),
    ("uqsurvey.book", 4),
    ("uqsurvey.cli", 5),
    ("uqsurvey.__main__", 6),
    ("uqsurvey", -1),  # the package's __init__: installs the alias table, imports nothing else
)

#: Known violations, to be removed by the numeric half of issue 11
#: (the lead empties this list after merging it).  Each entry is one line of
#: :func:`violations`' output.
KNOWN_VIOLATIONS: frozenset[str] = frozenset()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether *name* (dotted) is a module or package of this repository."""
    rel = Path(*name.split("."))
    return (ROOT / rel.with_suffix(".py")).is_file() or (ROOT / rel / "__init__.py").is_file()


def group(name: str) -> tuple[str, int] | None:
    for prefix, rank in LAYERS:
        if name == prefix or name.startswith(prefix + "."):
            return prefix, rank
    return None


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def imports(tree: ast.AST, here: str) -> list[tuple[str, str | None, int]]:
    """Every ``(module, name or None, line)`` imported anywhere in *tree* (also inside functions)."""
    out = []
    package = here if (ROOT / Path(*here.split(".")) / "__init__.py").is_file() else here.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, None, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: level 1 is the module's own package
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            out += [(base, a.name, node.lineno) for a in node.names]
    return out


def module_aliases(tree: ast.AST) -> dict[str, str]:
    """Local names bound to one of our modules (``import uqsurvey.x as m``, ``from uqsurvey import x``)."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("uqsurvey") and a.asname:
                    out[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("uqsurvey"):
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if is_module(full):
                    out[a.asname or a.name] = full
    return out


def private_uses(tree: ast.AST, here: str) -> list[str]:
    found = []
    for module, name, _line in imports(tree, here):
        if not module.startswith("uqsurvey"):
            continue
        if name is not None and is_private(name) and not is_module(f"{module}.{name}") and module != here:
            found.append(f"{module}.{name}")
    aliases = module_aliases(tree)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in aliases and is_private(node.attr)
                and not is_module(f"{aliases[node.value.id]}.{node.attr}")):
            found.append(f"{aliases[node.value.id]}.{node.attr}")
    return found


def layer_problems(tree: ast.AST, here: str) -> list[str]:
    mine = group(here)
    found = []
    for module, name, _line in imports(tree, here):
        if not module.startswith("uqsurvey"):
            continue
        target = f"{module}.{name}" if name and is_module(f"{module}.{name}") else module
        theirs = group(target)
        if mine is None or theirs is None or theirs[0] == mine[0] or theirs[1] < mine[1]:
            continue
        found.append(f"imports {target} ({mine[0]} may not import {theirs[0]})")
    return found


def package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def violations() -> list[str]:
    out = []
    for path in package_files():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=rel)
        here = module_name(path)
        out += [f"{rel}: private name {p}" for p in sorted(set(private_uses(tree, here)))]
        out += [f"{rel}: {p}" for p in sorted(set(layer_problems(tree, here)))]
        n = len(text.splitlines())
        if n > MAX_LINES:
            out.append(f"{rel}: {n} lines (max {MAX_LINES})")
    out += old_path_uses()
    return out


# --------------------------------------------------------------------------- #
# Old module paths
# --------------------------------------------------------------------------- #
def code_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return path.read_text(encoding="utf-8")


def repository_code() -> list[Path]:
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py"),
             *(ROOT / "_ext").rglob("*.py"), *(ROOT / "chapters").glob("*.md"), ROOT / "intro.md",
             *(ROOT / "notebooks").glob("*.ipynb")]
    skip = {PACKAGE / "_moved.py", ROOT / "tests" / "test_moved.py", Path(__file__).resolve()}
    return sorted(f for f in files if f not in skip)


def old_path_uses(files: list[Path] | None = None) -> list[str]:
    """Imports of an old module path that no longer exists (a module not moved yet is no old path)."""
    moved = [old for old in MOVED if not is_module(old)]
    patterns = {}
    for old in moved:
        parent, _, leaf = old.rpartition(".")
        patterns[old] = re.compile(
            rf"(?:\bimport\s+{re.escape(old)}\b|\bfrom\s+{re.escape(old)}\s+import\b"
            rf"|\bfrom\s+{re.escape(parent)}\s+import\s+(?:[\w ,]*,\s*)?{re.escape(leaf)}\b)"
        )
    out = []
    for path in repository_code() if files is None else files:
        code = code_of(path)
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
        out += [f"{rel}: old module path {old}" for old, pat in patterns.items() if pat.search(code)]
    return out


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #
def test_the_architecture_rules_hold():
    found = set(violations())
    new = sorted(found - KNOWN_VIOLATIONS)
    assert new == [], "architecture rules broken (see ARCHITECTURE.md):\n" + "\n".join(new)


def test_the_known_violations_are_still_there():
    """An entry of KNOWN_VIOLATIONS that no longer occurs must leave the list."""
    gone = sorted(KNOWN_VIOLATIONS - set(violations()))
    assert gone == [], "fixed, remove from KNOWN_VIOLATIONS:\n" + "\n".join(gone)


def test_every_module_has_a_layer():
    assert [module_name(p) for p in package_files() if group(module_name(p)) is None] == []


# The checker itself, on small sources: each rule catches what it should.
@pytest.mark.parametrize("source, here, expected", [
    ("from uqsurvey.calibration import _relplot_kernel", "uqsurvey.simulation.forecasters",
     ["uqsurvey.calibration._relplot_kernel"]),
    ("from uqsurvey import calibration as cal\nx = cal._private_helper(1)", "uqsurvey.demos.shift",
     ["uqsurvey.calibration._private_helper"]),
    ("def f():\n    from uqsurvey.survey.ledger import _int_or_none", "uqsurvey.book",
     ["uqsurvey.survey.ledger._int_or_none"]),
    ("from uqsurvey.survey.data import load, __all__", "uqsurvey.book", []),   # public and dunder names
    ("from uqsurvey import _moved", "uqsurvey", []),                          # a private module
    ("import os\nos._exit", "uqsurvey.survey.data", []),                      # not one of ours
])
def test_private_name_check(source, here, expected):
    assert private_uses(ast.parse(source), here) == expected


@pytest.mark.parametrize("source, here, broken", [
    ("from uqsurvey.survey.ledger import evaluate", "uqsurvey.calibration.binned", True),   # upward
    ("from uqsurvey import plots", "uqsurvey.calibration.smooth", True),                    # upward
    ("from uqsurvey.survey import figures", "uqsurvey.demos.shift", True),                  # sideways
    ("from uqsurvey.calibration import ece", "uqsurvey.survey.figures", False),            # downward
    ("from uqsurvey.survey.ledger import evaluate", "uqsurvey.book", False),               # downward
    ("from uqsurvey.survey import rules", "uqsurvey.survey.ledger", False),                 # same group
])
def test_layer_check(source, here, broken):
    assert bool(layer_problems(ast.parse(source), here)) is broken


def test_old_path_check_finds_old_imports(tmp_path):
    sample = tmp_path / "sample.md"
    sample.write_text("from uqsurvey.claims import evaluate\nfrom uqsurvey import book, survey_figures as sf\n"
                      "import uqsurvey.data_docs\nfrom uqsurvey.survey.ledger import evaluate\n"
                      "from uqsurvey.survey import data\n", encoding="utf-8")
    assert old_path_uses([sample]) == [
        "sample.md: old module path uqsurvey.claims",
        "sample.md: old module path uqsurvey.survey_figures",
        "sample.md: old module path uqsurvey.data_docs",
    ]
