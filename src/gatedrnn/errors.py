"""The one exception type a user of gatedrnn can cause.

Every mistake a user can make (a shape that does not fit, an id outside the vocabulary, a
corrupt checkpoint, a missing data directory) raises :class:`GatedRNNError` with a message of
one line that says what was wrong and how to fix it. The CLI prints that line and exits
non-zero. It subclasses ``ValueError`` so that code written for ordinary Python errors still
catches it.
"""
import numpy as np


class GatedRNNError(ValueError):
    """A problem with the user's input, data or files, explained in one line."""


def is_whole_number(value, minimum):
    """True for an integer (Python or NumPy) of at least ``minimum``.

    bool is an int in Python, but ``batch_size=True`` is surely a mistake, so it is refused.
    Callers raise their own GatedRNNError, naming the argument and the fix.
    """
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and value >= minimum
