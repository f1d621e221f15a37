"""Train a :class:`~gatedrnn.lab.models.LastStepModel` on a lab task and score it.

Every step draws a fresh batch, so there is no training set to memorise: a model that
scores well on a held-out batch has learned the rule. Losses:

    regression       L = (1/N) Σ_n (y_n - t_n)²          dL/dy = 2 (y - t) / N
    classification   L = -(1/N) Σ_n log softmax(y_n)[t_n]   (SoftmaxCrossEntropy)
"""
import math

import numpy as np

from ..clip import clip_grad_norm, total_grad_norm
from ..layers import SoftmaxCrossEntropy
from ..optim import Adam


class MeanSquaredError:
    """L = mean over the batch of (y - t)², for outputs and targets of shape (N, 1)."""

    def __call__(self, outputs, targets):
        self._difference = outputs - targets
        return float(np.mean(self._difference ** 2))

    def backward(self):
        return 2.0 * self._difference / self._difference.size


def criterion_for(task):
    return MeanSquaredError() if task.kind == "regression" else SoftmaxCrossEntropy()


def score(model, task, inputs, targets):
    """The task's metric on one batch: MSE (regression) or accuracy (classification)."""
    outputs = model(inputs)
    if task.kind == "regression":
        return float(np.mean((outputs - targets) ** 2))
    return float(np.mean(outputs.argmax(axis=-1) == targets))


def gradient_step(model, criterion, task, batch_size, length, generator):
    """Forward and backward on a fresh batch: gradients in ``.grad``; returns (loss, ‖g‖ before clipping).

    Overflow warnings are silenced: a run that diverges is one of the outcomes the lab
    measures, and the caller checks the returned loss and norm for nan/inf.
    """
    inputs, targets = task.generate(batch_size, length, generator)
    with np.errstate(over="ignore", invalid="ignore"):
        loss = criterion(model(inputs), targets)
        model.zero_grad()
        model.backward(criterion.backward())
        norm = float(total_grad_norm(model.parameters()))
    return loss, norm


def train_on_task(model, task, length, steps, generator, lr=1e-2, batch_size=32, clip=None, eval_every=50,
                  eval_batch=None, stop_when_solved=True, progress=None):
    """Adam on fresh batches of ``length`` steps; returns a record of the run.

    Every ``eval_every`` steps the model is scored on ``eval_batch`` (inputs, targets); with
    ``stop_when_solved`` training ends as soon as that score solves the task. ``clip`` is a
    max global gradient norm, or None for none. A non-finite loss or gradient ends the run
    as diverged. ``progress`` is a tqdm bar to advance by one per step, or None.

    Returns a dict: ``losses`` and ``grad_norms`` (the norm before clipping) per step,
    ``evaluations`` as (step, score) pairs, ``steps`` taken, ``diverged``.
    """
    optimizer = Adam(model.parameters(), lr=lr)
    criterion = criterion_for(task)
    losses, grad_norms, evaluations = [], [], []
    diverged = False
    for step in range(1, steps + 1):
        loss, norm = gradient_step(model, criterion, task, batch_size, length, generator)
        losses.append(loss)
        grad_norms.append(norm)
        if progress is not None:
            progress.update(1)
        if not (math.isfinite(loss) and math.isfinite(norm)):
            diverged = True
            break
        if clip:
            clip_grad_norm(model.parameters(), clip)
        optimizer.step()
        if eval_batch is not None and (step % eval_every == 0 or step == steps):
            evaluations.append((step, score(model, task, *eval_batch)))
            if stop_when_solved and task.solved(evaluations[-1][1]):
                break
    if progress is not None:
        progress.update(steps - len(losses))   # the steps saved by stopping early
    return dict(losses=losses, grad_norms=grad_norms, evaluations=evaluations, steps=len(losses), diverged=diverged)
