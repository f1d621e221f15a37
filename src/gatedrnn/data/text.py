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

import numpy as np

from ..errors import GatedRNNError
from .corpus import Corpus
from .token_ids import read_token_ids, renumber_in_place
from .vocab import LEVELS, Vocabulary, check_order, leading_tokens, select_tokens

UNK_WORD = "<unk>"
UNK_CHAR = "\ufffd"
MIN_SPLIT_TOKENS = 2  # one input and its target


def load_text(
    path,
    level="word",
    split=(0.9, 0.05, 0.05),
    valid_path=None,
    test_path=None,
    lowercase=False,
    min_count=1,
    max_vocab=None,
    order="appearance",
):
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
        order: number the kept tokens by first appearance ("appearance") or by how often they
            occur in training, the most frequent first ("frequency"; what an adaptive softmax needs).

    The files are read on a budget (gatedrnn.data.token_ids): in pieces, twice, never as a
    list of every token; what the corpus will hold is estimated before it is allocated, and
    refused in one line when it would not fit in the memory this process may use.
    """
    if level not in LEVELS:
        raise GatedRNNError(f"level must be 'word' or 'char', got {level!r}")
    check_order(order)
    if (valid_path is None) != (test_path is None):
        raise GatedRNNError("give both valid_path and test_path, or neither (then the file is split)")
    unk = UNK_WORD if level == "word" else UNK_CHAR
    names = ("min_count (--min-count)", "max_vocab (--max-vocab)")
    leading = leading_tokens(unk, (), min_count, max_vocab, names)
    paths = [path] if valid_path is None else [path, valid_path, test_path]
    if valid_path is None:
        check_fractions(split)
    try:
        with read_token_ids(paths, level, lowercase) as read:
            ends = _split_ends(read.file_token_counts, split)
            _check_split_sizes(paths, level, ends, sum(read.file_token_counts), split)
            ids = read.ids()
            vocab = _vocabulary(read, ids[: ends[0]], leading, unk, level, min_count, max_vocab, names, order)
            renumber_in_place(ids, read.new_ids)
    except MemoryError:
        # The estimate after every piece usually refuses first; a cap can still be met between two.
        raise GatedRNNError(
            f"ran out of memory reading {path} as {level} tokens ({_budget()}); use a shorter text, or free memory"
        ) from None
    train, valid, test = ids[: ends[0]], ids[ends[0] : ends[1]], ids[ends[1] :]
    return Corpus(train=train, valid=valid, test=test, vocab=vocab, name=Path(path).name)


def encode_file(path, vocab, lowercase=False):
    """All of the text file at ``path`` as ids of ``vocab``, (n,) int64: read in bounded pieces as
    :func:`load_text` reads, tokenised at the vocabulary's level; a token the vocabulary does not
    know becomes its unknown token (GatedRNNError when it has none)."""
    try:
        with read_token_ids([path], vocab.level, lowercase) as read:
            ids = read.ids()
            distinct = read.kept_tokens(np.arange(read.distinct_count))  # by provisional id
            read.release()
            renumber_in_place(ids, vocab.encode(distinct))
    except MemoryError:
        raise GatedRNNError(
            f"ran out of memory reading {path} as {vocab.level} tokens ({_budget()}); use a "
            "shorter text, or free memory"
        ) from None
    return ids


def _budget():
    from ..memory import available_bytes, describe_available

    available = available_bytes()
    return "no memory left" if available is None else describe_available(available)


def _vocabulary(read, train_ids, leading, unk, level, min_count, max_vocab, names, order="appearance"):
    """The Vocabulary of the training tokens (``train_ids``, provisional), by the one rule of
    :func:`gatedrnn.data.vocab.select_tokens`, numbered in ``order`` (as Vocabulary.build numbers
    them); sets ``read.new_ids``, provisional → vocabulary id."""
    # The training tokens are a prefix, so they hold exactly the provisional ids below their max + 1.
    train_distinct = int(train_ids.max()) + 1
    counts = np.bincount(train_ids, minlength=train_distinct)
    positions = read.leading_positions(leading)
    cutting = min_count > 1 or max_vocab is not None
    kept = select_tokens(train_distinct, counts if cutting else None, leading, positions, min_count, max_vocab, names)
    tokens = read.kept_tokens(kept, leading)
    if order == "frequency":  # by count, then first appearance (kept is ascending: first appearance)
        by_frequency = np.lexsort((kept, -counts[kept]))
        kept = kept[by_frequency]
        tokens = leading + [tokens[len(leading) + i] for i in by_frequency.tolist()]
    read.new_ids = _new_ids(read.distinct_count, kept, len(leading), positions, unk_id=leading.index(unk))
    read.release()  # before the vocabulary builds its own dict: one of the two at a time
    return Vocabulary(tokens, unk_token=unk, level=level)


def _split_ends(file_token_counts, split):
    """Where train and valid end in the tokens of all files read one after the other."""
    if len(file_token_counts) == 3:
        return file_token_counts[0], file_token_counts[0] + file_token_counts[1]
    train_end, valid_end, _ = split_points(file_token_counts[0], split)
    return train_end, valid_end


def _check_split_sizes(paths, level, ends, total, split):
    """Each split must hold MIN_SPLIT_TOKENS: an input and its target.

    A split read from a file of its own is short because that file is: it is named, and more
    text is the fix. A split cut from one file by a fraction can also be given a larger fraction.
    """
    sizes = (ends[0], ends[1] - ends[0], total - ends[1])
    for index, (name, size) in enumerate(zip(("train", "valid", "test"), sizes, strict=True)):
        if size >= MIN_SPLIT_TOKENS:
            continue
        needs = f"{size} {level} token(s), it needs at least {MIN_SPLIT_TOKENS}"
        if len(paths) == 3:
            raise GatedRNNError(f"{paths[index]}: the {name} text holds {needs}; use a longer {name} text")
        raise GatedRNNError(
            f"{paths[0]}: the {name} split would hold {needs}; use more text or a larger {name} fraction "
            f"than {split[index]:g}"
        )


def _new_ids(distinct_count, kept, leading_count, leading_positions, unk_id):
    """The vocabulary id of each distinct token (by provisional id): kept ones in order after the
    leading tokens, a leading token that occurs in the text its own id, all others unk."""
    new_ids = np.full(distinct_count, unk_id, dtype=np.int64)
    new_ids[kept] = np.arange(leading_count, leading_count + kept.size)
    for index, position in enumerate(leading_positions):
        if position is not None:
            new_ids[position] = index
    return new_ids


def split_points(n, fractions):
    """``(train_end, valid_end, n)``: the three consecutive parts of ``n`` tokens in the given fractions."""
    train_fraction, valid_fraction, _ = check_fractions(fractions)
    train_end = round(n * train_fraction)
    valid_end = train_end + round(n * valid_fraction)
    return train_end, valid_end, n


def split_in_order(tokens, fractions):
    """Cut ``tokens`` into three consecutive parts of the given fractions of its length."""
    train_end, valid_end, _ = split_points(len(tokens), fractions)
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
        raise GatedRNNError(
            f"split fractions must sum to 1, got {fractions!r} (sum {sum(values):g}); e.g. use (0.9, 0.05, 0.05)"
        )
    return values
