"""ThreadTuner on a simulated machine: a fake clock whose steps cost what the thread count costs.

Each simulated step takes ``cost[load][threads]`` seconds; the tests check that the tuner
finds the faster count idle and under load, follows a change of load both ways, costs little
against the better fixed choice, and leaves a pinned or deterministic count alone.
"""

import pytest

from gatedrnn import thread_tuner as tuner_module
from gatedrnn import threads
from gatedrnn.thread_tuner import ThreadTuner

# Seconds per step: idle, 2 threads are twice as fast; with a busy core, 2 threads are 8× slower.
COST = {"idle": {1: 0.10, 2: 0.05}, "busy": {1: 0.10, 2: 0.80}}


class FakeMachine:
    def __init__(self, monkeypatch):
        self.now, self.load, self.cost = 0.0, "idle", COST
        self.spent = {1: 0, 2: 0}
        monkeypatch.setattr(tuner_module.time, "perf_counter", lambda: self.now)
        monkeypatch.setattr(threads, "available_cores", lambda: 2)
        for name in threads.ENVIRONMENT_VARIABLES:
            monkeypatch.delenv(name, raising=False)

    def run(self, tuner, steps):
        for _ in range(steps):
            with tuner.step(units=100):
                count = threads.get_num_threads()
                self.now += self.cost[self.load][count]
                self.spent[count] += 1


def fix_the_count(how, monkeypatch, variable="OMP_NUM_THREADS"):
    """Take the thread count out of the tuner's hands: pinned, deterministic, or by the environment."""
    if how == "pinned":
        threads.set_num_threads(2)
    elif how == "deterministic":
        threads.use_deterministic(True)
    else:
        monkeypatch.setenv(variable, "2")


@pytest.fixture
def machine(monkeypatch):
    yield FakeMachine(monkeypatch)
    threads.set_num_threads(None)
    threads.use_deterministic(False)


def test_idle_chooses_every_core_and_busy_chooses_one(machine):
    tuner = ThreadTuner()
    machine.run(tuner, 20)
    assert tuner.choice == 2
    machine.load = "busy"
    machine.run(tuner, 20)  # drift: the steps at 2 threads are 16× slower now
    assert tuner.choice == 1


def test_a_load_that_goes_away_is_noticed_by_trying_again(machine):
    machine.load = "busy"
    tuner = ThreadTuner()
    machine.run(tuner, 10)
    assert tuner.choice == 1
    machine.load = "idle"  # one thread is as fast as before: no drift to see
    machine.run(tuner, 3000)
    assert tuner.choice == 2


def test_under_load_it_costs_little_against_the_better_fixed_choice(machine):
    machine.load = "busy"
    tuner = ThreadTuner()
    steps = 3000
    machine.run(tuner, steps)
    best_fixed = steps * COST["busy"][1]
    assert machine.now < 1.05 * best_fixed, (machine.now, best_fixed, tuner.history)


def test_idle_it_costs_little_against_every_core(machine):
    tuner = ThreadTuner()
    steps = 3000
    machine.run(tuner, steps)
    assert machine.now < 1.05 * steps * COST["idle"][2]


@pytest.mark.parametrize("how", ["pinned", "deterministic", "environment"])
def test_a_pinned_or_deterministic_count_is_left_alone(machine, monkeypatch, how):
    fix_the_count(how, monkeypatch, variable="OPENBLAS_NUM_THREADS")
    expected = 1 if how == "deterministic" else 2
    machine.load = "busy"
    tuner = ThreadTuner()
    machine.run(tuner, 50)
    assert not tuner.active and machine.spent[expected] == 50


def test_describe_says_what_was_chosen(machine):
    tuner = ThreadTuner()
    assert "not chosen" in tuner.describe()
    machine.run(tuner, 10)
    assert tuner.describe().startswith("threads: 2 (trial at step")


@pytest.mark.parametrize(
    "how, expected",
    [
        ("pinned", "threads: 2 (pinned by --threads or set_num_threads)"),
        ("environment", "threads: 2 (pinned by OMP_NUM_THREADS=2)"),
        ("deterministic", "threads: 1 (deterministic)"),
    ],
)
def test_describe_says_why_a_fixed_count_was_not_chosen(machine, monkeypatch, how, expected):
    """A run with --threads 2 once recorded "threads: not chosen yet" in its results file."""
    fix_the_count(how, monkeypatch)
    tuner = ThreadTuner()
    machine.run(tuner, 10)
    assert tuner.describe() == expected


@pytest.mark.parametrize("how, expected", [("pinned", 2), ("deterministic", 1), ("environment", 2)])
def test_a_pinned_count_reaches_another_librarys_threads(machine, monkeypatch, how, expected):
    """torch's threads follow gatedrnn's pin from the Python API too, not only under the CLI's --threads."""
    fix_the_count(how, monkeypatch)
    applied = []
    tuner = ThreadTuner(apply=applied.append)
    for _ in range(5):
        with tuner.step(units=1):
            pass
    assert applied == [expected] * 5


def test_an_unpinned_count_is_left_to_the_trials(machine):
    applied = []
    tuner = ThreadTuner(apply=applied.append)
    with tuner.step(units=1):
        pass
    assert applied == [2]  # a warm-up step at every core, as before


def test_describe_names_a_single_candidate_unless_a_pin_overrides_it(machine, monkeypatch):
    assert ThreadTuner(candidates=(4,)).describe() == "threads: 4 (the only count to try)"
    fix_the_count("pinned", monkeypatch)
    applied = []
    tuner = ThreadTuner(candidates=(4,), apply=applied.append)  # torch on a GPU, its CPU threads pinned
    with tuner.step():
        pass
    assert applied == [2] and tuner.describe() == "threads: 2 (pinned by --threads or set_num_threads)"


def test_a_load_that_comes_and_goes_does_not_send_it_into_costly_trials(machine):
    """Busy and idle every 20 steps, and one thread 1.5× slower when busy (a drift every time
    the load changes): trials of the setting that is 16× slower when busy must stay rare.
    (Without the cost rule for drift, this run took 1.64× one thread throughout.)"""
    machine.cost = {"idle": {1: 0.10, 2: 0.05}, "busy": {1: 0.15, 2: 0.80}}
    tuner = ThreadTuner()
    for block in range(100):
        machine.load = "busy" if block % 2 else "idle"
        machine.run(tuner, 20)
    one_thread_throughout = 50 * 20 * (0.10 + 0.15)
    assert machine.now < 1.2 * one_thread_throughout, (machine.now, one_thread_throughout, len(tuner.history))
