"""Old import paths that keep working after the package was laid out by concern (issue 11).

:data:`MOVED` is the one table of moved modules: old dotted name -> the module(s)
that now hold its contents.  :data:`RENAMED` lists, per old module, the public names
that were renamed on the way (``figure_*`` / ``table_*``, US spelling).

:func:`install` (called from ``uqsurvey/__init__.py``) appends a small finder to
:data:`sys.meta_path`.  Because it comes *last*, a module that really exists is
always found first; the finder only answers for a name in :data:`MOVED` that no
longer exists.  It returns a thin module whose attributes are looked up in the new
module(s), so ``from uqsurvey.claims import evaluate`` gives the very function
``uqsurvey.survey.ledger.evaluate``.  Importing an old path emits a
:class:`DeprecationWarning` naming the new one.

Code in this repository (package, chapters, notebooks, tests, benchmarks) uses the
new paths only; ``tests/test_architecture.py`` checks it.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

#: Old module -> the module(s) that hold its contents now.  A name is looked up in
#: each, in order (``uqsurvey.claims`` was split into the ledger and the rules).
MOVED: dict[str, tuple[str, ...]] = {
    # survey side
    "uqsurvey.data": ("uqsurvey.survey.data",),
    "uqsurvey.claims": ("uqsurvey.survey.ledger", "uqsurvey.survey.rules", "uqsurvey.book.ledger_page"),
    "uqsurvey.survey_figures": ("uqsurvey.survey.figures",),
    "uqsurvey.explorer": ("uqsurvey.survey.explorer",),
    "uqsurvey.data_docs": ("uqsurvey.survey.docs",),
    "uqsurvey.export": ("uqsurvey.survey.export",),
    # book side
    "uqsurvey.meta": ("uqsurvey.book.meta",),
    "uqsurvey.calibration_checks": ("uqsurvey.book.checks",),
    # numeric side (LAYOUT.md).  ``uqsurvey.demos`` is a package now: its old names
    # live in uqsurvey.demos.<chapter> modules and are not aliased.
    "uqsurvey.simulate": ("uqsurvey.simulation", "uqsurvey.calibration", "uqsurvey._args"),
    "uqsurvey.ece_demo": ("uqsurvey.demos.ece_vs_smece", "uqsurvey.demos.ece_vs_smece_figures"),
}

#: Old names of a module that became a package of the same name.  The package answers
#: them from its modules (see :func:`package_attribute`); ``uqsurvey.demos`` was one flat
#: module and is one module per demonstration chapter now.
SPLIT: dict[str, tuple[str, ...]] = {
    "uqsurvey.demos": ("uqsurvey.demos.aleatoric", "uqsurvey.demos.shift", "uqsurvey.demos.team",
                       "uqsurvey.demos.selective", "uqsurvey.demos._common"),
}

#: Per old module: old public name -> new name.
RENAMED: dict[str, dict[str, str]] = {
    "uqsurvey.survey_figures": {
        "VALUE_COLOURS": "VALUE_COLORS",
        "MATCH_COLOURS": "MATCH_COLORS",
        "STATUS_COLOURS": "STATUS_COLORS",
        "table1": "table_1",
        "table1_styled": "table_1_styled",
        "criteria_figure": "figure_criteria",
        "category_figure": "figure_categories",
        "answer_format_counts": "table_answer_formats",
        "paper_benchmark_chart": "figure_paper_benchmarks",
        "benchmark_usage_table": "table_benchmark_usage",
        "outside_table1": "table_outside_table_1",
        "metric_usage_chart": "figure_metric_usage",
        "supervision_shift": "table_supervision_shift",
        "supervision_shift_figure": "figure_supervision_shift",
        "human_studies": "table_human_studies",
    },
    "uqsurvey.simulate": {
        "as_generator": "as_generator",
        "_smece_expected_labels": "smece_expected",
    },
    "uqsurvey.ece_demo": {
        "sample_size_table": "table_sample_size",
        "interactive_chart": "figure_interactive",
        "plot_calibration_curves": "figure_calibration_curves",
        "plot_ece_vs_bins": "figure_ece_vs_bins",
        "plot_sample_size": "figure_sample_size",
        "plot_ranking": "figure_ranking",
        "plot_verbalized": "figure_verbalized",
        "plot_model_comparison": "figure_model_comparison",
        "plot_reliability_pair": "figure_reliability_pair",
    },
    "uqsurvey.demos": {
        "summarise_runs": "summarize_runs",
    },
    "uqsurvey.explorer": {
        "explorer_chart": "figure_explorer",
        "benchmark_criteria_chart": "figure_benchmark_criteria",
    },
}


class MovedModule(types.ModuleType):
    """Stands in for a moved module: attribute lookups go to its new module(s)."""

    def __init__(self, name: str, targets: tuple[str, ...], renamed: dict[str, str]):
        super().__init__(name, f"Moved: {name} is now {' + '.join(targets)}.")
        self.__dict__["__moved_to__"] = targets
        self.__dict__["__renamed__"] = dict(renamed)

    def _targets(self) -> list[types.ModuleType]:
        return [importlib.import_module(t) for t in self.__dict__["__moved_to__"]]

    def __getattr__(self, name: str):
        new = self.__dict__["__renamed__"].get(name, name)
        for mod in self._targets():
            if hasattr(mod, new):
                return getattr(mod, new)
        targets = " + ".join(self.__dict__["__moved_to__"])
        raise AttributeError(f"module {self.__name__!r} (moved to {targets}) has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        names = set(self.__dict__["__renamed__"])
        for mod in self._targets():
            names.update(dir(mod))
        return sorted(names)


class MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old names of :data:`MOVED` (only those no real module answers for)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        targets = MOVED[spec.name]
        for t in targets:
            importlib.import_module(t)  # fail here, with the new name, if it is missing
        warnings.warn(f"{spec.name} has moved to {' + '.join(targets)}; import it from there",
                      DeprecationWarning, stacklevel=2)
        return MovedModule(spec.name, targets, RENAMED.get(spec.name, {}))

    def exec_module(self, module) -> None:
        pass


def package_attribute(package: str, name: str):
    """An old name of a :data:`SPLIT` package, looked up in its new modules (with a warning).

    A package lists it as its module ``__getattr__``; raises :class:`AttributeError` for
    a name that was never there.
    """
    new = RENAMED.get(package, {}).get(name, name)
    for target in SPLIT.get(package, ()):
        mod = importlib.import_module(target)
        if not new.startswith("__") and hasattr(mod, new):
            warnings.warn(f"{package}.{name} has moved to {target}.{new}; import it from there",
                          DeprecationWarning, stacklevel=3)
            return getattr(mod, new)
    raise AttributeError(f"module {package!r} has no attribute {name!r}")


def install() -> None:
    """Append the finder to :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(MovedFinder())
