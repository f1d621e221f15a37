"""The one exception type a user of gatedrnn can cause.

Every mistake a user can make (a shape that does not fit, an id outside the vocabulary, a
corrupt checkpoint, a missing data directory) raises :class:`GatedRNNError` with a message of
one line that says what was wrong and how to fix it. The CLI prints that line and exits
non-zero. It subclasses ``ValueError`` so that code written for ordinary Python errors still
catches it.
"""

import inspect
import math
from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np


class GatedRNNError(ValueError):
    """A problem with the user's input, data or files, explained in one line."""


def is_whole_number(value: object, minimum: float) -> bool:
    """True for an integer (Python or NumPy) of at least ``minimum``.

    bool is an int in Python, but ``batch_size=True`` is surely a mistake, so it is refused.
    Callers raise their own GatedRNNError, naming the argument and the fix.
    """
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and bool(value >= minimum)


def check_whole_number(name: str, value: object, minimum: int, example: str = "") -> None:
    """GatedRNNError "``name`` must be a whole number ≥ ``minimum``, got …; pass …" unless ``value``
    is one: the one wording of this refusal, whichever door (layer, function, CLI) it came through.
    ``example`` ends the fix (", such as 32")."""
    if not is_whole_number(value, minimum):
        raise GatedRNNError(
            f"{name} must be a whole number ≥ {minimum}, got {short_repr(value)}; "
            f"pass a whole number ≥ {minimum}{example}"
        )


def is_finite_number(value: object) -> bool:
    """True for a real number (not a bool) that is finite; an int too large for a float is not."""
    if isinstance(value, bool) or not isinstance(value, Real):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, for a message about a value that may have
    come from a file (and may be a megabyte long, or an int too long to print)."""
    if isinstance(value, int) and value.bit_length() > 1000:
        return f"an {type(value).__name__} too long to show"
    try:
        text = repr(value)
    except ValueError:  # an int beyond Python's digit limit for str()
        return f"an {type(value).__name__} too long to show"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def signature_defaults(function: Callable[..., Any]) -> dict[str, Any]:
    """{parameter: default} of ``function``, for the parameters that have one: the values a
    refusal names as the example of its fix, read where they are defined, never written again."""
    parameters = inspect.signature(function).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}
