"""Corpus: a data set ready for a language model — three splits of token ids and their vocabulary."""

from dataclasses import dataclass

import numpy as np

from .vocab import Vocabulary


@dataclass
class Corpus:
    """The train / valid / test splits of one data set, encoded with one vocabulary.

    Attributes:
        train, valid, test: int64 arrays of token ids, shape (n_split,), each read as one long
            sequence (sentence ends are tokens such as ``<eos>`` or ``"\\n"``, not boundaries).
        vocab: the :class:`Vocabulary`, built from the training split only.
        name: a short label for logs and result files (``"ptb"``, a file name).
        source: how the corpus was loaded (gatedrnn.lm.data_settings.DataSettings.record), when
            known; a Trainer records it in every checkpoint so that eval can load the data again.
    """

    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    vocab: Vocabulary
    name: str
    source: dict = None

    def __repr__(self):
        return (
            f"Corpus({self.name!r}: train {self.train.size:,}, valid {self.valid.size:,}, "
            f"test {self.test.size:,} tokens, vocabulary {len(self.vocab):,})"
        )
