"""The step schedule of the learning rate, in the one vocabulary of gatedrnn.

``lr_decay`` is a divisor ≥ 1 and ``decay_start`` the 0-based index of the first epoch that
runs at a decayed rate. Epoch e = 0, 1, … runs at::

    lr_e = lr / lr_decay ** max(e + 1 - decay_start, 0)

so ``decay_start=0`` decays from the first epoch on, ``decay_start=3`` runs epochs 0–2 at lr
and epoch 3 at lr / lr_decay. ``lr_decay=1`` is a constant rate. This is the language models'
``TrainConfig(schedule="step")`` and the sequence tasks' ``lr_decay``/``decay_start``.
"""

from .arguments import positive, spelled
from .errors import GatedRNNError, is_finite_number, short_repr
from .typing import FloatLike, IntLike


def step_lr(lr: FloatLike, lr_decay: FloatLike, decay_start: IntLike, epoch: IntLike) -> FloatLike:
    """The learning rate of 0-based ``epoch`` (see the module docstring)."""
    return lr / lr_decay ** max(epoch + 1 - decay_start, 0)


def check_step_schedule(lr: FloatLike, lr_decay: FloatLike, decay_start: IntLike, epochs: IntLike) -> FloatLike:
    """GatedRNNError in one line when the rate of the last of ``epochs`` epochs cannot be
    computed (lr_decay ** k overflows) or has fallen to 0; returns that last rate otherwise.

    The rates fall monotonically, so the last epoch's is the smallest: checking it once before
    training is checking them all.
    """
    positive("lr", lr)  # else a rate of 0 or less would be blamed on lr_decay
    if not (is_finite_number(lr_decay) and lr_decay >= 1):
        raise GatedRNNError(
            f"{spelled('lr_decay')} must be a divisor ≥ 1, got {short_repr(lr_decay)}; pass a value ≥ 1"
        )
    if epochs < 1:
        return lr
    exponent = max(epochs - decay_start, 0)
    try:
        last, why = step_lr(lr, lr_decay, decay_start, epochs - 1), "underflows"
    except OverflowError:
        last, why = 0.0, f"lr_decay ** {exponent} overflows"
    if last <= 0.0:
        raise GatedRNNError(
            f"lr_decay {short_repr(lr_decay)} over {exponent} decayed epochs takes the learning rate "
            f"{short_repr(lr)} to 0 ({why}); use a smaller lr_decay, fewer epochs or a later "
            "decay_start"
        )
    return last
