"""Corpora by name, as the command line names them: the Penn Treebank or a text file."""
from ..data import load_ptb, load_text
from ..errors import GatedRNNError, is_whole_number

CORPORA = ("ptb",)


def load_corpus(corpus="ptb", data_dir=None, text=None, level="word", train_tokens=None):
    """The Penn Treebank (``corpus="ptb"``) or a text file (``text=PATH``), optionally truncated.

    ``train_tokens`` keeps only the first N training tokens, for quick trials.
    """
    if not text and corpus not in CORPORA:
        raise GatedRNNError(f"unknown corpus {corpus!r}; use {', '.join(CORPORA)} or --text FILE")
    if train_tokens is not None and not is_whole_number(train_tokens, 2):
        raise GatedRNNError(f"--train-tokens must be a whole number of at least 2, got {train_tokens!r}")
    loaded = load_text(text, level=level) if text else load_ptb(data_dir)
    if train_tokens is not None:
        loaded.train = loaded.train[:train_tokens]
    return loaded
