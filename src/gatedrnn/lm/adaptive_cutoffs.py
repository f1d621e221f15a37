"""The cutoffs of a language model's adaptive softmax: checked, parsed, and chosen by ``auto``.

``ModelConfig.adaptive_softmax`` is None (the full softmax), a tuple of cutoffs, or ``"auto"``.
Cutoffs split the ids 0 … V-1 into a head (the shortlist, ids below the first cutoff) and tail
clusters (gatedrnn.layers.AdaptiveLogSoftmaxWithLoss); it pays only when the low ids are the
frequent words, so a model with an adaptive softmax trains on a vocabulary numbered by
frequency (DataSettings(vocab_order="frequency"), chosen by TrainingRun).

``auto`` is one rule, applied to the training ids of that frequency-ordered vocabulary:

    share(k) = (tokens of the training split whose id is below k) / (all its tokens)
    cutoffs  = (smallest k with share(k) ≥ 0.80, smallest k with share(k) ≥ 0.95)

so the head holds the words of 80% of the running text, the first cluster the next 15%, the
second the last 5%. A cutoff is dropped when it would repeat the one before or reach V, and
the second when the hidden size is below 16 (each cluster's projection is H / 4^k wide).
"""

import math
from typing import Any

import numpy as np

from ..errors import GatedRNNError, short_repr
from ..typing import IntArray

AUTO = "auto"
AUTO_SHARES = (0.80, 0.95)  # of the training tokens covered by the ids below each cutoff
DIV_VALUE = 4.0  # torch's default: cluster k's projection is H // 4^(k+1) wide


def parse_adaptive_softmax(text: str) -> tuple[int, ...] | str:
    """The command line's ``--adaptive-softmax`` text → ``(2000, 6000)`` or ``"auto"``.

    Anything else is handed on as it is, for the config to refuse in its own words.
    """
    parts = [part.strip() for part in text.split(",")]
    if text.strip() != AUTO and parts and all(part.isascii() and part.isdigit() for part in parts):
        return tuple(int(part) for part in parts)
    return text.strip()


def check_adaptive_softmax(value: Any, vocab_size: int | None, hidden_size: int, tie_weights: bool) -> Any:
    """``value`` as the config stores it (None, "auto" or a tuple of int), or GatedRNNError in one line."""
    if value is None:
        return None
    if tie_weights:
        raise GatedRNNError(
            "adaptive_softmax cannot share the embedding with the read-out (its head and clusters "
            "have no V × H matrix); turn tying off (--no-tie-weights, tie_weights=False)"
        )
    if isinstance(value, str) and value == AUTO:
        if hidden_size < DIV_VALUE:
            raise _too_narrow(hidden_size, 1)
        return AUTO
    cutoffs = _cutoffs_or_none(value)
    if cutoffs is None:
        raise GatedRNNError(
            f"adaptive_softmax must be increasing whole numbers ≥ 1 such as 2000,6000, or {AUTO}, got "
            f"{short_repr(value)}; give the cutoffs in increasing order"
        )
    if vocab_size is not None and cutoffs[-1] >= vocab_size:
        raise GatedRNNError(
            f"adaptive_softmax cutoff {cutoffs[-1]} is not below the vocabulary's {vocab_size} tokens; "
            f"use cutoffs below {vocab_size}, or {AUTO}"
        )
    if hidden_size < DIV_VALUE ** len(cutoffs):
        raise _too_narrow(hidden_size, len(cutoffs))
    return cutoffs


def _cutoffs_or_none(value):
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if not isinstance(value, (list, tuple)) or not value:
        return None
    whole = all(isinstance(c, (int, np.integer)) and not isinstance(c, (bool, np.bool_)) for c in value)
    if not whole:
        return None
    cutoffs = tuple(int(c) for c in value)
    increasing = all(a < b for a, b in zip(cutoffs, cutoffs[1:], strict=False))  # one pair fewer than cutoffs
    return cutoffs if increasing and cutoffs[0] >= 1 else None


def _too_narrow(hidden_size, clusters):
    return GatedRNNError(
        f"adaptive_softmax with {clusters} tail cluster(s) needs hidden_size ≥ {int(DIV_VALUE**clusters)} "
        f"(cluster k projects to hidden_size // 4^k features), got {hidden_size}; use fewer cutoffs or a "
        "larger hidden_size"
    )


def auto_cutoffs(train_ids: IntArray, vocab_size: int, hidden_size: int) -> tuple[int, ...]:
    """The ``auto`` cutoffs (module docstring) of ``train_ids`` (int (n,), ids numbered by frequency).

    Returns one or two increasing cutoffs in [1, vocab_size - 1].
    """
    if vocab_size < 2:
        raise GatedRNNError(
            f"an adaptive softmax needs a vocabulary of at least 2 tokens, got {vocab_size}; use the full softmax"
        )
    counts = np.bincount(np.asarray(train_ids, dtype=np.int64), minlength=vocab_size)[:vocab_size]
    covered = np.cumsum(counts, dtype=np.float64) / max(int(counts.sum()), 1)
    room = int(math.log(hidden_size, DIV_VALUE) + 1e-9)  # clusters whose projection keeps ≥ 1 feature
    cutoffs: list[int] = []
    for share in AUTO_SHARES[:room]:
        cutoff = min(max(int(np.searchsorted(covered, share)) + 1, 1), vocab_size - 1)
        if not cutoffs or cutoff > cutoffs[-1]:
            cutoffs.append(cutoff)
    return tuple(cutoffs)
