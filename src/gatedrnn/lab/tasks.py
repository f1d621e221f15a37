"""Long-range synthetic tasks, generated on the fly: the adding problem and a recall task.

Both are many-to-one: a model reads the whole sequence and answers once, after the last
step, so the only way the loss can reach an early input is back through every step between.
That makes the sequence length the span of the dependency, and lets one dial the span up
until a model fails.

* **adding** (Hochreiter & Schmidhuber 1997, in the form of Le et al. 2015): each step
  carries two numbers, a value drawn from U(0, 1) and a marker. Exactly two steps are
  marked, one in the first half of the sequence and one in the second; the answer is the
  sum of the two marked values. Always answering 1 (the mean of the sum) scores an MSE of
  Var(u₁ + u₂) = 2/12 ≈ 0.167, so a model must beat that to have learned anything.
* **recall**: the first step shows one of ``symbols`` data tokens, every later step one of
  ``distractors`` other tokens drawn at random; the answer is the first token, seen T − 1
  steps earlier. Guessing scores 1/``symbols``.

Inputs are float arrays (N, T, D) ready for a recurrent layer (one-hot tokens for recall).
:data:`LONG_RANGE_TASKS` holds the two :class:`Task` descriptions by name. (They are not the
variable-length tagging tasks of :mod:`gatedrnn.seq.tasks`: these are fixed-length, many-to-one
and generated afresh for every batch.)
"""

from dataclasses import dataclass

import numpy as np

from ..errors import GatedRNNError, is_whole_number

ADDING_BASELINE_MSE = 1.0 / 6.0  # Var(u1 + u2) for u ~ U(0, 1): the MSE of always answering 1


@dataclass(frozen=True)
class Task:
    """What a training loop needs to know about a task.

    ``kind`` is "regression" (one number out, mean squared error, lower is better) or
    "classification" (``output_size`` scores, cross-entropy, accuracy, higher is better).
    A score counts as solved when it is at most (regression) or at least (classification)
    ``solved_at``; ``chance`` is what knowing nothing scores.
    """

    name: str
    kind: str
    input_size: int
    output_size: int
    metric: str
    chance: float
    solved_at: float

    @property
    def min_length(self):
        """The shortest sequence the task makes sense for: the adding problem needs two halves."""
        return 2 if self.name == "adding" else 1

    def check_length(self, length):
        """GatedRNNError unless ``length`` is an integer of at least :attr:`min_length`."""
        if not is_whole_number(length, self.min_length):
            raise GatedRNNError(f"sequence length must be an integer of at least {self.min_length}, got {length!r}")

    def generate(self, count, length, generator):
        """``count`` fresh sequences of ``length`` steps: inputs (N, T, D) float32 and targets."""
        self.check_length(length)
        if self.name == "adding":
            return adding_problem(count, length, generator)
        return recall_first_token(count, length, generator, self.output_size, self.input_size - self.output_size)

    def solved(self, score):
        """Whether ``score`` (MSE or accuracy) counts as solving the task."""
        if score is None or not np.isfinite(score):
            return False
        return score <= self.solved_at if self.kind == "regression" else score >= self.solved_at


def adding_problem(count, length, generator):
    """Inputs (N, T, 2) = (value, marker) per step and targets (N, 1), the sum of the marked values.

    One marker falls uniformly in steps [0, ⌊T/2⌋), the other in [⌊T/2⌋, T).
    """
    values = generator.random((count, length))
    half = length // 2
    first = generator.integers(0, half, count)
    second = generator.integers(half, length, count)
    markers = np.zeros((count, length))
    rows = np.arange(count)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    inputs = np.stack([values, markers], axis=-1).astype(np.float32)
    targets = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)
    return inputs, targets


def recall_first_token(count, length, generator, symbols=8, distractors=4):
    """One-hot inputs (N, T, symbols + distractors) and targets (N,): the token at step 0.

    Step 0 holds a data token (ids 0 … symbols − 1); steps 1 … T − 1 hold distractor tokens
    (ids symbols … symbols + distractors − 1), so the answer is never repeated later and
    must be carried across all T − 1 steps.
    """
    ids = generator.integers(symbols, symbols + distractors, (count, length))
    answers = generator.integers(0, symbols, count)
    ids[:, 0] = answers
    inputs = np.eye(symbols + distractors, dtype=np.float32)[ids]
    return inputs, answers.astype(np.int64)


LONG_RANGE_TASKS = {
    "adding": Task(
        "adding", "regression", input_size=2, output_size=1, metric="mse", chance=ADDING_BASELINE_MSE, solved_at=0.01
    ),
    "recall": Task(
        "recall", "classification", input_size=12, output_size=8, metric="accuracy", chance=1 / 8, solved_at=0.95
    ),
}


def get_task(name):
    """The :class:`Task` called ``name``."""
    if name not in LONG_RANGE_TASKS:
        raise GatedRNNError(f"unknown task {name!r}; choose one of {', '.join(LONG_RANGE_TASKS)}")
    return LONG_RANGE_TASKS[name]
