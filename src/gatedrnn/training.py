"""The one update step every training loop in gatedrnn takes.

After a forward pass has produced ``loss`` (and cached what backward needs)::

    zero every gradient
    backward: criterion → model, gradients added into Parameter.grad
    ‖g‖ = the global 2-norm of all trainable gradients            (before clipping)
    if loss or ‖g‖ is nan/inf: stop here, no update                 (the caller decides)
    c = min(max_norm / (‖g‖ + 1e-6), 1)                            (clip_grad_norm's factor)
    optimizer.step(grad_scale=c)                                    (clipping inside the update)

``optimizer.step(grad_scale=c)`` gives the weights ``clip_grad_norm`` followed by ``step()``
would: for plain SGD it folds c into the learning rate (one pass over the weights fewer),
for every other optimizer it scales the gradients in place first, exactly as clipping does.
The language-model Trainer, the sequence tasks, the gradient lab, the toy, the memorising
exercise and the speed benchmark all call :func:`backward_and_step`, so they agree on who
zeroes, when clipping happens and what a non-finite step does.
"""
import math
from dataclasses import dataclass

import numpy as np

from .clip import clip_coefficient, total_grad_norm


@dataclass(frozen=True)
class StepResult:
    """What one update step reports.

    loss: the loss the forward pass computed (a float).
    grad_norm: the global 2-norm of the gradients before clipping.
    stepped: False when the loss or the norm was nan/inf, so the weights were not changed.
    """
    loss: float
    grad_norm: float
    stepped: bool


def backward_and_step(model, criterion, optimizer, loss, max_norm=None, loss_scale=1.0):
    """Backward from ``criterion``, clip to ``max_norm`` and update with ``optimizer``.

    Args:
        model: a Module with ``backward(dscores)``, the one whose forward produced the scores.
        criterion: the loss module that produced ``loss``; ``criterion.backward(loss_scale)``
            gives the gradient of ``loss_scale · loss`` with respect to the scores.
        optimizer: updates ``optimizer.params``; their gradients are zeroed first.
        loss: the value the criterion returned (only checked for being finite, and reported).
        max_norm: clip the global gradient norm to this, or None / 0 for no clipping.
        loss_scale: a factor on the loss, e.g. the window length T to sum the loss over time
            (Zaremba et al.) when the criterion averages.

    Returns:
        StepResult. A non-finite loss or gradient norm skips the update and returns
        ``stepped=False``; what to do then (stop, skip, count) is the caller's choice.
    """
    optimizer.zero_grad()
    # A diverging run overflows inside backward; it is detected below, so NumPy's warnings
    # about it would only repeat the same news.
    with np.errstate(over="ignore", invalid="ignore"):
        model.backward(criterion.backward(loss_scale))
        norm = total_grad_norm(optimizer.params)
    loss, grad_norm = float(loss), float(norm)
    if not (math.isfinite(loss) and math.isfinite(grad_norm)):
        return StepResult(loss, grad_norm, stepped=False)
    optimizer.step(grad_scale=clip_coefficient(norm, max_norm) if max_norm else 1.0)
    return StepResult(loss, grad_norm, stepped=True)
