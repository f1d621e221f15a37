"""The encoder of Seq2Seq: embed the source, read it with a recurrent layer.

    source ids (N, S), lengths (N,) ──embed──▶ RNN ──▶ outputs (N, S, H), final state s

* ``reverse_source``: the encoder reads each source backwards (its real part; padding stays
  at the end), which puts the source's first tokens close to the target's first ones.
* ``bidirectional``: the encoder reads the source both ways; its two directions' states are
  summed (outputs and final states alike), so that every encoder state holds both the
  source's left and right context and the decoder sees H-wide states as before.

The outputs are what attention looks back over (with the mask of real source steps); the
final state starts the decoder.
"""

from typing import Any

import numpy as np

from ..core import Module
from ..layers import RECURRENT_LAYERS, Embedding
from ..layers.recurrent import time_mask
from ..typing import DTypeLike, FloatArray, IntArray, IntLike, RecurrentState
from .decoder import Memory


def reverse_real(ids: IntArray, lengths: IntArray) -> IntArray:
    """ids (N, S), lengths (N,) → a copy (N, S), same dtype, with each row's first lengths[n] ids
    reversed and the padding after them left in place."""
    out = ids.copy()
    for row, length in enumerate(lengths):
        out[row, :length] = ids[row, :length][::-1]
    return out


class Encoder(Module):
    """embed → RNN over the (reversed) source; both directions summed when bidirectional."""

    def __init__(
        self,
        vocab_size: IntLike,
        embedding_size: IntLike,
        hidden_size: IntLike,
        cell: str = "lstm",
        num_layers: IntLike = 1,
        reverse_source: bool = False,
        bidirectional: bool = False,
        dtype: DTypeLike = np.float32,
    ) -> None:
        self.hidden_size = hidden_size
        self.reverse_source, self.bidirectional = bool(reverse_source), bool(bidirectional)
        self.embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.rnn = RECURRENT_LAYERS[cell](
            embedding_size, hidden_size, num_layers, bidirectional=self.bidirectional, dtype=dtype
        )

    def forward(self, source: IntArray, lengths: IntArray) -> tuple[Memory, RecurrentState]:
        """source (N, S), lengths (N,) → (Memory of the outputs (N, S, H) and the mask (N, S) of
        real steps, the final state: each layer's h [, c] as (L, N, H))."""
        if self.reverse_source:
            source = reverse_real(source, lengths)
        outputs, state = self.rnn(self.embed(source), lengths=lengths)
        if self.bidirectional:  # the two directions summed: H wide, as the decoder is
            H = self.hidden_size
            outputs = outputs[..., :H] + outputs[..., H:]
            state = _sum_directions(state)
        mask = time_mask(np.asarray(lengths), source.shape[1], outputs.dtype)[..., 0].T
        return Memory(outputs, mask), state

    def backward(self, doutputs: FloatArray | None, dstate: RecurrentState) -> None:
        """From the gradients of the outputs (N, S, H) (None: unused) and of the final state
        (L, N, H) [(h, c) for an LSTM]: added to every parameter's ``.grad``."""
        if self.bidirectional:  # each direction received the summed gradient
            if doutputs is not None:
                doutputs = np.concatenate([doutputs, doutputs], axis=-1)
            dstate = _repeat_directions(dstate)
        dsource, _ = self.rnn.backward(doutputs, dstate)
        self.embed.backward(dsource)


def _sum_directions(state: Any) -> Any:
    """(2L, N, H) states, layer-major with the two directions side by side → (L, N, H), summed."""
    if isinstance(state, tuple):
        return tuple(_sum_directions(part) for part in state)
    return state.reshape(-1, 2, *state.shape[1:]).sum(axis=1)


def _repeat_directions(dstate: Any) -> Any:
    """The inverse shape of _sum_directions, for gradients: (L, N, H) → (2L, N, H)."""
    if isinstance(dstate, tuple):
        return tuple(_repeat_directions(part) for part in dstate)
    return np.repeat(dstate, 2, axis=0)
