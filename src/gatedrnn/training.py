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

What a loop does after a step that was not taken is :class:`NonFiniteGuard`'s one policy:
``"error"`` stops at the first one (the default everywhere), ``"skip"`` goes on without that
update but stops after ``max_consecutive`` in a row (a run that is not recovering), and
``"stop"`` ends the loop quietly (the gradient lab, for which divergence is a result).
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .clip import clip_coefficient, total_grad_norm
from .core import Module, Parameter
from .errors import GatedRNNError, is_finite_number, short_repr
from .optim.base import Optimizer
from .typing import FloatLike, IntLike

NONFINITE_POLICIES = ("error", "skip")  # what a user may choose; "stop" is the lab's own
# The help of every trainer's clip setting (train's --clip, task's --clip): backward_and_step's max_norm.
CLIP_HELP = "max global gradient norm; 0 turns clipping off"
MAX_CONSECUTIVE_SKIPS = 10


def check_clip(value: Any, default: Any = None) -> float:
    """A trainer's clip (train's and task's ``--clip``, TrainConfig.clip, the fit functions'
    ``clip``) as a float: a finite number ≥ 0, 0 turning clipping off; else one GatedRNNError
    line, the same at every door, ending with ``default`` as the example fix.

    inf is refused though clip_grad_norm itself (like torch's) takes it: clipping at inf is no
    clipping, which 0 already says.
    """
    if not (is_finite_number(value) and value >= 0):
        example = "" if default is None else f", such as {default:g}"
        raise GatedRNNError(
            f"clip must be a finite number ≥ 0 (0 turns clipping off), got {short_repr(value)}; "
            f"pass a value ≥ 0{example}"
        )
    return float(value)


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


def backward_and_step(
    model: Module,
    criterion: Module,
    optimizer: Optimizer,
    loss: FloatLike,
    max_norm: FloatLike | None = None,
    loss_scale: FloatLike = 1.0,
) -> StepResult:
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
        model.backward(criterion.backward(loss_scale))  # type: ignore[attr-defined]
        norm = total_grad_norm(optimizer.params)
    loss, grad_norm = float(loss), float(norm)
    if not (math.isfinite(loss) and math.isfinite(grad_norm)):
        return StepResult(loss, grad_norm, stepped=False)
    optimizer.step(grad_scale=clip_coefficient(norm, max_norm) if max_norm else 1.0)
    return StepResult(loss, grad_norm, stepped=True)


class NonFiniteGuard:
    """The one policy for a step that came back non-finite (``StepResult.stepped`` False).

    ``guard = NonFiniteGuard("skip")``, then after every step ``if not guard.after_step(result,
    where): break``. ``after_step`` returns True to go on (stepped, or skipped under
    ``"skip"``) and False to end the loop (only under ``"stop"``); it raises GatedRNNError
    in one line under ``"error"``, and under ``"skip"`` when ``max_consecutive`` steps in a
    row were skipped. ``on_skip(result, where)``, if given, is called for every skipped step
    before that count is checked (to reset a carried state, log the step, warn).

    ``skipped`` counts the skipped updates, ``consecutive`` the current run of them; both may
    be set (a resumed run restores them).
    """

    def __init__(
        self,
        on_nonfinite: str = "error",
        max_consecutive: IntLike = MAX_CONSECUTIVE_SKIPS,
        on_skip: Callable[[StepResult, str], Any] | None = None,
    ) -> None:
        if on_nonfinite not in NONFINITE_POLICIES + ("stop",):
            raise GatedRNNError(f"on_nonfinite must be one of {', '.join(NONFINITE_POLICIES)}, got {on_nonfinite!r}")
        if (
            isinstance(max_consecutive, bool)
            or not isinstance(max_consecutive, (int, np.integer))
            or max_consecutive < 1
        ):
            raise GatedRNNError(f"max_consecutive must be a whole number ≥ 1, got {max_consecutive!r}")
        self.on_nonfinite = on_nonfinite
        self.max_consecutive = int(max_consecutive)
        self.on_skip = on_skip
        self.skipped = 0
        self.consecutive = 0

    def after_step(self, result: StepResult, where: str = "") -> bool:
        """Apply the policy to one step's StepResult; ``where`` ("at step 7 (epoch 1, batch 7)")
        goes into the messages. Returns whether to go on."""
        if result.stepped:
            self.consecutive = 0
            return True
        where = f" {where}" if where else ""
        if self.on_nonfinite == "stop":
            return False
        if self.on_nonfinite == "error":
            raise GatedRNNError(
                f"the loss or gradient became non-finite{where}: loss {result.loss}, gradient "
                f"norm {result.grad_norm}; lower the learning rate, clip harder, or pass "
                "--on-nonfinite skip"
            )
        self.skipped += 1
        self.consecutive += 1
        if self.on_skip is not None:
            self.on_skip(result, where.strip())
        if self.consecutive >= self.max_consecutive:
            raise GatedRNNError(
                f"{self.max_consecutive} updates in a row were non-finite{where}; training is not "
                "recovering: lower the learning rate or clip harder"
            )
        return True


def guarded_step(
    model: Module,
    criterion: Module,
    optimizer: Optimizer,
    forward: Callable[[], FloatLike],
    guard: NonFiniteGuard,
    where: str,
    max_norm: FloatLike | None = None,
) -> StepResult:
    """One update of a loop that follows ``guard`` (a NonFiniteGuard): ``forward()`` computes the
    loss, :func:`backward_and_step` updates, the guard applies its policy; returns the StepResult.

    Overflow warnings are silenced for the step: a diverging run overflows in the forward pass
    and the update, and the guard (with :func:`check_finite_weights` after an epoch) reports it
    in one line instead. ``where`` ("at step 7 (epoch 1, batch 7)") goes into its messages.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        result = backward_and_step(model, criterion, optimizer, forward(), max_norm=max_norm)
    guard.after_step(result, where)
    return result


def check_finite_weights(params: Iterable[Parameter], when: str) -> None:
    """GatedRNNError in one line when an update has left a weight nan or inf (a learning rate so
    large that one step overflows the weights' dtype: no later loss could be trusted).
    ``when``: "after epoch 3", for the message."""
    for param in params:
        if not np.isfinite(param.data).all():
            raise GatedRNNError(
                f"the weights became nan/inf {when} (an update overflowed {param.data.dtype}); lower the learning rate"
            )
