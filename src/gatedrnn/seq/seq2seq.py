"""Seq2Seq: an encoder reads the source, a decoder writes the target (many-to-many, unaligned).

    source ids (N, S), lengths (N,) ──embed──▶ encoder RNN ──▶ final state s (each layer's h [, c])
    decoder input ids (N, T)       ──embed──▶ decoder RNN, started from s ──▶ hs (N, T, H)
                                                           logits = hs W_oᵀ + b_o   (N, T, V)

Training is teacher-forced: the decoder's input at step t is the true token t-1 (<bos> first),
so one forward pass over the whole target gives every step's scores, and the loss is the
cross-entropy against the true tokens (padding ignored). Generation (``greedy``,
``beam_search``) feeds the decoder its own previous choices instead, which training never
showed it (exposure bias); ``scheduled_inputs`` mixes the two during training.

Two options from Deep Learning from Scratch 2, chapter 7:

* ``reverse_source``: the encoder reads each source backwards (its real part; padding stays
  at the end), which puts the source's first tokens close to the target's first ones.
* ``bidirectional``: the encoder reads the source both ways; its two directions' states are
  summed (outputs and final states alike), so that every encoder state holds both the
  source's left and right context and the decoder sees H-wide states as before.
* ``peeky``: the encoder's summary h (its last layer's final hidden state) is also given to
  the decoder at every step — concatenated to its input and to what the read-out sees —
  instead of only through the decoder's initial state:
  x'_t = [embed(y_{t-1}) | h], logits_t = [hs_t | h] W_oᵀ + b_o.

And attention (``attention="dot"``, ``"general"`` or ``"additive"``; Luong et al. 2015,
Bahdanau et al. 2015; gatedrnn.layers.attention): every decoder state hs_t looks back over
all the encoder's states, padding excluded, and the read-out also sees the weighted mix
c_t of them: logits_t = [hs_t | c_t] W_oᵀ + b_o. The source then need not squeeze through the
one final state, and ``attention_weights`` after a forward shows where each output looked.

Backward adds, for h: the gradient reaching the decoder's initial state (top layer's h) plus,
with peeky, the sums over t of the gradients reaching the two copies of h; with attention,
the encoder's outputs receive what reaches the keys, and the decoder's outputs what
reaches the queries.
"""
import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import RECURRENT_LAYERS, Embedding, Linear
from ..layers.attention import SCORES, Attention
from ..layers.recurrent import time_mask
from .input_feeding import InputFeedingDecoder


def reverse_real(ids, lengths):
    """Each row's first lengths[n] ids reversed, the padding after them left in place."""
    out = ids.copy()
    for row, length in enumerate(lengths):
        out[row, :length] = ids[row, :length][::-1]
    return out


class Seq2Seq(Module):
    """An encoder–decoder over one token vocabulary (see the module docstring).

    Args: vocab_size V; embedding_size E; hidden_size H; cell "lstm", "gru" or "rnn";
    num_layers of both encoder and decoder; reverse_source; peeky; attention (None or a
    score of gatedrnn.layers.attention); dtype.
    """

    def __init__(self, vocab_size, embedding_size=16, hidden_size=128, cell="lstm", num_layers=1,
                 reverse_source=False, peeky=False, attention=None, input_feeding=False, bidirectional=False,
                 dtype=np.float32):
        if cell not in RECURRENT_LAYERS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
        if attention is not None and attention not in SCORES:
            raise GatedRNNError(f"unknown attention {attention!r}; choose one of {', '.join(SCORES)}, or none")
        if input_feeding and (attention is None or peeky):
            raise GatedRNNError("input_feeding feeds the attention's result back: it needs attention, and no peeky")
        self.config = dict(vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size, cell=cell,
                           num_layers=num_layers, reverse_source=reverse_source, peeky=peeky, attention=attention,
                           input_feeding=bool(input_feeding), bidirectional=bool(bidirectional))
        self.bidirectional = bool(bidirectional)
        self.reverse_source, self.peeky = bool(reverse_source), bool(peeky)
        self._memory = None             # the encoder's outputs and source mask, for attention
        layer = RECURRENT_LAYERS[cell]
        self.encoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.encoder = layer(embedding_size, hidden_size, num_layers, bidirectional=self.bidirectional, dtype=dtype)
        if input_feeding:   # a decoder of its own (gatedrnn.seq.input_feeding), stepping through time
            self.feeding = InputFeedingDecoder(vocab_size, embedding_size, hidden_size, cell, num_layers, attention,
                                               dtype=dtype)
            self.attention = None
            return
        self.feeding = None
        self.attention = None if attention is None else Attention(hidden_size, attention, dtype=dtype)
        self.attention_weights = None   # (N, T, S) after a forward with attention
        extra = hidden_size if peeky else 0
        self.decoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.decoder = layer(embedding_size + extra, hidden_size, num_layers, dtype=dtype)
        context = hidden_size if attention is not None else 0
        self.readout = Linear(hidden_size + context + extra, vocab_size, dtype=dtype)

    # -- the parts -------------------------------------------------------------------------
    def encode(self, source, lengths):
        """source (N, S), lengths (N,) → the encoder's final state (the decoder's initial one)."""
        if self.reverse_source:
            source = reverse_real(source, lengths)
        outputs, state = self.encoder(self.encoder_embed(source), lengths=lengths)
        if self.bidirectional:   # the two directions summed: H wide, as the decoder is
            H = self.config["hidden_size"]
            outputs = outputs[..., :H] + outputs[..., H:]
            state = _sum_directions(state)
        self._memory = (outputs, time_mask(np.asarray(lengths), source.shape[1], outputs.dtype)[..., 0].T)
        return state if self.feeding is None else self.feeding.initial_state(state)

    def summary(self, state):
        """The encoder's last layer's final hidden state h (N, H), what a peeky decoder sees."""
        return (state[0] if isinstance(state, tuple) else state)[-1]

    def decode(self, decoder_input, state, summary):
        """decoder input ids (N, T) from ``state`` → (logits (N, T, V), the decoder's final state)."""
        if self.feeding is not None:
            logits, final = self.feeding(decoder_input, state, *self._memory)
            self.attention_weights = self.feeding.attention_weights
            return logits, final
        xs = self.decoder_embed(decoder_input)
        if self.peeky:
            xs = np.concatenate([xs, np.broadcast_to(summary[:, None], xs.shape[:2] + summary.shape[1:])], axis=-1)
        hs, final = self.decoder(xs, state)
        parts = [hs]
        if self.attention is not None:
            keys, mask = self._memory
            contexts, self.attention_weights = self.attention(hs, keys, mask)
            parts.append(contexts)
        if self.peeky:
            parts.append(np.broadcast_to(summary[:, None], hs.shape[:2] + summary.shape[1:]))
        return self.readout(np.concatenate(parts, axis=-1) if len(parts) > 1 else hs), final

    # -- training: teacher forcing -----------------------------------------------------------
    def forward(self, source, lengths, decoder_input):
        """Teacher-forced scores: logits (N, T, V) of every target step given the true previous tokens."""
        state = self.encode(source, lengths)
        logits, _ = self.decode(decoder_input, state, self.summary(state))
        return logits

    def backward(self, dlogits):
        """dL/dlogits (N, T, V) → gradients added to every parameter."""
        if self.feeding is not None:
            dstate, dkeys = self.feeding.backward(dlogits)
            dstate = dstate[:-1] if len(dstate) > 2 else dstate[0]   # h̃_0 is a constant 0: its gradient stops
            self._encoder_backward(dkeys, dstate)
            return
        H = self.config["hidden_size"]
        dparts = self.readout.backward(dlogits)
        dhs, dsummary, dkeys = dparts[..., :H], 0.0, None
        column = H
        if self.attention is not None:
            dqueries, dkeys = self.attention.backward(dparts[..., column:column + H])
            dhs = dhs + dqueries
            column += H
        if self.peeky:
            dsummary = dparts[..., column:].sum(axis=1)
        dxs, dstate = self.decoder.backward(np.ascontiguousarray(dhs))
        if self.peeky:
            dsummary = dsummary + dxs[..., -H:].sum(axis=1)
            dxs = dxs[..., :-H]
        self.decoder_embed.backward(np.ascontiguousarray(dxs))
        dstate = _add_to_top_h(dstate, dsummary)
        self._encoder_backward(dkeys, dstate)

    def _encoder_backward(self, doutputs, dstate):
        """The encoder's backward from the gradients of its outputs (None: unused) and final state."""
        if self.bidirectional:   # each direction received the summed gradient
            if doutputs is not None:
                doutputs = np.concatenate([doutputs, doutputs], axis=-1)
            dstate = _repeat_directions(dstate)
        dsource, _ = self.encoder.backward(doutputs, dstate)
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


class OneToMany(Module):
    """One-to-many: one start vector → a decoder writes a sequence.

    The image-captioning shape of the lecture notes, with a few class tokens instead of an
    image's features: the start vector is h_0 = tanh(Σ_j E[c_j]) over the example's tokens
    c_j (an unordered bag: one token, or a few attributes such as a number's three digit
    classes), and it starts the decoder (c_0 = 0 for an LSTM), which is trained and decoded
    exactly as Seq2Seq's decoder (teacher forcing, ``greedy``). It takes Seq2Seq's arguments
    so that the same training loop serves both: ``source`` (N, K) holds each example's tokens.
    """

    def __init__(self, vocab_size, embedding_size=16, hidden_size=128, cell="lstm", dtype=np.float32):
        if cell not in RECURRENT_LAYERS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
        self.config = dict(vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size, cell=cell,
                           one_to_many=True)
        self.start = Embedding(vocab_size, hidden_size, dtype=dtype)
        self.decoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.decoder = RECURRENT_LAYERS[cell](embedding_size, hidden_size, 1, dtype=dtype)
        self.readout = Linear(hidden_size, vocab_size, dtype=dtype)
        self._h0 = None

    def encode(self, source, lengths=None):
        """The decoder's initial state from each row's tokens (N, K): h_0 = tanh(Σ_j E[c_j])."""
        self._h0 = np.tanh(self.start(source).sum(axis=1))                  # (N, H)
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
        dsum = dh0 * (1 - self._h0 ** 2)                                   # through the tanh
        self.start.backward(np.repeat(dsum[:, None], self._source_width, axis=1))

    greedy = Seq2Seq.greedy


def scheduled_inputs(model, source, lengths, decoder_input, ratio, generator):
    """Decoder inputs for scheduled sampling (Bengio et al. 2015): at each step t > 0 the true
    token with probability ``ratio``, else the model's own greedy choice at step t-1.

    The choices are made by decoding step by step from the mixed history, as generation
    would; the model is then trained on them teacher-forced (one forward and backward over
    the whole sequence). Since a chosen token is an input, not something differentiated
    through, that is the same computation as training step by step, at the cost of one
    extra forward pass. ``ratio=1`` returns ``decoder_input`` itself (teacher forcing),
    ``ratio=0`` the model's own free-running inputs.
    """
    if ratio >= 1.0:
        return decoder_input
    was_training = model.training
    model.eval()
    state = model.encode(source, lengths)
    summary = model.summary(state)
    mixed = decoder_input.copy()
    keep_true = generator.random(decoder_input.shape) < ratio
    for t in range(decoder_input.shape[1] - 1):
        logits, state = model.decode(mixed[:, t:t + 1], state, summary)
        own = logits[:, -1].argmax(axis=-1)
        mixed[:, t + 1] = np.where(keep_true[:, t + 1], decoder_input[:, t + 1], own)
    model.train(was_training)
    return mixed


def beam_search(model, source, length, bos_id, steps, width=5, eos_id=None, alpha=0.6):
    """The most likely output of one source by beam search: (ids, score).

    source (S,) ids with ``length`` real ones. Keeps the ``width`` best partial outputs by
    total log-probability; an output ends at ``eos_id`` (then it is set aside) or after
    ``steps`` tokens. Finished outputs are compared by log-probability / lp(|y|), with GNMT's
    length penalty lp(n) = ((5 + n) / 6) ** alpha (Wu et al. 2016): alpha = 0 compares raw
    sums, which favour short outputs. ``width=1`` is greedy decoding. The returned ids end
    before <eos>.
    """
    was_training = model.training
    model.eval()
    state = model.encode(source[None], np.array([length]))
    summary = model.summary(state)
    memory = model._memory
    beams = [(0.0, [], state)]            # (log-probability, tokens, decoder state after them)
    finished = []
    for _ in range(steps):
        count = len(beams)
        tokens = np.array([[beam[1][-1] if beam[1] else bos_id] for beam in beams], dtype=np.int64)
        stacked = _stack_states([beam[2] for beam in beams])
        if memory is not None:
            model._memory = tuple(np.repeat(part, count, axis=0) for part in memory)
        logits, new_state = model.decode(tokens, stacked, np.repeat(summary, count, axis=0))
        scores = logits[:, -1].astype(np.float64)
        log_probs = scores - scores.max(-1, keepdims=True)
        log_probs -= np.log(np.exp(log_probs).sum(-1, keepdims=True))
        candidates = []
        for b, (total, seq, _) in enumerate(beams):
            for token in np.argsort(log_probs[b])[::-1][:width]:
                candidates.append((total + log_probs[b, token], seq + [int(token)], b))
        candidates.sort(key=lambda c: -c[0])
        beams = []
        for total, seq, b in candidates:
            if eos_id is not None and seq[-1] == eos_id:
                finished.append((total, seq[:-1]))
            else:
                beams.append((total, seq, _select_state(new_state, b)))
            if len(beams) == width:
                break
        if not beams or len(finished) >= width:
            break
    finished += [(total, seq) for total, seq, _ in beams]
    model._memory = memory
    model.train(was_training)
    penalty = lambda n: ((5 + n) / 6) ** alpha  # noqa: E731
    best_total, best = max(finished, key=lambda f: f[0] / penalty(len(f[1]) + (eos_id is not None)))
    return np.array(best, dtype=np.int64), best_total


def _stack_states(states):
    if isinstance(states[0], tuple):
        return tuple(np.concatenate(parts, axis=1) for parts in zip(*states))
    return np.concatenate(states, axis=1)


def _select_state(state, row):
    if isinstance(state, tuple):
        return tuple(part[:, row:row + 1] for part in state)
    return state[:, row:row + 1]


def _sum_directions(state):
    """(2L, N, H) states, layer-major with the two directions side by side → (L, N, H), summed."""
    if isinstance(state, tuple):
        return tuple(_sum_directions(part) for part in state)
    return state.reshape(-1, 2, *state.shape[1:]).sum(axis=1)


def _repeat_directions(dstate):
    """The inverse shape of _sum_directions, for gradients: (L, N, H) → (2L, N, H)."""
    if isinstance(dstate, tuple):
        return tuple(_repeat_directions(part) for part in dstate)
    return np.repeat(dstate, 2, axis=0)


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
