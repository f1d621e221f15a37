"""One-to-many: one start vector → a decoder writes a sequence.

The image-captioning shape of the lecture notes, with a few class tokens instead of an
image's features: the start vector is h_0 = tanh(Σ_j E[c_j]) over the example's tokens
c_j (an unordered bag: one token, or a few attributes such as a number's three digit
classes), and it starts the decoder (c_0 = 0 for an LSTM), which is trained and decoded
exactly as Seq2Seq's plain decoder (teacher forcing, greedy, beam search).
"""

from typing import Any

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import RECURRENT_LAYERS, Embedding, Linear
from ..typing import DTypeLike, FloatArray, IntArray, IntLike, RecurrentState
from . import decoding
from .decoder import Memory


class OneToMany(Module):
    """A start vector from a bag of tokens, then a decoder (see the module docstring).

    It takes Seq2Seq's arguments so that the same training loop serves both: ``source``
    (N, K) holds each example's tokens.
    """

    memory: Memory | None = None  # nothing to attend to (decoding's functions read it, as Seq2Seq's)

    def __init__(
        self,
        vocab_size: IntLike,
        embedding_size: IntLike = 16,
        hidden_size: IntLike = 128,
        cell: str = "lstm",
        dtype: DTypeLike = np.float32,
    ) -> None:
        if cell not in RECURRENT_LAYERS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
        self.config: dict[str, Any] = dict(
            vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size, cell=cell, one_to_many=True
        )
        self.start = Embedding(vocab_size, hidden_size, dtype=dtype)
        self.decoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.decoder = RECURRENT_LAYERS[cell](embedding_size, hidden_size, 1, dtype=dtype)
        self.readout = Linear(hidden_size, vocab_size, dtype=dtype)
        self._h0: FloatArray | None = None  # the last encode's h_0 (N, H), for backward

    def encode(self, source: IntArray, lengths: IntArray | None = None) -> RecurrentState:
        """The decoder's initial state from each row's tokens (N, K): h_0 = tanh(Σ_j E[c_j]), as
        (1, N, H) in the model's float dtype, with c_0 = 0 beside it for an LSTM. ``lengths`` is
        not used (every row has its K tokens); it is there so that Seq2Seq's callers work."""
        h0_rows = np.tanh(self.start(source).sum(axis=1))  # (N, H)
        self._h0 = h0_rows
        self._source_width = source.shape[1]
        h0 = h0_rows[None]
        return (h0, np.zeros_like(h0)) if self.decoder.state_names == ("h", "c") else h0

    def summary(self, state: RecurrentState) -> None:
        """None: no decoder of this model peeks at an encoder's summary (Seq2Seq.summary's place)."""
        return None

    def decode(
        self, decoder_input: IntArray, state: RecurrentState, summary: FloatArray | None = None
    ) -> tuple[FloatArray, RecurrentState]:
        """decoder input ids (N, T) from ``state`` → (logits (N, T, V), the decoder's final state)."""
        hs, final = self.decoder(self.decoder_embed(decoder_input), state)
        return self.readout(hs), final

    def forward(self, source: IntArray, lengths: IntArray | None, decoder_input: IntArray) -> FloatArray:
        """Teacher-forced scores: logits (N, T, V) of every target step given the true previous tokens."""
        logits, _ = self.decode(decoder_input, self.encode(source, lengths))
        return logits

    def backward(self, dlogits: FloatArray) -> None:
        """dL/dlogits (N, T, V) → gradients added to every parameter's ``.grad``."""
        dxs, dstate = self.decoder.backward(self.readout.backward(dlogits))  # refuses to run before a forward
        self.decoder_embed.backward(dxs)
        assert self._h0 is not None  # set by that forward's encode
        dh0 = (dstate[0] if isinstance(dstate, tuple) else dstate)[0]
        dsum = dh0 * (1 - self._h0**2)  # through the tanh
        self.start.backward(np.repeat(dsum[:, None], self._source_width, axis=1))

    def greedy(
        self, source: IntArray, lengths: IntArray, bos_id: IntLike, steps: IntLike, eos_id: IntLike | None = None
    ) -> IntArray:
        """gatedrnn.seq.decoding.greedy of this model: ids (N, steps) int64, <bos> not included."""
        return decoding.greedy(self, source, lengths, bos_id, steps, eos_id)
