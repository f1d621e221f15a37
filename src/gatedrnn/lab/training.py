"""Train a :class:`~gatedrnn.lab.models.LastStepModel` on a lab task and score it.

Every step draws a fresh batch, so there is no training set to memorise: a model that
scores well on a held-out batch has learned the rule. The update itself is
:func:`gatedrnn.training.backward_and_step`, the step every training loop in gatedrnn takes
(zero, backward, global norm, stop on nan/inf, clip inside the update). Losses:

    regression       L = (1/N) Σ_n (y_n - t_n)²          dL/dy = 2 (y - t) / N
    classification   L = -(1/N) Σ_n log softmax(y_n)[t_n]   (SoftmaxCrossEntropy)
"""

import numpy as np

from ..layers import SoftmaxCrossEntropy
from ..optim import Adam
from ..training import NonFiniteGuard, backward_and_step


class MeanSquaredError:
    """L = mean over the batch of (y - t)², for outputs and targets of shape (N, 1)."""

    def __call__(self, outputs, targets):
        self._difference = outputs - targets
        return float(np.mean(self._difference**2))

    def backward(self, scale=1.0):
        """dL/dy, times ``scale`` (the gradient of scale · L, as backward_and_step asks for)."""
        return (2.0 * scale) * self._difference / self._difference.size


def criterion_for(task):
    return MeanSquaredError() if task.kind == "regression" else SoftmaxCrossEntropy()


def score(model, task, inputs, targets):
    """The task's metric on one batch: MSE (regression) or accuracy (classification)."""
    outputs = model(inputs)
    if task.kind == "regression":
        return float(np.mean((outputs - targets) ** 2))
    return float(np.mean(outputs.argmax(axis=-1) == targets))


def training_step(model, criterion, optimizer, task, batch_size, length, generator, clip=None):
    """One update on a fresh batch: the forward pass here, the rest by backward_and_step.

    ``clip`` is a max global gradient norm, or None (or 0) for none. Returns backward_and_step's
    StepResult: the loss, the gradient norm before clipping, and ``stepped`` (False when
    either was nan/inf, and then the weights were left alone). Overflow warnings in the
    forward pass are silenced: a run that diverges is one of the outcomes the lab measures,
    and ``stepped`` reports it.
    """
    inputs, targets = task.generate(batch_size, length, generator)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = criterion(model(inputs), targets)
    return backward_and_step(model, criterion, optimizer, loss, max_norm=clip)


def train_on_task(
    model,
    task,
    length,
    steps,
    generator,
    lr=1e-2,
    batch_size=32,
    clip=None,
    eval_every=50,
    eval_batch=None,
    stop_when_solved=True,
    progress=None,
):
    """Adam on fresh batches of ``length`` steps; returns a record of the run.

    Every ``eval_every`` steps the model is scored on ``eval_batch`` (inputs, targets); with
    ``stop_when_solved`` training ends as soon as that score solves the task. ``clip`` is a
    max global gradient norm, or None (or 0) for none. A non-finite loss or gradient ends the run
    as diverged (NonFiniteGuard's "stop": here divergence is a result, not an error).
    ``progress`` is a tqdm bar to advance by one per step, or None.

    Returns a dict: ``losses`` and ``grad_norms`` (the norm before clipping) per step,
    ``evaluations`` as (step, score) pairs, ``steps`` taken, ``diverged``.
    """
    optimizer = Adam(model.parameters(), lr=lr)
    criterion = criterion_for(task)
    losses, grad_norms, evaluations = [], [], []
    diverged = False
    guard = NonFiniteGuard("stop")
    for step in range(1, steps + 1):
        result = training_step(model, criterion, optimizer, task, batch_size, length, generator, clip)
        losses.append(result.loss)
        grad_norms.append(result.grad_norm)
        if progress is not None:
            progress.update(1)
        if not guard.after_step(result):
            diverged = True
            break
        if eval_batch is not None and (step % eval_every == 0 or step == steps):
            evaluations.append((step, score(model, task, *eval_batch)))
            if stop_when_solved and task.solved(evaluations[-1][1]):
                break
    if progress is not None:
        progress.update(steps - len(losses))  # the steps saved by stopping early
    return dict(losses=losses, grad_norms=grad_norms, evaluations=evaluations, steps=len(losses), diverged=diverged)
