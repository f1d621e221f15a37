"""Numerical gradients by central differences, to check hand-written backward passes.

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / 2ε

has error O(ε²); in float64 with ε ≈ 1e-6 it agrees with an exact gradient to about 1e-8
relative, which is what tests ask of every layer.
"""

from collections.abc import Callable

import numpy as np

from .typing import ArrayLike, FloatArray


def numerical_gradient(f: Callable[[], float], x: FloatArray, eps: float = 1e-6) -> FloatArray:
    """The gradient of the scalar function ``f()`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x`` (which is perturbed in place, one element at a
    time, and restored), so it can check a parameter buried inside a model. Shape of the
    result: ``x.shape``, float64.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat_x = x.reshape(-1)  # a view: writing to it perturbs x
    flat_grad = grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + eps
        f_plus = f()
        flat_x[i] = original - eps
        f_minus = f()
        flat_x[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(actual: ArrayLike, expected: ArrayLike) -> float:
    """max |actual - expected| / max |expected|: one number for how far two arrays differ.

    Scaling by the largest magnitude (not element by element) keeps tiny entries, whose own
    rounding is relatively large, from dominating the comparison.
    """
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.max(np.abs(expected)) if expected.size else 0.0
    diff = np.max(np.abs(actual - expected)) if expected.size else 0.0
    return diff / scale if scale > 0 else diff
