"""The library's random number generator, so that one seed makes a run reproducible.

Dropout masks and weight initialisation draw from this generator unless they are given one
of their own, as ``torch.manual_seed`` governs PyTorch's default generator. Its state is a
plain dict of integers, so checkpoints can store it as JSON.
"""

from typing import Any, cast

import numpy as np

from .errors import GatedRNNError, is_whole_number, short_repr
from .typing import IntLike

_generator = np.random.default_rng(0)


def check_seed(value: Any, default: Any = 0) -> int:
    """``value`` as an int if it is a whole number ≥ 0, else GatedRNNError in one line.

    The one check of a seed: gatedrnn.seed, train (TrainConfig), task, generate, demo, toy and
    the lab all call it, so ``--seed -1`` gets the same line at every door. NumPy itself would
    refuse a negative, fractional or string seed with a traceback; a bool is refused too, as
    ``seed=True`` is surely a mistake. ``default``: the seed the fix suggests (a config's own).
    """
    if not is_whole_number(value, 0):
        raise GatedRNNError(f"seed must be a whole number ≥ 0, got {short_repr(value)}; pass one such as {default}")
    return int(value)


def seed(value: IntLike) -> None:
    """Reset the library's generator to a fresh stream determined by ``value``, an int ≥ 0."""
    global _generator
    _generator = np.random.default_rng(check_seed(value))


def seeded_generator(value: Any) -> np.random.Generator:
    """A new generator of its own (not the library's): seeded by ``value``, checked as every seed
    is (NumPy would refuse -1 with a traceback), or fresh from the OS for None."""
    return np.random.default_rng(None if value is None else check_seed(value))


def generator() -> np.random.Generator:
    """Return the library's current ``numpy.random.Generator``."""
    return _generator


def get_state() -> dict[str, Any]:
    """The generator's state as a JSON-serialisable dict."""
    return cast(dict[str, Any], _generator.bit_generator.state)  # NumPy's stubs say Mapping; it is a dict


def set_state(state: dict[str, Any]) -> None:
    """Restore a state returned by :func:`get_state`; GatedRNNError, and no change, for anything else.

    A state read back from a checkpoint is data from a file: it is checked field by field
    (NumPy would accept some nonsense, such as has_uint32 = 5, and refuse other with a
    KeyError or OverflowError), then tried on a scratch generator, and only then applied.
    """
    check_state(state)
    scratch = type(_generator.bit_generator)()
    try:
        scratch.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise GatedRNNError(
            f"the random generator state does not fit {type(scratch).__name__} ({error}); the checkpoint is corrupt"
        ) from None
    _generator.bit_generator.state = state


def check_state(state: object) -> None:
    """GatedRNNError unless ``state`` looks like what :func:`get_state` returns (PCG64's layout)."""
    expected = type(_generator.bit_generator).__name__
    if not isinstance(state, dict) or set(state) != {"bit_generator", "state", "has_uint32", "uinteger"}:
        keys = sorted(map(str, state)) if isinstance(state, dict) else type(state).__name__
        raise GatedRNNError(
            f"the random generator state must be a dict with keys bit_generator, state, has_uint32 "
            f"and uinteger, got {str(keys)[:80]}; the checkpoint is corrupt"
        )
    if state["bit_generator"] != expected:
        raise GatedRNNError(
            f"the random generator state is for {str(state['bit_generator'])[:40]!r}, not "
            f"{expected}; the checkpoint is corrupt or from another library"
        )
    inner = state["state"]
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"}:
        raise GatedRNNError(
            "the random generator state's 'state' must be a dict with keys state and inc; the checkpoint is corrupt"
        )
    for name, value, bits in (
        ("state", inner["state"], 128),
        ("inc", inner["inc"], 128),
        ("has_uint32", state["has_uint32"], 1),
        ("uinteger", state["uinteger"], 32),
    ):
        if not is_whole_number(value, 0) or value >= 2**bits:
            shown = "a very large int" if isinstance(value, int) and value.bit_length() > 1000 else str(value)[:40]
            raise GatedRNNError(
                f"the random generator's {name} must be a whole number in [0, 2^{bits}), got "
                f"{shown}; the checkpoint is corrupt"
            )
