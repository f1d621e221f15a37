"""Many-to-one and many-to-many models over padded batches of whole sequences.

    SequenceClassifier   ids (N, T), lengths (N,) → one score vector per sequence (N, C)
    SequenceTagger       ids (N, T), lengths (N,) → one score vector per step     (N, T, K)

Both embed the ids, run a stacked (optionally bidirectional) RNN/LSTM/GRU that respects each
sequence's length, and read out with a linear layer. The classifier first pools the
sequence into one vector: the state at its last real step ("last"; with two directions, the
forward state at the end and the backward state at the start), or the mean or maximum of
its outputs over its real steps.
"""

import numpy as np

from ..core import Module
from ..errors import GatedRNNError
from ..layers import Dropout, Embedding, Linear, cell_class

POOLINGS = ("last", "mean", "max")


class _SequenceEncoder(Module):
    """Shared front: embedding → dropout → recurrent layers, returning outputs and final state."""

    def __init__(self, vocab_size, embedding_size, hidden_size, num_layers, cell, bidirectional, dropout, dtype):
        recurrent = cell_class(cell)  # one line naming the registered cells for an unknown one
        self.config = dict(
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
            dropout=dropout,
            bidirectional=bidirectional,
            dtype=dtype,
        )

    def encode(self, ids, lengths):
        if not isinstance(ids, np.ndarray) or ids.ndim != 2:
            shape = ids.shape if isinstance(ids, np.ndarray) else type(ids).__name__
            raise GatedRNNError(
                f"{type(self).__name__} needs ids as a NumPy array (N, T), got {shape}; "
                "pad the batch to one length and pass lengths"
            )
        self._lengths = np.asarray(lengths) if lengths is not None else np.full(ids.shape[0], ids.shape[1])
        return self.rnn(self.embed_dropout(self.embed(ids)), lengths=self._lengths)

    def encode_backward(self, dys, dstate=None):
        dxs, _ = self.rnn.backward(dys, dstate)
        self.embed.backward(self.embed_dropout.backward(dxs))


class SequenceClassifier(_SequenceEncoder):
    """Many-to-one: ids (N, T) and lengths (N,) → class scores (N, num_classes)."""

    def __init__(
        self,
        vocab_size,
        num_classes,
        embedding_size=32,
        hidden_size=64,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        pooling="last",
        dropout=0.0,
        dtype=np.float32,
    ):
        if not isinstance(pooling, str) or pooling not in POOLINGS:
            raise GatedRNNError(f"unknown pooling {pooling!r}; choose one of {', '.join(POOLINGS)}")
        super().__init__(vocab_size, embedding_size, hidden_size, num_layers, cell, bidirectional, dropout, dtype)
        self.config.update(num_classes=num_classes, pooling=pooling)
        self.pooling = pooling
        self.head = Linear(self.rnn.output_size, num_classes, dtype=dtype)

    def forward(self, ids, lengths=None):
        ys, state = self.encode(ids, lengths)
        self._ys_shape = ys.shape
        return self.head(self._pool(ys, state))

    def _pool(self, ys, state):
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

    def backward(self, dlogits):
        dpooled = self.head.backward(dlogits)
        N, T, F = self._ys_shape
        dys = np.zeros(self._ys_shape, dpooled.dtype)
        dstate = None
        if self.pooling == "last":
            dh = np.zeros((self.rnn.num_layers * self.rnn.num_directions, N, self.rnn.hidden_size), dpooled.dtype)
            dh[-self.rnn.num_directions :] = dpooled.reshape(N, self.rnn.num_directions, -1).transpose(1, 0, 2)
            dstate = (dh, np.zeros_like(dh)) if len(self.rnn.state_names) > 1 else dh
            dys = None
        elif self.pooling == "mean":
            dys[...] = dpooled[:, None, :] / self._lengths[:, None, None].astype(dpooled.dtype)
            dys *= self._mask
        else:
            np.put_along_axis(dys, self._argmax[:, None, :], dpooled[:, None, :], axis=1)
        self.encode_backward(dys, dstate)


class SequenceTagger(_SequenceEncoder):
    """Many-to-many, aligned: ids (N, T) and lengths (N,) → tag scores (N, T, num_tags)."""

    def __init__(
        self,
        vocab_size,
        num_tags,
        embedding_size=32,
        hidden_size=64,
        num_layers=1,
        cell="lstm",
        bidirectional=False,
        dropout=0.0,
        dtype=np.float32,
    ):
        super().__init__(vocab_size, embedding_size, hidden_size, num_layers, cell, bidirectional, dropout, dtype)
        self.config.update(num_tags=num_tags)
        self.head = Linear(self.rnn.output_size, num_tags, dtype=dtype)

    def forward(self, ids, lengths=None):
        ys, _ = self.encode(ids, lengths)
        return self.head(ys)

    def backward(self, dlogits):
        self.encode_backward(self.head.backward(dlogits))
