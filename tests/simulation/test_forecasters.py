"""uqsurvey.simulation.forecasters: exact truths against closed forms and dense
Riemann sums, seeded sampling, convergence of the metrics to their limits,
bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from uqsurvey import calibration as cal
from uqsurvey import simulation as S


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
    calibrated = S.PowerForecaster("calibrated", a=5.0, b=2.0, gamma=1.0)  # gap 0 everywhere
    assert calibrated.crossings == () and calibrated.population_binned_ece(15) == 0.0 == calibrated.true_ece()


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
# convergence towards the truth (tolerances from the Monte Carlo SE)
# --------------------------------------------------------------------------- #
def test_ece_and_smece_converge_to_their_limits():
    f = S.over_confident()
    reps = 100
    out = {}
    for n in (200, 20_000):
        conf, correct = f.sample_batch(n, reps, np.random.default_rng([99, n]))
        out[n] = {"ece": cal.ece_batch(conf, correct, 15), "smece": cal.smece_batch(conf, correct)}
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
    e = cal.ece_batch(conf, correct, 15)
    se = e.std(ddof=1) / np.sqrt(e.size)
    assert e.mean() - f.true_ece() > 5 * se




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
        (lambda: S.GridForecaster(step=0.3), "step"),
        (lambda: S.GridForecaster(low=1.0), "low"),
        (lambda: S.GridForecaster(offset=-0.1), "offset"),
        (lambda: S.GridForecaster().sample(0, 1), "n"),
        (lambda: S.over_confident().sample(10, -1), "rng"),
    ],
)
def test_bad_input_raises_value_error_naming_argument(call, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        call()


# --------------------------------------------------------------------------- #
# the verbalized sample of the calibration-metrics page
# --------------------------------------------------------------------------- #
def test_grid_forecaster_truth_by_hand():
    g = S.GridForecaster()  # 0.5, 0.55, ..., 1 uniformly; c(f) = f - 0.12
    assert g.grid.tolist() == [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]
    assert g.true_ece() == pytest.approx(0.12, abs=1e-15)
    assert g.mean_confidence() == pytest.approx(0.75, abs=1e-15)
    assert g.accuracy() == pytest.approx(0.63, abs=1e-15)
    clipped = S.GridForecaster(step=0.1, low=0.0, offset=0.15)  # c(0) = c(0.1) = 0
    assert clipped.true_ece() == pytest.approx((0.0 + 0.1 + 0.15 * 9) / 11, abs=1e-15)


def test_grid_forecaster_sample_is_the_pages_draw():
    # grid values first (rng.choice), then one uniform per draw; seeded
    f, y = S.GridForecaster().sample(500, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    grid = np.round(np.arange(0.5, 1.0 + 1e-9, 0.05), 2)
    f2 = rng.choice(grid, size=500)
    y2 = rng.random(500) < np.clip(f2 - 0.12, 0.0, 1.0)
    assert np.array_equal(f, f2) and np.array_equal(y, y2) and y.dtype == np.int8
    _, yy = S.GridForecaster().sample(200_000, 3)
    assert abs(yy.mean() - 0.63) < 5 * np.sqrt(0.63 * 0.37 / yy.size)


def test_population_smece_is_relplots_on_the_quadrature():
    relplot = pytest.importorskip("relplot")
    for f in (S.llm_like(), S.VerbalizedForecaster(S.llm_like_crossing(), 0.1)):
        lat, c = (f.latent if isinstance(f, S.VerbalizedForecaster) else f).quadrature(20_000)
        conf = f.state(lat)
        assert f.population_smece(20_000) == relplot.smECE(conf, c)
