"""Synthetic sequence tasks, generated on the fly, for classification and tagging.

* ``brackets`` (many-to-one): is a string of ( and ) balanced? Half the examples are balanced;
  the other half are balanced strings with one '(' swapped with a later ')', so both kinds
  have the same numbers of ( and ): counting alone cannot tell them apart, the model must
  track the nesting depth along the way.
* ``neighbours`` (many-to-many): tokens are digits 0…k-1 and each position is tagged 1 when
  its right neighbour is larger than its left one (beyond either end counts as -1), else 0.
  A left-to-right model has not yet seen the right neighbour when it must tag a position,
  so it can only guess from the left one; a bidirectional model sees both sides.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import GatedRNNError, check_whole_number
from ..rng import seeded_generator
from ..typing import IntArray, IntLike
from .data_budget import check_examples_fit

BRACKETS = ("(", ")")


def _balanced(generator: np.random.Generator, length: int) -> list[int]:
    """A random balanced string of ``length`` (even) brackets, as 0 = '(' and 1 = ')'."""
    out: list[int] = []
    depth, opens_left = 0, length // 2
    for position in range(length):
        remaining = length - position
        must_close = depth == remaining  # only closes fit in what is left
        can_open = opens_left > 0 and not must_close
        if can_open and (depth == 0 or generator.random() < 0.5):
            out.append(0)
            depth, opens_left = depth + 1, opens_left - 1
        else:
            out.append(1)
            depth -= 1
    return out


def _unbalance(generator: np.random.Generator, sequence: Sequence[int]) -> list[int]:
    """Swap an '(' with a later ')': the counts stay equal, but between the two the depth drops
    by 2, so some prefix closes more than it opened. Swapping the first '(' always works; a
    random pair is tried first so the defect can sit anywhere."""
    seq = list(sequence)
    opens = [i for i, token in enumerate(seq) if token == 0]
    for _ in range(20):
        i = int(generator.choice(opens))
        later_closes = [j for j in range(i + 1, len(seq)) if seq[j] == 1]
        j = int(generator.choice(later_closes))
        candidate = list(seq)
        candidate[i], candidate[j] = candidate[j], candidate[i]
        if not is_balanced(candidate):
            return candidate
    j = int(generator.choice([j for j in range(1, len(seq)) if seq[j] == 1]))
    seq[0], seq[j] = seq[j], seq[0]
    return seq


def is_balanced(sequence: Sequence[int] | IntArray) -> bool:
    """Whether a bracket string (0 = '(', 1 = ')') never closes more than it opened and ends level."""
    depth = 0
    for token in sequence:
        depth += 1 if token == 0 else -1
        if depth < 0:
            return False
    return depth == 0


def brackets(
    count: IntLike, min_length: IntLike = 4, max_length: IntLike = 40, seed: int | None = 0
) -> tuple[list[IntArray], list[int]]:
    """``count`` bracket strings with labels 1 = balanced, 0 = not.

    Returns (sequences, labels): each sequence an int64 array (T,) of 0 = '(' and 1 = ')', T
    even in [min_length, max_length]; labels Python ints, alternating 1, 0, 1, … from ``seed``.
    """
    if min_length < 2 or max_length < min_length:
        raise GatedRNNError(f"bracket lengths must satisfy 2 ≤ min ≤ max, got {min_length} and {max_length}")
    (count,) = check_examples_fit("brackets", {"count": count}, max_length, 1)
    generator = seeded_generator(seed)
    sequences: list[IntArray] = []
    labels: list[int] = []
    for index in range(count):
        length = 2 * int(generator.integers(min_length // 2, max_length // 2 + 1))
        sequence = _balanced(generator, length)
        balanced = index % 2 == 0
        sequences.append(np.array(sequence if balanced else _unbalance(generator, sequence)))
        labels.append(int(balanced))
    return sequences, labels


def neighbours(
    count: IntLike, min_length: IntLike = 5, max_length: IntLike = 30, k: IntLike = 10, seed: int | None = 0
) -> tuple[list[IntArray], list[IntArray]]:
    """``count`` digit strings and their tags: 1 where the right neighbour > the left neighbour.

    Returns (sequences, tags): each sequence an int64 array (T,) of digits 0 … k-1, T in
    [min_length, max_length], and its tags an int64 array (T,) of 0/1.
    """
    check_whole_number("min_length", min_length, 1)
    check_whole_number("max_length", max_length, int(min_length))
    check_whole_number("k", k, 1)
    (count,) = check_examples_fit("neighbours", {"count": count}, max_length, max_length)
    generator = seeded_generator(seed)
    sequences: list[IntArray] = []
    tags: list[IntArray] = []
    for _ in range(count):
        tokens = generator.integers(0, k, int(generator.integers(min_length, max_length + 1)))
        padded = np.concatenate([[-1], tokens, [-1]])
        sequences.append(tokens)
        tags.append((padded[2:] > padded[:-2]).astype(np.int64))
    return sequences, tags


TASKS: dict[str, dict[str, Any]] = {
    "brackets": dict(kind="classify", vocab_size=2, classes=2),
    "neighbours": dict(kind="tag", vocab_size=10, classes=2),
}


def make_task(
    name: str, count: IntLike, seed: int | None = 0
) -> tuple[list[IntArray], list[int]] | tuple[list[IntArray], list[IntArray]]:
    """(sequences, targets) for task ``name`` of TASKS: brackets' (int64 arrays (T,), int labels)
    or neighbours' (int64 arrays (T,), int64 tag arrays (T,)); ``seed`` defaults as theirs does."""
    if name == "brackets":
        return brackets(count, seed=seed)
    if name == "neighbours":
        return neighbours(count, seed=seed)
    raise GatedRNNError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
