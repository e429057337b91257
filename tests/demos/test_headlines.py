"""The headline of each demonstration (uqsurvey.demos.headlines) shows the chapter's own
numbers: it is checked against the chapter's full computation with the same setup, and
every demonstration chapter reads its assumptions from the same setup."""
from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import ROOT
from uqsurvey.demos import aleatoric, ece_vs_smece, selective, shift, team
from uqsurvey.demos import headlines as H


def numbers_in(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?%?", text)


def test_aleatoric_headline_equals_the_full_sweep():
    s = H.ALEATORIC
    h = H.headline_aleatoric()
    full = aleatoric.annotator_sweep(s["n_annotators"], n_train=s["n_train"], n_test=s["n_test"], signal=s["signal"],
                                     seed=s["seed"])
    row = full[full["n_annotators"] == s["headline_m"]].set_index("forecaster")
    assert h.values["ece_gold_true"] == row.loc["true distribution", "ece_gold"]
    assert h.values["ece_gold_major"] == row.loc["trained on majority vote", "ece_gold"]
    assert h.values["ece_soft_major"] == row.loc["trained on majority vote", "ece_soft"]
    assert f"{h.values['ece_gold_true']:.3f}" in h.text and "reverses" in h.text


def test_shift_headline_equals_the_experiment_with_smece():
    s = H.SHIFT
    h = H.headline_shift()
    runs = shift.shift_experiment(noise_levels=s["noise_levels"], label_shift_levels=s["label_shift_levels"],
                                  n_hard=s["n_hard"], alpha=s["alpha"], n_repeats=s["n_repeats"],
                                  train_share=s["train_share"], cal_share=s["cal_share"], pool=s["pool"], C=s["C"],
                                  seed=s["seed"])
    m = shift.summarize_runs(runs).set_index(["shift", "severity", "method", "metric"])["mean"]
    noise = float(max(s["noise_levels"]))
    assert h.values["cov_src"] == m[("covariate", 0.0, "split conformal", "coverage")]
    assert h.values["cov_noise"] == m[("covariate", noise, "split conformal", "coverage")]
    assert h.values["size_noise"] == m[("covariate", noise, "split conformal", "set_size")]
    assert f"{h.values['cov_noise']:.1%}" in h.text


def test_team_headline_equals_the_sweep():
    s = H.TEAM
    h = H.headline_team()
    sweep = team.temperature_sweep(s["temperatures"], human_temperatures=s["human_temperatures"],
                                   n_tasks=s["n_tasks"], seed=s["seed"], **s["task"])
    over = sweep[sweep["human_temperature"] == min(s["human_temperatures"])]
    assert h.values["acc_best"] == over["team_accuracy"].max()
    assert h.values["acc_t1"] == over.loc[np.isclose(over["temperature"], 1.0), "team_accuracy"].item()
    assert ("inflated" in h.text) == (h.values["t_best"] < 1)


def test_selective_headline_equals_the_bootstrapped_comparison():
    s = H.SELECTIVE
    h = H.headline_selective()
    table, _, _ = selective.selective_comparison(s["n"], coverage=s["coverage"], n_boot=20, seed=s["seed"], **s["pair"])
    t = table.set_index("forecaster")
    assert h.values["ece_cal"] == t.loc["calibrated", "ece"] and h.values["auroc_sharp"] == t.loc["sharp", "auroc"]
    assert "opposite orders" in h.text


def test_ece_headline_equals_the_ranking_experiment_over_several_sizes():
    s = H.ECE_VS_SMECE
    h = H.headline_ece_vs_smece()
    flips = ece_vs_smece.ranking_flips(sample_sizes=tuple(s["sample_sizes"][:2]), reps=s["reps"], seed=s["seed"],
                                       bins=(s["main_bins"],))
    f = flips[flips["n"] == s["sample_sizes"][0]].set_index("label")["p_correct"]
    assert h.values["ece"] == f[ece_vs_smece.metric_label("ECE", "width", s["main_bins"])]
    assert h.values["smece"] == f[ece_vs_smece.SMECE]
    assert ("less often than a coin" in h.text) == (h.values["ece"] < 0.5)


def test_headline_html_is_a_finding():
    h = H.Headline("chapters/x", "X", "A & B: 1.5%.", {})
    assert h.html() == '<div class="uq-finding"><p><b>Finding.</b> A &amp; B: 1.5%.</p></div>'
    assert 'href="x.html"' in h.html("x.html")


@pytest.mark.parametrize("chapter, setup", [
    ("demo_aleatoric", "ALEATORIC"), ("demo_shift", "SHIFT"), ("demo_team_performance", "TEAM"),
    ("demo_selective_prediction", "SELECTIVE"), ("ece_vs_smece", "ECE_VS_SMECE"),
])
def test_chapters_read_their_assumptions_from_the_setup_and_open_with_the_headline(chapter, setup):
    text = (ROOT / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    assert f"SETUP = H.{setup}\n" in text
    assert re.search(r"H\.headline_\w+\(SETUP\)", text)
    # no assumption is typed a second time in the chapter
    assert not re.search(r"^SEED = \d", text, flags=re.M)


def test_setups_are_read_only():
    with pytest.raises(TypeError):
        H.TEAM["seed"] = 1
    assert (H.TEAM | {"seed": 7})["seed"] == 7


def test_headlines_are_stored_per_code_and_read_back_identical(tmp_path, monkeypatch):
    """The front page executes at every build; headlines() keeps its result per package
    code and library versions, and what it reads back equals what it computes."""
    monkeypatch.setenv(H.CACHE_ENV, str(tmp_path))
    computed = H._compute()
    first = H.headlines()
    assert first == computed
    files = list(tmp_path.glob("*.json"))
    assert [f.stem for f in files] == [H._fingerprint()]
    # what is read back is the file: a stored value shows (so a stale key would), and is
    # only ever used under its own key
    stored = files[0].read_text(encoding="utf-8")
    files[0].write_text(stored.replace(computed[0].text, "READ FROM THE FILE"), encoding="utf-8")
    assert H.headlines()[0].text == "READ FROM THE FILE"
    monkeypatch.setattr(H, "_fingerprint", lambda: "another-code")
    assert H.headlines() == computed  # new code, new key: computed again
    assert sorted(f.stem for f in tmp_path.glob("*.json")) == sorted([files[0].stem, "another-code"])


def test_an_unreadable_stored_headline_is_recomputed_and_off_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(H.CACHE_ENV, str(tmp_path))
    (tmp_path / f"{H._fingerprint()}.json").write_text("{not json", encoding="utf-8")
    assert H.headlines() == H._compute()
    assert (tmp_path / f"{H._fingerprint()}.json").read_text(encoding="utf-8").startswith("[")  # rewritten
    monkeypatch.setenv(H.CACHE_ENV, "off")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))  # where the default would be
    assert H._cache_file() is None and H.headlines() == H._compute()
    assert not (tmp_path / "tmp").exists()


def test_the_fingerprint_follows_the_package_code(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    copy = tmp_path / "uqsurvey"
    shutil.copytree(Path(H.__file__).resolve().parents[1], copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(H, "__file__", str(copy / "demos" / "headlines.py"))
    before = H._fingerprint()
    with (copy / "calibration" / "binned.py").open("a", encoding="utf-8") as f:
        f.write("\n# an edit\n")
    assert H._fingerprint() != before
