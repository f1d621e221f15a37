"""`gatedrnn task forecast`: options from run_forecast's signature, the results JSON and the figure."""

import json

from gatedrnn.cli import main

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


def test_a_bad_value_is_one_line_and_nothing_is_written(tmp_path, capsys):
    figure = tmp_path / "forecast.png"
    assert main(TINY + ["--noise", "-0.5", "--plot", str(figure)]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "noise must be a finite number ≥ 0" in err
    assert not figure.exists()


def test_help_shows_the_signatures_defaults(capsys):
    try:
        main(["task", "forecast", "--help"])
    except SystemExit as exit:
        assert exit.code == 0
    out = capsys.readouterr().out
    assert "(default: many-to-one)" in out and "--plot FILE.png" in out and "--deterministic" in out
