"""Gradient clipping, as ``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_``.

Recurrent networks multiply the gradient by W_hh at every step back in time, so now and then
a gradient explodes and a single update throws the weights far away (Pascanu et al. 2013).
Clipping by the *global* norm rescales all gradients together::

    if ‖ĝ‖ ≥ threshold:   ĝ ← threshold / ‖ĝ‖ · ĝ

Every component is multiplied by the same positive number, so the update keeps its direction
and only its length is capped; clipping each element separately (:func:`clip_grad_value`)
would instead bend the direction towards the corners of the box [-c, c]ⁿ.
"""

import math
from collections.abc import Iterable
from numbers import Real
from typing import Any

import numpy as np

from .core import Parameter, distinct_parameters
from .errors import GatedRNNError
from .typing import FloatArray, FloatLike

Parameters = Parameter | Iterable[Parameter]
# 0 is "no clipping" only to the trainers' --clip (gatedrnn.training.CLIP_HELP); here, as a
# threshold, it is refused: torch's clip_grad_norm_ would silently zero every gradient.
MAX_NORM_HINT = "use a threshold such as 1.0 or 5.0, or leave the call out to clip nothing (0 does not mean off here)"


def _positive(value: Any, name: str, caller: str, hint: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(value) or value <= 0:
        raise GatedRNNError(f"{caller} {name} must be a positive number, got {value!r}; {hint}")
    return float(value)


def _vector_norm(array: FloatArray, p: float) -> np.floating[Any]:
    """‖x‖_p = (Σ |x_i|ᵖ)^(1/p), or max |x_i| for p = ∞, in the array's own dtype."""
    if array.size == 0:
        return array.dtype.type(0)
    return np.linalg.norm(array.ravel(), ord=p)


def _trainable(parameters: Parameters, caller: str) -> list[Parameter]:
    """The distinct parameters that require a gradient; torch likewise skips frozen ones."""
    return [param for param in distinct_parameters(parameters, caller) if param.requires_grad]


def total_grad_norm(parameters: Parameters, norm_type: FloatLike = 2.0) -> np.floating[Any]:
    """The p-norm of all gradients seen as one long vector.

    ``parameters``: a Parameter or an iterable of them (frozen ones are left out); ``norm_type``
    p > 0, ``float('inf')`` for max |g_i|.

    Computed as torch does: the p-norm of the vector of per-parameter p-norms, which equals
    the p-norm of the concatenation (‖(‖g_1‖_p, …, ‖g_k‖_p)‖_p = ‖g‖_p). Returns a NumPy
    scalar in the gradients' dtype (the widest one when they differ).
    """
    trainable = _trainable(parameters, "total_grad_norm")
    p = _positive(norm_type, "norm_type", "total_grad_norm", "use 2.0, 1.0 or float('inf')")
    if not trainable:
        return np.float32(0.0)
    norms = [_vector_norm(param.grad, p) for param in trainable]
    dtype = np.result_type(*[param.grad.dtype for param in trainable])
    return _vector_norm(np.array(norms, dtype=dtype), p)


def clip_grad_norm(
    parameters: Parameters, max_norm: FloatLike, norm_type: FloatLike = 2.0, error_if_nonfinite: bool = False
) -> float:
    """Scale all gradients in place so that their global norm is at most ``max_norm``.

    Args:
        parameters: a Parameter or an iterable of Parameters (e.g. ``model.parameters()``).
        max_norm: the threshold on the global norm.
        norm_type: p of the p-norm, any positive float, or ``float('inf')`` for max |g_i|.
        error_if_nonfinite: raise GatedRNNError when the total norm is nan or ±inf, instead
            of scaling by it (which turns every gradient into nan, as in torch).

    Each gradient is multiplied by the same factor, as ``torch.nn.utils.clip_grad_norm_``::

        c = min(max_norm / (‖g‖_p + 1e-6), 1)
        g_i ← c · g_i

    The multiplication happens even when c = 1, exactly as in torch. The 1e-6 keeps the
    division finite when all gradients are zero.

    Returns:
        The total norm before clipping, as a Python float (0.0 for no parameters).
    """
    trainable = _trainable(parameters, "clip_grad_norm")
    max_norm = _positive(max_norm, "max_norm", "clip_grad_norm", MAX_NORM_HINT)
    _positive(norm_type, "norm_type", "clip_grad_norm", "use 2.0, 1.0 or float('inf')")
    if not isinstance(error_if_nonfinite, (bool, np.bool_)):
        raise GatedRNNError(f"clip_grad_norm error_if_nonfinite must be True or False, got {error_if_nonfinite!r}")
    if not trainable:
        return 0.0
    total = total_grad_norm(trainable, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise GatedRNNError(
            f"the total gradient norm of order {float(norm_type)} is non-finite "
            f"({float(total)}), so it cannot be clipped; lower the learning rate, "
            f"or pass error_if_nonfinite=False to scale by it anyway"
        )
    clip_coef = clip_coefficient(total, max_norm)
    # the caller accepted a non-finite norm, so inf · 0 = nan is expected, not worth a warning
    with np.errstate(invalid="ignore"):
        for param in trainable:
            param.grad *= clip_coef.astype(param.grad.dtype)
    return float(total)


def clip_coefficient(total_norm: FloatLike, max_norm: FloatLike) -> np.floating[Any]:
    """c = min(max_norm / (‖g‖ + 1e-6), 1), the factor clip_grad_norm multiplies gradients by (a NumPy scalar).

    ``total_norm`` is what :func:`total_grad_norm` returns; the arithmetic is done in its
    dtype, as torch does with its 0-d tensor. ``optimizer.step(grad_scale=c)`` then clips
    as part of the update (the Trainer does this: one pass over the weights fewer).
    """
    _positive(max_norm, "max_norm", "clip_coefficient", MAX_NORM_HINT)
    as_norm_dtype = np.asarray(total_norm).dtype.type
    return np.minimum(as_norm_dtype(max_norm) / (as_norm_dtype(total_norm) + as_norm_dtype(1e-6)), as_norm_dtype(1.0))


def clip_grad_value(parameters: Parameters, clip_value: FloatLike) -> None:
    """Clamp every gradient element in place to [-clip_value, clip_value].

    g_i ← min(max(g_i, -c), c), as ``torch.nn.utils.clip_grad_value_``. Unlike
    :func:`clip_grad_norm` this changes the gradient's direction whenever it clips.
    """
    trainable = _trainable(parameters, "clip_grad_value")
    bound = _positive(clip_value, "clip_value", "clip_grad_value", "use a bound such as 1.0")
    for param in trainable:
        np.clip(param.grad, -bound, bound, out=param.grad)


def clip_grad_norm_per_tensor(parameters: Parameters, max_norm: FloatLike, norm_type: FloatLike = 2.0) -> list[float]:
    """Scale each gradient in place so that *its own* norm is at most ``max_norm`` (Keras's ``clipnorm``).

    Args:
        parameters: a Parameter or an iterable of Parameters (frozen ones are left out).
        max_norm: the threshold on each tensor's norm.
        norm_type: p of the p-norm, any positive float, or ``float('inf')``.

    Keras's ``optimizer(clipnorm=c)`` clips every gradient tensor separately, where
    :func:`clip_grad_norm` (torch's ``clip_grad_norm_``, Keras's ``global_clipnorm``) scales
    them all by one factor::

        c_i = min(max_norm / (‖g_i‖_p + 1e-6), 1)
        g_i ← c_i · g_i

    With one tensor the two are the same. With several, a tensor with a large gradient is cut
    back while the others keep theirs, so the update's direction changes: the recurrent
    matrix, whose gradient explodes, loses more than the read-out. The 1e-6 and the multiply
    even when c_i = 1 are clip_grad_norm's (Keras divides by max(‖g_i‖, c) instead).

    Returns:
        Each tensor's norm before clipping, in the order of ``parameters``, as Python floats.
    """
    trainable = _trainable(parameters, "clip_grad_norm_per_tensor")
    max_norm = _positive(max_norm, "max_norm", "clip_grad_norm_per_tensor", MAX_NORM_HINT)
    p = _positive(norm_type, "norm_type", "clip_grad_norm_per_tensor", "use 2.0, 1.0 or float('inf')")
    norms = []
    with np.errstate(invalid="ignore"):  # a non-finite norm makes that tensor nan, as clip_grad_norm does
        for param in trainable:
            norm = _vector_norm(param.grad, p)
            param.grad *= clip_coefficient(norm, max_norm).astype(param.grad.dtype)
            norms.append(float(norm))
    return norms
