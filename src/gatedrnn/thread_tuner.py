"""ThreadTuner: pick the thread count a repeated step runs fastest with, by timing it.

A training loop repeats one step thousands of times, so it can afford to measure: run a few
steps at 1 thread and a few at every core, keep the faster, and look again later. Two
things send it back to measuring:

* **drift**: the recent steps (median of the last few, per unit of work) are more than
  ``drift`` times slower or faster than when the count was chosen: the machine's load
  changed;
* **time**: a while has passed. With one thread a step takes as long whether or not the
  other core is busy, so a load that went away shows no drift; the loser is tried again
  once the time since the last trial is ``patience`` times what that trial cost, so that
  retrying a setting that was 10× slower costs at most a few percent of the run.

    tuner = ThreadTuner()
    for inputs, targets in windows:
        with tuner.step(units=targets.size):
            train_step(inputs, targets)

When the thread count is pinned (``gatedrnn.set_num_threads``, or OPENBLAS_NUM_THREADS in the
environment) or deterministic (``gatedrnn.use_deterministic``), the tuner only times.
"""

import statistics
import time
from contextlib import contextmanager

from . import threads


class ThreadTuner:
    """Chooses among ``candidates`` thread counts (default: 1 and every available core).

    Args:
        candidates: the counts to compare.
        trial_steps: steps timed per candidate in a trial; their mean decides. (Not their
            fastest: on a busy machine two threads are now and then as fast as one and mostly
            much slower, and the mean is what a run of many steps pays.)
        warmup_steps: steps run before the first trial and not timed: the first few steps of a
            run are slower (allocation, first touch of memory), and a trial measured on them
            would be taken back by a drift soon after.
        drift: the factor of change in the step time that starts a new trial.
        patience: a loser is retried once the time since the last trial is this many times
            what the trial cost.
        drift_patience: the same, after a drift (a trial then costs at most 1/drift_patience
            of the time since the last one, 4% by default).
        window: how many recent steps the drift check takes the median of.
        apply: what sets a thread count (default: gatedrnn's own, gatedrnn.threads; the torch
            engine passes torch.set_num_threads).
    """

    def __init__(
        self,
        candidates=None,
        trial_steps=3,
        warmup_steps=3,
        drift=1.3,
        patience=50.0,
        drift_patience=25.0,
        window=5,
        apply=None,
    ):
        self.apply = apply or threads.apply_chosen
        cores = threads.available_cores()
        self.candidates = tuple(candidates or sorted({1, cores}))
        self.trial_steps, self.warmup_steps = trial_steps, warmup_steps
        self.drift, self.patience, self.drift_patience, self.window = drift, patience, drift_patience, window
        self.choice = None  # the chosen count; None until the first trial ends
        self.reference = None  # seconds per unit of the choice, measured in its trial
        self.recent = []  # seconds per unit of the latest steps at the choice
        self.history = []  # (step, {count: seconds per unit}, choice) per trial
        self._steps = 0
        self._plan = []  # the counts still to time in the current trial
        self._trial = {}  # count → list of (seconds, units) in the current trial
        self._last_trial_end = None
        self._last_trial_cost = 0.0

    @property
    def active(self):
        return threads.is_chosen_by_timing() and len(self.candidates) > 1

    @contextmanager
    def step(self, units=1):
        """Run one step under the count the tuner wants now, and time it (``units``: its size)."""
        count = self._count_for_next_step()
        if count is not None:
            self.apply(count)
        started = time.perf_counter()
        yield
        self._record(count, time.perf_counter() - started, max(units, 1))

    # -- what to run next -----------------------------------------------------------------
    def _count_for_next_step(self):
        if not self.active:
            return self._fixed_count()
        if self._steps < self.warmup_steps:
            return self.choice or max(self.candidates)
        if not self._plan and self._wants_trial():
            self._start_trial()
        return self._plan[0] if self._plan else self.choice

    def _fixed_count(self):
        """The count pinned in gatedrnn.threads (``set_num_threads``, ``use_deterministic``, the
        environment), or None when nothing is pinned. Passed to ``apply`` like a chosen count:
        gatedrnn's own (``threads.apply_chosen``) ignores it, the pin being applied already;
        another library's (``torch.set_num_threads``) is not reached by gatedrnn's pin otherwise."""
        return None if threads.is_chosen_by_timing() else threads.get_num_threads()

    def _wants_trial(self):
        if self.choice is None:
            return True
        # Either reason waits until trying again costs little against the time since the last
        # trial; a drift, which is evidence, sooner than mere time. Without that, a load that
        # comes and goes would send every few steps into a trial of a setting 5× slower.
        waited = time.perf_counter() - self._last_trial_end
        cost = max(self._last_trial_cost, 1e-3)
        if self._drifted() and waited > self.drift_patience * cost:
            return True
        return waited > self.patience * cost

    def _drifted(self):
        """The median of the recent steps is ``drift`` times off what the trial measured."""
        if len(self.recent) < self.window:
            return False
        typical = statistics.median(self.recent[-self.window :])
        return typical > self.reference * self.drift or typical < self.reference / self.drift

    def _start_trial(self):
        # Interleaved (a b a b …), so that a change of load during the trial hits both.
        self._plan = [count for _ in range(self.trial_steps) for count in self.candidates]
        self._trial = {count: [] for count in self.candidates}

    # -- what a step measured -------------------------------------------------------------
    def _record(self, count, seconds, units):
        self._steps += 1
        if count is None or self._steps <= self.warmup_steps:
            return
        if self._plan:
            self._plan.pop(0)
            self._trial[count].append((seconds, units))
            if not self._plan:
                self._end_trial()
        elif count == self.choice:
            self.recent = (self.recent + [seconds / units])[-self.window :]

    def _end_trial(self):
        best = {
            count: sum(seconds for seconds, _ in timed) / sum(units for _, units in timed)
            for count, timed in self._trial.items()
            if timed
        }
        self.choice = min(best, key=best.get)
        self.reference = best[self.choice]
        self.recent = []
        self.history.append((self._steps, best, self.choice))
        self._last_trial_end = time.perf_counter()
        # What the trial cost beyond running at the winner throughout: the price of asking again.
        self._last_trial_cost = sum(
            seconds - units * self.reference for timed in self._trial.values() for seconds, units in timed
        )
        self.apply(self.choice)

    def describe(self):
        """One line for logs and results files: the choice and the last trial's figures, or why
        there is nothing to choose (a count pinned by ``--threads``, the environment or
        ``--deterministic``; a single candidate)."""
        if not self.history:
            fixed_by = threads.why_not_chosen()
            if fixed_by is not None:  # first: a pin overrides even a single candidate (_fixed_count)
                return f"threads: {threads.get_num_threads()} ({fixed_by})"
            if len(self.candidates) == 1:
                return f"threads: {self.candidates[0]} (the only count to try)"
            return "threads: not chosen yet"
        step, best, choice = self.history[-1]
        figures = ", ".join(f"{count}: {seconds * 1e6:.1f} µs/unit" for count, seconds in sorted(best.items()))
        return f"threads: {choice} (trial at step {step}: {figures}; {len(self.history)} trials)"
