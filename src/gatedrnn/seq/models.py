"""Many-to-one and many-to-many models over padded batches of whole sequences.

    SequenceClassifier   ids (N, T), lengths (N,) → one score vector per sequence (N, C)
    SequenceTagger       ids (N, T), lengths (N,) → one score vector per step     (N, T, K)

Both embed the ids, run a stacked (optionally bidirectional) RNN/LSTM/GRU that respects each
sequence's length, and read out with a linear layer. The classifier first pools the
sequence into one vector: the state at its last real step ("last"; with two directions, the
forward state at the end and the backward state at the start), or the mean or maximum of
its outputs over its real steps.
"""

from typing import Any

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import Dropout, Embedding, Linear, cell_class
from ..layers._checks import check_probability, check_sizes
from ..typing import DTypeLike, FloatArray, FloatLike, IntArray, IntLike, RecurrentState

POOLINGS = ("last", "mean", "max")


class _SequenceEncoder(Module):
    """Shared front: embedding → dropout → recurrent layers, returning outputs and final state."""

    def __init__(
        self,
        vocab_size: IntLike,
        embedding_size: IntLike,
        hidden_size: IntLike,
        num_layers: IntLike,
        cell: str,
        bidirectional: bool,
        dropout: FloatLike,
        dtype: DTypeLike,
    ) -> None:
        owner = type(self).__name__
        sizes = dict(vocab_size=vocab_size, embedding_size=embedding_size, hidden_size=hidden_size)
        check_sizes(owner, **sizes, num_layers=num_layers)
        check_probability(owner, "dropout", dropout)
        recurrent = cell_class(cell)  # one line naming the registered cells for an unknown one
        self.config: dict[str, Any] = dict(
            vocab_size=vocab_size,
            embedding_size=embedding_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            cell=cell,
            bidirectional=bidirectional,
            dropout=dropout,
        )
        self.embed = Embedding(vocab_size, embedding_size, dtype=dtype)
        self.embed_dropout = Dropout(dropout)
        self.rnn = recurrent(
            embedding_size,
            hidden_size,
            num_layers=num_layers,
            dropout=dropout if num_layers > 1 else 0.0,  # one layer: nothing between layers
            bidirectional=bidirectional,
            dtype=dtype,
        )

    def encode(self, ids: IntArray, lengths: IntArray | None) -> tuple[FloatArray, RecurrentState]:
        """ids (N, T) of any integer dtype, lengths (N,) → the recurrent layer's outputs and final state.

        The ids are embedded, dropped out (in training) and read by the recurrent layer, which
        stops each row at its length (None: every row is T steps long). Returns ys
        (N, T, dirs·H), zero at padded steps, and the final state (L·dirs, N, H) — a tuple
        (h, c) for an LSTM — both in the model's float dtype (float32 by default).
        """
        if not isinstance(ids, np.ndarray) or ids.ndim != 2:
            shape = ids.shape if isinstance(ids, np.ndarray) else type(ids).__name__
            raise GatedRNNError(
                f"{type(self).__name__} needs ids as a NumPy array (N, T), got {shape}; "
                "pad the batch to one length and pass lengths"
            )
        self._lengths = np.asarray(lengths) if lengths is not None else np.full(ids.shape[0], ids.shape[1])
        return self.rnn(self.embed_dropout(self.embed(ids)), lengths=self._lengths)

    def encode_backward(self, dys: FloatArray | None, dstate: RecurrentState | None = None) -> None:
        """The gradients of encode's outputs dys (N, T, dirs·H) and of its final state → added to
        every parameter's ``.grad`` (recurrent layer, then embedding). Either may be None for zeros:
        a classifier pooling the last state passes no dys."""
        dxs, _ = self.rnn.backward(dys, dstate)
        self.embed.backward(self.embed_dropout.backward(dxs))


class SequenceClassifier(_SequenceEncoder):
    """Many-to-one: ids (N, T) and lengths (N,) → class scores (N, num_classes)."""

    def __init__(
        self,
        vocab_size: IntLike,
        num_classes: IntLike,
        embedding_size: IntLike = 32,
        hidden_size: IntLike = 64,
        num_layers: IntLike = 1,
        cell: str = "lstm",
        bidirectional: bool = False,
        pooling: str = "last",
        dropout: FloatLike = 0.0,
        dtype: DTypeLike = np.float32,
    ) -> None:
        if not isinstance(pooling, str) or pooling not in POOLINGS:
            raise GatedRNNError(f"unknown pooling {pooling!r}; choose one of {', '.join(POOLINGS)}")
        check_sizes("SequenceClassifier", num_classes=num_classes)
        super().__init__(vocab_size, embedding_size, hidden_size, num_layers, cell, bidirectional, dropout, dtype)
        self.config.update(num_classes=num_classes, pooling=pooling)
        self.pooling = pooling
        self.head = Linear(self.rnn.output_size, num_classes, dtype=dtype)

    def forward(self, ids: IntArray, lengths: IntArray | None = None) -> FloatArray:
        """ids (N, T) of any integer dtype, lengths (N,) (None: all T long) → class scores (N, num_classes),
        in the model's float dtype (unnormalised: SoftmaxCrossEntropy takes them)."""
        ys, state = self.encode(ids, lengths)
        self._ys_shape = ys.shape
        return self.head(self._pool(ys, state))

    def _pool(self, ys: FloatArray, state: RecurrentState) -> FloatArray:
        mask = (np.arange(ys.shape[1])[None, :] < self._lengths[:, None])[:, :, None]
        self._mask = mask
        if self.pooling == "last":
            h = state[0] if isinstance(state, tuple) else state
            top = h[-self.rnn.num_directions :]  # (dirs, N, H): the top layer
            return np.concatenate(list(top), axis=-1)  # (N, dirs·H)
        if self.pooling == "mean":
            return ys.sum(axis=1) / self._lengths[:, None].astype(ys.dtype)
        masked = np.where(mask, ys, -np.inf)
        self._argmax = masked.argmax(axis=1)  # (N, F): the step each maximum came from
        return np.take_along_axis(ys, self._argmax[:, None, :], axis=1)[:, 0]

    def backward(self, dlogits: FloatArray) -> None:
        """dL/dscores (N, num_classes) → gradients added to every parameter's ``.grad``."""
        dpooled = self.head.backward(dlogits)
        N, T, F = self._ys_shape
        if self.pooling == "last":  # only the final state was read: no gradient reaches the outputs
            dh = np.zeros((self.rnn.num_layers * self.rnn.num_directions, N, self.rnn.hidden_size), dpooled.dtype)
            dh[-self.rnn.num_directions :] = dpooled.reshape(N, self.rnn.num_directions, -1).transpose(1, 0, 2)
            dstate: RecurrentState = (dh, np.zeros_like(dh)) if len(self.rnn.state_names) > 1 else dh
            self.encode_backward(None, dstate)
            return
        dys = np.zeros(self._ys_shape, dpooled.dtype)
        if self.pooling == "mean":
            dys[...] = dpooled[:, None, :] / self._lengths[:, None, None].astype(dpooled.dtype)
            dys *= self._mask
        else:
            np.put_along_axis(dys, self._argmax[:, None, :], dpooled[:, None, :], axis=1)
        self.encode_backward(dys)


class SequenceTagger(_SequenceEncoder):
    """Many-to-many, aligned: ids (N, T) and lengths (N,) → tag scores (N, T, num_tags)."""

    def __init__(
        self,
        vocab_size: IntLike,
        num_tags: IntLike,
        embedding_size: IntLike = 32,
        hidden_size: IntLike = 64,
        num_layers: IntLike = 1,
        cell: str = "lstm",
        bidirectional: bool = False,
        dropout: FloatLike = 0.0,
        dtype: DTypeLike = np.float32,
    ) -> None:
        check_sizes("SequenceTagger", num_tags=num_tags)
        super().__init__(vocab_size, embedding_size, hidden_size, num_layers, cell, bidirectional, dropout, dtype)
        self.config.update(num_tags=num_tags)
        self.head = Linear(self.rnn.output_size, num_tags, dtype=dtype)

    def forward(self, ids: IntArray, lengths: IntArray | None = None) -> FloatArray:
        """ids (N, T) of any integer dtype, lengths (N,) (None: all T long) → tag scores (N, T, num_tags),
        in the model's float dtype; the scores at padded steps are the read-out of zeros."""
        ys, _ = self.encode(ids, lengths)
        return self.head(ys)

    def backward(self, dlogits: FloatArray) -> None:
        """dL/dscores (N, T, num_tags) → gradients added to every parameter's ``.grad``."""
        self.encode_backward(self.head.backward(dlogits))
