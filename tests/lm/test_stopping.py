"""Stopping a run early and resumably: --max-steps, --time-limit, Ctrl-C (SIGINT) and SIGTERM."""

import os
import signal

import numpy as np
import pytest
from helpers.tiny_runs import tiny_train_args, write_text

import gatedrnn
from gatedrnn import GatedRNNError
from gatedrnn.cli import main
from gatedrnn.data import Corpus, Vocabulary
from gatedrnn.lm import LanguageModel, ModelConfig, Trainer, get_preset


def tiny_corpus():
    """A deterministic word corpus, big enough for a few windows of 4 streams × 5 steps."""
    generator = np.random.default_rng(0)
    words = [f"w{i}" for i in range(30)]
    vocab = Vocabulary(words)
    ids = lambda n: generator.integers(0, len(words), size=n)  # noqa: E731
    return Corpus(train=ids(400), valid=ids(120), test=ids(120), vocab=vocab, name="tiny")


def fresh_trainer(corpus, out):
    gatedrnn.seed(5)
    model = LanguageModel(
        ModelConfig(
            vocab_size=len(corpus.vocab),
            embedding_size=8,
            hidden_size=8,
            num_layers=2,
            dropout=0.2,
            tie_weights=True,
            init="book",
        )
    )
    config = get_preset("rnnlm").training.replace(epochs=2, batch_size=4, seq_len=5, lr=5.0, eval_batch_size=4)
    return Trainer(model, corpus, config, out, progress=False, echo=lambda *_: None)


@pytest.fixture
def one_thread():
    gatedrnn.set_num_threads(1)  # bit-for-bit comparisons need one thread count
    yield
    gatedrnn.set_num_threads(None)


def weights(trainer):
    return {name: p.data.copy() for name, p in trainer.model.named_parameters()}


@pytest.mark.parametrize("pieces", [[7], [3, 19], [20], [9, 20, 21]])
def test_max_steps_in_pieces_equals_one_run(tmp_path, one_thread, pieces):
    """Stopping at step budgets (mid-epoch, and on an epoch's last window: 20 windows per epoch)
    and resuming each time ends in the weights of an uninterrupted run, bit for bit."""
    corpus = tiny_corpus()
    straight = fresh_trainer(corpus, tmp_path / "straight")
    summary = straight.fit()
    assert summary["finished"]
    for limit in pieces:
        trainer = fresh_trainer(corpus, tmp_path / "pieces")
        if (tmp_path / "pieces" / "last.npz").exists():
            trainer.load(tmp_path / "pieces" / "last.npz")
        stopped = trainer.fit(max_steps=limit)
        assert not stopped["finished"] and stopped["step"] == limit and "steps" in stopped["stopped_because"]
    trainer = fresh_trainer(corpus, tmp_path / "pieces")
    trainer.load(tmp_path / "pieces" / "last.npz")
    assert trainer.fit()["finished"]
    expected, got = weights(straight), weights(trainer)
    for name in expected:
        assert np.array_equal(expected[name], got[name]), name


def test_a_time_limit_stops_after_a_step_and_saves(tmp_path):
    trainer = fresh_trainer(tiny_corpus(), tmp_path)
    stopped = trainer.fit(time_limit=1e-9)
    assert stopped == dict(finished=False, stopped_because="reached the time limit", epoch=0, window=1, step=1)
    assert (tmp_path / "last.npz").exists()


def test_a_requested_stop_is_honoured_once(tmp_path):
    trainer = fresh_trainer(tiny_corpus(), tmp_path)
    trainer.on_log = None
    original = trainer._train_step

    def step_and_ask_to_stop(*args):
        result = original(*args)
        if trainer.step == 2:  # fit has counted 2 steps before this one: stop after step 3
            trainer.request_stop()
        return result

    trainer._train_step = step_and_ask_to_stop
    stopped = trainer.fit()
    assert (stopped["stopped_because"], stopped["step"]) == ("interrupted", 3)
    assert not trainer.stop_requested  # the next fit() starts afresh and finishes
    assert trainer.fit()["finished"]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_max_steps_must_be_a_whole_number(tmp_path, bad):
    with pytest.raises(GatedRNNError, match="max_steps"):
        fresh_trainer(tiny_corpus(), tmp_path).fit(max_steps=bad)


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf"), "1"])
def test_time_limit_must_be_positive(tmp_path, bad):
    with pytest.raises(GatedRNNError, match="time_limit"):
        fresh_trainer(tiny_corpus(), tmp_path).fit(time_limit=bad)


@pytest.fixture
def text_file(tmp_path):
    return write_text(tmp_path, repeats=60)


def train_args(text_file, out, *extra):
    return tiny_train_args(text_file, out, "--no-progress", *extra)


def test_cli_max_steps_prints_the_resume_command(text_file, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(train_args(text_file, out, "--max-steps", "3")) == 0
    printed = capsys.readouterr().out
    assert "(step 3): reached 3 steps" in printed
    resume_line = [line for line in printed.splitlines() if line.startswith("resume with: ")][0]
    assert "--max-steps" not in resume_line and resume_line.endswith("--resume")
    assert not (out / "results.json").exists()
    # The suggested command finishes the run.
    assert main(resume_line.removeprefix("resume with: gatedrnn ").split()) == 0
    assert (out / "results.json").exists()


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_cli_first_signal_saves_and_exits_130(text_file, tmp_path, capsys, monkeypatch, signal_number):
    original = Trainer._train_step

    def step_then_signal(self, *args):
        if self.step == 1:
            os.kill(os.getpid(), signal_number)  # as Ctrl-C or `kill PID` during step 2
        return original(self, *args)

    monkeypatch.setattr(Trainer, "_train_step", step_then_signal)
    out = tmp_path / "run"
    assert main(train_args(text_file, out)) == 130
    captured = capsys.readouterr()
    assert "stopping after this step" in captured.err
    assert "(step 2): interrupted" in captured.out and "--resume" in captured.out
    assert (out / "last.npz").exists() and not (out / "run.lock").exists()


@pytest.mark.parametrize(
    "option, value, problem",
    [
        ("--max-steps", "0", "--max-steps"),
        ("--time-limit", "-5", "--time-limit"),
        ("--time-limit", "nan", "--time-limit"),
    ],
)
def test_cli_bad_limits_are_refused_before_anything_is_written(text_file, tmp_path, capsys, option, value, problem):
    out = tmp_path / "run"
    assert main(train_args(text_file, out, option, value)) == 2
    assert problem in capsys.readouterr().err
    assert not out.exists()
