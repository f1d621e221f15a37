"""What a Seq2Seq decoder is: the small interface every decoder kind follows.

A decoder writes the target from the encoder's final state, looking back at the source
through ``memory`` if it attends::

    state = decoder.initial_state(encoder_state)      what it carries from step to step
    logits, state = decoder(ids (N, T), state, memory, summary)
    dstate, dkeys, dsummary = decoder.backward(dlogits (N, T, V))

``memory`` is the encoder's :class:`Memory` (its outputs as attention's keys, and the mask of
real source steps); ``summary`` is the encoder's last layer's final h (N, H), what a peeky
decoder sees. Backward returns the gradients of the encoder's final state, of the keys
(None when not attended to) and of the summary (None when not used): the encoder adds the
last to its top layer's h. ``attention_weights`` holds (N, T, S) after a forward that
attended, else None. ``seq2seq_children()`` names the decoder's layers as Seq2Seq's
``state_dict`` does.

The kinds: gatedrnn.seq.plain_decoder (plain; peeky with gatedrnn.seq.peeky_decoder, attending
with gatedrnn.seq.attention_decoder, or both) and gatedrnn.seq.input_feeding.
"""

from typing import NamedTuple

import numpy as np

from ..core import Module
from ..layers import Linear
from ..typing import FloatArray, IntArray, IntLike, RecurrentState


class Memory(NamedTuple):
    """What the encoder leaves for attention: keys (N, S, H) and mask (N, S), 1 at real steps."""

    keys: FloatArray
    mask: FloatArray

    def repeat(self, count: IntLike) -> "Memory":
        """Each row ``count`` times (beam search decodes ``count`` beams of one source)."""
        return Memory(*(np.repeat(part, count, axis=0) for part in self))


class Decoder(Module):
    """The interface above; subclasses write forward, backward and seq2seq_children."""

    attention_weights: FloatArray | None = None
    readout: Linear  # the last layer, to the V token scores (Seq2Seq.readout)

    def initial_state(self, encoder_state: RecurrentState) -> RecurrentState:
        """The state the first step starts from: the encoder's final state itself."""
        return encoder_state

    def forward(
        self, decoder_input: IntArray, state: RecurrentState, memory: Memory | None, summary: FloatArray | None
    ) -> tuple[FloatArray, RecurrentState]:
        """ids (N, T) from ``state`` → (logits (N, T, V), the state after the last step)."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def backward(self, dlogits: FloatArray) -> tuple[RecurrentState, FloatArray | None, FloatArray | None]:
        """dlogits (N, T, V) → (dstate, dkeys (N, S, H) or None, dsummary (N, H) or None)."""
        raise NotImplementedError(f"{type(self).__name__} does not define backward()")

    def seq2seq_children(self) -> list[tuple[str, Module]]:
        """(name, layer) pairs, in the order Seq2Seq's parameters have always been listed."""
        raise NotImplementedError(f"{type(self).__name__} does not define seq2seq_children()")


def summary_of(state: RecurrentState) -> FloatArray:
    """The last layer's final hidden state h (N, H) of a state (h, or a tuple starting with h)."""
    return (state[0] if isinstance(state, tuple) else state)[-1]


def add_to_top_h(dstate: RecurrentState, dsummary: FloatArray) -> RecurrentState:
    """A state's gradient (L, N, H) [(dh, dc)] with the summary's gradient (N, H) added to the top
    layer's h; a copy, the arguments are not changed."""
    if isinstance(dstate, tuple):
        dh, *rest = dstate
        dh = dh.copy()
        dh[-1] += dsummary
        return (dh, *rest)
    dh = dstate.copy()
    dh[-1] += dsummary
    return dh
