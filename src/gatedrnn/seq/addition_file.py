"""The book's addition questions read from its ``dataset/addition.txt``, split as the book splits them.

Each line is a question padded to 7 characters, "_", and the answer padded to 4
("16+75  _91  "). The book's ``sequence.load_data`` shuffles the 50,000 lines with NumPy's
legacy generator seeded 1984 and keeps the last tenth as the test set; this reader makes the
same permutation (``numpy.random.RandomState(1984)``), so the two split alike and every
gatedrnn seed trains on the book's very questions.
"""

import os

import numpy as np

from ..arguments import spelled
from ..errors import GatedRNNError
from ..files import open_regular_file
from ..typing import IntLike

BOOK_SPLIT_SEED = 1984
SOURCE_WIDTH, TARGET_WIDTH = 7, 4
PARTS = dict(train_count="training", test_count="test")  # the part of the split each count cuts


def read_addition_file(
    path: str | os.PathLike[str], train_count: IntLike | None = None, test_count: IntLike | None = None
) -> tuple[tuple[list[str], list[str]], tuple[list[str], list[str]]]:
    """((train sources, targets), (test sources, targets)): the book's split of ``path``, each
    part cut to its first ``train_count`` / ``test_count`` pairs (None: all of it). Sources are
    the 7-character questions ("16+75  "), targets the 4-character answers ("91  "), as str.
    GatedRNNError in one line for a file that is not the book's format, or too few pairs."""
    with open_regular_file(path, "addition file") as handle:
        raw = handle.read()
    try:
        lines = raw.decode("ascii").splitlines()
    except UnicodeDecodeError:
        raise GatedRNNError(f"addition file {path} is not ASCII text; give the book's dataset/addition.txt") from None
    pairs = [_question_and_answer(line, number, path) for number, line in enumerate(lines, 1) if line]
    if len(pairs) < 10:
        raise GatedRNNError(f"addition file {path} has {len(pairs)} questions; give the book's dataset/addition.txt")
    order = np.arange(len(pairs))
    np.random.RandomState(BOOK_SPLIT_SEED).shuffle(order)
    split_at = len(pairs) - len(pairs) // 10
    train = [pairs[i] for i in order[:split_at]]
    test = [pairs[i] for i in order[split_at:]]
    return _cut(train, train_count, "train_count", path), _cut(test, test_count, "test_count", path)


def _question_and_answer(line: str, number: int, path: str | os.PathLike[str]) -> tuple[str, str]:
    """'16+75  _91  ' → ('16+75  ', '91  '), or GatedRNNError naming the line."""
    question, underscore, answer = line.partition("_")
    well_formed = (
        underscore
        and len(question) == SOURCE_WIDTH
        and len(answer) == TARGET_WIDTH
        and set(question) <= set("0123456789+ ")
        and set(answer) <= set("0123456789 ")
    )
    if not well_formed:
        raise GatedRNNError(
            f"addition file {path} line {number} is {line[:40]!r}, not a question like '16+75  _91  ' "
            "(7 characters, '_', 4); give the book's dataset/addition.txt"
        )
    return question, answer


def _cut(
    pairs: list[tuple[str, str]], count: IntLike | None, name: str, path: str | os.PathLike[str]
) -> tuple[list[str], list[str]]:
    """The first ``count`` pairs (None: all), as (sources, targets); a count beyond the part is
    refused in the option's spellings, with leaving it out (all of the part) as a fix."""
    if count is not None and count > len(pairs):
        raise GatedRNNError(
            f"{spelled(name)} {count} is more than the {len(pairs)} {PARTS[name]} pairs of {path}; lower it, "
            f"or leave it out for all {len(pairs)}"
        )
    pairs = pairs[:count]
    return [q for q, _ in pairs], [a for _, a in pairs]
