"""The library's random number generator, so that one seed makes a run reproducible.

Dropout masks and weight initialisation draw from this generator unless they are given one
of their own, as ``torch.manual_seed`` governs PyTorch's default generator. Its state is a
plain dict of integers, so checkpoints can store it as JSON.
"""
import numpy as np

_generator = np.random.default_rng(0)


def seed(value):
    """Reset the library's generator to a fresh stream determined by ``value`` (an int)."""
    global _generator
    _generator = np.random.default_rng(value)


def generator():
    """Return the library's current ``numpy.random.Generator``."""
    return _generator


def get_state():
    """The generator's state as a JSON-serialisable dict."""
    return _generator.bit_generator.state


def set_state(state):
    """Restore a state returned by :func:`get_state`."""
    _generator.bit_generator.state = state
