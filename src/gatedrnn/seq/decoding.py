"""Writing with a trained encoder–decoder: greedy decoding, beam search, and scheduled sampling.

Training is teacher-forced: the decoder's input at step t is the true token t-1. Generation
feeds the decoder its own previous choices instead, which training never showed it
(exposure bias); :func:`scheduled_inputs` mixes the two during training.

Each function takes a model with ``encode(source, lengths) → state``, ``summary(state)``,
``decode(ids (N, T), state, summary) → (logits, state)`` and ``memory`` (what the last
encode left for attention, a gatedrnn.seq.decoder.Memory, or None): Seq2Seq and OneToMany,
the :class:`EncoderDecoder` protocol.
"""

from typing import Any, Protocol

import numpy as np

from ..typing import FloatArray, FloatLike, IntArray, IntLike, RecurrentState
from .decoder import Memory


class EncoderDecoder(Protocol):
    """What the decoding functions need of a model: Seq2Seq and OneToMany have it."""

    training: bool
    memory: Memory | None

    def train(self, mode: bool = True) -> Any:
        """Dropout on (``mode=True``) or off (gatedrnn.core.Module.train)."""

    def eval(self) -> Any:
        """Dropout off: decoding runs the model in eval mode, then restores its mode."""

    def encode(self, source: IntArray, lengths: IntArray) -> RecurrentState:
        """source ids (N, S), lengths (N,) → the decoder's initial state; sets ``memory``."""

    def summary(self, state: RecurrentState) -> FloatArray | None:
        """What a peeky decoder sees of the encoder's state: h (N, H), or None."""

    def decode(
        self, decoder_input: IntArray, state: RecurrentState, summary: FloatArray | None
    ) -> tuple[FloatArray, RecurrentState]:
        """ids (N, T) from ``state`` → (logits (N, T, V), the state after the last step)."""


def greedy(
    model: EncoderDecoder,
    source: IntArray,
    lengths: IntArray,
    bos_id: IntLike,
    steps: IntLike,
    eos_id: IntLike | None = None,
) -> IntArray:
    """Decode by always taking the most likely token: source ids (N, S) and lengths (N,) → ids
    (N, steps) int64, <bos> not included.

    Each chosen token is fed back as the next input. With ``eos_id``, a row that has
    chosen it keeps producing it (so every row is ``steps`` long).
    """
    was_training = model.training
    model.eval()
    state = model.encode(source, lengths)
    summary = model.summary(state)
    token = np.full((source.shape[0], 1), bos_id, dtype=np.int64)
    finished = np.zeros(source.shape[0], dtype=bool)
    out = np.empty((source.shape[0], steps), dtype=np.int64)
    for t in range(steps):
        logits, state = model.decode(token, state, summary)
        choice = logits[:, -1].argmax(axis=-1)
        if eos_id is not None:
            choice = np.where(finished, eos_id, choice)
            finished |= choice == eos_id
        out[:, t] = choice
        token = choice[:, None]
    model.train(was_training)
    return out


def scheduled_inputs(
    model: EncoderDecoder,
    source: IntArray,
    lengths: IntArray,
    decoder_input: IntArray,
    ratio: FloatLike,
    generator: np.random.Generator,
) -> IntArray:
    """Decoder inputs for scheduled sampling (Bengio et al. 2015): at each step t > 0 the true
    token with probability ``ratio``, else the model's own greedy choice at step t-1.

    The choices are made by decoding step by step from the mixed history, as generation
    would; the model is then trained on them teacher-forced (one forward and backward over
    the whole sequence). Since a chosen token is an input, not something differentiated
    through, that is the same computation as training step by step, at the cost of one
    extra forward pass. ``ratio=1`` returns ``decoder_input`` itself (teacher forcing),
    ``ratio=0`` the model's own free-running inputs. source (N, S), lengths (N,), decoder_input
    (N, T) → the mixed inputs (N, T), decoder_input's dtype (a new array unless ``ratio`` ≥ 1).
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
        logits, state = model.decode(mixed[:, t : t + 1], state, summary)
        own = logits[:, -1].argmax(axis=-1)
        mixed[:, t + 1] = np.where(keep_true[:, t + 1], decoder_input[:, t + 1], own)
    model.train(was_training)
    return mixed


def beam_search(
    model: EncoderDecoder,
    source: IntArray,
    length: IntLike,
    bos_id: IntLike,
    steps: IntLike,
    width: IntLike = 5,
    eos_id: IntLike | None = None,
    alpha: FloatLike = 0.6,
) -> tuple[IntArray, float]:
    """The most likely output of one source by beam search: (ids, score), ids (≤ steps,) int64 and
    score its total log-probability (natural log, before the length penalty).

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
    memory = model.memory
    beams: list[tuple[float, list[int], RecurrentState]] = [(0.0, [], state)]  # log-probability, tokens, state after
    finished: list[tuple[float, list[int]]] = []
    for _ in range(steps):
        count = len(beams)
        tokens = np.array([[beam[1][-1] if beam[1] else bos_id] for beam in beams], dtype=np.int64)
        stacked = _stack_states([beam[2] for beam in beams])
        if memory is not None:
            model.memory = memory.repeat(count)
        summaries = None if summary is None else np.repeat(summary, count, axis=0)
        logits, new_state = model.decode(tokens, stacked, summaries)
        scores = logits[:, -1].astype(np.float64)
        log_probs = scores - scores.max(-1, keepdims=True)
        log_probs -= np.log(np.exp(log_probs).sum(-1, keepdims=True))
        candidates: list[tuple[float, list[int], int]] = []
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
    model.memory = memory
    model.train(was_training)
    penalty = lambda n: ((5 + n) / 6) ** alpha  # noqa: E731
    best_total, best = max(finished, key=lambda f: f[0] / penalty(len(f[1]) + (eos_id is not None)))
    return np.array(best, dtype=np.int64), best_total


def _stack_states(states: list[RecurrentState]) -> RecurrentState:
    if isinstance(states[0], tuple):
        return tuple(np.concatenate(parts, axis=1) for parts in zip(*states, strict=True))
    return np.concatenate(states, axis=1)


def _select_state(state: RecurrentState, row: int) -> RecurrentState:
    if isinstance(state, tuple):
        return tuple(part[:, row : row + 1] for part in state)
    return state[:, row : row + 1]
