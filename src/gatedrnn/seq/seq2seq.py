"""Seq2Seq: an encoder reads the source, a decoder writes the target (many-to-many, unaligned).

    source ids (N, S), lengths (N,) ──encoder──▶ final state s, outputs (N, S, H)
    decoder input ids (N, T) ──decoder, started from s──▶ logits (N, T, V)

Seq2Seq composes the two parts, each in its own module:

* the encoder (gatedrnn.seq.encoder): embedding and RNN, ``reverse_source`` and
  ``bidirectional`` (its two directions summed);
* one decoder, chosen by the options (the interface: gatedrnn.seq.decoder): plain
  (gatedrnn.seq.plain_decoder), given the encoder's summary at every step with ``peeky``
  (gatedrnn.seq.peeky_decoder), attending to the encoder's outputs with ``attention="dot"``,
  ``"general"`` or ``"additive"`` (gatedrnn.seq.attention_decoder), peeky and attending at
  once, or feeding attention's result back into its next input with ``input_feeding``
  (gatedrnn.seq.input_feeding).

Training is teacher-forced: the decoder's input at step t is the true token t-1 (<bos> first),
so one forward pass over the whole target gives every step's scores, and the loss is the
cross-entropy against the true tokens (padding ignored). Generation and scheduled sampling
are in gatedrnn.seq.decoding (``greedy``, ``beam_search``, ``scheduled_inputs``).

Backward: the decoder returns the gradients of the encoder's final state, of its outputs
(attention's keys) and of its summary; the summary's is added to the top layer's final h,
and the encoder goes back from there. The parameters keep the names they have always had
in ``state_dict`` (``encoder_embed``, ``encoder``, ``attention``, ``decoder_embed``,
``decoder``, ``readout``, or ``feeding.*``).
"""

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..arguments import flag, spelled
from ..core import Module
from ..errors import GatedRNNError
from ..layers import RECURRENT_LAYERS, Attention, Embedding, Linear
from ..layers._checks import check_sizes
from ..layers.attention import SCORES
from ..layers.recurrent import Recurrent
from ..typing import DTypeLike, FloatArray, IntArray, IntLike, RecurrentState
from . import decoding
from .attention_decoder import AttentionReadout
from .decoder import Decoder, Memory, add_to_top_h, summary_of
from .decoding import beam_search, scheduled_inputs
from .encoder import Encoder, reverse_real
from .initialisation import DEFAULT_INIT, check_init, initialise
from .input_feeding import InputFeedingDecoder
from .one_to_many import OneToMany
from .peeky_decoder import Peek
from .plain_decoder import PlainDecoder

__all__ = ["Seq2Seq", "OneToMany", "beam_search", "scheduled_inputs", "reverse_real"]


class Seq2Seq(Module):
    """An encoder–decoder over one token vocabulary (see the module docstring).

    Args: vocab_size V; embedding_size E; hidden_size H; cell "lstm", "gru" or "rnn";
    num_layers of both encoder and decoder; reverse_source; peeky; attention (None or a
    score of gatedrnn.layers.attention); input_feeding (needs attention, and no peeky);
    bidirectional; init, how the weights start: "book" (the default; Deep Learning from Scratch 2's
    scheme) or "pytorch" (the layers' defaults), see gatedrnn.seq.initialisation; dtype.
    """

    def __init__(
        self,
        vocab_size: IntLike,
        embedding_size: IntLike = 16,
        hidden_size: IntLike = 128,
        cell: str = "lstm",
        num_layers: IntLike = 1,
        reverse_source: bool = False,
        peeky: bool = False,
        attention: str | None = None,
        input_feeding: bool = False,
        bidirectional: bool = False,
        init: str = DEFAULT_INIT,
        dtype: DTypeLike = np.float32,
    ) -> None:
        sizes = dict(vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size)
        check_sizes("Seq2Seq", **sizes, num_layers=num_layers)
        if cell not in RECURRENT_LAYERS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
        if attention is not None and attention not in SCORES:
            raise GatedRNNError(f"unknown attention {attention!r}; choose one of {', '.join(SCORES)}, or none")
        # Checked as run_transduction checks them: bool('no') is True, and would build the peeky model.
        reverse_source, peeky, input_feeding, bidirectional = (
            flag(name, value)
            for name, value in dict(
                reverse_source=reverse_source, peeky=peeky, input_feeding=input_feeding, bidirectional=bidirectional
            ).items()
        )
        if input_feeding and (attention is None or peeky):
            raise GatedRNNError(
                f"{spelled('input_feeding')} feeds the attention's result back: it needs attention "
                "(--attention) and no peeky (--peeky); add the one or leave out the other"
            )
        check_init(init)
        self.config: dict[str, Any] = dict(
            vocab_size=vocab_size,
            embedding_size=embedding_size,
            hidden_size=hidden_size,
            cell=cell,
            num_layers=num_layers,
            reverse_source=reverse_source,
            peeky=peeky,
            attention=attention,
            input_feeding=input_feeding,
            bidirectional=bidirectional,
            init=init,
        )
        self.reverse_source, self.peeky, self.bidirectional = reverse_source, peeky, bidirectional
        self.memory: Memory | None = None  # what the last encode left for attention
        self.attention_weights: FloatArray | None = None  # (N, T, S) after a forward with attention
        # The parts are built in the order that draws their initial weights from the seeded generator.
        self.source_encoder = Encoder(
            vocab_size, embedding_size, hidden_size, cell, num_layers, reverse_source, bidirectional, dtype=dtype
        )
        self.target_decoder: Decoder = _decoder(
            vocab_size, embedding_size, hidden_size, cell, num_layers, peeky, attention, input_feeding, dtype
        )
        initialise(self, init)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The parts' layers under the names Seq2Seq's parameters have always had (state_dict keys
        are a file format), in the same order."""
        yield "encoder_embed", self.source_encoder.embed
        yield "encoder", self.source_encoder.rnn
        yield from self.target_decoder.seq2seq_children()

    # -- the layers under their names ---------------------------------------------------------
    @property
    def encoder_embed(self) -> Embedding:
        """The encoder's embedding, V × E."""
        return self.source_encoder.embed

    @property
    def encoder(self) -> Recurrent:
        """The encoder's recurrent layer (E → H; both directions when bidirectional)."""
        return self.source_encoder.rnn

    @property
    def readout(self) -> Linear:
        """The decoder's read-out to the V token scores."""
        return self.target_decoder.readout

    @property
    def feeding(self) -> InputFeedingDecoder | None:
        """The input-feeding decoder, or None."""
        return self.target_decoder if isinstance(self.target_decoder, InputFeedingDecoder) else None

    @property
    def attention(self) -> Attention | None:
        """The attention layer after a plain decoder's RNN, or None (input feeding holds its own)."""
        look = getattr(self.target_decoder, "look", None)
        return None if look is None else look.attention

    # -- the parts -------------------------------------------------------------------------
    def encode(self, source: IntArray, lengths: IntArray) -> RecurrentState:
        """source ids (N, S) of any integer dtype, lengths (N,) → the decoder's initial state: the
        encoder's final state (L, N, H) [(h, c) for an LSTM; h̃_0 added with input feeding], in
        the model's float dtype. Keeps the encoder's outputs in ``memory`` for attention."""
        self.memory, state = self.source_encoder(source, lengths)
        return self.target_decoder.initial_state(state)

    def summary(self, state: RecurrentState) -> FloatArray:
        """The encoder's last layer's final hidden state h (N, H), what a peeky decoder sees."""
        return summary_of(state)

    def decode(
        self, decoder_input: IntArray, state: RecurrentState, summary: FloatArray | None
    ) -> tuple[FloatArray, RecurrentState]:
        """decoder input ids (N, T) from ``state`` → (logits (N, T, V), the decoder's final state).

        ``summary`` is :meth:`summary` of the encoder's state (N, H), what a peeky decoder sees."""
        logits, final = self.target_decoder(decoder_input, state, self.memory, summary)
        self.attention_weights = self.target_decoder.attention_weights
        return logits, final

    # -- training: teacher forcing -----------------------------------------------------------
    def forward(self, source: IntArray, lengths: IntArray, decoder_input: IntArray) -> FloatArray:
        """Teacher-forced scores: logits (N, T, V) of every target step given the true previous tokens."""
        state = self.encode(source, lengths)
        logits, _ = self.decode(decoder_input, state, self.summary(state))
        return logits

    def backward(self, dlogits: FloatArray) -> None:
        """dL/dlogits (N, T, V) → gradients added to every parameter's ``.grad``."""
        dstate, dkeys, dsummary = self.target_decoder.backward(dlogits)
        if dsummary is not None:
            dstate = add_to_top_h(dstate, dsummary)
        self.source_encoder.backward(dkeys, dstate)

    # -- generation --------------------------------------------------------------------------
    def greedy(
        self, source: IntArray, lengths: IntArray, bos_id: IntLike, steps: IntLike, eos_id: IntLike | None = None
    ) -> IntArray:
        """gatedrnn.seq.decoding.greedy of this model: ids (N, steps) int64, <bos> not included."""
        return decoding.greedy(self, source, lengths, bos_id, steps, eos_id)


def _decoder(
    vocab_size: IntLike,
    embedding_size: IntLike,
    hidden_size: IntLike,
    cell: str,
    num_layers: IntLike,
    peeky: bool,
    attention: str | None,
    input_feeding: bool,
    dtype: DTypeLike,
) -> Decoder:
    """The decoder the options ask for (checked by Seq2Seq)."""
    if input_feeding:
        assert attention is not None  # Seq2Seq refuses input_feeding without attention
        return InputFeedingDecoder(vocab_size, embedding_size, hidden_size, cell, num_layers, attention, dtype=dtype)
    look = None if attention is None else AttentionReadout(hidden_size, attention, dtype=dtype)
    return PlainDecoder(
        vocab_size,
        embedding_size,
        hidden_size,
        cell,
        num_layers,
        peek=Peek(hidden_size) if peeky else None,
        look=look,
        dtype=dtype,
    )
