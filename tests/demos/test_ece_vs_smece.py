"""uqsurvey.demos.ece_vs_smece (and its figures): the chapter's experiments are
seeded, tidy and correct."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from uqsurvey import calibration as cal
from uqsurvey import simulation as S
from uqsurvey.demos import ece_vs_smece as D
from uqsurvey.demos import ece_vs_smece_figures as F

SMALL = dict(sample_sizes=(100, 400), reps=20, seed=5, bins=(5, 15))


@pytest.fixture(scope="module")
def small_mc():
    fcs = [S.over_confident(), S.llm_like()]
    mc = D.monte_carlo(fcs, **SMALL)
    targets = D.population_targets(fcs, bins=SMALL["bins"])
    return fcs, mc, targets


def test_metric_label():
    assert D.metric_label("ECE", "width", 15) == "ECE, 15 equal-width bins"
    assert D.metric_label("smECE") == "smECE"
    assert D.label_parts("ECE, 30 equal-mass bins") == ("ECE", "mass", 30)
    with pytest.raises(ValueError, match="metric"):
        D.metric_label("ECE", "quantile", 15)


def test_ground_truth_table():
    g = D.ground_truth([S.over_confident(), S.s_shaped()])
    assert list(g["forecaster"]) == ["over-confident", "S-shaped"]
    row = g.iloc[0]
    assert row["true_ece"] == pytest.approx(S.over_confident().closed_form_ece(), abs=1e-11)
    assert (g["ece_width_limit"] <= g["true_ece"] + 1e-12).all()


def test_monte_carlo_is_seeded_and_tidy(small_mc):
    fcs, mc, _ = small_mc
    again = D.monte_carlo(fcs, **SMALL)
    pd.testing.assert_frame_equal(mc, again)
    other = D.monte_carlo(fcs, **{**SMALL, "seed": 6})
    assert not np.allclose(mc["value"], other["value"])
    per_block = mc.groupby(["forecaster", "n", "label"]).size()
    assert (per_block == SMALL["reps"]).all()
    assert set(mc["label"]) == {"ECE, 5 equal-width bins", "ECE, 15 equal-width bins", "ECE, 5 equal-mass bins",
                                "ECE, 15 equal-mass bins", "smECE"}


def test_monte_carlo_values_equal_public_metrics(small_mc):
    fcs, mc, _ = small_mc
    # redraw block (0, n=100) exactly as monte_carlo does and score with the public functions
    conf, correct = fcs[0].sample_batch(100, SMALL["reps"], np.random.default_rng([SMALL["seed"], 0, 100]))
    block = mc[(mc["forecaster"] == fcs[0].name) & (mc["n"] == 100)]
    ece15 = block[block["label"] == "ECE, 15 equal-mass bins"].sort_values("rep")["value"].to_numpy()
    sm = block[block["label"] == "smECE"].sort_values("rep")["value"].to_numpy()
    np.testing.assert_allclose(ece15, [cal.ece(conf[i], correct[i], 15, binning="mass") for i in range(20)],
                               atol=1e-12, rtol=0)
    np.testing.assert_allclose(sm, [cal.smece(conf[i], correct[i]) for i in range(20)], atol=1e-13, rtol=1e-9)


def test_summarize(small_mc):
    _, mc, targets = small_mc
    s = D.summarize(mc, targets)
    assert len(s) == mc.groupby(["forecaster", "n", "label"]).ngroups
    np.testing.assert_allclose(s["se"], s["sd"] / np.sqrt(s["reps"]))
    np.testing.assert_allclose(s["bias"], s["mean"] - s["true_ece"])
    assert (s["rmse"] ** 2 >= s["bias"] ** 2 - 1e-15).all()
    assert ((s["q05"] <= s["q50"]) & (s["q50"] <= s["q95"])).all()
    with pytest.raises(ValueError, match="targets"):
        D.summarize(mc, targets[targets["forecaster"] != "LLM-like"])


def test_ranking_flips():
    fl = D.ranking_flips(sample_sizes=(100, 20_000), reps=30, seed=3, binnings=("width",))
    assert set(fl["label"]) == {"ECE, 15 equal-width bins", "smECE"}
    assert fl["p_correct"].between(0, 1).all()
    assert (fl["true_better"] < fl["true_worse"]).all()
    big = fl[fl["n"] == 20_000]
    # at n = 20,000 the gap in true ECE is many standard deviations wide
    assert (big["p_correct"] == 1.0).all()
    again = D.ranking_flips(sample_sizes=(100, 20_000), reps=30, seed=3, binnings=("width",))
    pd.testing.assert_frame_equal(fl, again)


def test_convention_population_ece_by_hand():
    # On the 0.1 grid with 10 bins the default rule pools the cells 0.9 and 1.0
    # (bin [0.9, 1]), kumar keeps them apart and pools 0.0 with 0.1.
    vf = S.VerbalizedForecaster(S.llm_like_crossing(), 0.1)
    cells = vf.cells().set_index("stated")["weighted_gap"]
    by_hand_default = cells.drop([0.9, 1.0]).abs().sum() + abs(cells[0.9] + cells[1.0])
    by_hand_kumar = cells.drop([0.0, 0.1]).abs().sum() + abs(cells[0.0] + cells[0.1])
    assert D.convention_population_ece(vf, 10, "default") == pytest.approx(by_hand_default, abs=1e-12)
    assert D.convention_population_ece(vf, 10, "kumar") == pytest.approx(by_hand_kumar, abs=1e-12)
    assert by_hand_kumar == pytest.approx(vf.true_ece(), abs=1e-9)  # the 0.0 and 0.1 cells are empty
    assert by_hand_default < vf.true_ece() - 0.005  # gaps of opposite sign cancel
    with pytest.raises(ValueError, match="forecaster"):
        D.convention_population_ece(S.llm_like(), 10, "default")


@pytest.mark.parametrize("step", [0.1, 0.05])
def test_verbalized_replicates_are_scored_as_ece_scores_them(step):
    # the chapter scores the verbalized replicates with cal.ece_batch: equal to
    # ece row by row, to the last bit, under every convention
    vf = S.VerbalizedForecaster(S.llm_like_crossing(), step)
    conf, correct = vf.sample_batch(500, 15, 2)
    for conv in cal.CONVENTIONS:
        for b in (10, 15, 20):
            batch = cal.ece_batch(conf, correct, b, convention=conv)
            assert np.array_equal(batch, [cal.ece(conf[i], correct[i], b, convention=conv) for i in range(15)])


def test_verbalized_conventions_small():
    summary, spread = D.verbalized_conventions(steps=(0.1,), sample_sizes=(300,), reps=20, seed=1, bins=(10, 15))
    assert set(summary["convention"]) == set(cal.CONVENTIONS) | {"none"}
    assert len(spread) == 2 * 2
    cross = spread[(spread["forecaster"] == S.llm_like_crossing().name) & (spread["n_bins"] == 10)].iloc[0]
    assert cross["limit_spread"] > 0.005
    # with 15 bins no 0.1-grid value shares a bin with another under any rule
    assert (spread.loc[spread["n_bins"] == 15, "limit_spread"] == 0).all()
    assert spread["share_differ"].between(0, 1).all()


@pytest.fixture(scope="module")
def preds():
    return S.sklearn_predictions(seed=2, n_samples=1200)


def test_model_comparison(preds):
    comp = D.model_comparison(preds, bins=(10,), binnings=("width",), n_boot=30, seed=1)
    assert set(comp["label"]) == {"ECE, 10 equal-width bins", "smECE"}
    for _, g in comp.groupby("label"):
        assert sorted(g["rank"]) == [1, 2, 3]
    lr = preds[preds["model"] == "logistic regression"]
    est = comp[(comp["model"] == "logistic regression") & (comp["label"] == "smECE")]["estimate"].iloc[0]
    assert est == cal.smece(lr["confidence"].to_numpy(), lr["correct"].to_numpy())
    assert (comp["low"] <= comp["high"]).all()
    best = D.best_models(comp)
    assert set(best.columns) >= {"label", "best", "runner_up", "intervals_overlap"}
    with pytest.raises(ValueError, match="preds"):
        D.model_comparison(preds.drop(columns="correct"))


def test_subset_agreement(preds):
    winners, summary = D.subset_agreement(preds, subset_size=200, seed=1, labels=["ECE, 15 equal-width bins", "smECE"])
    assert summary["subsets"].eq(len(preds) // 3 // 200).all()
    assert summary["share_full_winner"].between(0, 1).all()
    assert summary.set_index("label").loc["smECE", "share_agree_smece"] == 1.0
    with pytest.raises(ValueError, match="subset_size"):
        D.subset_agreement(preds, subset_size=10**6)


def test_interactive_data_and_chart(small_mc):
    _, mc, targets = small_mc
    hist, marks = D.interactive_data(mc, targets, hist_bins=10)
    assert len(hist) + len(marks) < 5000
    keys = ["forecaster", "n", "series", "binning", "n_bins"]
    shares = hist.groupby(keys)["share"].sum()
    np.testing.assert_allclose(shares, 1.0, atol=1e-3)
    assert len(marks) == mc.groupby(["forecaster", "n", "label"]).ngroups
    m = marks.set_index(keys)["mean"]
    ref = mc.groupby(["forecaster", "n", "metric", "binning", "n_bins"])["value"].mean()
    np.testing.assert_allclose(m.sort_index(), ref.sort_index(), atol=1e-5)
    chart = F.figure_interactive(hist, marks, default_n=400, default_bins=15)
    spec = chart.to_dict()
    names = {p["name"] for p in spec["params"]}
    assert {"pick_forecaster", "pick_n", "pick_bins", "pick_binning"} <= names
    big = pd.concat([hist] * (5000 // len(hist) + 1))
    with pytest.raises(ValueError, match="hist"):
        F.figure_interactive(big, marks)


def test_default_interactive_view_fits_inline_limit():
    # worst case: every histogram bin non-empty
    rows = len(D.SAMPLE_SIZES) * 4 * (2 * len(D.BIN_COUNTS) + 1) * (10 + 1)
    assert rows < 5000


def test_figures_draw(small_mc, preds):
    from matplotlib.figure import Figure

    fcs, mc, targets = small_mc
    s = D.summarize(mc, targets)
    figs = [
        F.figure_calibration_curves(D.calibration_curves(fcs), D.ground_truth(fcs)),
        F.figure_ece_vs_bins(s, targets, 400),
        F.figure_sample_size(s, ["ECE, 15 equal-width bins", "smECE"]),
        F.figure_ranking(D.ranking_flips(sample_sizes=(100,), reps=5, seed=1, binnings=("width",))),
        F.figure_verbalized(D.verbalized_conventions(steps=(0.1,), sample_sizes=(200,), reps=5)[0], 200),
        F.figure_model_comparison(D.model_comparison(preds, bins=(10,), binnings=("width",), n_boot=5)),
        F.figure_reliability_pair(S.llm_like(), 300, n_boot=5)[0],
    ]
    assert all(isinstance(f, Figure) for f in figs)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: D.monte_carlo([S.llm_like()], reps=1), "reps"),
        (lambda: D.monte_carlo([S.llm_like()], sample_sizes=()), "sample_sizes"),
        (lambda: D.monte_carlo([S.llm_like()], sample_sizes=(0,)), "sample_sizes"),
        (lambda: D.monte_carlo([S.llm_like()], seed=-3), "seed"),
        (lambda: D.monte_carlo([], reps=2), "forecasters"),
        (lambda: D.monte_carlo([S.llm_like(), S.llm_like()], reps=2), "forecasters"),
        (lambda: D.replicate_metrics(S.llm_like(), 10, 5, 0, binnings=("quantile",)), "binnings"),
        (lambda: D.ranking_flips((S.llm_like(),)), "pair"),
        (lambda: D.ranking_flips((S.llm_like(), S.LogisticForecaster("twin", 7.0, 1.3, 0.6, 0.35)), reps=2), "pair"),
        (lambda: D.verbalized_conventions(steps=()), "steps"),
        (lambda: D.ground_truth([S.llm_like()], n_bins=0), "n_bins"),
        (lambda: D.calibration_curves(n_points=2), "n_points"),
        (lambda: D.interactive_data(pd.DataFrame(), pd.DataFrame(), hist_bins=1), "hist_bins"),
        (lambda: D.interactive_data(pd.DataFrame({"x": [1]}), pd.DataFrame()), "mc"),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
