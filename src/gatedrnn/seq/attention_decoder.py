"""Attention: every decoder state looks back over all the encoder's states (Luong et al. 2015,
Bahdanau et al. 2015; the scores in gatedrnn.layers.attention).

The source then need not squeeze through the one final state. After the decoder RNN, each
hs_t is a query over the encoder's outputs (padding excluded by the mask), and the read-out
also sees their weighted mix c_t::

    c_t = Σ_s a_ts enc_s,   a_t = softmax over real s of score(hs_t, enc_s)
    logits_t = [hs_t | c_t | …] W_oᵀ + b_o

Backward: the encoder's outputs receive what reaches the keys, the decoder's outputs what
reaches the queries. :class:`AttentionReadout` is the part a PlainDecoder is given to attend;
``weights`` (N, T, S) after a forward shows where each output looked.
"""

import numpy as np

from ..layers.attention import Attention
from ..typing import DTypeLike, FloatArray, IntLike
from .decoder import Memory


class AttentionReadout:
    """The context c_t beside hs_t before the read-out, and the gradients back to queries and keys."""

    def __init__(self, hidden_size: IntLike, score: str = "dot", dtype: DTypeLike = np.float32) -> None:
        self.width = hidden_size  # the columns it adds to the read-out
        self.attention = Attention(hidden_size, score, dtype=dtype)
        self.weights: FloatArray | None = None

    def contexts(self, hs: FloatArray, memory: Memory) -> FloatArray:
        """hs (N, T, H) → the contexts (N, T, H); keeps the weights (N, T, S)."""
        contexts, self.weights = self.attention(hs, memory.keys, memory.mask)
        return contexts

    def backward(self, dcontexts: FloatArray) -> tuple[FloatArray, FloatArray]:
        """dcontexts (N, T, H) → (gradient of the queries hs, gradient of the keys)."""
        return self.attention.backward(dcontexts)
