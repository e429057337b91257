"""Old import paths keep working through ``uqsurvey._moved`` (one alias table)."""
from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import pytest
from conftest import ROOT

from uqsurvey import _moved


def is_real_module(name: str) -> bool:
    rel = ROOT.joinpath(*name.split("."))
    return rel.with_suffix(".py").is_file() or (rel / "__init__.py").is_file()


def fresh_import(name: str, monkeypatch):
    """Import *name* anew (the old alias is dropped from the module cache first)."""
    monkeypatch.delitem(sys.modules, name, raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(name)
    return module, [w for w in caught if issubclass(w.category, DeprecationWarning)]


def test_the_finder_is_installed_once_after_the_path_finder():
    import importlib.machinery

    finders = [f for f in sys.meta_path if isinstance(f, _moved.MovedFinder)]
    # Once, and after the standard path finder, so that a real module always wins.
    # (Not necessarily last: other libraries, e.g. six via frictionless, append finders too.)
    assert len(finders) == 1
    assert sys.meta_path.index(finders[0]) > sys.meta_path.index(importlib.machinery.PathFinder)
    _moved.install()
    assert sum(isinstance(f, _moved.MovedFinder) for f in sys.meta_path) == 1


@pytest.mark.parametrize("old", sorted(_moved.MOVED))
def test_every_alias(old, monkeypatch):
    """A moved module resolves to its new module(s); one not moved yet is still the real file."""
    targets = _moved.MOVED[old]
    if is_real_module(old):  # not moved yet on this branch: the real module wins
        assert not isinstance(importlib.import_module(old), _moved.MovedModule)
        return
    if not all(is_real_module(t) for t in targets):
        pytest.fail(f"{old} is gone and its new home {targets} does not exist")
    module, warned = fresh_import(old, monkeypatch)
    assert isinstance(module, _moved.MovedModule)
    assert len(warned) == 1 and " + ".join(targets) in str(warned[0].message)
    new = importlib.import_module(targets[0])
    public = [n for n in dir(new) if not n.startswith("_")]
    assert public and all(getattr(module, n) is getattr(new, n) for n in public)


def test_old_names_give_the_same_objects(monkeypatch):
    from uqsurvey.book import ledger_page
    from uqsurvey.survey import data, explorer, figures, ledger, rules

    for old in ("uqsurvey.claims", "uqsurvey.data", "uqsurvey.survey_figures", "uqsurvey.explorer"):
        monkeypatch.delitem(sys.modules, old, raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from uqsurvey.claims import MIN_PAPERS, ece_family, evaluate, ledger_html  # split: ledger + rules + page
        from uqsurvey.data import DataValidationError, load
        from uqsurvey.explorer import explorer_chart
        from uqsurvey.survey_figures import STATUS_COLOURS, table1

    assert evaluate is ledger.evaluate and ledger_html is ledger_page.ledger_html
    assert ece_family is rules.ece_family and MIN_PAPERS == 2
    assert load is data.load and DataValidationError is data.DataValidationError
    assert table1 is figures.table_1 and STATUS_COLOURS is figures.STATUS_COLORS  # renamed on the way
    assert explorer_chart is explorer.figure_explorer
    assert [r.id for r in evaluate(load())] == [r.id for r in ledger.evaluate(data.load())]


def test_a_missing_name_says_where_the_module_went(monkeypatch):
    monkeypatch.delitem(sys.modules, "uqsurvey.claims", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import uqsurvey.claims as old
    with pytest.raises(AttributeError, match=r"uqsurvey\.survey\.ledger \+ uqsurvey\.survey\.rules.*no_such_name"):
        old.no_such_name
    assert "evaluate" in dir(old) and "table1" not in dir(old)


def test_names_that_never_existed_still_fail():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("uqsurvey.no_such_module")


def test_a_real_module_always_wins():
    """Even with an alias entry for it, an existing module is imported, not the alias."""
    code = ("import uqsurvey._moved as m; m.MOVED['uqsurvey.plots'] = ('uqsurvey.survey.data',); "
            "import uqsurvey.plots as p; print(type(p).__name__, p.__file__.endswith('plots.py'))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["module", "True"]


def test_names_of_the_numeric_side_resolve(monkeypatch):
    """Old names of simulate, ece_demo and the flat demos module give the new objects."""
    from uqsurvey import _args, calibration
    from uqsurvey.demos import ece_vs_smece_figures, selective, shift

    for old in ("uqsurvey.simulate", "uqsurvey.ece_demo"):
        monkeypatch.delitem(sys.modules, old, raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from uqsurvey.ece_demo import plot_ranking, sample_size_table
        from uqsurvey.simulate import as_generator, smece_batch

    assert plot_ranking is ece_vs_smece_figures.figure_ranking
    assert sample_size_table.__name__ == "table_sample_size"
    assert smece_batch is calibration.smece_batch and as_generator is _args.as_generator


def test_the_flat_demos_names_resolve_with_a_warning():
    import uqsurvey.demos as demos
    from uqsurvey.demos import selective, shift

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert demos.shift_experiment is shift.shift_experiment
        assert demos.summarise_runs is shift.summarize_runs
        assert demos.selective_comparison is selective.selective_comparison
    assert [w.category for w in caught] == [DeprecationWarning] * 3
    assert "uqsurvey.demos.shift.shift_experiment" in str(caught[0].message)
    with pytest.raises(AttributeError, match="no attribute 'never_there'"):
        demos.never_there
