"""`gatedrnn task forecast`: options from run_forecast's signature, the results JSON and the figure."""

import json

import pytest

from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.seq.forecast_training import run_forecast

TINY = ["task", "forecast", "--epochs", "1", "--train-count", "40", "--valid-count", "8", "--test-count", "4"]
TINY += ["--hidden-size", "4", "--length", "12", "--no-progress"]


def test_writes_results_and_figure(tmp_path, capsys):
    results, figure = tmp_path / "forecast.json", tmp_path / "forecast.png"
    args = TINY + ["--mode", "many-to-many", "--cell", "gru", "--seed", "3", "--deterministic"]
    assert main(args + ["--results", str(results), "--plot", str(figure)]) == 0
    document = json.loads(results.read_text())
    assert document["mode"] == "many-to-many" and document["model"]["cell"] == "gru" and document["seed"] == 3
    assert {"test_mse", "last_value_mse", "mean_mse", "noise_variance", "final_step_mse"} <= set(document)
    assert len(document["examples"]["predictions"][0]) == 12  # one forecast per step
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = capsys.readouterr().out
    assert "forecast (many-to-many): GRU 4" in out and "predict the last value" in out


@pytest.mark.parametrize("noise", ["-0.5", "nan", "1e300", "2e6"])
def test_a_bad_noise_is_one_line_at_both_doors_and_nothing_is_written(tmp_path, capsys, noise):
    figure = tmp_path / "forecast.png"
    assert main(TINY + ["--noise", noise, "--plot", str(figure)]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "noise must be a number from 0 to 1e+06" in err
    assert not figure.exists()
    with pytest.raises(GatedRNNError) as raised:  # 1e300 trained until the loss overflowed, blaming the rate
        run_forecast(noise=float(noise), plot=str(figure), progress=False)
    assert str(raised.value) in err


def test_help_shows_the_signatures_defaults(capsys):
    try:
        main(["task", "forecast", "--help"])
    except SystemExit as exit:
        assert exit.code == 0
    out = capsys.readouterr().out
    assert "(default: many-to-one)" in out and "--plot FILE.png" in out and "--deterministic" in out
