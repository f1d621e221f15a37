"""The plain Seq2Seq decoder, and by composition the peeky and the attending one.

    ids (N, T) ──embed──▶ [· | h] ──▶ RNN, started from the encoder's state ──▶ hs (N, T, H)
    logits = [hs | c | h] W_oᵀ + b_o   (N, T, V)

Plain: neither h nor c; the source reaches the decoder only through its initial state.
Given a :class:`~gatedrnn.seq.peeky_decoder.Peek`, the summary h sits beside every input and
beside the read-out; given an :class:`~gatedrnn.seq.attention_decoder.AttentionReadout`, the
context c of each step does. Training is teacher-forced: one pass over the whole target.
"""

import numpy as np

from ..layers import RECURRENT_LAYERS, Embedding, Linear
from .decoder import Decoder


class PlainDecoder(Decoder):
    """embed → RNN → read-out, with optional ``peek`` (a Peek) and ``look`` (an AttentionReadout)."""

    def __init__(
        self, vocab_size, embedding_size, hidden_size, cell="lstm", num_layers=1, peek=None, look=None, dtype=np.float32
    ):
        self.hidden_size = hidden_size
        self.peek, self.look = peek, look
        extra = 0 if peek is None else peek.width
        self.embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.rnn = RECURRENT_LAYERS[cell](embedding_size + extra, hidden_size, num_layers, dtype=dtype)
        context = 0 if look is None else look.width
        self.readout = Linear(hidden_size + context + extra, vocab_size, dtype=dtype)

    @property
    def attention_weights(self):
        return None if self.look is None else self.look.weights

    def seq2seq_children(self):
        attention = [] if self.look is None else [("attention", self.look.attention)]
        return attention + [("decoder_embed", self.embed), ("decoder", self.rnn), ("readout", self.readout)]

    def forward(self, decoder_input, state, memory, summary):
        """ids (N, T) from ``state`` → (logits (N, T, V), the RNN's final state)."""
        xs = self.embed(decoder_input)
        if self.peek is not None:
            xs = self.peek.beside(xs, summary)
        hs, final = self.rnn(xs, state)
        parts = [hs]
        if self.look is not None:
            parts.append(self.look.contexts(hs, memory))
        if self.peek is not None:
            parts.append(self.peek.repeated(summary, hs.shape[:2]))
        return self.readout(np.concatenate(parts, axis=-1) if len(parts) > 1 else hs), final

    def backward(self, dlogits):
        """dlogits (N, T, V) → (dstate, dkeys or None, dsummary or None)."""
        H = self.hidden_size
        dparts = self.readout.backward(dlogits)
        dhs, dsummary, dkeys = dparts[..., :H], None, None
        column = H
        if self.look is not None:
            dqueries, dkeys = self.look.backward(dparts[..., column : column + H])
            dhs = dhs + dqueries
            column += H
        if self.peek is not None:
            dsummary = self.peek.readout_gradient(dparts[..., column:])
        dxs, dstate = self.rnn.backward(np.ascontiguousarray(dhs))
        if self.peek is not None:
            dxs, dsummary = self.peek.input_gradient(dxs, dsummary)
        self.embed.backward(np.ascontiguousarray(dxs))
        return dstate, dkeys, dsummary
