"""Pure array functions: numerically stable sigmoid, softmax and log-softmax; the picked
log-softmax of a loss and its gradient; fast row and column sums.

None of these hold state or touch parameters; layers call them in forward and use their
outputs in backward (``sigmoid'(x) = s(1 - s)``, ``tanh'(x) = 1 - t^2``).
"""

import numpy as np

from .parallel import for_row_blocks
from .typing import BoolArray, FloatArray, FloatLike, IntArray


def sigmoid(x: FloatArray, out: FloatArray | None = None) -> FloatArray:
    """σ(x) = 1 / (1 + e^(-x)), stable for every x: an array of any shape → the same shape and dtype.

    With e = exp(-|x|), which lies in (0, 1] and so never overflows:
    σ(x) = 1 / (1 + e) for x ≥ 0 and σ(x) = e / (1 + e) for x < 0. The second branch keeps
    full relative precision for very negative x, where 1 - σ(|x|) would round to zero.
    ``out`` may be ``x`` itself for an in-place update.

    The numerator is chosen without a branch: max(e, [x ≥ 0]) is 1 where x ≥ 0 (as e ≤ 1)
    and e where x < 0. A masked ``where=`` select is about three times slower on gate
    pre-activations, whose signs are random.
    """
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    numerator = np.maximum(e, x >= 0)
    e += 1.0
    return np.divide(numerator, e, out=out)


def log_softmax(x: FloatArray, axis: int = -1) -> FloatArray:
    """log softmax(x) = x - max(x) - log Σ exp(x - max(x)) along ``axis``; same shape and dtype as x.

    Subtracting the maximum first keeps every exponent ≤ 0, so nothing overflows.
    """
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: FloatArray, axis: int = -1) -> FloatArray:
    """softmax(x)_i = exp(x_i - max x) / Σ_j exp(x_j - max x) along ``axis``; same shape and dtype as x."""
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def picked_log_softmax(logits: FloatArray, picked: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """log softmax(z_m)[picked_m] for each row of logits z (M, K), and what its gradient needs.

    Returns (picked log-probabilities (M,), exps = exp(z - max z) (M, K), sums = Σ_k exps (M, 1)):
    log softmax(z)[j] = (z_j - max z) - log Σ exp(z - max z), no exponent positive. A loss over
    many classes spends its time in passes over the (M, K) array, so there are as few as can be
    (max, subtract, exp in place, sum), the exponentials are kept for the backward
    (:func:`scaled_softmax_minus_onehot`) instead of being computed again, and the passes run on
    row blocks in parallel (gatedrnn.parallel). picked: ints in [0, K), (M,).
    """
    exps = np.empty_like(logits)
    picked_shifted = np.empty(len(logits), logits.dtype)
    rows = np.arange(len(logits))

    def shifted_exponentials(start: int, stop: int) -> None:
        block = exps[start:stop]
        np.subtract(logits[start:stop], logits[start:stop].max(axis=1, keepdims=True), out=block)
        picked_shifted[start:stop] = block[rows[: stop - start], picked[start:stop]]
        np.exp(block, out=block)

    if len(logits):  # max needs a row
        for_row_blocks(shifted_exponentials, len(logits), exps.size)
    sums = row_sums(exps)[:, None]
    return picked_shifted - np.log(sums[:, 0]), exps, sums


def scaled_softmax_minus_onehot(
    exps: FloatArray, sums: FloatArray, picked: IntArray, scale: FloatLike, counted: BoolArray | None = None
) -> FloatArray:
    """scale · (softmax(z) - onehot(picked)) per row, from :func:`picked_log_softmax`'s exps and sums: (M, K).

    The gradient of scale · (-log softmax(z)[picked]) with respect to z. The softmax's division
    is folded into one multiply per row. ``counted`` (M,) bool, if given: rows where it is False
    get a zero gradient (a loss's ignored positions).
    """
    row_factor = scale / sums
    if counted is not None:
        row_factor = np.where(counted[:, None], row_factor, 0.0)
    row_factor = row_factor.astype(exps.dtype, copy=False)
    gradient = np.empty_like(exps)
    for_row_blocks(
        lambda start, stop: np.multiply(exps[start:stop], row_factor[start:stop], out=gradient[start:stop]),
        len(exps),
        exps.size,
    )
    rows = np.arange(len(exps)) if counted is None else np.flatnonzero(counted)
    gradient[rows, picked[rows]] -= np.asarray(scale, dtype=exps.dtype)
    return gradient


def row_sums(a: FloatArray) -> FloatArray:
    """Σ_j a[i, j] for a 2-D array: (M, K) → (M,).

    A matrix-vector product with ones rather than ``a.sum(axis=1)``: BLAS runs it on every
    core, about 4× faster for a language model's (N·T, V) exponentials. Its SIMD partial
    sums keep the result within float32 rounding of the exact sum (tested against float64).
    """
    return a @ np.ones(a.shape[1], a.dtype)


def column_sums(a: FloatArray) -> FloatArray:
    """Σ_i a[i, j] for a 2-D array: (M, K) → (K,), as a vector-matrix product (see row_sums)."""
    return np.ones(a.shape[0], a.dtype) @ a
