"""Truncated backpropagation through time: a long sequence of ids as N parallel streams.

The ids are cut into ``batch_size`` (N) contiguous streams of L = (len(ids) - 1) // N tokens;
row n of a batch always comes from stream n, and windows of ``seq_len`` (T) columns follow each
other, so window k + 1 of stream n continues exactly where window k ended. That is what lets a
model carry its state from one window to the next. With ids = 0 1 2 … 10, N = 2, T = 3::

    inputs   0 1 2 | 3 4        targets  1 2 3 | 4 5
             5 6 7 | 8 9                 6 7 8 | 9 10

(L = 5: the last window is the shorter remainder, nothing is dropped there.) Targets are the
inputs shifted by one token. Only the last ``dropped_tokens`` = (len(ids) - 1) - N·L < N
tokens are never predicted; they do not fill a whole column.
"""

import numpy as np

from ..arguments import spelled
from ..errors import GatedRNNError, check_whole_number

MIN_STREAM_TOKENS = 2  # one input and its target


def streams_refusal(tokens: int, batch_size: int, what: str, option: str, why: str = "") -> str:
    """The one line refusing ``batch_size`` streams over ``tokens`` ids, each stream needing 2.

    ``what``: the ids in words ("the valid split", a file's name); ``option``: the setting that
    gave ``batch_size``, as the reader spells it; ``why``: where its value came from. A smaller
    batch size is the fix only when one stream fits: below 2 tokens, only more text is.
    """
    if tokens < MIN_STREAM_TOKENS:
        return (
            f"too few tokens in {what} ({tokens:,}): even one stream needs {MIN_STREAM_TOKENS} (an input and "
            "its target); use a longer text"
        )
    return (
        f"{option} {batch_size}{why} is too large for {what} ({tokens:,} tokens: each stream needs "
        f"{MIN_STREAM_TOKENS}); use a batch size of {tokens - 1} or less, or more text"
    )


class TBPTTBatches:
    """Windows ``(inputs, targets)`` of int64 ids, each of shape (N, T_k), over ``ids``.

    Args:
        ids: token ids, shape (n,).
        batch_size: N, the number of parallel streams.
        seq_len: T, the columns per window (the BPTT truncation length); the last window has
            L mod T columns when T does not divide L.
        what: the ids in words, for a refusal ("the training split").

    Attributes:
        stream_length: L, tokens per stream (each with its target).
        tokens_per_epoch: N·L, the targets predicted in one pass.
        dropped_tokens: (n - 1) - N·L, the final tokens that are never a target.
    """

    def __init__(self, ids, batch_size, seq_len, what="the ids"):
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
            raise GatedRNNError(
                f"ids must be a 1-D array of integer token ids, got shape {ids.shape} "
                f"dtype {ids.dtype}; pass one split of a Corpus (e.g. corpus.train)"
            )
        _check_positive("batch_size", batch_size)
        _check_positive("seq_len", seq_len)
        stream_length = (ids.size - 1) // batch_size
        if stream_length < 1:
            raise GatedRNNError(streams_refusal(ids.size, batch_size, what, spelled("batch_size")))
        self.batch_size, self.seq_len, self.stream_length = batch_size, seq_len, stream_length
        self.tokens_per_epoch = batch_size * stream_length
        self.dropped_tokens = (ids.size - 1) - self.tokens_per_epoch
        self.inputs = ids[: self.tokens_per_epoch].astype(np.int64).reshape(batch_size, stream_length)
        self.targets = ids[1 : self.tokens_per_epoch + 1].astype(np.int64).reshape(batch_size, stream_length)

    def __len__(self):
        """The number of windows, ceil(L / T)."""
        return -(-self.stream_length // self.seq_len)

    def __iter__(self):
        for _, inputs, targets in self.windows():
            yield inputs, targets

    def windows(self, start=0):
        """Yield ``(index, inputs, targets)`` for windows ``start, start + 1, …`` (to resume an
        epoch part-way; ``start == len(self)`` yields nothing). Arrays are fresh copies."""
        if not 0 <= start <= len(self):
            raise GatedRNNError(
                f"window {start} is out of range: this epoch has {len(self)} windows "
                f"(0..{len(self) - 1}); resume with the same batch_size, seq_len and data"
            )
        for index in range(start, len(self)):
            columns = slice(index * self.seq_len, (index + 1) * self.seq_len)
            yield index, self.inputs[:, columns].copy(), self.targets[:, columns].copy()

    def __repr__(self):
        return (
            f"TBPTTBatches(batch_size={self.batch_size}, seq_len={self.seq_len}, windows={len(self)}, "
            f"tokens_per_epoch={self.tokens_per_epoch}, dropped_tokens={self.dropped_tokens})"
        )


def _check_positive(name, value):
    check_whole_number(name, value, 1)
