"""Checks on the lab experiments' settings, each failing with a one-line GatedRNNError.

Every experiment's ``run()`` checks its own arguments with these before doing any work, so
a setting is validated once, in the same words, whether it came from ``gatedrnn lab`` or
from a library call, and a bad value fails at once rather than minutes into a grid.
"""
import math
from numbers import Real

from ..errors import GatedRNNError, is_whole_number


def check_seed(seed):
    """A seed is a non-negative integer (NumPy refuses negative ones with a traceback)."""
    if not is_whole_number(seed, 0):
        raise GatedRNNError(f"seed must be a non-negative integer, got {seed!r}")


def is_positive_number(value):
    """True for a finite real number above 0; bool is refused (``lr=True`` is surely a mistake)."""
    return not isinstance(value, bool) and isinstance(value, Real) and math.isfinite(value) and value > 0


def check_positive(**values):
    """Each value is a finite real number above 0 (a learning rate, a clip threshold …)."""
    for name, value in values.items():
        if not is_positive_number(value):
            raise GatedRNNError(f"{_spoken(name)} must be a positive number, got {value!r}")


def check_counts(minimum=1, **values):
    """Each value is an integer of at least ``minimum`` (steps, sizes, lengths …)."""
    for name, value in values.items():
        if not is_whole_number(value, minimum):
            wanted = _WANTED.get(minimum, f"an integer of at least {minimum}")
            raise GatedRNNError(f"{_spoken(name)} must be {wanted}, got {value!r}")


_WANTED = {0: "a non-negative integer", 1: "a positive integer"}


def _spoken(name):
    """hidden_size → "hidden size", as the messages have always said it."""
    return name.replace("_", " ")
