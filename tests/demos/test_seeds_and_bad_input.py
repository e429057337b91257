"""Every demonstration is seeded (same seed, same numbers; another seed, other
numbers) and refuses bad arguments with a ValueError that says what is wrong."""
from __future__ import annotations

import pandas as pd
import pytest

from uqsurvey.demos import aleatoric as AL
from uqsurvey.demos import selective as SE
from uqsurvey.demos import shift as SH
from uqsurvey.demos import team as TM


@pytest.mark.parametrize(
    "run",
    [
        lambda s: AL.annotator_sweep((3,), n_train=300, n_test=300, seed=s),
        lambda s: AL.ensemble_uncertainty((50, 200), n_members=3, n_test=200, seed=s)[0],
        lambda s: SH.shift_experiment(
            noise_levels=(0, 4), label_shift_levels=(0.5,), n_repeats=1, with_smece=False, seed=s
        ),
        lambda s: TM.temperature_sweep((0.5, 1.0), n_tasks=500, seed=s),
        lambda s: TM.forecaster_family(5, n_tasks=500, seed=s)[0],
        lambda s: SE.selective_comparison(400, n_boot=5, seed=s)[1],
    ],
    ids=["annotators", "ensemble", "shift", "sweep", "family", "selective"],
)
def test_same_seed_same_numbers(run):
    a, b, c = run(0), run(0), run(1)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: AL.simulate_annotations(0, 3), "n_items"),
        (lambda: AL.simulate_annotations(10, 0), "n_annotators"),
        (lambda: AL.simulate_annotations(10, 3, signal=-1), "signal"),
        (lambda: AL.score_forecast([0.5] * 3, AL.simulate_annotations(4, 3)), "entries"),
        (lambda: AL.score_forecast([0.5, 0.5, 0.5, 1.5], AL.simulate_annotations(4, 3)), "probabilities"),
        (lambda: AL.annotator_sweep(()), "empty"),
        (lambda: AL.ensemble_uncertainty((5,)), "train size"),
        (lambda: AL.ensemble_uncertainty((50,), n_members=1), "n_members"),
        (lambda: AL.ensemble_uncertainty((50,), near_half=0.7), "near_half"),
        (lambda: SH.shift_experiment(noise_levels=(-1,)), "noise_levels"),
        (lambda: SH.shift_experiment(n_hard=10), "n_hard"),
        (lambda: SH.shift_experiment(alpha=1.0), "alpha"),
        (lambda: SH.summarize_runs(pd.DataFrame({"x": [1]})), "lacks"),
        (lambda: TM.simulate_team_task(0), "n_tasks"),
        (lambda: TM.simulate_team_task(10, human_temperature=0), "human_temperature"),
        (lambda: TM.temperature_sweep(()), "non-empty"),
        (lambda: TM.forecaster_family(2), "n_forecasters"),
        (lambda: TM.forecaster_family(5, temperature_range=(3.0, 0.3)), "ranges"),
        (lambda: SE.simulate_selective_pair(1), "n"),
        (lambda: SE.simulate_selective_pair(10, weak_noise=0), "weak_noise"),
    ],
)
def test_bad_input_raises_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
