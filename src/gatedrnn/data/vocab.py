"""Vocabulary: the two-way mapping between tokens (words or characters) and integer ids.

Ids are dense, ``0 … len(vocab) - 1``, in a fixed order so that the same training text always
gives the same ids (a checkpoint's embedding rows depend on it): the unknown token first (when
there is one), then the other specials, then the training tokens in order of first appearance.
"""
from collections import Counter
from types import MappingProxyType

import numpy as np

from ..errors import GatedRNNError, check_whole_number

LEVELS = ("word", "char")


def short_repr(token, limit=40):
    """``repr(token)`` cut to about ``limit`` characters, so an error message stays one short line."""
    text = repr(token)
    return text if len(text) <= limit else text[:limit - 4] + "...'"


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
        _check_tokens(tokens)
        if level not in LEVELS:
            raise GatedRNNError(f"vocabulary level must be 'word' or 'char', got {short_repr(level)}")
        self._tokens = tokens
        self._ids = {token: index for index, token in enumerate(tokens)}
        if unk_token is not None and unk_token not in self._ids:
            raise GatedRNNError(f"unk_token {short_repr(unk_token)} is not among the vocabulary's tokens; "
                                "add it to the tokens or pass unk_token=None")
        self.unk_token = unk_token
        self.level = level

    @classmethod
    def build(cls, tokens, specials=(), unk_token=None, level="word", min_count=1, max_size=None):
        """A vocabulary of ``unk_token``, then ``specials``, then ``tokens`` by first appearance.

        ``tokens`` is the training split (any iterable of str; a str iterates its characters);
        repeats are skipped, so a special that also occurs in the text keeps its early id.
        Cut-offs (they need an ``unk_token`` to stand for what they leave out): a token that
        occurs fewer than ``min_count`` times is left out, and of the rest only the most
        frequent are kept so that the whole vocabulary, unk and specials included, holds at
        most ``max_size`` tokens (ties broken by first appearance). Kept tokens stay in the
        order of first appearance.
        """
        check_whole_number("min_count", min_count, 1)
        if max_size is not None:
            check_whole_number("max_size", max_size, 1)
        leading = ([unk_token] if unk_token is not None else []) + list(specials)
        tokens = list(tokens)
        if (min_count > 1 or max_size is not None) and unk_token is None:
            raise GatedRNNError("min_count and max_size leave tokens out, so they need an unk_token to stand for them")
        # dict.fromkeys keeps the first occurrence of each token, in order.
        ordered = dict.fromkeys(leading)
        if min_count == 1 and max_size is None:
            ordered.update(dict.fromkeys(tokens))
            return cls(ordered, unk_token=unk_token, level=level)
        counts = Counter(tokens)
        first_seen = {token: index for index, token in reversed(list(enumerate(tokens)))}
        candidates = [t for t in dict.fromkeys(tokens) if counts[t] >= min_count and t not in ordered]
        if max_size is not None:
            room = max(max_size - len(ordered), 0)
            kept = set(sorted(candidates, key=lambda t: (-counts[t], first_seen[t]))[:room])
            candidates = [t for t in candidates if t in kept]
        ordered.update(dict.fromkeys(candidates))
        return cls(ordered, unk_token=unk_token, level=level)

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
            raise GatedRNNError("encode takes a list of words, not one string; split the text first "
                                "(e.g. text.split())")
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
            raise GatedRNNError(f"decode takes a 1-D sequence of ids, got shape {ids.shape}; "
                                "decode one row at a time")
        if ids.size == 0:
            return []
        if not np.issubdtype(ids.dtype, np.integer):
            raise GatedRNNError(f"decode takes integer ids, got dtype {ids.dtype}; convert with .astype(int)")
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= len(self):
            bad = low if low < 0 else high
            raise GatedRNNError(f"id {bad} is outside the vocabulary (ids 0..{len(self) - 1}); "
                                "use the vocabulary the model was trained with")
        return [self._tokens[i] for i in ids.tolist()]

    def _unknown(self, token):
        return GatedRNNError(f"token {short_repr(token)} is not in the vocabulary ({len(self)} tokens, "
                             "no unk_token); use tokens seen in training or build it with an unk_token")

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
            raise GatedRNNError("the vocabulary description has no 'tokens' list; the checkpoint is "
                                "corrupted or was not written by gatedrnn")
        unknown = sorted(str(key) for key in description if key not in ("tokens", "unk_token", "level"))
        if unknown:
            shown = ", ".join(map(short_repr, unknown[:5]))
            raise GatedRNNError(f"the vocabulary description has unknown keys {shown}; "
                                "the checkpoint is corrupted or was not written by gatedrnn")
        unk_token, level = description.get("unk_token"), description.get("level", "word")
        if unk_token is not None and not isinstance(unk_token, str):
            raise GatedRNNError(f"the vocabulary's unk_token is {type(unk_token).__name__} {short_repr(unk_token)}, "
                                "not a str or null; the checkpoint is corrupted")
        if not isinstance(level, str):
            raise GatedRNNError(f"vocabulary level must be 'word' or 'char', got {short_repr(level)}")
        return cls(description["tokens"], unk_token=unk_token, level=level)


def _check_tokens(tokens):
    """Refuse non-string or repeated tokens: each token must own exactly one id."""
    seen = set()
    for index, token in enumerate(tokens):
        if not isinstance(token, str):
            raise GatedRNNError(f"vocabulary token {index} is {type(token).__name__} {short_repr(token)}, "
                                "not a str; tokens must be strings")
        if token in seen:
            raise GatedRNNError(f"vocabulary token {short_repr(token)} appears twice; each token may "
                                "appear once")
        seen.add(token)
