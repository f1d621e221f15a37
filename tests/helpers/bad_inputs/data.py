"""Bad-input rows for reading text, the memory estimates outside ``train`` and the value gates
of data, lab, generate, toy and the task data (collected by tests/helpers/bad_inputs/rows.py).

Memory rows use sizes no machine has (29 TiB of weights), so they refuse everywhere; the text
budget row lowers the budget itself. FIFO and /dev/zero rows open without blocking; that they
cannot hang is checked under a timeout in tests/data/test_data_doors.py too.
"""

import os

import numpy as np

from helpers.bad_inputs.rows import Row

HUGE = "1000000"  # a hidden size whose weights need tebibytes
HUGE_COUNT = "100000000"  # sequence steps or batch rows that need tebibytes (examples: two zeros more)


def fifo(c):
    path = c.tmp / "pipe"
    if not path.exists():
        os.mkfifo(path)
    return path


def lab(name, *extra):
    return lambda c: ["lab", name, *extra, "--out", str(c.tmp / "lab")]


def cli_train(*extra):
    from helpers.tiny_runs import tiny_word_train_args

    return lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", *extra)


def load_text_call(path_of, **options):
    def action(c):
        from gatedrnn.data import load_text

        load_text(path_of(c), **options)

    return action


def under_budget(budget, action):
    """``action`` with gatedrnn.memory saying only ``budget`` bytes are left."""

    def run(c):
        import gatedrnn.data.token_ids as token_ids

        saved = token_ids.available_bytes
        token_ids.available_bytes = lambda: budget
        try:
            action(c)
        finally:
            token_ids.available_bytes = saved

    return run


def call(function):
    return function


def _vocab_min_count(c):
    from gatedrnn.data import Vocabulary

    Vocabulary.build("a b a c".split(), unk_token="<unk>", min_count=3)


def _read_utf8_fifo(c):
    from gatedrnn.data.tokens import read_utf8

    read_utf8(fifo(c))


def _lstm_huge(c):
    from gatedrnn.layers import LSTM

    LSTM(10**7, 10**7)  # 3 PiB: more than any address space, so NumPy refuses it even with overcommit


def _linear_huge(c):
    from gatedrnn.layers import Linear

    Linear(10**7, 10**7)


def _parameters_fit(c):
    from gatedrnn.core import check_parameters_fit

    check_parameters_fit("an Embedding(10000000, 1000000)", [(10**7, 10**6)])


def _toy_huge(c):
    from gatedrnn.lm import toy

    toy.run(hidden_size=np.int64(10**6), echo=lambda line: None)


def _matmul_steps(c):
    from gatedrnn.lab import matmul_norms

    matmul_norms.run(steps=10**11)


def _clipping_overflow(c):
    from gatedrnn.lab import clipping

    clipping.run(lr=1e308, steps=2, progress=False)


def _cells_text_device(c):
    from gatedrnn.lab.units import read_text_start

    read_text_start("/dev/zero", 10)


def _brackets_huge(c):
    from gatedrnn.seq.tasks import brackets

    brackets(10**9)


def _neighbours_lengths(c):
    from gatedrnn.seq.tasks import neighbours

    neighbours(5, min_length=10, max_length=3)


def _addition_huge(c):
    from gatedrnn.seq.transduction_tasks import addition

    addition(train_count=np.int64(10**9))


def _reversal_long(c):
    from gatedrnn.seq.transduction_tasks import reversal

    reversal(train_count=10, test_count=1, max_length=10**10)


def _addition_zero(c):
    from gatedrnn.seq.transduction_tasks import addition

    addition(train_count=0)


def _tiny_temperature(c):
    from gatedrnn.lm.generate import next_token_distribution

    probs = next_token_distribution(np.array([0.0, 2.0, 1.0]), temperature=1e-310)
    assert probs.tolist() == [0.0, 1.0, 0.0]


ROWS = [
    # -- regular files only ---------------------------------------------------------------------
    Row(
        "data-train-text-fifo",
        "cli",
        "is a FIFO (named pipe)",
        args=lambda c: cli_train()(c)[:1] + ["--text", str(fifo(c))] + cli_train()(c)[3:],
    ),
    Row(
        "data-train-text-dev-zero",
        "cli",
        "is a character device",
        args=lambda c: cli_train()(c)[:1] + ["--text", "/dev/zero"] + cli_train()(c)[3:],
    ),
    Row("data-load-text-fifo", "call", "is a FIFO (named pipe)", action=load_text_call(fifo)),
    Row("data-load-text-dev-zero", "call", "is a character device", action=load_text_call(lambda c: "/dev/zero")),
    Row("data-load-text-directory", "call", "is a directory", action=load_text_call(lambda c: c.tmp)),
    Row("data-read-utf8-fifo", "call", "is a FIFO (named pipe)", action=_read_utf8_fifo),
    Row("data-cells-text-dev-zero", "call", "is a character device", action=_cells_text_device),
    # -- a vocabulary of one token --------------------------------------------------------------
    Row(
        "data-train-min-count-huge",
        "cli",
        "min_count (--min-count) 1000000000 leaves no token",
        args=cli_train("--min-count", "1000000000"),
    ),
    Row(
        "data-load-text-min-count-huge",
        "call",
        "leaves no token of the training text",
        action=load_text_call(lambda c: c.corpus, min_count=10**9),
    ),
    Row(
        "data-load-text-max-vocab-one",
        "call",
        "max_vocab (--max-vocab) 1 leaves no room",
        action=load_text_call(lambda c: c.corpus, max_vocab=np.int64(1)),
    ),
    Row(
        "data-vocab-build-min-count",
        "call",
        "min_count 3 leaves no token of the training text in the vocabulary, only '<unk>' (the most frequent token "
        "occurs 2 times): a language model needs at least one token besides it; lower it to at most 2",
        action=_vocab_min_count,
    ),
    Row("data-load-text-min-count-fine", "call", status=0, action=load_text_call(lambda c: c.corpus, min_count=3)),
    # -- text read on a budget ------------------------------------------------------------------
    Row(
        "data-load-text-over-budget",
        "call",
        "word tokens needs at least",
        action=under_budget(10_000, load_text_call(lambda c: c.corpus)),
    ),
    Row(
        "data-load-text-char-over-budget",
        "call",
        "char tokens needs at least",
        action=under_budget(10_000, load_text_call(lambda c: c.corpus, level="char")),
    ),
    # -- weights that do not fit, at every door --------------------------------------------------
    Row("data-toy-hidden-huge", "cli", "the toy's model (hidden_size 1000000)", args=["toy", "--hidden-size", HUGE]),
    Row("data-toy-api-hidden-huge", "call", "the toy's model", action=_toy_huge),
    Row("data-task-addition-hidden-huge", "cli", "hidden_size", args=["task", "addition", "--hidden-size", HUGE]),
    Row("data-task-brackets-hidden-huge", "cli", "hidden_size", args=["task", "brackets", "--hidden-size", HUGE]),
    Row("data-lstm-huge", "call", "LSTM(10000000, 10000000, num_layers=1) would hold", action=_lstm_huge),
    Row("data-linear-huge", "call", "Linear(10000000, 10000000)", action=_linear_huge),
    Row("data-check-parameters-fit", "call", "choose smaller sizes", action=_parameters_fit),
    Row(
        "data-lab-gradient-flow-hidden-huge",
        "cli",
        "hidden_size 1000000",
        args=lab("gradient-flow", "--hidden-size", HUGE),
    ),
    # -- task data that does not fit -------------------------------------------------------------
    Row(
        "data-task-addition-train-count-huge",
        "cli",
        "the addition task's examples",
        args=["task", "addition", "--train-count", HUGE_COUNT + "00"],
    ),
    Row(
        "data-task-brackets-train-count-huge",
        "cli",
        "the brackets task's examples",
        args=["task", "brackets", "--train-count", HUGE_COUNT + "00"],
    ),
    Row("data-brackets-count-huge", "call", "lower count", action=_brackets_huge),
    Row(
        "data-addition-train-count-huge",
        "call",
        "lower train_count (--train-count) or test_count (--test-count)",
        action=_addition_huge,
    ),
    Row("data-reversal-max-length-huge", "call", "the reversal task's examples", action=_reversal_long),
    Row("data-addition-train-count-zero", "call", "train_count must be a whole number ≥ 1", action=_addition_zero),
    Row("data-neighbours-lengths", "call", "max_length must be a whole number ≥ 10", action=_neighbours_lengths),
    # -- lab: arrays that do not fit, values that overflow ---------------------------------------
    Row(
        "data-lab-matmul-steps-huge",
        "cli",
        "matmul-norms with steps",
        args=lab("matmul-norms", "--steps", "100000000000"),
    ),
    Row(
        "data-lab-matmul-hidden-huge",
        "cli",
        "use fewer steps or a smaller hidden_size",
        args=lab("matmul-norms", "--hidden-size", HUGE),
    ),
    Row("data-lab-matmul-api-steps-huge", "call", "matmul-norms with steps", action=_matmul_steps),
    Row(
        "data-lab-activations-steps-huge",
        "cli",
        "activations with steps",
        args=lab("activations", "--steps", "10000000000"),
    ),
    Row(
        "data-lab-gradient-flow-length-huge",
        "cli",
        "use a shorter length",
        args=lab("gradient-flow", "--length", HUGE_COUNT),
    ),
    Row(
        "data-lab-long-range-lengths-huge",
        "cli",
        "use shorter lengths",
        args=lab("long-range", "--lengths", HUGE_COUNT, "--steps", "2"),
    ),
    Row("data-lab-clipping-length-huge", "cli", "clipping with length", args=lab("clipping", "--length", HUGE_COUNT)),
    Row(
        "data-lab-clipping-batch-huge", "cli", "batch_size 100000000", args=lab("clipping", "--batch-size", HUGE_COUNT)
    ),
    Row("data-lab-clipping-lr-overflow", "cli", "overflows", args=lab("clipping", "--lr", "1e308")),
    Row("data-lab-clipping-api-lr-overflow", "call", "overflows", action=_clipping_overflow),
    Row(
        "data-lab-clipping-lr-1e300-works",
        "cli",
        status=0,
        args=lab("clipping", "--lr", "1e300", "--steps", "4", "--no-progress"),
    ),
    # -- generate and the toy: values that overflow ----------------------------------------------
    Row(
        "data-generate-temperature-tiny-works",
        "cli",
        status=0,
        args=lambda c: ["generate", str(c.checkpoint), "--temperature", "1e-310", "--length", "5", "--seed", "0"],
    ),
    Row("data-next-token-temperature-tiny", "call", status=0, action=_tiny_temperature),
    Row("data-toy-lr-overflow", "cli", "lr 1e+300 is too large", args=["toy", "--lr", "1e300", "--steps", "3"]),
    # BucketBatches refuses what run_task refuses, in its words (NumPy's raw errors before)
    Row(
        "data-bucket-batches-fractional-size",
        "call",
        "batch_size (--batch-size) must be a whole number ≥ 1, got 1.5",
        action=lambda c: _buckets(batch_size=1.5),
    ),
    Row(
        "data-bucket-batches-negative-seed",
        "call",
        "seed must be a whole number ≥ 0",
        action=lambda c: _buckets(seed=-1),
    ),
    Row(
        "data-bucket-batches-shuffle-text",
        "call",
        "shuffle must be True or False",
        action=lambda c: _buckets(shuffle="no"),
    ),
]


def _buckets(batch_size=2, **options):
    from gatedrnn.data import BucketBatches

    return BucketBatches([[1, 2], [3]], [0, 1], batch_size, **options)
