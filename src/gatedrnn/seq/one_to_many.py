"""One-to-many: one start vector → a decoder writes a sequence.

The image-captioning shape of the lecture notes, with a few class tokens instead of an
image's features. Each example is an unordered bag of K tokens c_1 … c_K (one token, or a
few attributes such as a number's three digit classes), and the bag starts the decoder:

    h_0 = tanh(Σ_j E_h[c_j])        E_h: ``start``   (V, H)
    c_0 = Σ_j E_c[c_j]              E_c: ``start_c`` (V, H), an LSTM only, ``c0_from_start=True``

(c_0 = 0 without it). The decoder is then trained and decoded exactly as Seq2Seq's plain
decoder (teacher forcing, greedy, beam search).

Why a sum: the classes of different places are different tokens (<h3> is not <t3>), so
Σ_j E[c_j] = W [onehot(c_1); …; onehot(c_K)] with W the rows of E side by side: the sum of
the embeddings *is* the linear map of the concatenated one-hots, and concatenating embeddings
first would add nothing a sum cannot express.

Why c_0 as well (docs/seq2seq.md, the numbers task): with c_0 = 0 the LSTM's memory starts
empty, c_1 = i_1 ⊙ g_1, and h_0 reaches it only through the first step's gates, so the
decoder must copy the number into its memory through one saturating step before it can keep
it for the ~25 steps of its words; started in c_0, the number is in the memory from the
first step and the forget gate only has to hold it. On ``numbers`` this is the difference
between 72% and 94.5% exact match after 40 epochs (seed 0, the layers' draws).

Backward: with δh_0, δc_0 the decoder's gradients of its initial state (N, H),

    δE_h[c_j] += δh_0 ⊙ (1 − h_0²)      δE_c[c_j] += δc_0      (for every j, row by row)
"""

from typing import Any

import numpy as np

from ..arguments import flag
from ..core import Module
from ..errors import GatedRNNError
from ..layers import RECURRENT_LAYERS, Embedding, Linear
from ..layers._checks import check_sizes
from ..typing import DTypeLike, FloatArray, IntArray, IntLike, RecurrentState
from . import decoding
from .decoder import Memory
from .initialisation import DEFAULT_INIT, check_init, initialise


class OneToMany(Module):
    """A start state from a bag of tokens, then a decoder (see the module docstring).

    It takes Seq2Seq's arguments so that the same training loop serves both: ``source``
    (N, K) holds each example's tokens. ``init``: how the weights start, "book" (the default,
    as Seq2Seq's) or "pytorch" (gatedrnn.seq.initialisation). ``c0_from_start``: an LSTM's
    c_0 from the tokens too (the default; False starts it at zero, as before); a GRU or an RNN
    has no c and ignores it.
    """

    memory: Memory | None = None  # nothing to attend to (decoding's functions read it, as Seq2Seq's)

    def __init__(
        self,
        vocab_size: IntLike,
        embedding_size: IntLike = 16,
        hidden_size: IntLike = 128,
        cell: str = "lstm",
        init: str = DEFAULT_INIT,
        c0_from_start: bool = True,
        dtype: DTypeLike = np.float32,
    ) -> None:
        check_sizes("OneToMany", vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size)
        if cell not in RECURRENT_LAYERS:
            raise GatedRNNError(f"unknown cell {cell!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
        check_init(init)
        c0_from_start = flag("c0_from_start", c0_from_start)
        self.config: dict[str, Any] = dict(
            vocab_size=vocab_size,
            embedding_size=embedding_size,
            hidden_size=hidden_size,
            cell=cell,
            one_to_many=True,
            init=init,
            c0_from_start=bool(c0_from_start),
        )
        self.start = Embedding(vocab_size, hidden_size, dtype=dtype)
        self.decoder_embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.decoder = RECURRENT_LAYERS[cell](embedding_size, hidden_size, 1, dtype=dtype)
        self.readout = Linear(hidden_size, vocab_size, dtype=dtype)
        has_c = self.decoder.state_names == ("h", "c")
        # Built last, so that the other layers draw what they drew before it existed.
        self.start_c = Embedding(vocab_size, hidden_size, dtype=dtype) if has_c and c0_from_start else None
        self._h0: FloatArray | None = None  # the last encode's h_0 (N, H), for backward
        initialise(self, init)

    def encode(self, source: IntArray, lengths: IntArray | None = None) -> RecurrentState:
        """The decoder's initial state from each row's tokens (N, K): h_0 = tanh(Σ_j E_h[c_j]) as
        (1, N, H) in the model's float dtype, and for an LSTM c_0 = Σ_j E_c[c_j] (zeros without
        ``start_c``) beside it. ``lengths`` is not used (every row has its K tokens); it is there
        so that Seq2Seq's callers work."""
        h0_rows = np.tanh(self.start(source).sum(axis=1))  # (N, H)
        self._h0 = h0_rows
        self._source_width = source.shape[1]
        h0 = h0_rows[None]
        if self.decoder.state_names != ("h", "c"):
            return h0
        c0 = np.zeros_like(h0) if self.start_c is None else self.start_c(source).sum(axis=1)[None]
        return h0, c0

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
        self.start.backward(self._to_every_token(dh0 * (1 - self._h0**2)))  # through the tanh
        if self.start_c is not None:
            assert isinstance(dstate, tuple)  # an LSTM's (dh_0, dc_0)
            self.start_c.backward(self._to_every_token(dstate[1][0]))

    def _to_every_token(self, dsum: FloatArray) -> FloatArray:
        """The gradient of a sum over the K tokens (N, H) → each token's share, (N, K, H)."""
        return np.repeat(dsum[:, None], self._source_width, axis=1)

    def greedy(
        self, source: IntArray, lengths: IntArray, bos_id: IntLike, steps: IntLike, eos_id: IntLike | None = None
    ) -> IntArray:
        """gatedrnn.seq.decoding.greedy of this model: ids (N, steps) int64, <bos> not included."""
        return decoding.greedy(self, source, lengths, bos_id, steps, eos_id)
