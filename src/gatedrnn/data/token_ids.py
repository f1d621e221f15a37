"""Text files → one int64 array of token ids, in two passes over pieces, within a memory budget.

Pass 1 reads every file in pieces (gatedrnn.data.pieces) and keeps only the distinct tokens
in order of first appearance (a dict) and how many tokens each file holds. That fixes the
size of everything the corpus needs, so it is estimated (:func:`corpus_bytes`) and refused
when it would not fit the memory this process may use (gatedrnn.memory) — checked after
every piece too, so that a text of millions of distinct words is stopped while the dict
grows, not after. Pass 2 reads the files again and writes each token's position in that
dict (its *provisional id*) into a preallocated array. The caller then picks the vocabulary
from counts of those ids (np.bincount) and renumbers them in place
(:func:`renumber_in_place`). At no point is there a Python list of every token.

Because the provisional ids number the tokens by first appearance over the files read in
order, the tokens of a training prefix are exactly the ids below the prefix's largest + 1,
in order of first appearance there: the order a vocabulary built from the training tokens
gives them.
"""

from contextlib import contextmanager
from itertools import chain, compress

import numpy as np

from ..errors import GatedRNNError
from ..files import open_regular_file
from ..memory import available_bytes, describe_available, describe_bytes
from .pieces import text_pieces, token_pieces

ID_BYTES = 8  # an int64 id per token
# Per distinct token, measured on CPython 3.12 (a short word): its str (~56), its entry in
# pass 1's dict (~60 with the table's slack), in the Vocabulary's list and dict (~70), and
# two int64 arrays over them (counts, new ids).
DISTINCT_TOKEN_BYTES = 200
RENUMBER_BLOCK = 1 << 20  # ids renumbered this many at a time (a block-sized temporary)


def corpus_bytes(token_count, distinct_count):
    """Bytes a corpus of ``token_count`` ids and ``distinct_count`` distinct tokens needs, about."""
    return token_count * ID_BYTES + distinct_count * DISTINCT_TOKEN_BYTES


@contextmanager
def read_token_ids(paths, level, lowercase=False):
    """Pass 1 over the files at ``paths`` (in order); yields the :class:`TokenIdReading`. Closes the files."""
    handles = []
    try:
        for path in paths:
            handles.append(open_regular_file(path, "text file"))
        reading = TokenIdReading(list(zip(paths, handles, strict=True)), level, lowercase)
        reading.count()
        yield reading
    finally:
        for handle in handles:
            handle.close()


class TokenIdReading:
    """The two passes over open files. After :meth:`count`: ``distinct_count`` and
    ``file_token_counts`` (tokens per file); :meth:`ids` then reads the provisional ids,
    (n,) int64, and :meth:`kept_tokens` lists the distinct tokens a vocabulary keeps."""

    def __init__(self, files, level, lowercase):
        self.files, self.level, self.lowercase = files, level, lowercase
        self.budget = available_bytes()  # before anything of the corpus exists
        self._positions = {}  # token → provisional id, by first appearance
        self.file_token_counts = []
        self.new_ids = None  # provisional id → vocabulary id, once the vocabulary is chosen

    @property
    def distinct_count(self):
        return len(self._positions)

    def _tokens_of(self, path, handle, seen=None):
        handle.seek(0)
        pieces = text_pieces(handle, path, self.level, self.lowercase)
        return token_pieces(pieces if seen is None else _watch_for_text(pieces, seen), self.level)

    def count(self):
        """Pass 1: the distinct tokens and each file's token count, within the budget."""
        positions, total = self._positions, 0
        for path, handle in self.files:
            count, seen = 0, {}
            for tokens in self._tokens_of(path, handle, seen):
                positions.update(dict.fromkeys(tokens))  # new tokens at the end, in order; C speed
                count += len(tokens)
                self._check_budget(path, total + count, len(positions))
            if not seen:
                raise GatedRNNError(f"{path} is empty (or only whitespace); give a file with text in it")
            self.file_token_counts.append(count)
            total += count
        for position, token in enumerate(positions):
            positions[token] = position

    def _check_budget(self, path, token_count, distinct_count):
        needed = corpus_bytes(token_count, distinct_count)
        if self.budget is not None and needed > self.budget:
            raise GatedRNNError(
                f"{path} as {self.level} tokens needs at least {describe_bytes(needed)} "
                f"({token_count:,} tokens, {distinct_count:,} distinct, read so far); "
                f"{describe_available(self.budget)}: use a shorter text, or a machine with "
                "more memory"
            )

    def ids(self):
        """Pass 2: the provisional id of every token of every file, (n,) int64."""
        total = sum(self.file_token_counts)
        ids = np.empty(total, dtype=np.int64)
        lookup, start = self._positions.__getitem__, 0
        for (path, handle), expected in zip(self.files, self.file_token_counts, strict=True):
            end = start + expected
            for tokens in self._tokens_of(path, handle):
                if start + len(tokens) > end:
                    raise _changed(path)
                try:
                    ids[start : start + len(tokens)] = np.fromiter(map(lookup, tokens), np.int64, len(tokens))
                except KeyError:
                    raise _changed(path) from None
                start += len(tokens)
            if start != end:
                raise _changed(path)
        return ids

    def leading_positions(self, leading):
        """The provisional id of each of ``leading`` (tokens such as unk), None where it never occurs."""
        return [self._positions.get(token) for token in leading]

    def kept_tokens(self, kept, leading=()):
        """``leading``, then the distinct tokens at the positions ``kept`` (ascending), as one list."""
        mask = np.zeros(self.distinct_count, dtype=bool)
        mask[kept] = True
        return list(chain(leading, compress(self._positions, mask.tolist())))

    def release(self):
        """Drop pass 1's dict once the vocabulary holds what it needs (the kept strings live on there)."""
        self._positions = {}


def _watch_for_text(pieces, seen):
    """The pieces unchanged; ``seen["text"]`` set once one holds a character other than whitespace."""
    for piece in pieces:
        if not seen and not piece.isspace():
            seen["text"] = True
        yield piece


def _changed(path):
    return GatedRNNError(f"{path} changed while it was being read; read it again when nothing writes to it")


def renumber_in_place(ids, new_ids):
    """``ids[i] = new_ids[ids[i]]`` for every i, a block at a time (no second array of ids)."""
    for start in range(0, ids.size, RENUMBER_BLOCK):
        block = ids[start : start + RENUMBER_BLOCK]
        block[...] = new_ids[block]
