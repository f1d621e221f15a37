"""AutoEngine (--engine auto): the faster engine keeps the run, no trial step is lost, and the choice is recorded.

The engines here are fakes that charge a set number of seconds per token to an injected
clock, so that which one is faster is decided by the test, not by the machine's load. The
real NumPy and torch engines under --engine auto are tested in tests/interop/test_auto_engine.py.
"""

import json

import numpy as np
import pytest
from helpers.tiny_runs import write_text

from gatedrnn import GatedRNNError
from gatedrnn.lm import DataSettings, LanguageModel, ModelConfig, TrainConfig, Trainer, TrainingRun, load_corpus
from gatedrnn.lm.engine import NumpyEngine
from gatedrnn.lm.engine_choice import AutoEngine
from gatedrnn.training import StepResult

TOKENS = 32  # targets per window in these tests


class Clock:
    """Seconds that pass only when an engine says its step took them."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class FakeEngine:
    """An engine whose step is an order-sensitive update of its own copy of the weights.

    ``shared``: the "model" both engines sync through (a dict with one array); a step takes
    ``seconds_per_token`` on ``clock``, and ``unsettled_steps`` first steps (its thread tuner's
    trial) take ``unsettled_seconds_per_token`` and report the tuner as not settled.
    """

    writes_files = True

    def __init__(self, name, shared, clock, seconds_per_token, unsettled_steps=0, unsettled_seconds_per_token=0.0):
        self.name, self.shared, self.clock = name, shared, clock
        self.seconds_per_token = seconds_per_token
        self.unsettled_steps, self.unsettled_seconds_per_token = unsettled_steps, unsettled_seconds_per_token
        self.weights = shared["w"].copy()
        self.steps_run = []  # the run's step indices this engine computed

    def threads_settled(self):
        return len(self.steps_run) >= self.unsettled_steps

    def train_step(self, inputs, targets, state, lr, loss_scale, step):
        settled = self.threads_settled()
        self.clock.now += targets.size * (self.seconds_per_token if settled else self.unsettled_seconds_per_token)
        self.weights = next_weights(self.weights, step)
        self.steps_run.append(step)
        return StepResult(float(step), 0.0, stepped=True), ("carried", self.name, state_count(state) + 1)

    def sync_to_model(self):
        self.shared["w"] = self.weights.copy()

    def sync_from_model(self):
        self.weights = self.shared["w"].copy()

    def state_for_checkpoint(self, state):
        return None if state is None else np.array([state_count(state)])

    def state_from_checkpoint(self, carried):
        return None if carried is None else ("carried", self.name, int(carried[0]))

    def describe_threads(self):
        return dict(train=f"{self.name} threads", evaluate=f"{self.name} threads")


def state_count(state):
    """How many steps the carried state has been carried through (it counts them)."""
    return 0 if state is None else state[2]


def next_weights(weights, step):
    """An update that depends on the order of the steps: a lost, repeated or reordered step shows."""
    return weights * 0.5 + step + 1


def run_steps(engine, steps):
    targets = np.zeros((4, TOKENS // 4), dtype=np.int64)
    state = None
    for step in range(steps):
        _, state = engine.train_step(targets, targets, state, 0.1, 1.0, step)
    return state


def two_engines(numpy_cost, torch_cost, **options):
    clock, shared = Clock(), dict(w=np.array([1.0, -2.0]))
    first = FakeEngine("numpy", shared, clock, numpy_cost, **options)
    second = FakeEngine("torch", shared, clock, torch_cost)
    lines = []
    auto = AutoEngine([first, second], trial_steps=3, warmup_steps=1, clock=clock, echo=lines.append)
    return auto, first, second, shared, lines


@pytest.mark.parametrize("numpy_cost,torch_cost,faster", [(1e-6, 3e-6, "numpy"), (3e-6, 1e-6, "torch")])
def test_the_faster_engine_per_token_keeps_the_run(numpy_cost, torch_cost, faster):
    auto, first, second, _, lines = two_engines(numpy_cost, torch_cost)
    run_steps(auto, 20)
    assert auto.name == faster and auto.choice["chosen"] == faster
    assert auto.choice["tokens_per_s"] == pytest.approx(dict(numpy=1 / numpy_cost, torch=1 / torch_cost), rel=1e-6)
    assert auto.choice["trial_steps"] == [1, 8]  # (1 warm-up + 3 timed) on each
    # Each engine ran its share of the trial, in turn; the rest went to the faster one.
    assert first.steps_run[:4] == [0, 1, 2, 3] and second.steps_run[:4] == [4, 5, 6, 7]
    chosen = first if faster == "numpy" else second
    assert chosen.steps_run[4:] == list(range(8, 20))
    assert len(lines) == 1 and lines[0].startswith(f"engine auto: {faster} (")
    assert "tokens/s over 3 timed steps each" in lines[0] and "steps 1-8" in lines[0]


@pytest.mark.parametrize("numpy_cost,torch_cost", [(1e-6, 3e-6), (3e-6, 1e-6)])
def test_no_trial_step_is_lost_whichever_engine_wins(numpy_cost, torch_cost):
    auto, _, _, shared, _ = two_engines(numpy_cost, torch_cost)
    state = run_steps(auto, 20)
    auto.sync_to_model()  # what a save does
    expected = np.array([1.0, -2.0])
    for step in range(20):
        expected = next_weights(expected, step)
    np.testing.assert_array_equal(shared["w"], expected)
    assert state_count(state) == 20  # the carried state went through every switch
    assert state[1] == auto.name  # and is in the form of the engine that holds it


def test_the_steps_of_a_thread_tuner_still_choosing_are_not_timed():
    # The first engine's tuner spends 6 steps trying a count 100 times slower: were those timed,
    # the second engine would look faster; at the count the tuner chose, the first is faster.
    auto, first, _, _, _ = two_engines(1e-6, 2e-6, unsettled_steps=6, unsettled_seconds_per_token=1e-4)
    run_steps(auto, 30)
    assert auto.name == "numpy"
    assert auto.choice["tokens_per_s"]["numpy"] == pytest.approx(1e6)
    # 6 unsettled (which warm it up as well) + 3 timed; then the other's 1 warm-up + 3 timed.
    assert first.steps_run[:9] == list(range(9))
    assert auto.choice["trial_steps"] == [1, 13]


def test_a_run_that_ends_during_the_trial_records_no_choice():
    auto, *_ = two_engines(1e-6, 2e-6)
    run_steps(auto, 5)
    assert auto.choice["chosen"] is None and auto.name == "torch"
    assert "still timing torch" in auto.describe_choice()


def test_with_one_engine_the_line_says_why_the_other_was_not_tried():
    clock, shared = Clock(), dict(w=np.zeros(2))
    lines = []
    auto = AutoEngine(
        [FakeEngine("numpy", shared, clock, 1e-6)], not_tried=dict(torch="PyTorch is not installed"), echo=lines.append
    )
    assert lines == []  # said when the run begins, not when the engine is built
    run_steps(auto, 3)
    assert lines == ["engine auto: numpy (torch not tried: PyTorch is not installed)"]
    assert auto.choice == dict(
        chosen="numpy",
        tokens_per_s={},
        timed_steps_each=0,
        trial_steps=None,
        not_tried=dict(torch="PyTorch is not installed"),
    )


def test_a_resumed_run_counts_its_trial_from_where_it_resumed():
    auto, *_ = two_engines(1e-6, 2e-6)
    targets = np.zeros((4, 8), dtype=np.int64)
    state = None
    for step in range(100, 110):
        _, state = auto.train_step(targets, targets, state, 0.1, 1.0, step)
    assert auto.choice["trial_steps"] == [101, 108]


# -- through the Trainer and TrainingRun, with two NumPy engines -------------------------------
class Labelled(NumpyEngine):
    """The NumPy engine under another name: a second real engine for AutoEngine, torch not needed."""

    def __init__(self, name, *args):
        super().__init__(*args)
        self.name = name


def timed_auto(slow):
    """An engine factory: AutoEngine over two NumPy engines, where the clock makes ``slow`` the slower."""
    ticks = iter(np.arange(0.0, 1e6, 1.0))

    def clock():
        return next(ticks)

    def build(model, optimizer, config):
        engines = [Labelled(name, model, optimizer, config.clip) for name in ("first", "second")]
        auto = AutoEngine(engines, trial_steps=2, clock=clock)
        # Every clock reading costs one second; the slow engine's step reads it once more.
        for engine in engines:
            if engine.name == slow:
                engine.train_step = _reading_the_clock(engine.train_step, clock)
        return auto

    return build


def _reading_the_clock(train_step, clock):
    def slower_step(*args):
        clock()
        return train_step(*args)

    return slower_step


def tiny_settings(tmp_path):
    data = DataSettings(text=str(write_text(tmp_path)), level="char")
    model = ModelConfig(embedding_size=8, hidden_size=8, num_layers=1, dropout=0.0, tie_weights=False)
    training = TrainConfig(epochs=1, batch_size=4, seq_len=8, eval_batch_size=2, optimizer="adam", lr=2e-3, clip=1.0)
    return data, model, training


def test_the_results_document_records_the_choice_and_both_rates(tmp_path):
    data, model, training = tiny_settings(tmp_path)
    lines = []
    run = TrainingRun(
        tmp_path / "run", data, model, training, engine=timed_auto(slow="first"), progress=False, echo=lines.append
    )
    summary = run.train()
    choice = summary["results"]["engine_choice"]
    assert choice["chosen"] == "second" and set(choice["tokens_per_s"]) == {"first", "second"}
    assert choice["tokens_per_s"]["second"] > choice["tokens_per_s"]["first"]
    assert summary["results"]["engine"] == "second"
    on_disk = json.loads((tmp_path / "run" / "results.json").read_text())
    assert on_disk["engine_choice"] == choice
    assert [line for line in lines if line.startswith("engine auto:")] == [run.trainer.engine.describe_choice()]


def test_an_engine_named_rather_than_built_is_refused_in_one_line(tmp_path):
    data, model, training = tiny_settings(tmp_path)
    with pytest.raises(GatedRNNError, match="auto_engine") as refused:
        TrainingRun(tmp_path / "run", data, model, training, engine="auto")
    assert "\n" not in str(refused.value)
    corpus = load_corpus(text=str(write_text(tmp_path)), level="char")
    language_model = LanguageModel(model.for_corpus(len(corpus.vocab), corpus.train))
    with pytest.raises(GatedRNNError, match="engine must be None"):
        Trainer(language_model, corpus, training, tmp_path / "other", engine="torch")
    assert not (tmp_path / "run").exists() and not (tmp_path / "other").exists()
