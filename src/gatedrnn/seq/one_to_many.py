"""One-to-many: one start vector → a decoder writes a sequence.

The image-captioning shape of the lecture notes, with a few class tokens instead of an
image's features: the start vector is h_0 = tanh(Σ_j E[c_j]) over the example's tokens
c_j (an unordered bag: one token, or a few attributes such as a number's three digit
classes), and it starts the decoder (c_0 = 0 for an LSTM), which is trained and decoded
exactly as Seq2Seq's plain decoder (teacher forcing, greedy, beam search).
"""

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import RECURRENT_LAYERS, Embedding, Linear
from . import decoding


class OneToMany(Module):
    """A start vector from a bag of tokens, then a decoder (see the module docstring).

    It takes Seq2Seq's arguments so that the same training loop serves both: ``source``
    (N, K) holds each example's tokens.
    """

    memory = None  # nothing to attend to

    def __init__(self, vocab_size, embedding_size=16, hidden_size=128, cell="lstm", dtype=np.float32):
        if cell not in RECURRENT_LAYERS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
        self.config = dict(
            vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size, cell=cell, one_to_many=True
        )
        self.start = Embedding(vocab_size, hidden_size, dtype=dtype)
        self.decoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.decoder = RECURRENT_LAYERS[cell](embedding_size, hidden_size, 1, dtype=dtype)
        self.readout = Linear(hidden_size, vocab_size, dtype=dtype)
        self._h0 = None

    def encode(self, source, lengths=None):
        """The decoder's initial state from each row's tokens (N, K): h_0 = tanh(Σ_j E[c_j])."""
        self._h0 = np.tanh(self.start(source).sum(axis=1))  # (N, H)
        self._source_width = source.shape[1]
        h0 = self._h0[None]
        return (h0, np.zeros_like(h0)) if self.decoder.state_names == ("h", "c") else h0

    def summary(self, state):
        return None

    def decode(self, decoder_input, state, summary=None):
        hs, final = self.decoder(self.decoder_embed(decoder_input), state)
        return self.readout(hs), final

    def forward(self, source, lengths, decoder_input):
        logits, _ = self.decode(decoder_input, self.encode(source, lengths))
        return logits

    def backward(self, dlogits):
        dxs, dstate = self.decoder.backward(self.readout.backward(dlogits))
        self.decoder_embed.backward(dxs)
        dh0 = (dstate[0] if isinstance(dstate, tuple) else dstate)[0]
        dsum = dh0 * (1 - self._h0**2)  # through the tanh
        self.start.backward(np.repeat(dsum[:, None], self._source_width, axis=1))

    def greedy(self, source, lengths, bos_id, steps, eos_id=None):
        """gatedrnn.seq.decoding.greedy of this model."""
        return decoding.greedy(self, source, lengths, bos_id, steps, eos_id)
