"""uqsurvey.simulate: exact truths, seeded sampling, batched metrics, bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from uqsurvey import calibration as cal
from uqsurvey import simulate as S


# --------------------------------------------------------------------------- #
# true ECE against independent computations
# --------------------------------------------------------------------------- #
def test_true_ece_closed_form_by_hand():
    # Uniform confidence, c(f) = f**2:  ∫_0^1 (f - f^2) df = 1/2 - 1/3 = 1/6.
    f = S.PowerForecaster("square", a=1.0, b=1.0, gamma=2.0)
    assert f.true_ece() == pytest.approx(1 / 6, abs=1e-12)
    # Uniform confidence, c(f) = sqrt(f):  ∫_0^1 (sqrt f - f) df = 2/3 - 1/2 = 1/6.
    g = S.PowerForecaster("root", a=1.0, b=1.0, gamma=0.5)
    assert g.true_ece() == pytest.approx(1 / 6, abs=1e-12)
    # Beta(2, 1) (density 2f), c(f) = f**2:  ∫ (f - f^2) 2f df = 2/3 - 2/4 = 1/6.
    h = S.PowerForecaster("tri", a=2.0, b=1.0, gamma=2.0)
    assert h.true_ece() == pytest.approx(1 / 6, abs=1e-12)


@pytest.mark.parametrize("forecaster", [S.over_confident(), S.under_confident(), S.ranking_pair()[1]],
                         ids=lambda f: f.name)
def test_true_ece_matches_beta_closed_form(forecaster):
    assert forecaster.true_ece() == pytest.approx(forecaster.closed_form_ece(), abs=1e-11)


def _riemann_ece(forecaster, m=2_000_000):
    t = (np.arange(m) + 0.5) / m
    return float(np.mean(np.abs(forecaster.calibration(t) - t) * forecaster.density(t)))


@pytest.mark.parametrize(
    "forecaster",
    S.standard_forecasters() + list(S.ranking_pair()) + [S.llm_like_crossing()],
    ids=lambda f: f.name,
)
def test_true_ece_matches_dense_riemann_sum(forecaster):
    assert forecaster.true_ece() == pytest.approx(_riemann_ece(forecaster), abs=1e-7)


def test_s_shaped_crosses_at_one_half_and_llm_like_once():
    assert S.s_shaped().crossings == pytest.approx((0.5,), abs=1e-12)
    (x,) = S.llm_like().crossings
    assert 0.6 < x < 0.8
    assert S.over_confident().crossings == ()


@pytest.mark.parametrize("forecaster", S.standard_forecasters(), ids=lambda f: f.name)
def test_population_binned_ece_bounds(forecaster):
    truth = forecaster.true_ece()
    one_bin = forecaster.population_binned_ece(1)
    assert one_bin == pytest.approx(abs(forecaster.accuracy() - forecaster.mean_confidence()), abs=1e-10)
    for b in (1, 5, 15, 50):
        for binning in ("width", "mass"):
            assert forecaster.population_binned_ece(b, binning) <= truth + 1e-12
    if not forecaster.crossings:  # no sign change: binning loses nothing
        assert forecaster.population_binned_ece(15) == pytest.approx(truth, abs=1e-10)


def test_equal_mass_edges_are_quantiles():
    f = S.llm_like()
    edges = f.bin_edges(4, "mass")
    assert stats.beta.cdf(edges, f.a, f.b) == pytest.approx([0, 0.25, 0.5, 0.75, 1.0], abs=1e-10)


def test_population_smece_close_to_true_ece_for_smooth_curves():
    # smECE's limit is a different functional, but for these smooth curves it
    # is near the true ECE and never far above it.
    for f in S.standard_forecasters():
        assert abs(f.population_smece() - f.true_ece()) < 0.005


def _riemann_verbalized(vf, m=2_000_000):
    lat = vf.latent
    t = (np.arange(m) + 0.5) / m
    stated = vf.state(t)
    w = (lat.calibration(t) - stated) * lat.density(t) / m
    per_value = pd.Series(w).groupby(stated).sum()
    return float(per_value.abs().sum())


@pytest.mark.parametrize("step", [0.1, 0.05])
@pytest.mark.parametrize("latent", [S.llm_like(), S.llm_like_crossing()], ids=lambda f: f.name)
def test_verbalized_true_ece_matches_riemann_sum(latent, step):
    vf = S.VerbalizedForecaster(latent, step)
    assert vf.true_ece() == pytest.approx(_riemann_verbalized(vf), abs=1e-6)
    cells = vf.cells()
    assert cells["probability"].sum() == pytest.approx(1.0, abs=1e-10)
    assert set(np.round(cells["stated"], 10)) == set(np.round(np.arange(0, 1 + step / 2, step), 10))


def test_verbalized_grid_values_are_parsed_decimals():
    vf = S.VerbalizedForecaster(S.llm_like(), 0.05)
    assert 0.35 in vf.grid and 0.7 in vf.grid and 1.0 in vf.grid  # the doubles "0.35" etc. parse to
    conf, _ = vf.sample(2000, 1)
    assert set(np.unique(conf)) <= set(vf.grid)


# --------------------------------------------------------------------------- #
# sampling
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("forecaster", S.standard_forecasters(), ids=lambda f: f.name)
def test_sampling_is_seeded(forecaster):
    a = forecaster.sample_batch(50, 4, 123)
    b = forecaster.sample_batch(50, 4, np.random.default_rng(123))
    c = forecaster.sample_batch(50, 4, 124)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    one = forecaster.sample(50, 123)
    first = forecaster.sample_batch(50, 1, 123)
    assert np.array_equal(one[0], first[0][0]) and np.array_equal(one[1], first[1][0])
    assert a[0].shape == (4, 50) and a[1].dtype == np.int8
    assert a[0].min() >= 0 and a[0].max() <= 1


@pytest.mark.parametrize("forecaster", S.standard_forecasters(), ids=lambda f: f.name)
def test_sample_accuracy_within_five_standard_errors(forecaster):
    _, y = forecaster.sample(200_000, 7)
    p = forecaster.accuracy()
    assert abs(y.mean() - p) < 5 * np.sqrt(p * (1 - p) / y.size)


# --------------------------------------------------------------------------- #
# batched metrics equal the public ones
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n", [1, 7, 100, 2000])
@pytest.mark.parametrize("binning", ["width", "mass"])
def test_ece_batch_equals_public_ece(n, binning):
    conf, correct = S.s_shaped().sample_batch(n, 25, 5)
    for b in (1, 5, 15, 50):
        batch = S.ece_batch(conf, correct, b, binning)
        ref = np.array([cal.ece(conf[i], correct[i], b, binning=binning) for i in range(conf.shape[0])])
        np.testing.assert_allclose(batch, ref, rtol=0, atol=1e-12)


def test_ece_batch_equals_public_ece_with_ties_and_edges():
    # confidences on a 0.05 grid: ties (equal-mass fallback) and values on edges
    vf = S.VerbalizedForecaster(S.llm_like(), 0.05)
    conf, correct = vf.sample_batch(300, 30, 9)
    for binning in ("width", "mass"):
        for b in (10, 15, 20):
            batch = S.ece_batch(conf, correct, b, binning)
            ref = np.array([cal.ece(conf[i], correct[i], b, binning=binning) for i in range(30)])
            np.testing.assert_allclose(batch, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "forecaster, n, reps",
    [
        (S.over_confident(), 100, 40),
        (S.llm_like(), 1000, 30),
        (S.s_shaped(), 5, 40),
        (S.PowerForecaster("calibrated", a=2.0, b=2.0, gamma=1.0), 30_000, 8),  # bandwidth below 0.01
        (S.VerbalizedForecaster(S.llm_like(), 0.1), 400, 20),
    ],
    ids=["over-100", "llm-1000", "s-5", "calibrated-30000", "verbalized"],
)
def test_smece_batch_equals_public_smece(forecaster, n, reps):
    conf, correct = forecaster.sample_batch(n, reps, 11)
    val, bw = S.smece_batch(conf, correct, return_bandwidth=True)
    ref = [cal.smece(conf[i], correct[i], return_bandwidth=True) for i in range(reps)]
    np.testing.assert_allclose(val, [r[0] for r in ref], rtol=1e-9, atol=1e-13)
    assert list(bw) == [r[1] for r in ref]
    assert np.array_equal(S.smece_batch(conf, correct), val)


def test_smece_batch_all_correct_at_one():
    conf = np.ones((2, 8))
    val, bw = S.smece_batch(conf, np.ones((2, 8)), return_bandwidth=True)
    ref = cal.smece(conf[0], np.ones(8), return_bandwidth=True)
    assert list(val) == [ref[0]] * 2 and list(bw) == [ref[1]] * 2


# --------------------------------------------------------------------------- #
# convergence towards the truth (tolerances from the Monte Carlo SE)
# --------------------------------------------------------------------------- #
def test_ece_and_smece_converge_to_their_limits():
    f = S.over_confident()
    reps = 100
    out = {}
    for n in (200, 20_000):
        conf, correct = f.sample_batch(n, reps, np.random.default_rng([99, n]))
        out[n] = {"ece": S.ece_batch(conf, correct, 15), "smece": S.smece_batch(conf, correct)}
    targets = {"ece": f.population_binned_ece(15), "smece": f.population_smece()}
    for metric, target in targets.items():
        big = out[20_000][metric]
        se = big.std(ddof=1) / np.sqrt(reps)
        assert abs(big.mean() - target) < 5 * se, metric
        small = out[200][metric]
        # the error around the limit shrinks as n grows
        assert np.sqrt(np.mean((big - target) ** 2)) < np.sqrt(np.mean((small - target) ** 2)), metric


def test_binned_ece_bias_at_small_n_is_positive_beyond_its_se():
    f = S.under_confident()
    conf, correct = f.sample_batch(100, 200, 3)
    e = S.ece_batch(conf, correct, 15)
    se = e.std(ddof=1) / np.sqrt(e.size)
    assert e.mean() - f.true_ece() > 5 * se


# --------------------------------------------------------------------------- #
# sklearn predictions
# --------------------------------------------------------------------------- #
def test_sklearn_predictions_are_seeded_and_consistent():
    a = S.sklearn_predictions(seed=1, n_samples=600)
    b = S.sklearn_predictions(seed=1, n_samples=600)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["model"].unique()) == ["naive Bayes", "logistic regression", "random forest"]
    assert (a["confidence"] >= 0.5).all() and (a["confidence"] <= 1).all()
    pred = (a["p_positive"] >= 0.5).astype(int)
    assert ((pred == a["label"]).astype(int) == a["correct"]).all()
    assert a.groupby("model").size().nunique() == 1


# --------------------------------------------------------------------------- #
# bad input: ValueError naming the argument
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: S.PowerForecaster("x", a=0.5), "a"),
        (lambda: S.PowerForecaster("x", b=np.nan), "b"),
        (lambda: S.PowerForecaster("x", gamma=0), "gamma"),
        (lambda: S.LogisticForecaster("x", slope=-1), "slope"),
        (lambda: S.LogisticForecaster("x", intercept=np.inf), "intercept"),
        (lambda: S.over_confident().sample(0, 1), "n"),
        (lambda: S.over_confident().sample(2.5, 1), "n"),
        (lambda: S.over_confident().sample_batch(10, 0, 1), "reps"),
        (lambda: S.over_confident().sample(10, "seed"), "rng"),
        (lambda: S.over_confident().bin_edges(0), "n_bins"),
        (lambda: S.over_confident().population_binned_ece(10, "quantile"), "binning"),
        (lambda: S.over_confident().quadrature(1), "m"),
        (lambda: S.VerbalizedForecaster(S.llm_like(), 0.3), "step"),
        (lambda: S.VerbalizedForecaster("llm", 0.1), "latent"),
        (lambda: S.llm_like_crossing(1.2), "cross"),
        (lambda: S.ece_batch(np.ones(5), np.ones(5)), "confidence"),
        (lambda: S.ece_batch(np.ones((2, 5)), np.ones((2, 4))), "correct"),
        (lambda: S.ece_batch(np.full((2, 5), 1.5), np.ones((2, 5))), "confidence"),
        (lambda: S.ece_batch(np.ones((2, 5)), np.full((2, 5), 2)), "correct"),
        (lambda: S.ece_batch(np.ones((2, 5)), np.ones((2, 5)), 0), "n_bins"),
        (lambda: S.ece_batch(np.ones((2, 5)), np.ones((2, 5)), 5, "equal"), "binning"),
        (lambda: S.ece_batch_bins(np.ones((2, 5)), np.ones((2, 5)), []), "bins"),
        (lambda: S.smece_batch(np.ones((2, 5)), np.ones((3, 5))), "correct"),
        (lambda: S.simulate_replicates(object(), 10, 2, 0), "forecaster"),
        (lambda: S.sklearn_predictions(models=("svm",)), "models"),
        (lambda: S.sklearn_predictions(test_size=1.0), "test_size"),
        (lambda: S.sklearn_predictions(n_samples=5), "n_samples"),
        (lambda: S.sklearn_predictions(seed=-1), "seed"),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()
