"""Seq2Seq: an encoder reads the source, a decoder writes the target (many-to-many, unaligned).

    source ids (N, S), lengths (N,) ──embed──▶ encoder RNN ──▶ final state s (each layer's h [, c])
    decoder input ids (N, T)       ──embed──▶ decoder RNN, started from s ──▶ hs (N, T, H)
                                                           logits = hs W_oᵀ + b_o   (N, T, V)

Training is teacher-forced: the decoder's input at step t is the true token t-1 (<bos> first),
so one forward pass over the whole target gives every step's scores, and the loss is the
cross-entropy against the true tokens (padding ignored). Generation (``greedy``) feeds the
decoder its own previous choice instead.

Two options from Deep Learning from Scratch 2, chapter 7:

* ``reverse_source``: the encoder reads each source backwards (its real part; padding stays
  at the end), which puts the source's first tokens close to the target's first ones.
* ``peeky``: the encoder's summary h (its last layer's final hidden state) is also given to
  the decoder at every step — concatenated to its input and to what the read-out sees —
  instead of only through the decoder's initial state:
  x'_t = [embed(y_{t-1}) | h], logits_t = [hs_t | h] W_oᵀ + b_o.

Backward adds, for h: the gradient reaching the decoder's initial state (top layer's h) plus,
with peeky, the sums over t of the gradients reaching the two copies of h.
"""
import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import RECURRENT_LAYERS, Embedding, Linear


def reverse_real(ids, lengths):
    """Each row's first lengths[n] ids reversed, the padding after them left in place."""
    out = ids.copy()
    for row, length in enumerate(lengths):
        out[row, :length] = ids[row, :length][::-1]
    return out


class Seq2Seq(Module):
    """An encoder–decoder over one token vocabulary (see the module docstring).

    Args: vocab_size V; embedding_size E; hidden_size H; cell "lstm", "gru" or "rnn";
    num_layers of both encoder and decoder; reverse_source; peeky; dtype.
    """

    def __init__(self, vocab_size, embedding_size=16, hidden_size=128, cell="lstm", num_layers=1,
                 reverse_source=False, peeky=False, dtype=np.float32):
        if cell not in RECURRENT_LAYERS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
        self.config = dict(vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size, cell=cell,
                           num_layers=num_layers, reverse_source=reverse_source, peeky=peeky)
        self.reverse_source, self.peeky = bool(reverse_source), bool(peeky)
        layer = RECURRENT_LAYERS[cell]
        extra = hidden_size if peeky else 0
        self.encoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.encoder = layer(embedding_size, hidden_size, num_layers, dtype=dtype)
        self.decoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.decoder = layer(embedding_size + extra, hidden_size, num_layers, dtype=dtype)
        self.readout = Linear(hidden_size + extra, vocab_size, dtype=dtype)

    # -- the parts -------------------------------------------------------------------------
    def encode(self, source, lengths):
        """source (N, S), lengths (N,) → the encoder's final state (the decoder's initial one)."""
        if self.reverse_source:
            source = reverse_real(source, lengths)
        _, state = self.encoder(self.encoder_embed(source), lengths=lengths)
        return state

    def summary(self, state):
        """The encoder's last layer's final hidden state h (N, H), what a peeky decoder sees."""
        return (state[0] if isinstance(state, tuple) else state)[-1]

    def decode(self, decoder_input, state, summary):
        """decoder input ids (N, T) from ``state`` → (logits (N, T, V), the decoder's final state)."""
        xs = self.decoder_embed(decoder_input)
        if self.peeky:
            xs = np.concatenate([xs, np.broadcast_to(summary[:, None], xs.shape[:2] + summary.shape[1:])], axis=-1)
        hs, final = self.decoder(xs, state)
        if self.peeky:
            hs = np.concatenate([hs, np.broadcast_to(summary[:, None], hs.shape[:2] + summary.shape[1:])], axis=-1)
        return self.readout(hs), final

    # -- training: teacher forcing -----------------------------------------------------------
    def forward(self, source, lengths, decoder_input):
        """Teacher-forced scores: logits (N, T, V) of every target step given the true previous tokens."""
        state = self.encode(source, lengths)
        logits, _ = self.decode(decoder_input, state, self.summary(state))
        return logits

    def backward(self, dlogits):
        """dL/dlogits (N, T, V) → gradients added to every parameter."""
        H = self.config["hidden_size"]
        dhs = self.readout.backward(dlogits)
        dsummary = 0.0
        if self.peeky:
            dsummary = dhs[..., H:].sum(axis=1)
            dhs = dhs[..., :H]
        dxs, dstate = self.decoder.backward(np.ascontiguousarray(dhs))
        if self.peeky:
            dsummary = dsummary + dxs[..., -H:].sum(axis=1)
            dxs = dxs[..., :-H]
        self.decoder_embed.backward(np.ascontiguousarray(dxs))
        dstate = _add_to_top_h(dstate, dsummary)
        dsource, _ = self.encoder.backward(None, dstate)
        self.encoder_embed.backward(dsource)

    # -- generation --------------------------------------------------------------------------
    def greedy(self, source, lengths, bos_id, steps, eos_id=None):
        """Decode by always taking the most likely token: ids (N, steps), <bos> not included.

        Each chosen token is fed back as the next input. With ``eos_id``, a row that has
        chosen it keeps producing it (so every row is ``steps`` long).
        """
        was_training = self.training
        self.eval()
        state = self.encode(source, lengths)
        summary = self.summary(state)
        token = np.full((source.shape[0], 1), bos_id, dtype=np.int64)
        finished = np.zeros(source.shape[0], dtype=bool)
        out = np.empty((source.shape[0], steps), dtype=np.int64)
        for t in range(steps):
            logits, state = self.decode(token, state, summary)
            choice = logits[:, -1].argmax(axis=-1)
            if eos_id is not None:
                choice = np.where(finished, eos_id, choice)
                finished |= choice == eos_id
            out[:, t] = choice
            token = choice[:, None]
        self.train(was_training)
        return out


def _add_to_top_h(dstate, dsummary):
    """The decoder's initial-state gradient, with the summary's gradient added to the top layer's h."""
    if isinstance(dstate, tuple):
        dh, *rest = dstate
        dh = dh.copy()
        dh[-1] += dsummary
        return (dh, *rest)
    dstate = dstate.copy()
    dstate[-1] += dsummary
    return dstate
