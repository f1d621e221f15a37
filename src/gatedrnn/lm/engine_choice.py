"""AutoEngine: ``--engine auto``, the faster of the engines that can run this model, found by timing.

Which engine is faster depends on the model and the machine: on a 2-core CPU the NumPy engine
trains the word models (a large read-out) faster and the torch engine the character models
(a small read-out, many small operations). So the run measures, as gatedrnn.thread_tuner
measures thread counts: its first steps are real training steps, handed to each candidate
in turn, and the rest of the run goes to the one that trained more tokens per second::

    NumPy   untimed: its first ``warmup_steps``, and every step until its thread tuner has chosen
            timed:   ``trial_steps`` steps, at the thread count the tuner chose
    switch  weights, optimizer buffers and carried state → torch
    torch   the same
    decide  the faster per token keeps the run; if that is not the engine that ran last,
            weights, buffers and state go back to it, and the other engine is let go

Nothing is thrown away: every trial step updates the model, and a switch is the same hand-over
as a checkpoint written by one engine and resumed by the other (sync_to_model, then
sync_from_model; state_for_checkpoint, then state_from_checkpoint), which the torch engine's
tests check step for step.

What is timed: ``train_step`` (forward, loss, backward, clip, update) per target token, the
figure a run's logs report as tokens/s. What is not: the steps during which an engine's thread
tuner is still comparing thread counts (its trial runs some steps at the slower count, which
the rest of the run will not pay), and the first step after each switch (first touch of
memory, torch's allocator), for the same reason. Evaluation is never timed: both engines
evaluate what they train, at a similar ratio.

A resumed run chooses again: the load of the machine may have changed, and either engine
resumes any checkpoint. The results document records the choice of the session that finished
the run (``engine_choice``).
"""

import time
from collections.abc import Callable, Sequence
from typing import Any


class _Timing:
    """One candidate's share of the trial: untimed steps so far, then seconds and tokens of the timed ones."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.untimed_steps = 0
        self.timed_steps = 0
        self.seconds = 0.0
        self.tokens = 0

    def tokens_per_second(self) -> float:
        return self.tokens / max(self.seconds, 1e-12)


class AutoEngine:
    """Runs the first steps on each of ``candidates`` in turn, then the rest on the fastest.

    Args:
        candidates: the engines to compare, in the order they are tried; the first must hold
            the model's weights now (the NumPy engine, whose weights are the model's).
        not_tried: {engine name: why} for engines that could not run this model here; with
            a single candidate there is no trial, and the one line says why.
        trial_steps: timed steps per candidate.
        warmup_steps: untimed steps on a candidate after it takes over, before its timed steps
            (which also wait for its thread tuner to choose; the tuner's steps count as warm-up).
        clock: seconds, for the timing (tests pass their own).
        echo: where the one line announcing the choice goes (the Trainer sets its own).
    """

    def __init__(
        self,
        candidates: Sequence[Any],
        not_tried: dict[str, str] | None = None,
        trial_steps: int = 5,
        warmup_steps: int = 1,
        clock: Callable[[], float] = time.perf_counter,
        echo: Callable[[str], Any] = print,
    ) -> None:
        if not candidates:
            raise ValueError("AutoEngine needs at least one engine")
        self.candidates = list(candidates)
        self.current = self.candidates[0]
        self.not_tried = dict(not_tried or {})
        self.trial_steps, self.warmup_steps = trial_steps, warmup_steps
        self.clock, self.echo = clock, echo
        self.timings = [_Timing(engine.name) for engine in self.candidates]
        # What the results document records (engine_choice): the choice, each rate, the trial's steps.
        self.choice: dict[str, Any] = dict(
            chosen=None, tokens_per_s={}, timed_steps_each=0, trial_steps=None, not_tried=self.not_tried
        )
        self._first_step: int | None = None  # the run's step at which the trial began (not 0 on a resume)
        self._announced = False
        if len(self.candidates) == 1:
            self._decide(step=0)

    # -- the engine interface: the current engine's, with the trial around its steps ------------
    @property
    def name(self) -> str:
        return self.current.name

    @property
    def writes_files(self) -> bool:
        return self.current.writes_files

    def __getattr__(self, attribute: str) -> Any:
        # What the Trainer reads only of some engines (device, processes) is the current one's.
        if attribute == "current":  # not set yet: inside __init__
            raise AttributeError(attribute)
        return getattr(self.current, attribute)

    def train_step(self, inputs, targets, state, lr, loss_scale, step):
        """One update by the current engine; during the trial, timed when it counts, then maybe a switch."""
        self._announce_once()
        if self._first_step is None:
            self._first_step = step
        if self.trying is None:
            return self.current.train_step(inputs, targets, state, lr, loss_scale, step)
        timing = self.trying
        timed = timing.untimed_steps >= self.warmup_steps and _threads_settled(self.current)
        started = self.clock()
        result, state = self.current.train_step(inputs, targets, state, lr, loss_scale, step)
        if timed:
            timing.seconds += self.clock() - started
            timing.tokens += int(targets.size)
            timing.timed_steps += 1
        else:
            timing.untimed_steps += 1
        if timing.timed_steps >= self.trial_steps:
            state = self._after_trial_of(timing, state, step)
        return result, state

    def evaluate_nll(self, ids, batch_size, seq_len):
        return self.current.evaluate_nll(ids, batch_size, seq_len)

    def sync_to_model(self):
        self.current.sync_to_model()

    def sync_from_model(self):
        self.current.sync_from_model()

    def state_for_checkpoint(self, state):
        return self.current.state_for_checkpoint(state)

    def state_from_checkpoint(self, carried):
        return self.current.state_from_checkpoint(carried)

    def any_process(self, flag):
        return self.current.any_process(flag)

    def take_weights_from_writer(self):
        self.current.take_weights_from_writer()

    def threads_settled(self):
        return _threads_settled(self.current)

    def describe_threads(self):
        return self.current.describe_threads()

    # -- the trial -----------------------------------------------------------------------------
    @property
    def trying(self) -> _Timing | None:
        """The timing of the candidate on trial now, or None once the choice is made."""
        if self.choice["chosen"] is not None:
            return None
        return self.timings[self.candidates.index(self.current)]

    def _after_trial_of(self, timing: _Timing, state: Any, step: int) -> Any:
        """The next candidate takes over, or, after the last, the fastest keeps the run."""
        index = self.timings.index(timing) + 1
        if index < len(self.candidates):
            return self._switch_to(self.candidates[index], state)
        fastest = max(range(len(self.timings)), key=lambda i: self.timings[i].tokens_per_second())
        state = self._switch_to(self.candidates[fastest], state)
        self._decide(step)
        return state

    def _switch_to(self, engine: Any, state: Any) -> Any:
        """Hand the run to ``engine``: weights and optimizer buffers through the model, the carried
        state through its checkpoint form, as a checkpoint resumed by the other engine would."""
        if engine is self.current:
            return state
        self.current.sync_to_model()
        carried = self.current.state_for_checkpoint(state)
        engine.sync_from_model()
        self.current = engine
        return engine.state_from_checkpoint(carried)

    def _decide(self, step: int) -> None:
        """Keep the current engine for the rest of the run, record why, and let the others go.

        ``step``: the run's index (from 0) of the step that ended the trial."""
        tried = [timing for timing in self.timings if timing.timed_steps]
        if tried:
            self.choice.update(
                tokens_per_s={timing.name: round(timing.tokens_per_second(), 1) for timing in tried},
                timed_steps_each=self.trial_steps,
                trial_steps=[(self._first_step or 0) + 1, step + 1],  # as the logs count steps, from 1
            )
        self.choice["chosen"] = self.current.name
        self.candidates, self.timings = [self.current], [self.timings[self.candidates.index(self.current)]]
        if tried:
            self._announced = True
            self.echo(self.describe_choice())

    def _announce_once(self) -> None:
        """Without a trial (one candidate) the line is said at the first step, once the run has begun."""
        if not self._announced and self.choice["chosen"] is not None:
            self._announced = True
            self.echo(self.describe_choice())

    def describe_choice(self) -> str:
        """One line: the engine chosen and each engine's measured rate, or why the other was not tried."""
        choice = self.choice
        if choice["chosen"] is None:
            return f"engine auto: still timing {self.current.name} (a trial of {self.trial_steps} timed steps each)"
        rates = choice["tokens_per_s"]
        if len(rates) > 1:
            shown = ", ".join(f"{name} {rate:,.0f}" for name, rate in sorted(rates.items(), key=lambda kv: -kv[1]))
            return (
                f"engine auto: {choice['chosen']} ({shown} tokens/s over {choice['timed_steps_each']} timed steps "
                f"each, after warm-up; the trial took steps {choice['trial_steps'][0]}-{choice['trial_steps'][1]})"
            )
        why = "; ".join(f"{name} not tried: {reason}" for name, reason in self.not_tried.items())
        return f"engine auto: {choice['chosen']} ({why or 'the only engine'})"


def _threads_settled(engine: Any) -> bool:
    """Whether ``engine``'s thread tuner has chosen (an engine without one is always settled)."""
    settled = getattr(engine, "threads_settled", None)
    return True if settled is None else bool(settled())
