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
the second when its cluster's projection would have no feature: cluster k (k = 0, 1, …)
projects the H features to

    width(k) = H // div_value^(k+1)        (torch's arithmetic; ModelConfig.adaptive_div_value)

so at torch's div_value 4 the second cutoff needs H ≥ 16, at div_value 2 only H ≥ 4.
"""

import math
from typing import Any

import numpy as np

from ..arguments import spelled
from ..errors import GatedRNNError, short_repr
from ..layers.adaptive_softmax import projection_width
from ..typing import IntArray

AUTO = "auto"
AUTO_SHARES = (0.80, 0.95)  # of the training tokens covered by the ids below each cutoff
# torch's default, and ModelConfig.adaptive_div_value's: cluster k's projection is H // 4^(k+1) wide
DEFAULT_DIV_VALUE = 4.0


def parse_adaptive_softmax(text: str) -> tuple[int, ...] | str:
    """The command line's ``--adaptive-softmax`` text → ``(2000, 6000)`` or ``"auto"``.

    Anything else is handed on as it is, for the config to refuse in its own words.
    """
    parts = [part.strip() for part in text.split(",")]
    if text.strip() != AUTO and parts and all(part.isascii() and part.isdigit() for part in parts):
        return tuple(int(part) for part in parts)
    return text.strip()


def check_adaptive_softmax(
    value: Any, vocab_size: int | None, hidden_size: int, tie_weights: bool, div_value: float
) -> Any:
    """``value`` as the config stores it (None, "auto" or a tuple of int), or GatedRNNError in one line.

    Every tail cluster must see at least one feature (``projection_width`` ≥ 1) and a finite number
    of them; ``auto`` needs room for its first cluster (it drops the second when there is none).
    """
    if value is None:
        return None
    if tie_weights:
        raise GatedRNNError(
            "adaptive_softmax cannot share the embedding with the read-out (its head and clusters "
            "have no V × H matrix); turn tying off (--no-tie-weights, tie_weights=False)"
        )
    if isinstance(value, str) and value == AUTO:
        # the first cluster must fit; below 1 the widths grow with k, so both must stay finite
        _check_widths(hidden_size, 1 if div_value >= 1 else len(AUTO_SHARES), div_value)
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
    _check_widths(hidden_size, len(cutoffs), div_value)
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


def _check_widths(hidden_size, clusters, div_value):
    for cluster in range(clusters):
        width = projection_width(hidden_size, div_value, cluster)
        if width < 1:
            raise GatedRNNError(
                f"{spelled('adaptive_softmax')} with {clusters} tail cluster(s) needs {spelled('hidden_size')} ≥ "
                f"{_smallest_hidden_size(clusters, div_value)} (tail cluster k = 1, 2, … projects to hidden_size "
                f"// div^k features, div = {spelled('adaptive_div_value')} = {div_value:g}), got {hidden_size}; "
                "use fewer cutoffs, a smaller div or a larger hidden size"
            )
        if width == math.inf:
            raise GatedRNNError(
                f"adaptive_div_value {div_value:g} makes tail cluster {cluster + 1}'s projection (hidden_size // "
                f"adaptive_div_value^{cluster + 1} features) wider than a float holds; use an adaptive_div_value "
                "≥ 1 (1 keeps every cluster at hidden_size features)"
            )


def _smallest_hidden_size(clusters, div_value):
    """The least H whose last cluster keeps a feature, as a refusal shows it (float notation beyond 10^15)."""
    try:
        power = div_value**clusters
    except OverflowError:
        return "a number beyond a float"
    if power > 1e15:
        return f"{power:.3g}"
    smallest = max(math.ceil(power), 1)
    while smallest // power < 1:  # the float division may round just below 1
        smallest += 1
    return str(smallest)


def auto_cutoffs(
    train_ids: IntArray, vocab_size: int, hidden_size: int, div_value: float = DEFAULT_DIV_VALUE
) -> tuple[int, ...]:
    """The ``auto`` cutoffs (module docstring) of ``train_ids`` (int (n,), ids numbered by frequency).

    Returns one or two increasing cutoffs in [1, vocab_size - 1]; a cluster whose projection
    (``projection_width(hidden_size, div_value, k)``) would have no feature is not made.
    """
    if vocab_size < 2:
        raise GatedRNNError(
            f"an adaptive softmax needs a vocabulary of at least 2 tokens, got {vocab_size}; use the full softmax"
        )
    counts = np.bincount(np.asarray(train_ids, dtype=np.int64), minlength=vocab_size)[:vocab_size]
    covered = np.cumsum(counts, dtype=np.float64) / max(int(counts.sum()), 1)
    # the clusters whose projection keeps ≥ 1 feature (at most all of AUTO_SHARES)
    room = next(
        (k for k in range(len(AUTO_SHARES)) if projection_width(hidden_size, div_value, k) < 1), len(AUTO_SHARES)
    )
    cutoffs: list[int] = []
    for share in AUTO_SHARES[:room]:
        cutoff = min(max(int(np.searchsorted(covered, share)) + 1, 1), vocab_size - 1)
        if not cutoffs or cutoff > cutoffs[-1]:
            cutoffs.append(cutoff)
    return tuple(cutoffs)
