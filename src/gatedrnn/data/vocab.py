"""Vocabulary: the two-way mapping between tokens (words or characters) and integer ids.

Ids are dense, ``0 … len(vocab) - 1``, in a fixed order so that the same training text always
gives the same ids (a checkpoint's embedding rows depend on it): the unknown token first (when
there is one), then the other specials, then the training tokens in order of first appearance
(or, when asked, of frequency: the most frequent first).
"""

from collections import Counter
from types import MappingProxyType

import numpy as np

from ..errors import GatedRNNError, check_whole_number

LEVELS = ("word", "char")
ORDERS = ("appearance", "frequency")  # how Vocabulary.build numbers the text's tokens


def short_repr(token, limit=40):
    """``repr(token)`` cut to about ``limit`` characters, so an error message stays one short line."""
    text = repr(token)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


class Vocabulary:
    """Tokens ↔ ids.

    Args:
        tokens: the tokens in id order; each a ``str``, no duplicates.
        unk_token: the token that stands in for anything not in the vocabulary (it must be one of
            ``tokens``), or ``None``: then encoding an unknown token raises GatedRNNError.
        level: ``"word"`` or ``"char"``, how the text was cut into tokens (kept so that a
            checkpoint knows how to tokenise a prompt).
    """

    def __init__(self, tokens, unk_token=None, level="word"):
        tokens = list(tokens)
        if level not in LEVELS:
            raise GatedRNNError(f"vocabulary level must be 'word' or 'char', got {short_repr(level)}")
        self._tokens = tokens
        try:
            self._ids = {token: index for index, token in enumerate(tokens)}
        except TypeError:  # an unhashable token: named by the check below
            self._ids = {}
        _check_tokens(tokens, self._ids)
        if unk_token is not None and unk_token not in self._ids:
            raise GatedRNNError(
                f"unk_token {short_repr(unk_token)} is not among the vocabulary's tokens; "
                "add it to the tokens or pass unk_token=None"
            )
        if level == "char":
            _check_single_characters(tokens)
        self.unk_token = unk_token
        self.level = level

    @classmethod
    def build(cls, tokens, specials=(), unk_token=None, level="word", min_count=1, max_size=None, order="appearance"):
        """A vocabulary of ``unk_token``, then ``specials``, then ``tokens`` by first appearance.

        ``tokens`` is the training split (any iterable of str; a str iterates its characters);
        repeats are skipped, so a special that also occurs in the text keeps its early id.
        Cut-offs (they need an ``unk_token`` to stand for what they leave out): a token that
        occurs fewer than ``min_count`` times is left out, and of the rest only the most
        frequent are kept so that the whole vocabulary, unk and specials included, holds at
        most ``max_size`` tokens (ties broken by first appearance). Kept tokens stay in the
        order of first appearance. Cut-offs that leave out every token of the text are
        refused (GatedRNNError): such a vocabulary makes every word unk, and a language model
        of it scores a perplexity of 1 while predicting nothing.

        ``order="frequency"`` numbers the kept text tokens by how often they occur instead, the
        most frequent first (ties by first appearance); unk and the specials keep the first
        ids. That is the order an adaptive softmax needs (its shortlist is the lowest ids).
        The token list is the order, so :meth:`to_dict` records it.
        """
        check_order(order)
        leading = leading_tokens(unk_token, specials, min_count, max_size)
        tokens = list(tokens)
        distinct = list(dict.fromkeys(tokens))  # first appearances, in order
        counts = None
        if min_count > 1 or max_size is not None or order == "frequency":
            counted = Counter(tokens)
            counts = np.fromiter((counted[t] for t in distinct), dtype=np.int64, count=len(distinct))
        leading_positions = [distinct.index(token) if token in distinct else None for token in leading]
        kept = select_tokens(len(distinct), counts, leading, leading_positions, min_count, max_size)
        if order == "frequency":
            kept = kept[np.lexsort((kept, -counts[kept]))]  # by count, then first appearance
        return cls(leading + [distinct[i] for i in kept.tolist()], unk_token=unk_token, level=level)

    # -- lookups ------------------------------------------------------------------------------
    def __len__(self):
        return len(self._tokens)

    def __contains__(self, token):
        return token in self._ids

    def __repr__(self):
        return f"Vocabulary({len(self)} {self.level} tokens, unk_token={self.unk_token!r})"

    @property
    def id_to_token(self):
        """The tokens in id order: ``id_to_token[i]`` is the token of id ``i`` (a copy; for many
        ids use :meth:`decode`)."""
        return list(self._tokens)

    @property
    def token_to_id(self):
        """Read-only mapping token → id (no unknown-token fallback: for that use :meth:`encode`)."""
        return MappingProxyType(self._ids)

    @property
    def unk_id(self):
        """The id of ``unk_token``, or ``None`` when there is no unknown token."""
        return None if self.unk_token is None else self._ids[self.unk_token]

    # -- whole sequences ----------------------------------------------------------------------
    def encode(self, tokens):
        """Ids of ``tokens`` (an iterable of str; for a char vocabulary a str works too).

        Returns an int64 array of shape (len(tokens),).
        """
        if isinstance(tokens, str) and self.level == "word":
            raise GatedRNNError(
                "encode takes a list of words, not one string; split the text first (e.g. text.split())"
            )
        tokens = list(tokens)
        unk_id = self.unk_id
        if unk_id is not None:
            return np.fromiter((self._ids.get(t, unk_id) for t in tokens), dtype=np.int64, count=len(tokens))
        try:
            return np.fromiter((self._ids[t] for t in tokens), dtype=np.int64, count=len(tokens))
        except KeyError as missing:
            raise self._unknown(missing.args[0]) from None

    def decode(self, ids):
        """The tokens of ``ids`` (ints, shape (n,)) as a list of n strings."""
        ids = np.asarray(ids)
        if ids.ndim != 1:
            raise GatedRNNError(f"decode takes a 1-D sequence of ids, got shape {ids.shape}; decode one row at a time")
        if ids.size == 0:
            return []
        if not np.issubdtype(ids.dtype, np.integer):
            raise GatedRNNError(f"decode takes integer ids, got dtype {ids.dtype}; convert with .astype(int)")
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= len(self):
            bad = low if low < 0 else high
            raise GatedRNNError(
                f"id {bad} is outside the vocabulary (ids 0..{len(self) - 1}); "
                "use the vocabulary the model was trained with"
            )
        return [self._tokens[i] for i in ids.tolist()]

    def _unknown(self, token):
        return GatedRNNError(
            f"token {short_repr(token)} is not in the vocabulary ({len(self)} tokens, "
            "no unk_token); use tokens seen in training or build it with an unk_token"
        )

    # -- checkpoints ----------------------------------------------------------------------------
    def to_dict(self):
        """A JSON-serialisable description: ``{"tokens": [...], "unk_token": ..., "level": ...}``."""
        return {"tokens": list(self._tokens), "unk_token": self.unk_token, "level": self.level}

    @classmethod
    def from_dict(cls, description):
        """The vocabulary described by :meth:`to_dict`'s output (e.g. read back from a checkpoint).

        The description is data from a file, so each part is checked before use: a 'tokens'
        list of distinct strings, an optional 'unk_token' (a str among them, or None), an
        optional 'level' ('word' or 'char'), and no other key.
        """
        if not isinstance(description, dict) or not isinstance(description.get("tokens"), list):
            raise GatedRNNError(
                "the vocabulary description has no 'tokens' list; the checkpoint is "
                "corrupted or was not written by gatedrnn"
            )
        unknown = sorted(str(key) for key in description if key not in ("tokens", "unk_token", "level"))
        if unknown:
            shown = ", ".join(map(short_repr, unknown[:5]))
            raise GatedRNNError(
                f"the vocabulary description has unknown keys {shown}; "
                "the checkpoint is corrupted or was not written by gatedrnn"
            )
        unk_token, level = description.get("unk_token"), description.get("level", "word")
        if unk_token is not None and not isinstance(unk_token, str):
            raise GatedRNNError(
                f"the vocabulary's unk_token is {type(unk_token).__name__} {short_repr(unk_token)}, "
                "not a str or null; the checkpoint is corrupted"
            )
        if not isinstance(level, str):
            raise GatedRNNError(f"vocabulary level must be 'word' or 'char', got {short_repr(level)}")
        return cls(description["tokens"], unk_token=unk_token, level=level)


def _check_single_characters(tokens):
    """A character-level vocabulary holds characters: a longer token means it was cut into words
    (a prompt or a text would then be read one character at a time against word tokens)."""
    longer = next((token for token in tokens if len(token) != 1), None)
    if longer is not None:
        raise GatedRNNError(
            f"a character-level vocabulary holds single characters, but token {short_repr(longer)} has "
            f"{len(longer)}; build it with level='word', or give the tokens it was trained with"
        )


def check_order(order):
    """``order`` must be one of ORDERS: how a built vocabulary numbers the tokens of the text."""
    if not isinstance(order, str) or order not in ORDERS:
        raise GatedRNNError(
            f"vocabulary order must be 'appearance' or 'frequency', got {short_repr(order)}; "
            "pass 'frequency' for the most frequent tokens first (an adaptive softmax needs it)"
        )


def leading_tokens(unk_token, specials, min_count, max_size, names=("min_count", "max_size")):
    """``[unk_token] + specials``, the tokens every vocabulary starts with, after checking the cut-offs."""
    check_whole_number(names[0], min_count, 1)
    if max_size is not None:
        check_whole_number(names[1], max_size, 1)
    if (min_count > 1 or max_size is not None) and unk_token is None:
        raise GatedRNNError("min_count and max_size leave tokens out, so they need an unk_token to stand for them")
    return ([unk_token] if unk_token is not None else []) + list(specials)


def select_tokens(
    distinct_count, counts, leading, leading_positions, min_count=1, max_size=None, names=("min_count", "max_size")
):
    """Positions (int64, ascending) among the distinct tokens of the tokens a vocabulary keeps after ``leading``.

    The distinct tokens are the training split's, numbered by first appearance (positions
    ``0 … distinct_count - 1``); ``counts``: how often each occurs (int array, at least that
    long), or None without cut-offs; ``leading_positions``: the position of each leading
    token among them, or None. A token equal to a leading one is left out (it keeps its
    early id); of the others those seen at least
    ``min_count`` times are candidates, and of them the ``max_size - len(leading)`` most
    frequent are kept, ties to the earlier. The one rule of :meth:`Vocabulary.build` and of
    :func:`gatedrnn.data.load_text`, which counts without listing every token. ``names``
    are the settings as the caller's user knows them, for the refusal when the cut-offs
    leave no token of the text.
    """
    candidates = np.ones(distinct_count, dtype=bool)
    for position in leading_positions:
        if position is not None and position < distinct_count:
            candidates[position] = False
    text_tokens = int(candidates.sum())
    if counts is not None:
        counts = np.asarray(counts, dtype=np.int64)[:distinct_count]
        candidates &= counts >= min_count
    positions = np.flatnonzero(candidates)
    if max_size is not None:
        room = max(max_size - len(leading), 0)
        most_frequent_first = np.lexsort((positions, -counts[positions]))  # by count, then first appearance
        positions = np.sort(positions[most_frequent_first[:room]])
    if positions.size == 0 and text_tokens:
        raise _nothing_kept(counts, leading, min_count, max_size, names)
    return positions


def _nothing_kept(counts, leading, min_count, max_size, names):
    """The refusal of cut-offs that leave no token of the text, naming the setting to change."""
    shown = ", ".join(map(short_repr, leading))
    most = int(counts.max()) if counts is not None and counts.size else 0
    if most < min_count:
        return GatedRNNError(
            f"{names[0]} {min_count} leaves no token of the training text in the vocabulary, only "
            f"{shown} (the most frequent token occurs {most:,} times): a language model needs at "
            f"least one token besides it; lower it to at most {most:,}"
        )
    return GatedRNNError(
        f"{names[1]} {max_size} leaves no room for a token of the training text in the vocabulary, "
        f"only {shown}: a language model needs at least one token besides it; raise it to at "
        f"least {len(leading) + 1}"
    )


def _check_tokens(tokens, ids):
    """Refuse non-string or repeated tokens: each token must own exactly one id.

    ``ids`` is the token → id dict already built from ``tokens``: fewer entries than tokens
    means a repeat, found by a second look only then (a set of a million words costs memory).
    The types are gathered first (at C speed); a token is named only when one is wrong.
    """
    if not all(issubclass(kind, str) for kind in set(map(type, tokens))):
        index, token = next((i, t) for i, t in enumerate(tokens) if not isinstance(t, str))
        raise GatedRNNError(
            f"vocabulary token {index} is {type(token).__name__} {short_repr(token)}, not a str; tokens must be strings"
        )
    if len(ids) == len(tokens):
        return
    seen = set()
    for token in tokens:
        if token in seen:
            raise GatedRNNError(f"vocabulary token {short_repr(token)} appears twice; each token may appear once")
        seen.add(token)
