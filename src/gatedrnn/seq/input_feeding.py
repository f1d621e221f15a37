"""An attention decoder with input feeding (Luong et al. 2015, section 3.3).

Plain attention (gatedrnn.seq.attention_decoder) looks at the source only after the decoder RNN, so
what it found never reaches the decoder's next state. Input feeding gives it back: each step
reads the previous step's attentional vector h̃ beside the previous token::

    x_t = [E[y_{t-1}] | h̃_{t-1}]            h̃_0 = 0                      (N, E + H)
    h_t = RNN(x_t, state_{t-1})             the decoder's stacked layers
    c_t = attention(h_t, encoder states)    (gatedrnn.layers.attention)
    h̃_t = tanh([c_t | h_t] W_cᵀ + b_c)      the attentional vector        (N, H)
    logits_t = h̃_t W_oᵀ + b_o                                            (N, V)

Because x_t needs h̃_{t-1}, the steps run one after another even in training; every step
keeps its caches, and backward runs the steps in reverse, carrying the gradients of the
state and of h̃ back from step t+1 to step t.

The carried state is a tuple of (L, N, H) arrays ending with h̃ as a (1, N, H) array, so that
decoding step by step (greedy, beam search) carries it like any state. It follows the decoder
interface of gatedrnn.seq.decoder.
"""

from typing import Any

import numpy as np

from ..core import Module
from ..layers import RECURRENT_LAYERS, Embedding, Linear
from ..layers.attention import Attention
from ..layers.recurrent import hand_over_gradients
from ..typing import DTypeLike, FloatArray, IntArray, IntLike, RecurrentState
from .decoder import Decoder, Memory


class InputFeedingDecoder(Decoder):
    """embed → stacked RNN over [embedding | previous h̃] → attention → h̃ = tanh(W_c [c | h]) → logits."""

    def __init__(
        self,
        vocab_size: IntLike,
        embedding_size: IntLike,
        hidden_size: IntLike,
        cell: str = "lstm",
        num_layers: IntLike = 1,
        score: str = "dot",
        dtype: DTypeLike = np.float32,
    ) -> None:
        self.hidden_size = hidden_size
        self.embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.rnn = RECURRENT_LAYERS[cell](embedding_size + hidden_size, hidden_size, num_layers, dtype=dtype)
        self.attention = Attention(hidden_size, score, dtype=dtype)
        self.combine = Linear(2 * hidden_size, hidden_size, dtype=dtype)
        self.readout = Linear(hidden_size, vocab_size, dtype=dtype)
        self.attention_weights: FloatArray | None = None
        self._steps: Any = None  # forward's per-step caches and the keys, for backward

    # -- the carried state ----------------------------------------------------------------
    def initial_state(self, rnn_state: RecurrentState) -> RecurrentState:
        """The encoder's final state (L, N, H) [(h, c)] plus h̃_0 = 0 (1, N, H): a tuple, same dtype."""
        parts = rnn_state if isinstance(rnn_state, tuple) else (rnn_state,)
        return (*parts, np.zeros((1,) + parts[0].shape[1:], parts[0].dtype))

    def seq2seq_children(self) -> list[tuple[str, Module]]:
        """(name, layer) pairs as Seq2Seq's ``state_dict`` names them: this whole decoder, as ``feeding``."""
        return [("feeding", self)]

    def _split(self, state: Any) -> tuple[RecurrentState, FloatArray]:
        *rnn_parts, feed = state
        return (tuple(rnn_parts) if len(rnn_parts) > 1 else rnn_parts[0]), feed[0]

    # -- forward and backward --------------------------------------------------------------
    def forward(
        self,
        decoder_input: IntArray,
        state: RecurrentState,
        memory: Memory | None,
        summary: FloatArray | None = None,
    ) -> tuple[FloatArray, RecurrentState]:
        """ids (N, T) from ``state``, attending to ``memory`` → (logits (N, T, V), the state after
        the last step). The summary is not used: the encoder's state reaches the decoder whole."""
        assert memory is not None, "an input-feeding decoder is given the encoder's outputs (Seq2Seq.encode)"
        keys, mask = memory
        embedded = self.embed(decoder_input)  # (N, T, E)
        rnn_state, feed = self._split(state)
        weights = [
            [None if p is None else p.data for p in self.rnn.layer_weights(k)] for k in range(self.rnn.num_layers)
        ]
        layer_states = self._per_layer(rnn_state)
        assert self.combine.bias is not None  # built with one: h̃ = tanh([c | h] W_cᵀ + b_c)
        steps, feeds, all_weights = [], [], []
        for t in range(decoder_input.shape[1]):
            x = np.concatenate([embedded[:, t], feed], axis=-1)[None]  # (1, N, E + H)
            caches = []
            for k in range(self.rnn.num_layers):
                hs, layer_states[k], cache = self.rnn._layer_forward(x, layer_states[k], weights[k])
                caches.append(cache)
                x = hs
            h = x[0]
            context, attention_weights, attention_cache = self.attention.attend(h[:, None], keys, mask)
            joined = np.concatenate([context[:, 0], h], axis=-1)  # (N, 2H)
            feed = np.tanh(joined @ self.combine.weight.data.T + self.combine.bias.data)
            steps.append((caches, attention_cache, joined, feed))
            feeds.append(feed)
            all_weights.append(attention_weights[:, 0])
        self._steps = (steps, keys)
        self.attention_weights = np.stack(all_weights, axis=1)
        logits = self.readout(np.stack(feeds, axis=1))
        return logits, self._pack(layer_states, feed)

    def backward(self, dlogits: FloatArray) -> tuple[RecurrentState, FloatArray, None]:
        """dL/dlogits (N, T, V) → (gradient of the encoder's final state, of the keys, None).

        h̃_0 is a constant 0: its gradient stops here."""
        steps, keys = self._steps
        dfeeds = self.readout.backward(dlogits)  # (N, T, H)
        H = self.hidden_size
        dkeys = np.zeros_like(keys)
        dfeed_next = np.zeros_like(dfeeds[:, 0])  # (N, H)
        dlayer_states = [
            tuple(np.zeros_like(dfeed_next) for _ in self.rnn.state_names) for _ in range(self.rnn.num_layers)
        ]
        assert self.combine.bias is not None  # built with one
        dembedded = np.empty(dfeeds.shape[:2] + (self.embed.embedding_dim,), dfeeds.dtype)
        for t in reversed(range(len(steps))):
            caches, attention_cache, joined, feed = steps[t]
            dz = (dfeeds[:, t] + dfeed_next) * (1 - feed * feed)  # through the tanh
            self.combine.weight.add_to_grad(dz.T @ joined)
            self.combine.bias.add_to_grad(dz.sum(axis=0))
            djoined = dz @ self.combine.weight.data
            dquery, dkeys_t = self.attention.attend_backward(djoined[:, None, :H], attention_cache)
            dkeys += dkeys_t
            dhs = (djoined[:, H:] + dquery[:, 0])[None]  # the top layer's output
            for k in reversed(range(self.rnn.num_layers)):
                (dxs, grads), dlayer_states[k] = self.rnn._layer_backward(dhs, dlayer_states[k], caches[k])
                hand_over_gradients(self.rnn.layer_weights(k), grads)
                dhs = dxs
            dembedded[:, t] = dhs[0, :, :-H]
            dfeed_next = dhs[0, :, -H:]
        self.embed.backward(dembedded)
        dstate = self._pack(dlayer_states, dfeed_next)
        return (dstate[:-1] if len(dstate) > 2 else dstate[0]), dkeys, None

    # -- states per layer -------------------------------------------------------------------
    def _per_layer(self, rnn_state: RecurrentState) -> list[tuple[FloatArray, ...]]:
        parts = rnn_state if isinstance(rnn_state, tuple) else (rnn_state,)
        return [tuple(part[k] for part in parts) for k in range(self.rnn.num_layers)]

    def _pack(self, layer_states: list[Any], feed: FloatArray) -> tuple[FloatArray, ...]:
        stacked = tuple(np.stack([layer[i] for layer in layer_states]) for i in range(len(self.rnn.state_names)))
        return (*stacked, feed[None])
