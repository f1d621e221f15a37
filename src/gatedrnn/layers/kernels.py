"""Kernels: the recurrent layers' speed choices, each equal to a plain formula.

The cell files (rnn.py, lstm.py, gru.py) read as their equations and call these by what they
compute; how each is computed fast lives here. Every kernel's docstring gives the plain
NumPy formula it equals (exactly, unless it says otherwise), and tests/layers/test_kernels.py
checks each against that formula. The comments say why a route is faster; the measurements
behind them are in docs/performance.md ("Where the layers' speed choices are measured").

Shapes: T steps, N sequences, D input features, H hidden units, G gates (1 RNN, 3 GRU, 4 LSTM).
"""

import functools
from typing import Any

import numpy as np

from ..typing import DTypeLike, FloatArray


def input_projection(xs: FloatArray, w_ih: FloatArray) -> FloatArray:
    """x_t W_ihᵀ for every step at once: xs (T, N, D), w_ih (G·H, D) → (T, N, G·H).

    Equals ``xs @ w_ih.T``. Computed as one 2-D product over the T·N rows, because NumPy
    runs a 3-D @ 2-D matmul as T separate small products, which is much slower.
    The result is a fresh array the caller may write into.
    """
    steps, batch, width = xs.shape
    return (xs.reshape(steps * batch, width) @ w_ih.T).reshape(steps, batch, -1)


# From this hidden size on, HiddenProjection multiplies the stored W_hh by hᵀ; below it, h by
# a contiguous copy of W_hhᵀ, provided the window has at least MIN_STEPS_FOR_WEIGHT_COPY steps
# for the copy to pay for itself. Both thresholds were measured, with N = 20 and 64.
LARGE_HIDDEN = 512
MIN_STEPS_FOR_WEIGHT_COPY = 4


class HiddenProjection:
    """h_{t-1} W_hhᵀ, the one product of a step that has to wait for the previous step.

    ``project(h)`` takes h (N, H) and returns h @ w_hh.T (N, G·H), for a w_hh (G·H, H) fixed
    for the window, by whichever route OpenBLAS runs fastest for the size:

    - large H (≥ LARGE_HIDDEN): (W_hh hᵀ)ᵀ, the stored W_hh times the thin hᵀ into a buffer
      (G·H, N) reused at every step. The result is a transposed view of that buffer, valid
      until the next call. It is faster than h times a contiguous copy of W_hhᵀ, and the
      copy itself is not needed.
    - smaller H: h times a contiguous copy of W_hhᵀ made once per window, which is cheap
      there, while adding the transposed view to the gates costs more than it saves;
      for windows of fewer than MIN_STEPS_FOR_WEIGHT_COPY steps (generation) h times the
      transposed view, with no copy at all.

    The routes round differently (each is a different BLAS call), which is why the choice
    depends only on the shapes: a run is reproducible bit for bit.
    """

    def __init__(self, w_hh: FloatArray, batch: int, steps: int) -> None:
        self.w_hh = w_hh
        self.buffer: FloatArray | None = None
        if w_hh.shape[1] >= LARGE_HIDDEN:
            self.buffer = np.empty((w_hh.shape[0], batch), w_hh.dtype)
        elif steps >= MIN_STEPS_FOR_WEIGHT_COPY:
            self.w_hh_t = np.ascontiguousarray(w_hh.T)
        else:
            self.w_hh_t = w_hh.T

    def project(self, h: FloatArray) -> FloatArray:
        """h (N, H) → h @ w_hhᵀ (N, G·H); for large H a view that the next call overwrites."""
        if self.buffer is None:
            return h @ self.w_hh_t
        np.matmul(self.w_hh, h.T, out=self.buffer)
        return self.buffer.T


def lstm_gate_activations(a: FloatArray, hidden_size: int) -> FloatArray:
    """In place, a (N, 4H) = [a_i | a_f | a_g | a_o] → [σ(a_i) | σ(a_f) | tanh(a_g) | σ(a_o)]; returns a.

    Equals ``concat(σ(a_i), σ(a_f), tanh(a_g), σ(a_o))`` within float rounding of 1 (see
    gate_activation_affine; tanh(a_g) is exact). One tanh pass over all four gates instead
    of separate σ, tanh, σ calls, which is faster: since σ(x) = ½ tanh(x/2) + ½, it
    computes s ⊙ tanh(s ⊙ a) + b, with s = ½, b = ½ on the i, f, o columns and s = 1, b = 0
    on the g columns.
    """
    scale, offset = _gate_affine(hidden_size, a.dtype)
    a *= scale
    np.tanh(a, out=a)
    a *= scale
    a += offset
    return a


def gate_activation_affine(hidden_size: int, dtype: DTypeLike) -> tuple[FloatArray, FloatArray]:
    """The factor s and offset b (4H,) that make s ⊙ tanh(s ⊙ a) + b the LSTM's gate activations.

    σ(x) = ½ tanh(x/2) + ½, so with s = ½ and b = ½ on the i, f, o columns and s = 1,
    b = 0 on the g columns, s ⊙ tanh(s ⊙ a) + b is [σ(a_i) | σ(a_f) | tanh(a_g) | σ(a_o)].
    Exact for g; for the σ gates the absolute error stays within float rounding of 1, but
    a tiny σ (far below 1e-3) loses relative precision — harmless inside the cell, where
    a gate only ever scales another value.
    """
    H = hidden_size
    scale = np.full(4 * H, 0.5, dtype)
    scale[2 * H : 3 * H] = 1.0
    offset = np.full(4 * H, 0.5, dtype)
    offset[2 * H : 3 * H] = 0.0
    return scale, offset


@functools.lru_cache(maxsize=64)
def _gate_affine(hidden_size: int, dtype: Any) -> tuple[FloatArray, FloatArray]:
    # Made once per (H, dtype) rather than at every step; read-only, since every call shares them.
    scale, offset = gate_activation_affine(hidden_size, dtype)
    scale.flags.writeable = offset.flags.writeable = False
    return scale, offset


def dxs_and_weight_grads(
    xs: FloatArray,
    h0: FloatArray,
    hs: FloatArray,
    da_ih: FloatArray,
    da_hh: FloatArray,
    w_ih: FloatArray,
    bias: bool = True,
    hidden_mask: FloatArray | None = None,
) -> tuple[FloatArray, tuple[FloatArray, FloatArray, FloatArray | None, FloatArray | None]]:
    """The gradients that can wait until the backward time loop is done, as a few large products.

    With the pre-activation gradient da_t split into the part that reaches the input side
    (da_ih) and the part that reaches the hidden side (da_hh; the same array except in the
    GRU), and h_{t-1} = h0 for t = 0, this equals, over all steps t::

        dxs[t] = da_ih[t] @ w_ih                     dW_ih = Σ_t da_ih[t]ᵀ @ xs[t]
        dW_hh = Σ_t da_hh[t]ᵀ @ h_{t-1}              db_ih = Σ_t Σ_n da_ih[t, n]
        db_hh = Σ_t Σ_n da_hh[t, n]

    each computed as one 2-D product (or sum) over the T·N rows (see input_projection). With
    recurrent dropout's ``hidden_mask`` (N, H), h_{t-1} ⊙ mask takes h_{t-1}'s place in dW_hh.
    Shapes: xs (T, N, D), h0 (N, H), hs (T, N, H), da_* (T, N, G·H), w_ih (G·H, D).
    Returns dxs (T, N, D) and (dW_ih, dW_hh, db_ih, db_hh): fresh arrays, except that
    db_ih *is* db_hh when da_hh is da_ih; both biases are None when ``bias`` is False.
    """
    rows = da_ih.shape[-1]
    h_prev = np.concatenate([h0[None], hs[:-1]])
    if hidden_mask is not None:
        h_prev *= hidden_mask
    flat_ih = da_ih.reshape(-1, rows)
    flat_hh = da_hh.reshape(-1, da_hh.shape[-1])  # fewer columns than da_ih in the reset-before GRU
    dxs = (flat_ih @ w_ih).reshape(da_ih.shape[:-1] + (w_ih.shape[1],))
    dw_ih = flat_ih.T @ xs.reshape(-1, xs.shape[-1])
    dw_hh = flat_hh.T @ h_prev.reshape(-1, h_prev.shape[-1])
    if not bias:
        return dxs, (dw_ih, dw_hh, None, None)
    db_ih = flat_ih.sum(axis=0)
    db_hh = db_ih if da_hh is da_ih else flat_hh.sum(axis=0)
    return dxs, (dw_ih, dw_hh, db_ih, db_hh)
