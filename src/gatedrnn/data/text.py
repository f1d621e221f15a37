"""Any UTF-8 text file as a corpus, cut into words or characters.

Word level: whitespace-separated words, ``<eos>`` at every line end, and ``<unk>`` (id 0) for
valid / test words that never occur in training. Character level: every character is a token,
``"\\n"`` included, and ``"\\ufffd"`` (U+FFFD, the Unicode replacement character, id 0) stands in
for characters that never occur in training.

With one file the tokens are split in order: the first 90 % train, the next 5 % valid, the last
5 % test (by default), so no text from the end leaks into training.
"""
import math
from pathlib import Path

from ..errors import GatedRNNError
from .corpus import Corpus
from .tokens import char_tokens, read_utf8, word_tokens
from .vocab import LEVELS, Vocabulary

UNK_WORD = "<unk>"
UNK_CHAR = "\ufffd"
MIN_SPLIT_TOKENS = 2   # one input and its target


def load_text(path, level="word", split=(0.9, 0.05, 0.05), valid_path=None, test_path=None, lowercase=False,
              min_count=1, max_vocab=None):
    """A :class:`Corpus` from the text file at ``path``.

    Args:
        path: UTF-8 text file (the training text, or all of it when no other files are given).
        level: ``"word"`` or ``"char"``.
        split: fractions (train, valid, test) of the file's tokens, each > 0, summing to 1; used
            only when ``valid_path`` and ``test_path`` are not given.
        valid_path, test_path: separate files for validation and test (give both or neither).
        lowercase: lower-case every text first (then "The" and "the" are one word).
        min_count: words (or characters) seen fewer times than this in training become unk.
        max_vocab: keep at most this many tokens, unk included, the most frequent ones.
    """
    if level not in LEVELS:
        raise GatedRNNError(f"level must be 'word' or 'char', got {level!r}")
    tokenize = word_tokens if level == "word" else char_tokens
    if (valid_path is None) != (test_path is None):
        raise GatedRNNError("give both valid_path and test_path, or neither (then the file is split)")
    def read(file):
        text = _read_nonempty(file)
        return tokenize(text.lower() if lowercase else text)

    if valid_path is None:
        parts = split_in_order(read(path), split)
    else:
        parts = [read(p) for p in (path, valid_path, test_path)]
    for name, tokens in zip(("train", "valid", "test"), parts):
        if len(tokens) < MIN_SPLIT_TOKENS:
            raise GatedRNNError(f"{path}: the {name} split would hold {len(tokens)} {level} token(s), it needs at "
                                f"least {MIN_SPLIT_TOKENS}; use more text or a larger {name} fraction")
    unk = UNK_WORD if level == "word" else UNK_CHAR
    vocab = Vocabulary.build(parts[0], unk_token=unk, level=level, min_count=min_count, max_size=max_vocab)
    train, valid, test = (vocab.encode(tokens) for tokens in parts)
    return Corpus(train=train, valid=valid, test=test, vocab=vocab, name=Path(path).name)


def split_in_order(tokens, fractions):
    """Cut ``tokens`` into three consecutive parts of the given fractions of its length."""
    train_fraction, valid_fraction, _ = check_fractions(fractions)
    n = len(tokens)
    train_end = round(n * train_fraction)
    valid_end = train_end + round(n * valid_fraction)
    return [tokens[:train_end], tokens[train_end:valid_end], tokens[valid_end:]]


def check_fractions(fractions):
    """The (train, valid, test) fractions as floats, or GatedRNNError if they are not three
    positive numbers that sum to 1."""
    try:
        values = tuple(float(f) for f in fractions)
    except (TypeError, ValueError):
        raise GatedRNNError(f"split must be three numbers (train, valid, test), got {fractions!r}") from None
    if len(values) != 3:
        raise GatedRNNError(f"split must be three fractions (train, valid, test), got {len(values)}: {fractions!r}")
    if not all(math.isfinite(v) and v > 0 for v in values):
        raise GatedRNNError(f"split fractions must all be > 0, got {fractions!r}; e.g. use (0.9, 0.05, 0.05)")
    if not math.isclose(sum(values), 1.0, abs_tol=1e-6):
        raise GatedRNNError(f"split fractions must sum to 1, got {fractions!r} (sum {sum(values):g}); "
                            "e.g. use (0.9, 0.05, 0.05)")
    return values


def _read_nonempty(path):
    text = read_utf8(path)
    if not text.strip():
        raise GatedRNNError(f"{path} is empty (or only whitespace); give a file with text in it")
    return text
