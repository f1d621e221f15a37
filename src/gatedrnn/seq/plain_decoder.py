"""The plain Seq2Seq decoder, and by composition the peeky and the attending one.

    ids (N, T) ──embed──▶ [· | h] ──▶ RNN, started from the encoder's state ──▶ hs (N, T, H)
    logits = [hs | c | h] W_oᵀ + b_o   (N, T, V)

Plain: neither h nor c; the source reaches the decoder only through its initial state.
Given a :class:`~gatedrnn.seq.peeky_decoder.Peek`, the summary h sits beside every input and
beside the read-out; given an :class:`~gatedrnn.seq.attention_decoder.AttentionReadout`, the
context c of each step does. Training is teacher-forced: one pass over the whole target.
"""

import numpy as np

from ..core import Module
from ..layers import RECURRENT_LAYERS, Embedding, Linear
from ..typing import DTypeLike, FloatArray, IntArray, IntLike, RecurrentState
from .attention_decoder import AttentionReadout
from .decoder import Decoder, Memory
from .peeky_decoder import Peek


class PlainDecoder(Decoder):
    """embed → RNN → read-out, with optional ``peek`` (a Peek) and ``look`` (an AttentionReadout)."""

    def __init__(
        self,
        vocab_size: IntLike,
        embedding_size: IntLike,
        hidden_size: IntLike,
        cell: str = "lstm",
        num_layers: IntLike = 1,
        peek: Peek | None = None,
        look: AttentionReadout | None = None,
        dtype: DTypeLike = np.float32,
    ) -> None:
        self.hidden_size = hidden_size
        self.peek, self.look = peek, look
        extra = 0 if peek is None else peek.width
        self.embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.rnn = RECURRENT_LAYERS[cell](embedding_size + extra, hidden_size, num_layers, dtype=dtype)
        context = 0 if look is None else look.width
        self.readout = Linear(hidden_size + context + extra, vocab_size, dtype=dtype)

    @property  # read-only here, an attribute of the interface: the weights live in ``look``
    def attention_weights(self) -> FloatArray | None:  # type: ignore[override]
        """(N, T, S) after a forward that attended, else None."""
        return None if self.look is None else self.look.weights

    def seq2seq_children(self) -> list[tuple[str, Module]]:
        """(name, layer) pairs, in the order Seq2Seq's parameters have always been listed."""
        attention: list[tuple[str, Module]] = [] if self.look is None else [("attention", self.look.attention)]
        return attention + [("decoder_embed", self.embed), ("decoder", self.rnn), ("readout", self.readout)]

    def forward(
        self, decoder_input: IntArray, state: RecurrentState, memory: Memory | None, summary: FloatArray | None
    ) -> tuple[FloatArray, RecurrentState]:
        """ids (N, T) from ``state`` → (logits (N, T, V), the RNN's final state)."""
        xs = self.embed(decoder_input)
        if self.peek is not None:
            assert summary is not None, "a peeky decoder is given the encoder's summary (Seq2Seq.summary)"
            xs = self.peek.beside(xs, summary)
        hs, final = self.rnn(xs, state)
        parts = [hs]
        if self.look is not None:
            assert memory is not None, "an attending decoder is given the encoder's outputs (Seq2Seq.encode)"
            parts.append(self.look.contexts(hs, memory))
        if self.peek is not None and summary is not None:  # checked above
            parts.append(self.peek.repeated(summary, hs.shape[:2]))
        return self.readout(np.concatenate(parts, axis=-1) if len(parts) > 1 else hs), final

    def backward(self, dlogits: FloatArray) -> tuple[RecurrentState, FloatArray | None, FloatArray | None]:
        """dlogits (N, T, V) → (dstate, dkeys (N, S, H) or None, dsummary (N, H) or None)."""
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
