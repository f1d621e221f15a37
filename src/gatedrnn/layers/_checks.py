"""Input checks shared by the layers, each raising a one-line GatedRNNError."""

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import errors
from ..errors import GatedRNNError
from ..typing import DTypeLike


def check_float_array(name: str, x: Any, ndim: int | None, last_dim: int | None, dtype: DTypeLike) -> None:
    """Check that ``x`` is an array of ``ndim`` dims (None: any ≥ 1) ending in ``last_dim``, of ``dtype``."""
    if not isinstance(x, np.ndarray):
        raise GatedRNNError(f"{name} must be a NumPy array, got {type(x).__name__}; wrap it with np.asarray")
    if ndim is None and x.ndim == 0:
        raise GatedRNNError(f"{name} must have at least one dimension, got a scalar")
    if ndim is not None and x.ndim != ndim:
        raise GatedRNNError(f"{name} must have {ndim} dimensions, got shape {x.shape}")
    if last_dim is not None and x.shape[-1] != last_dim:
        raise GatedRNNError(f"{name} must end in size {last_dim}, got shape {x.shape}")
    if x.dtype != dtype:
        raise GatedRNNError(
            f"{name} has dtype {x.dtype} but the layer's weights are {np.dtype(dtype)}; "
            f"convert with .astype(np.{np.dtype(dtype)}) or change the layer with .to()"
        )


def check_token_ids(ids: Any, vocab_size: int) -> None:
    """Check that ``ids`` is an integer array with every value in [0, vocab_size)."""
    if not isinstance(ids, np.ndarray) or ids.dtype.kind not in "iu":
        kind = ids.dtype if isinstance(ids, np.ndarray) else type(ids).__name__
        raise GatedRNNError(
            f"token ids must be an integer NumPy array, got {kind}; use np.asarray(ids, dtype=np.int64)"
        )
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        bad = ids.min() if ids.min() < 0 else ids.max()
        raise GatedRNNError(
            f"token id {bad} is outside the vocabulary of {vocab_size}; ids must lie in [0, {vocab_size})"
        )


def check_backward_ready(layer: object, cache: object) -> None:
    """Refuse a backward() with no forward() before it, or a second one after the same forward().

    Backward passes add into ``Parameter.grad``, so running one twice on one forward's cache
    would silently double the gradients. A layer's forward sets ``_awaiting_backward`` (see
    :func:`forward_done`) and its backward clears it (:func:`backward_done`) once its own
    input checks have passed, so a backward refused for a bad gradient may be retried.
    """
    if cache is None:
        raise GatedRNNError(f"{type(layer).__name__}.backward() was called before forward(); run forward first")
    if not getattr(layer, "_awaiting_backward", False):
        raise GatedRNNError(
            f"{type(layer).__name__}.backward() was called twice after one forward(); run forward "
            "again (a second backward would add the same gradients once more)"
        )


def forward_done(layer: Any) -> None:
    """Record that ``layer`` has a fresh forward cache, ready for exactly one backward()."""
    layer._awaiting_backward = True


def backward_done(layer: Any) -> None:
    """Record that the forward cache of ``layer`` has been used by its backward()."""
    layer._awaiting_backward = False


def check_gradient(name: str, grad: Any, shape: Sequence[int]) -> None:
    """``grad`` must be a floating NumPy array of exactly ``shape`` (the forward output's)."""
    if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f":
        kind = grad.dtype if isinstance(grad, np.ndarray) else type(grad).__name__
        raise GatedRNNError(f"{name} must be a floating NumPy array, got {kind}; pass dL/d(output) as a float array")
    if grad.shape != tuple(shape):
        raise GatedRNNError(f"{name} has shape {grad.shape}, expected {tuple(shape)} (the shape forward() returned)")


# -- layer configuration: each check names the argument, what it got and what to pass instead --
def check_whole_number(owner: str, name: str, value: Any) -> None:
    """``value`` must be an int ≥ 1 (a bool is refused: LSTM(3, True) is a mistake, not one unit);
    the refusal is errors.check_whole_number's, prefixed with the layer."""
    errors.check_whole_number(f"{owner}: {name}", value, 1)


def check_sizes(owner: str, **sizes: Any) -> None:
    """Each ``name=value`` must be a whole number ≥ 1. A model built of layers checks its own
    arguments first, so that SequenceTagger(..., num_tags=0) names num_tags, not the read-out
    Linear's out_features it becomes."""
    for name, value in sizes.items():
        check_whole_number(owner, name, value)


def check_flag(owner: str, name: str, value: Any, positional_order: Sequence[str]) -> None:
    """``value`` must be True or False; the message recalls the positional order, the usual cause."""
    if not isinstance(value, (bool, np.bool_)):
        raise GatedRNNError(
            f"{owner}: {name} must be True or False, got {value!r}; the positional order is "
            f"({', '.join(positional_order)}), so pass {name}=True/False (or the intended "
            "argument) by keyword"
        )


def check_probability(owner: str, name: str, value: Any) -> None:
    """``value`` must be a real number (not a bool or a string) in [0, 1)."""
    real = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not real or not 0.0 <= value < 1.0:
        raise GatedRNNError(
            f"{owner}: {name} must be a number in [0, 1), got {value!r}; pass a float such as 0.5, or 0 for none"
        )


def check_float_dtype(owner: str, dtype: Any) -> np.dtype[Any]:
    """``dtype`` must name float32 or float64; returns it as a numpy dtype."""
    try:
        resolved = None if dtype is None else np.dtype(dtype)  # np.dtype(None) would be float64
    except (TypeError, ValueError):
        resolved = None
    if resolved is None or resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise GatedRNNError(
            f"{owner}: dtype must be float32 or float64, got {dtype!r}; pass np.float32 (the default) or np.float64"
        )
    return resolved


def check_generator(owner: str, rng: Any) -> None:
    """``rng`` must be None or a numpy.random.Generator."""
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise GatedRNNError(
            f"{owner}: rng must be a numpy.random.Generator or None, got {type(rng).__name__}; "
            "pass np.random.default_rng(seed)"
        )
