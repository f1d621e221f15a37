"""Input checks shared by the layers, each raising a one-line GatedRNNError."""
import numpy as np

from ..errors import GatedRNNError


def check_float_array(name, x, ndim, last_dim, dtype):
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


def check_token_ids(ids, vocab_size):
    """Check that ``ids`` is an integer array with every value in [0, vocab_size)."""
    if not isinstance(ids, np.ndarray) or ids.dtype.kind not in "iu":
        kind = ids.dtype if isinstance(ids, np.ndarray) else type(ids).__name__
        raise GatedRNNError(f"token ids must be an integer NumPy array, got {kind}; use np.asarray(ids, dtype=np.int64)")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        bad = ids.min() if ids.min() < 0 else ids.max()
        raise GatedRNNError(
            f"token id {bad} is outside the vocabulary of {vocab_size}; ids must lie in [0, {vocab_size})"
        )


def check_backward_ready(layer, cache):
    if cache is None:
        raise GatedRNNError(f"{type(layer).__name__}.backward() was called before forward(); run forward first")
