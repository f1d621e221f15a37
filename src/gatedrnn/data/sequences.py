"""Batches of whole sequences of different lengths: padding and length buckets."""

import numpy as np

from ..arguments import flag, whole
from ..errors import GatedRNNError
from ..rng import seeded_generator


def pad_sequences(sequences, padding_value=0, dtype=None):
    """Stack sequences of different lengths into one right-padded array.

    sequences: a list of arrays, each (T_i,) (token ids) or (T_i, F) (feature vectors).
    Returns ``(padded, lengths)``: padded (N, T_max) or (N, T_max, F), with ``padding_value``
    after each sequence's end, and lengths (N,) int64 — what recurrent layers take as
    ``lengths=`` to ignore the padding.
    """
    sequences = [np.asarray(s) for s in sequences]
    if not sequences:
        raise GatedRNNError("pad_sequences needs at least one sequence")
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    if lengths.min() < 1:
        raise GatedRNNError(f"sequence {int(np.argmin(lengths))} is empty; every sequence needs at least one step")
    tails = {s.shape[1:] for s in sequences}
    if len(tails) != 1:
        raise GatedRNNError(f"sequences differ in their feature shapes {sorted(tails)}; give them one shape per step")
    dtype = dtype or np.result_type(*sequences)
    padded = np.full((len(sequences), int(lengths.max())) + tails.pop(), padding_value, dtype=dtype)
    for row, sequence in enumerate(sequences):
        padded[row, : len(sequence)] = sequence
    return padded, lengths


class BucketBatches:
    """Mini-batches of sequences of similar length, so little of each batch is padding.

    The sequences are sorted by length and cut into batches of ``batch_size``; each pass
    (``iter``) visits the batches in a fresh random order when ``shuffle`` is on. Each batch
    is ``(inputs, lengths, targets)``: inputs padded with ``padding_value``; targets either
    one label per sequence (N,) or a padded tag sequence (N, T) with ``ignore_index`` at the
    padding, so SoftmaxCrossEntropy skips it.
    """

    def __init__(self, sequences, targets, batch_size, shuffle=True, seed=0, padding_value=0, ignore_index=-100):
        batch_size = whole("batch_size", batch_size, 1)  # the words of run_task's check
        shuffle = flag("shuffle", shuffle)
        if len(sequences) != len(targets) or not sequences:
            raise GatedRNNError(
                f"got {len(sequences)} sequences and {len(targets)} targets; give one target per sequence"
            )
        self.sequences, self.targets = list(sequences), list(targets)
        self.padding_value, self.ignore_index = padding_value, ignore_index
        self.shuffle = shuffle
        self.generator = seeded_generator(seed)  # the seed checked before NumPy's raw refusals
        by_length = np.argsort([len(s) for s in self.sequences], kind="stable")
        self.batches = [by_length[i : i + batch_size] for i in range(0, len(by_length), batch_size)]

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        order = self.generator.permutation(len(self.batches)) if self.shuffle else range(len(self.batches))
        for b in order:
            yield self.batch(self.batches[b])

    def batch(self, indices):
        """The padded batch of the sequences at ``indices``."""
        inputs, lengths = pad_sequences([self.sequences[i] for i in indices], self.padding_value)
        targets = [self.targets[i] for i in indices]
        if np.ndim(targets[0]) == 0:
            return inputs, lengths, np.asarray(targets, dtype=np.int64)
        tags, _ = pad_sequences(targets, self.ignore_index, dtype=np.int64)
        return inputs, lengths, tags
