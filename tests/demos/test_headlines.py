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
