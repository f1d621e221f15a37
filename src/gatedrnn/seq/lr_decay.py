"""The tasks' learning-rate decay in the language models' words, and the old spelling read as it.

The tasks once spoke of ``lr_decay`` as a multiplier ≤ 1 applied after every epoch from the
1-based ``decay_after`` on. They now speak as ``TrainConfig``'s step schedule does
(gatedrnn.lr_schedule): ``lr_decay`` a divisor ≥ 1 and ``decay_start`` the 0-based first
decayed epoch. The old spelling means the same schedule with

    divisor = 1 / multiplier          decay_start = decay_after

(old: epoch e = 1, 2, … at lr · m^max(e - decay_after, 0); new: epoch index e - 1 at
lr / d^max(e - decay_start, 0)), so it is still accepted, converted, and named once as old.
"""

from typing import Any

from ..arguments import spelled, such_as, whole
from ..errors import GatedRNNError, check_whole_number, is_finite_number, short_repr
from ..typing import FloatLike, IntLike


def modern_decay(
    lr_decay: FloatLike, decay_start: IntLike, decay_after: IntLike | None, defaults: dict[str, Any]
) -> tuple[float, int, dict[str, float], dict[str, float]]:
    """(lr_decay as a divisor, decay_start, old, new): the schedule in the new vocabulary, and
    when the old one was used, what was written and what to write, as {name: value} dicts
    (empty when nothing was old). Raises GatedRNNError in one line for values neither
    vocabulary allows, naming ``defaults`` (run_transduction's) as the fix."""
    if not (is_finite_number(lr_decay) and lr_decay > 0):
        raise GatedRNNError(
            f"{spelled('lr_decay')} must be a divisor ≥ 1 (1: constant), got {short_repr(lr_decay)}; "
            f"pass a value ≥ 1{such_as(defaults['lr_decay'])}"
        )
    whole("decay_start", decay_start, 0, defaults["decay_start"])
    lr_decay, decay_start = float(lr_decay), int(decay_start)
    old, new = {}, {}
    if lr_decay < 1.0:
        old["lr_decay"], lr_decay = lr_decay, 1.0 / lr_decay
        if lr_decay == float("inf"):
            raise GatedRNNError(
                f"lr_decay {short_repr(old['lr_decay'])} (an old multiplier) is too small to invert; give a divisor ≥ 1"
            )
        new["lr_decay"] = lr_decay
    if decay_after is not None:
        check_whole_number("decay_after", decay_after, 1)
        if decay_start != 0:
            raise GatedRNNError(
                f"decay_after (the old spelling) and decay_start both given ({decay_after} and "
                f"{decay_start}); give decay_start only"
            )
        old["decay_after"], decay_start = int(decay_after), int(decay_after)
        new["decay_start"] = decay_start
    return lr_decay, decay_start, old, new


def deprecation_line(old: dict[str, float], new: dict[str, float], flags: bool) -> str:
    """The one line naming the new spelling: as command-line flags, or as Python keywords."""

    def spell(values: dict[str, float]) -> str:
        if flags:
            return " ".join(f"--{name.replace('_', '-')} {value:g}" for name, value in values.items())
        return ", ".join(f"{name}={value!r}" for name, value in values.items())

    reason = (
        "a divisor ≥ 1 and a 0-based first decayed epoch, as in train"
        if flags
        else "a divisor ≥ 1 and a 0-based first decayed epoch, as in TrainConfig"
    )
    noun = "multiplier" if list(old) == ["lr_decay"] else "spelling"
    return f"{spell(old)} is the old {noun}; write {spell(new)} ({reason})"
