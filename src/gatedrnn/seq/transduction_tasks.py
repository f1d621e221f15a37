"""Sequence-to-sequence tasks, generated on the fly: a source string in, a target string out.

* ``addition`` — Deep Learning from Scratch 2's chapter 7 task, in its format: "57+689" padded
  with spaces to 7 characters → "746" padded to 4; a and b drawn from 0 … 999. The decoder is
  started by the book's "_" (here the <bos> token) and writes the 4 characters.
* ``reversal`` — a string of letters (length 3 … 12) → the same string backwards.
* ``copy`` — a string of letters → the same string (lengths min_length … max_length): the
  whole source must survive the trip through the encoder, which gets harder with length.
* ``numbers`` (one-to-many) — the number n < 1000, given as three digit classes (hundreds,
  tens, ones: no sequence to read), → its English words ("three hundred forty-two"); the
  model is a decoder whose start state (h_0, and an LSTM's c_0) is made of the classes
  (gatedrnn.seq.one_to_many.OneToMany), trained with its own settings (TRAINING_DEFAULTS).
* ``dates`` — a date written one of many ways ("September 27, 1994", "27 Sep 1994",
  "9/27/94", "tuesday, 27 september 1994" …) → ISO 8601, "1994-09-27" (the task of the book's
  chapter 8, generated here).

A task gives a :class:`TransductionData`: the character vocabulary (with <pad>, <bos> and
<eos>), padded id arrays and lengths for train and test, and the raw strings. Targets end
in <eos> except when the task's outputs have a fixed width (addition), where the decoder
writes exactly that many characters.
"""

import datetime
import inspect
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import GatedRNNError, check_whole_number
from ..rng import seeded_generator
from ..typing import IntArray, IntLike
from .addition_file import read_addition_file
from .data_budget import check_examples_fit

PAD, BOS, EOS = "<pad>", "<bos>", "<eos>"
SPECIALS = (PAD, BOS, EOS)


@dataclass
class TransductionData:
    """One task's examples, encoded. ``symbols`` are the vocabulary (ids 0, 1, 2: <pad>, <bos>,
    <eos>); ``train``/``test`` are (sources, targets) lists of strings; ``target_width`` is the
    fixed output length, or None for outputs ended by <eos>. A source is a string, or (numbers)
    a list of class symbols; a target is a string."""

    name: str
    symbols: list[str]
    train: tuple[list[Any], list[str]]
    test: tuple[list[Any], list[str]]
    target_width: int | None = None

    @property
    def vocab_size(self) -> int:
        """The number of symbols V, specials included."""
        return len(self.symbols)

    def encode_sources(self, sources: Sequence[Sequence[str]]) -> tuple[IntArray, IntArray]:
        """(ids (N, S) int64 padded with <pad> (id 0), lengths (N,)), S the longest source."""
        return _pad([[self.symbols.index(c) for c in s] for s in sources])

    def encode_targets(self, targets: Sequence[str]) -> tuple[IntArray, IntArray]:
        """(decoder inputs, outputs), both (N, T) int64 padded with <pad>: the outputs are y, then
        <eos> unless the width is fixed; the inputs are <bos> and the outputs but the last
        (teacher forcing)."""
        ends = [] if self.target_width else [self.symbols.index(EOS)]
        output_ids = [[self.symbols.index(c) for c in t] + ends for t in targets]
        inputs, _ = _pad([[self.symbols.index(BOS)] + ids[:-1] for ids in output_ids])
        outputs, _ = _pad(output_ids)
        return inputs, outputs

    def decode(self, ids: Iterable[IntLike]) -> str:
        """The string of ``ids`` up to the first <eos> (specials left out)."""
        out = []
        for i in ids:
            symbol = self.symbols[int(i)]
            if symbol == EOS:
                break
            if symbol not in SPECIALS:
                out.append(symbol)
        return "".join(out)


def _pad(sequences: Sequence[Sequence[int]]) -> tuple[IntArray, IntArray]:
    lengths = np.array([len(s) for s in sequences])
    ids = np.zeros((len(sequences), lengths.max()), dtype=np.int64)  # 0 is <pad>
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
    return ids, lengths


BOOK_ADDITION_COUNTS = dict(train_count=45_000, test_count=5_000)  # the book's split of its 50,000 questions


def addition(
    train_count: IntLike | None = None,
    test_count: IntLike | None = None,
    seed: int | None = 0,
    path: str | os.PathLike[str] | None = None,
) -> TransductionData:
    """The book's addition task: 'a+b' (a, b < 1000) padded to 7 → the sum padded to 4.

    Generated from ``seed`` (a and b uniform over 0–999, so 90% of operands have three digits),
    ``train_count`` and ``test_count`` of them (None: the book's 45,000 and 5,000); or, given
    ``path``, read from the book's ``addition.txt`` (gatedrnn.seq.addition_file: the book's own
    50,000 distinct questions, 58% of whose operands have three digits, and its fixed split, the
    same for every seed; the first ``train_count`` and ``test_count`` of each part, None: all of
    it, as the book's ``load_data`` keeps it, so the book's file gives its 45,000 and 5,000 and
    a smaller file all it has). The book's questions are the easier: docs/seq2seq.md measures both."""
    given = {
        name: count for name, count in dict(train_count=train_count, test_count=test_count).items() if count is not None
    }
    if path is not None:
        sources, targets, train_count = _file_questions(path, given)
    else:
        train_count, test_count = check_examples_fit("addition", {**BOOK_ADDITION_COUNTS, **given}, 7, 5)
        generator = seeded_generator(seed)
        total = train_count + test_count
        a, b = generator.integers(0, 1000, total), generator.integers(0, 1000, total)
        sources = [f"{x}+{y}".ljust(7) for x, y in zip(a, b, strict=True)]
        targets = [str(x + y).ljust(4) for x, y in zip(a, b, strict=True)]
    symbols = list(SPECIALS) + sorted(set("".join(sources) + "".join(targets)))
    return TransductionData(
        "addition",
        symbols,
        (sources[:train_count], targets[:train_count]),
        (sources[train_count:], targets[train_count:]),
        target_width=4,
    )


def _file_questions(path: str | os.PathLike[str], given: dict[str, Any]) -> tuple[list[str], list[str], int]:
    """(sources, targets, training count): the training then the test questions of the addition
    file at ``path``, each part cut to the count ``given`` for it, or whole when none was."""
    given = dict(zip(given, check_examples_fit("addition", given, 7, 5), strict=True))  # checked before reading
    train, test = read_addition_file(path, given.get("train_count"), given.get("test_count"))
    return train[0] + test[0], train[1] + test[1], len(train[0])


def reversal(
    train_count: IntLike = 20_000,
    test_count: IntLike = 2_000,
    min_length: IntLike = 3,
    max_length: IntLike = 12,
    seed: int | None = 0,
) -> TransductionData:
    """A random lower-case string (lengths min_length … max_length) → the same string backwards."""
    check_whole_number("min_length", min_length, 1)
    check_whole_number("max_length", max_length, int(min_length))
    train_count, test_count = check_examples_fit(
        "reversal", dict(train_count=train_count, test_count=test_count), max_length, max_length + 1
    )
    generator = seeded_generator(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    sources = [
        "".join(generator.choice(letters, generator.integers(min_length, max_length + 1)))
        for _ in range(train_count + test_count)
    ]
    targets = [s[::-1] for s in sources]
    symbols = list(SPECIALS) + list(letters)
    return TransductionData(
        "reversal",
        symbols,
        (sources[:train_count], targets[:train_count]),
        (sources[train_count:], targets[train_count:]),
    )


def copy(
    train_count: IntLike = 20_000,
    test_count: IntLike = 2_000,
    min_length: IntLike = 3,
    max_length: IntLike = 20,
    seed: int | None = 0,
) -> TransductionData:
    """A random lower-case string (lengths min_length … max_length) → the same string."""
    data = reversal(train_count, test_count, min_length, max_length, seed)
    return TransductionData("copy", data.symbols, (data.train[0], data.train[0]), (data.test[0], data.test[0]))


MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _written(date: datetime.date, style: int) -> str:
    """``date`` (a datetime.date) in one of the written styles, numbered 0 … len(DATE_STYLES) - 1."""
    month, day, year = MONTHS[date.month - 1], date.day, date.year
    return DATE_STYLES[style](date, month, day, year)


DATE_STYLES: tuple[Callable[[datetime.date, str, int, int], str], ...] = (
    lambda d, m, day, y: f"{m.capitalize()} {day}, {y}",
    lambda d, m, day, y: f"{day} {m[:3].capitalize()} {y}",
    lambda d, m, day, y: f"{d.month}/{day}/{y % 100:02d}",
    lambda d, m, day, y: f"{y}.{d.month:02d}.{day:02d}",
    lambda d, m, day, y: f"{WEEKDAYS[d.weekday()]}, {day} {m} {y}",
    lambda d, m, day, y: f"{day:02d}/{d.month:02d}/{y}",
    lambda d, m, day, y: f"{m[:3]} {day} {y}",
    lambda d, m, day, y: f"{WEEKDAYS[d.weekday()][:3].upper()} {m.upper()} {day}, {y}",
)


LONGEST_WRITTEN_DATE = 30  # a written date is at most 28 characters ("wednesday, 27 september 1994")


def dates(train_count: IntLike = 20_000, test_count: IntLike = 2_000, seed: int | None = 0) -> TransductionData:
    """Dates from 1900-01-01 to 2099-12-31 written in DATE_STYLES → "YYYY-MM-DD" (fixed width 10).

    Two-digit years ("9/27/94") are read as 19xx, so the task only draws such dates from the
    1900s; every other style covers the whole range.
    """
    train_count, test_count = check_examples_fit(
        "dates", dict(train_count=train_count, test_count=test_count), LONGEST_WRITTEN_DATE, 11
    )
    generator = seeded_generator(seed)
    first = datetime.date(1900, 1, 1).toordinal()
    sources: list[str] = []
    targets: list[str] = []
    while len(sources) < train_count + test_count:
        date = datetime.date.fromordinal(first + int(generator.integers(0, 73_049)))
        style = int(generator.integers(len(DATE_STYLES)))
        if style == 2 and date.year >= 2000:
            continue
        sources.append(_written(date, style))
        targets.append(date.isoformat())
    symbols = list(SPECIALS) + sorted(set("".join(sources) + "".join(targets)))
    return TransductionData(
        "dates",
        symbols,
        (sources[:train_count], targets[:train_count]),
        (sources[train_count:], targets[train_count:]),
        target_width=10,
    )


ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: IntLike) -> str:
    """342 → 'three hundred forty-two' (0 ≤ n < 1000)."""
    hundreds, rest = divmod(n, 100)
    words = [f"{ONES[hundreds]} hundred"] if hundreds else []
    if rest or not hundreds:
        words.append(ONES[rest] if rest < 20 else TENS[rest // 10] + (f"-{ONES[rest % 10]}" if rest % 10 else ""))
    return " ".join(words)


def numbers(train_count: IntLike = 800, test_count: IntLike = 200, seed: int | None = 0) -> TransductionData:
    """One-to-many: n (0 ≤ n < 1000) as its digit classes <h3> <t4> <o2> → number_words(n), then <eos>.

    Train and test hold different numbers, so a right answer on the test set is a number
    the model never saw spelled: it must compose the words from the digit classes.
    """
    train_count, test_count = check_examples_fit("numbers", dict(train_count=train_count, test_count=test_count), 3, 28)
    if train_count + test_count > 1000:
        raise GatedRNNError(f"numbers has 1000 numbers; train_count + test_count is {train_count + test_count}")
    order = seeded_generator(seed).permutation(1000)
    classes = [f"<{place}{digit}>" for place in "hto" for digit in range(10)]
    sources = [[f"<h{n // 100}>", f"<t{n // 10 % 10}>", f"<o{n % 10}>"] for n in order[: train_count + test_count]]
    targets = [number_words(n) for n in order[: train_count + test_count]]
    symbols = list(SPECIALS) + sorted(set("".join(targets))) + classes
    return TransductionData(
        "numbers",
        symbols,
        (sources[:train_count], targets[:train_count]),
        (sources[train_count:], targets[train_count:]),
    )


# The training settings a task needs where they differ from the book's (25 epochs, batch 128, Adam
# 10⁻³, the book's initialisation), by task name. numbers: 800 pairs are 7 batches of 128, so the
# book's settings make 175 updates at 10⁻³ and reach 0.5% exact match; batches of 32 at 5·10⁻³ for
# 40 epochs make 1,000 (the seeds' results: benchmarks/numbers_seeds.py, docs/seq2seq.md).
# dates and copy: the book's initialisation starts every state near zero (embeddings N(0, 0.01²)),
# and on these tasks' budgets (6 and 10 epochs of 20,000 pairs) the models have not left that
# start by the end (dates with attention, seed 0: 18% after 6 epochs, 96% with PyTorch-style
# draws); benchmarks/seq2seq.py compares the two over seeds.
TRAINING_DEFAULTS: dict[str, dict[str, int | float | str]] = {
    "numbers": dict(epochs=40, batch_size=32, lr=5e-3),
    "dates": dict(init="pytorch"),
    "copy": dict(init="pytorch"),
}


ONE_TO_MANY_TASKS = ("numbers",)
TRANSDUCTION_TASKS: dict[str, Callable[..., TransductionData]] = {
    "addition": addition,
    "reversal": reversal,
    "copy": copy,
    "dates": dates,
    "numbers": numbers,
}


def make_transduction_task(name: str, **options: Any) -> TransductionData:
    """The TransductionData of task ``name`` (a key of TRANSDUCTION_TASKS), made by its function
    with ``options`` (train_count, test_count, seed, and the task's own such as ``path`` for
    addition or ``min_length`` for reversal). Sources and targets are kept as strings (numbers:
    lists of class symbols); ``encode_sources`` / ``encode_targets`` give the int64 id arrays
    (N, S) / (N, T) padded with <pad> (id 0). GatedRNNError in one line for an unknown name
    or an option the task's function does not take."""
    if name not in TRANSDUCTION_TASKS:
        raise GatedRNNError(f"unknown task {name!r}; choose one of {', '.join(TRANSDUCTION_TASKS)}")
    function = TRANSDUCTION_TASKS[name]
    known = inspect.signature(function).parameters
    unknown = [option for option in options if option not in known]
    if unknown:
        raise GatedRNNError(
            f"task {name} takes no option {', '.join(map(repr, unknown))}; its options are {', '.join(known)}"
        )
    return function(**options)
