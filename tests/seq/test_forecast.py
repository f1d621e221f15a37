"""Regression on sequences: the noisy-sines data, SequenceRegressor's gradients, and run_forecast
against its baselines."""

import json
import re

import numpy as np
import pytest

from gatedrnn import MSELoss
from gatedrnn.gradcheck import numerical_gradient, relative_error
from gatedrnn.seq.forecast_data import forecast_pairs, last_value_forecast, noisy_sines
from gatedrnn.seq.forecast_training import run_forecast
from gatedrnn.seq.regressor import SequenceRegressor
from gatedrnn.threads import settings as thread_settings

QUIET = dict(echo=lambda *_: None, progress=False)
SMALL = dict(hidden_size=16, length=20, train_count=300, valid_count=50, test_count=100, epochs=4, **QUIET)


def test_noisy_sines_are_seeded_float32_and_differ_per_sequence():
    series = noisy_sines(6, 30, components=2, noise=0.1, seed=4)
    assert series.shape == (6, 31) and series.dtype == np.float32
    np.testing.assert_array_equal(series, noisy_sines(6, 30, components=2, noise=0.1, seed=4))
    assert not np.allclose(series, noisy_sines(6, 30, components=2, noise=0.1, seed=5))
    assert not np.allclose(series[0], series[1])


def test_without_noise_one_sine_is_exactly_a_sine():
    series = noisy_sines(3, 50, components=1, noise=0.0, seed=0).astype(np.float64)
    # a sine obeys x_{t+1} = 2 cos(2πf) x_t - x_{t-1}: the same coefficient all along one sequence
    ratios = (series[:, 2:] + series[:, :-2])[:, ::7] / series[:, 1:-1][:, ::7]
    assert np.allclose(ratios, ratios[:, :1], atol=1e-3)


def test_pairs_are_the_next_value_once_or_at_every_step():
    series = np.arange(12, dtype=np.float32).reshape(2, 6)
    inputs, targets = forecast_pairs(series, "many-to-one")
    assert inputs.shape == (2, 5, 1) and targets.tolist() == [[5.0], [11.0]]
    assert last_value_forecast(inputs, "many-to-one").tolist() == [[4.0], [10.0]]
    inputs, targets = forecast_pairs(series, "many-to-many")
    assert targets.shape == (2, 5, 1)
    np.testing.assert_array_equal(targets[:, :-1], inputs[:, 1:])
    np.testing.assert_array_equal(last_value_forecast(inputs, "many-to-many"), inputs)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("mode", ["many-to-one", "many-to-many"])
def test_regressor_gradients_match_central_differences(cell, mode):
    model = SequenceRegressor(2, 3, 2, num_layers=2, cell=cell, mode=mode, dtype=np.float64)
    generator = np.random.default_rng(1)
    xs = generator.standard_normal((3, 5, 2))
    lengths = np.array([5, 2, 4])
    targets = generator.standard_normal((3, 2) if mode == "many-to-one" else (3, 5, 2))
    criterion = MSELoss()

    def loss():
        return criterion(model(xs, lengths), targets, None if mode == "many-to-one" else lengths)

    loss()
    model.zero_grad()
    model.backward(criterion.backward())
    for name, parameter in model.named_parameters():
        error = relative_error(parameter.grad, numerical_gradient(loss, parameter.data))
        assert error < 1e-6, f"{name}: {error:.2e}"


def test_many_to_one_reads_the_state_at_each_rows_last_real_step():
    model = SequenceRegressor(1, 4, 1, mode="many-to-one", dtype=np.float64)
    xs = np.random.default_rng(0).standard_normal((2, 6, 1))
    cut = model(xs[:1, :3])
    padded = model(xs[:1], np.array([3]))
    np.testing.assert_allclose(padded, cut, rtol=1e-12)


def test_a_short_run_beats_both_baselines_and_is_deterministic():
    with thread_settings(deterministic=True):
        first = run_forecast(mode="many-to-many", **SMALL)
        second = run_forecast(mode="many-to-many", **SMALL)
    assert first["test_mse"] == second["test_mse"]
    assert first["test_mse"] < 0.75 * first["last_value_mse"] and first["test_mse"] < 0.25 * first["mean_mse"]
    assert first["noise_variance"] == pytest.approx(0.01)
    assert [record["epoch"] for record in first["history"]] == [1, 2, 3, 4]
    json.dumps(first)  # the results are plain JSON


def test_the_baselines_are_computed_on_the_test_set():
    result = run_forecast(**{**SMALL, "epochs": 1}, seed=2)
    inputs, targets = forecast_pairs(noisy_sines(100, 20, 2, 0.1, seed=2 * 3 + 2), "many-to-one")
    assert result["last_value_mse"] == pytest.approx(float(np.mean((inputs[:, -1] - targets) ** 2)), rel=1e-6)
    assert result["final_step_mse"] == pytest.approx(result["test_mse"])  # many-to-one: the last step is all
    assert len(result["examples"]["inputs"]) == 3 and len(result["examples"]["inputs"][0]) == 20
    np.testing.assert_allclose(result["examples"]["targets"], targets[:3], rtol=1e-6)


@pytest.mark.parametrize("mode", ["many-to-one", "many-to-many"])
def test_plot_writes_a_png(tmp_path, mode):
    path = tmp_path / "figures" / f"{mode}.png"
    run_forecast(mode=mode, **{**SMALL, "epochs": 1, "train_count": 20, "test_count": 2}, plot=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def quoted_results(mode):
    """The numbers of docs/sequences.md's quoted `test MSE …` line for ``mode``."""
    from helpers.paths import REPO

    text = (REPO / "docs" / "sequences.md").read_text(encoding="utf-8")
    block = text.split(f"forecast ({mode}):", 1)[1]
    line = next(line for line in block.splitlines() if line.startswith("test MSE"))
    return [float(number) for number in re.findall(r"\d+\.\d+", line)]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["many-to-one", "many-to-many"])
def test_the_docs_quote_what_the_defaults_give(mode):
    """The baselines are the data's own (exact to the digits quoted); the model's MSE may move a
    little with the BLAS kernel of another machine, not by a fifth."""
    with thread_settings(deterministic=True):
        result = run_forecast(mode=mode, **QUIET)
    test_mse, last_value, mean, noise, *last_step = quoted_results(mode)
    assert (round(result["last_value_mse"], 4), round(result["mean_mse"], 4)) == (last_value, mean)
    assert round(result["noise_variance"], 4) == noise
    assert result["test_mse"] == pytest.approx(test_mse, rel=0.2)
    if last_step:
        assert result["final_step_mse"] == pytest.approx(last_step[0], rel=0.2)
