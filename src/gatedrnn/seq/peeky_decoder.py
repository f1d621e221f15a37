"""Peeking: the decoder sees the encoder's summary at every step (Deep Learning from Scratch 2, ch. 7).

The summary h (the encoder's last layer's final hidden state, N × H) reaches a plain
decoder only through its initial state. A peeky decoder is also given it at every step,
beside its input and beside what the read-out sees::

    x'_t = [embed(y_{t-1}) | h]          logits_t = [hs_t | … | h] W_oᵀ + b_o

Backward: h's gradient is the sum over t of what reaches its copies in the inputs and in the
read-out; the encoder adds it to its top layer's final h (gatedrnn.seq.decoder.add_to_top_h).
:class:`Peek` holds no weights: it is the part a PlainDecoder is given to become peeky.
"""

import numpy as np

from ..typing import FloatArray, IntLike


class Peek:
    """The summary beside every step's input and read-out, and its gradient back from both."""

    def __init__(self, hidden_size: IntLike) -> None:
        self.width = hidden_size  # the columns it adds to the input and to the read-out

    def beside(self, xs: FloatArray, summary: FloatArray) -> FloatArray:
        """xs (N, T, D) → [xs | h] (N, T, D + H), h repeated over the T steps."""
        return np.concatenate([xs, self.repeated(summary, xs.shape[:2])], axis=-1)

    @staticmethod
    def repeated(summary: FloatArray, leading: tuple[int, ...]) -> FloatArray:
        """h (N, H) as (N, T, H) without a copy."""
        return np.broadcast_to(summary[:, None], leading + summary.shape[1:])

    def readout_gradient(self, dcolumns: FloatArray) -> FloatArray:
        """The summary's gradient from its read-out columns (N, T, H): their sum over time."""
        return dcolumns.sum(axis=1)

    def input_gradient(self, dxs: FloatArray, dsummary: FloatArray | None) -> tuple[FloatArray, FloatArray]:
        """dxs (N, T, D + H) → (dxs without the summary's columns, dsummary plus their sum over time)."""
        return dxs[..., : -self.width], dsummary + dxs[..., -self.width :].sum(axis=1)
