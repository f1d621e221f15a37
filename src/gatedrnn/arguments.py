"""One-line checks of a function's arguments, in the words every door shares.

``gatedrnn train``, ``task``, ``lab`` and ``demo``, and the Python functions behind them, take
many of the same kinds of setting (a count such as hidden_size, a positive rate, a
probability, a switch). Each kind is checked here, so that a mistake reads the same whichever
door it came through::

    hidden_size (--hidden-size) must be a whole number ≥ 1, got 0; pass a whole number ≥ 1, such as 32

The argument is named as both doors spell it (the Python keyword, the command line's flag),
the value as given, and the fix with the argument's default as the example. NumPy integers
and floats are accepted and returned as Python ones (they end up in a results JSON).
"""

import os
from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from .errors import GatedRNNError, check_whole_number, is_finite_number, short_repr


def spelled(name: str) -> str:
    """The argument as both doors spell it, "beam_width (--beam-width)"; a one-word name is the same in both."""
    return f"{name} (--{name.replace('_', '-')})" if "_" in name else name


def such_as(default: Any) -> str:
    """The end of a fix from the argument's default: ', such as 128'; for a str, ', or <the str>'
    (how to get the value when there is no single default); '' for None."""
    if default is None:
        return ""
    if isinstance(default, str):
        return f", or {default}"
    return f", such as {default}" if isinstance(default, int) else f", such as {default:g}"


def whole(name: str, value: Any, minimum: int, default: Any = None) -> int:
    """``value`` as an int if it is a whole number ≥ ``minimum``, else GatedRNNError naming ``name`` and the fix."""
    check_whole_number(spelled(name), value, minimum, such_as(default))
    return int(value)


def positive(name: str, value: Any, default: Any = None) -> float:
    """``value`` as a float if it is a finite number > 0, else GatedRNNError naming ``name`` and the fix."""
    if not (is_finite_number(value) and value > 0):
        raise GatedRNNError(
            f"{spelled(name)} must be a finite number > 0, got {short_repr(value)}; pass a value > 0{such_as(default)}"
        )
    return float(value)


def probability(name: str, value: Any, default: Any = None) -> float:
    """``value`` as a float if it is in [0, 1], else GatedRNNError naming ``name`` and the fix."""
    if not (is_finite_number(value) and 0.0 <= value <= 1.0):
        raise GatedRNNError(
            f"{spelled(name)} must be a probability in [0, 1], got {short_repr(value)}; "
            f"pass a value in [0, 1]{such_as(default)}"
        )
    return float(value)


def flag(name: str, value: Any) -> bool:
    """``value`` as a bool if it is a Python or NumPy bool, else GatedRNNError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        # plain name: the command line's switches cannot give anything else, and keep_model is not one
        raise GatedRNNError(f"{name} must be True or False, got {short_repr(value)}; pass True or False")
    return bool(value)


def choice(name: str, value: Any, known: Collection[str], none_allowed: bool = False) -> Any:
    """``value`` if it is one of ``known`` (or None when allowed), else GatedRNNError naming the choices."""
    if value is None and none_allowed:
        return None
    if not isinstance(value, str) or value not in known:
        extra = ", or none" if none_allowed else ""
        raise GatedRNNError(f"unknown {name} {short_repr(value)}; choose one of {', '.join(known)}{extra}")
    return value


def function(name: str, value: Any) -> Callable[..., Any]:
    """``value`` if it can be called (an echo such as print), else GatedRNNError naming ``name``."""
    if not callable(value):
        raise GatedRNNError(f"{name} must be a function, got {short_repr(value)}; pass one such as print")
    return value


def path_argument(name: str, value: Any, example: str) -> str:
    """``value`` as a str if it is a non-empty path (str or os.PathLike), else GatedRNNError naming
    ``name`` (as given: pass ``spelled(name)`` for an argument both doors share) with ``example``
    as the fix; '' would mean the current directory, never what was meant."""
    text = os.fspath(value) if isinstance(value, os.PathLike) else value
    if not isinstance(text, str) or not text:
        raise GatedRNNError(f"{name} must be a path, got {short_repr(value)}; pass one such as {example}")
    return text
