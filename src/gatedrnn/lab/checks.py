"""Checks on the lab experiments' settings, each failing with a one-line GatedRNNError.

Every experiment's ``run()`` checks its own arguments with these before doing any work, so
a setting is validated once, in the same words, whether it came from ``gatedrnn lab`` or
from a library call, and a bad value fails at once rather than minutes into a grid.
"""

import math
from numbers import Real

from ..arguments import positive, such_as, whole
from ..errors import GatedRNNError, is_finite_number
from ..memory import available_bytes, describe_available, describe_bytes

FLOAT_BYTES = 8
# A result kept as a JSON-able list: a Python float (24 bytes) and its slot in the list (8).
LISTED_FLOAT_BYTES = 32
# Floats a recurrent layer keeps per unit, step and sequence for its backward pass, with
# room for the temporaries of the step: h, c and four gates, and about as much again.
STATE_FLOATS_PER_UNIT = 16


def check_choices(values, allowed, name):
    """``values`` as a non-empty list, each one of ``allowed``; else one line naming what is unknown and the choices."""
    values = list(values)
    unknown = [value for value in values if value not in allowed]
    if unknown or not values:
        raise GatedRNNError(
            f"unknown {name} {', '.join(map(str, unknown)) or '(none given)'}; choose from {', '.join(allowed)}"
        )
    return values


def is_positive_number(value):
    """True for a finite real number above 0; bool is refused (``lr=True`` is surely a mistake)."""
    return not isinstance(value, bool) and isinstance(value, Real) and math.isfinite(value) and value > 0


def check_positive(defaults, **values):
    """Each value is a finite real number above 0 (a learning rate, a clip threshold …);
    ``defaults``: the experiment's (its run()'s signature), the example a refusal gives."""
    for name, value in values.items():
        positive(name, value, defaults.get(name))


def check_compared_clip(defaults, clip):
    """The clip of an experiment that compares clipped runs with unclipped ones: a finite
    number > 0. Train's and task's ``--clip 0`` (no clipping) is refused here, in words that
    say why: both runs would be the same unclipped run."""
    if is_finite_number(clip) and clip == 0:
        raise GatedRNNError(
            f"clip (--clip) must be > 0 here, got 0: this experiment compares runs clipped at it with unclipped "
            f"ones, and 0 (no clipping, as in train and task) would make them the same run; pass a value > 0"
            f"{such_as(defaults.get('clip'))}"
        )
    return positive("clip", clip, defaults.get("clip"))


def check_counts(defaults, minimum=1, **values):
    """Each value is a whole number of at least ``minimum`` (steps, sizes, lengths …), in the
    words train and task use (gatedrnn.arguments.whole); ``defaults`` as for check_positive."""
    for name, value in values.items():
        whole(name, value, minimum, defaults.get(name))


def check_fits(what, needed, fix):
    """GatedRNNError before an experiment allocates ``needed`` bytes that this process may not have.

    ``what`` says what needs them ("matmul-norms with steps 1000000000"), ``fix`` which
    setting to lower; the line gives the estimate and the budget (gatedrnn.memory).
    """
    available = available_bytes()
    if available is not None and needed > available:
        raise GatedRNNError(f"{what} needs about {describe_bytes(needed)}; {describe_available(available)}: {fix}")


def sequence_pass_bytes(count, length, input_size, hidden_size):
    """Bytes a recurrent model needs, about, for one forward and backward pass over ``count``
    sequences of ``length`` steps: the inputs (count, length, input_size) and the states kept."""
    return int(count) * int(length) * (int(input_size) + STATE_FLOATS_PER_UNIT * int(hidden_size)) * FLOAT_BYTES
