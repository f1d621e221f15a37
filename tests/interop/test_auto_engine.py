"""`gatedrnn train --engine auto`: both real engines timed, the faster kept, no step lost;
NumPy, with the reason in one line, when torch cannot run the model; bad values one line.

Which engine wins depends on the machine: these tests read the choice from the run and check
what follows from it. The chooser's decision itself is tested with injected timings in
tests/lm/test_engine_choice.py.
"""

import importlib.util
import json
import sys

import numpy as np
import pytest
from helpers.tiny_runs import tiny_train_args, write_text

from gatedrnn.cli import main
from gatedrnn.lm.run_checkpoint import load_run_checkpoint

needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="the torch engine needs PyTorch (pip install gatedrnn[torch])"
)
# One thread pinned: the thread tuners have nothing to choose (a trial of 1 warm-up + 5 timed
# steps per engine), and the products are the same bit for bit from run to run.
QUIET = ("--no-progress", "--threads", "1")


def auto_lines(output):
    return [line for line in output.splitlines() if line.startswith("engine auto:")]


@needs_torch
def test_auto_times_both_engines_and_records_the_choice(tmp_path, capsys):
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--engine", "auto", *QUIET)) == 0
    (line,) = auto_lines(capsys.readouterr().out)
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    choice = results["engine_choice"]
    assert choice["chosen"] in ("numpy", "torch") and results["engine"] == choice["chosen"]
    assert set(choice["tokens_per_s"]) == {"numpy", "torch"} and all(r > 0 for r in choice["tokens_per_s"].values())
    assert choice["trial_steps"] == [1, 12] and choice["timed_steps_each"] == 5
    faster = max(choice["tokens_per_s"], key=choice["tokens_per_s"].get)
    assert faster == choice["chosen"]
    assert line.startswith(f"engine auto: {faster} (") and "steps 1-12" in line


@needs_torch
def test_the_trial_steps_are_the_run_and_a_resumed_run_chooses_again(tmp_path, capsys):
    """Auto for 20 steps equals NumPy for steps 1-6, torch for 7-12 and the chosen engine for
    13-20, run as three resumed sessions: weights and optimizer buffers bit for bit."""
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "auto", "--engine", "auto", "--max-steps", "20", *QUIET)) == 0
    (line,) = auto_lines(capsys.readouterr().out)
    chosen = line.split()[2]
    chain = tmp_path / "chain"
    for engine, steps, resume in (("numpy", 6, ()), ("torch", 12, ("--resume",)), (chosen, 20, ("--resume",))):
        assert main(tiny_train_args(text, chain, "--engine", engine, "--max-steps", str(steps), *resume, *QUIET)) == 0
    capsys.readouterr()
    auto, reference = load_run_checkpoint(tmp_path / "auto" / "last.npz"), load_run_checkpoint(chain / "last.npz")
    for section in ("model_weights", "optimizer_arrays"):
        for name, array in getattr(reference, section).items():
            np.testing.assert_array_equal(getattr(auto, section)[name], array, err_msg=name)
    # Resumed with --engine auto, the run times both engines again, from where it stopped.
    assert main(tiny_train_args(text, tmp_path / "auto", "--engine", "auto", "--resume", *QUIET)) == 0
    (again,) = auto_lines(capsys.readouterr().out)
    assert "steps 21-32" in again
    assert json.loads((tmp_path / "auto" / "results.json").read_text())["engine_choice"]["trial_steps"] == [21, 32]


@needs_torch
@pytest.mark.parametrize(
    "setting,reason",
    [
        (("--dropout", "0.2", "--locked-dropout"), "torch not tried: it has no locked-dropout"),
        (("--optimizer", "rmsprop", "--lr", "1e-3"), "torch not tried: it runs SGD and Adam, not RMSprop"),
    ],
)
def test_what_torch_cannot_run_trains_with_numpy_and_the_line_says_why(tmp_path, capsys, setting, reason):
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--engine", "auto", *setting, *QUIET)) == 0
    (line,) = auto_lines(capsys.readouterr().out)
    assert line.startswith("engine auto: numpy (") and reason in line
    results = json.loads((tmp_path / "run" / "results.json").read_text())
    assert results["engine"] == "numpy" and results["engine_choice"]["chosen"] == "numpy"
    assert reason.split(": ", 1)[1] in results["engine_choice"]["not_tried"]["torch"]


def test_deterministic_auto_trains_with_numpy_whatever_the_load(tmp_path, capsys):
    """The engines' float32 digits differ: a choice by timing would let the load pick a seed's digits."""
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--engine", "auto", "--deterministic", "--no-progress")) == 0
    (line,) = auto_lines(capsys.readouterr().out)
    assert line.startswith("engine auto: numpy (torch not tried: deterministic mode: a choice by timing")
    assert json.loads((tmp_path / "run" / "results.json").read_text())["engine_choice"]["chosen"] == "numpy"


def test_deterministic_from_python_keeps_auto_to_numpy_too():
    from gatedrnn import threads
    from gatedrnn.interop.torch_engine import auto_engine
    from gatedrnn.lm import LanguageModel, ModelConfig, TrainConfig
    from gatedrnn.optim import SGD

    model = LanguageModel(ModelConfig(vocab_size=20, embedding_size=4, hidden_size=4, num_layers=1, dropout=0.0))
    optimizer = SGD(model.parameters(), lr=1.0)
    with threads.settings(deterministic=True):
        engine = auto_engine(model, optimizer, TrainConfig(lr=1.0))
    assert [candidate.name for candidate in engine.candidates] == ["numpy"]
    assert "deterministic" in engine.not_tried["torch"]


def test_without_torch_auto_trains_with_numpy_and_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails, as where it is missing
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--engine", "auto", *QUIET)) == 0
    captured = capsys.readouterr()
    assert auto_lines(captured.out) == [
        "engine auto: numpy (torch not tried: PyTorch is not installed; pip install gatedrnn[torch] to try it)"
    ]
    assert json.loads((tmp_path / "run" / "results.json").read_text())["engine_choice"]["chosen"] == "numpy"


@pytest.mark.parametrize(
    "options,problem",
    [
        (("--engine", "tpu"), "invalid choice: 'tpu'"),
        (("--engine", "auto", "--device", "cuda"), "--device needs --engine torch"),
    ],
)
def test_bad_engine_options_are_one_line_errors(tmp_path, capsys, options, problem):
    text = write_text(tmp_path)
    try:
        status = main(tiny_train_args(text, tmp_path / "run", *options))
    except SystemExit as exit:  # argparse's own check of a choice
        status = exit.code
    assert status == 2
    error = capsys.readouterr().err.strip()
    assert problem in error and "\n" not in error
    assert not (tmp_path / "run").exists()


def test_the_dry_run_names_auto(tmp_path, capsys):
    text = write_text(tmp_path)
    assert main(tiny_train_args(text, tmp_path / "run", "--dry-run", "--engine", "auto")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "run.engine = auto" in lines and "run.device = cpu" in lines
