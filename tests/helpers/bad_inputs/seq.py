"""Bad-input rows for `gatedrnn task` and its Python doors (run_task, run_transduction,
fit_transduction, NonFiniteGuard): types, NumPy scalars, values that overflow later (a
learning rate whose update overflows the weights, a decay that takes the rate to 0 over the
epochs), the old lr-decay spelling, and models too large for memory."""

import json

import numpy as np

from helpers.bad_inputs.rows import Row

QUIET = dict(echo=lambda *_: None, progress=False)
BRACKETS = [
    "task",
    "brackets",
    "--train-count",
    "8",
    "--valid-count",
    "4",
    "--test-count",
    "4",
    "--epochs",
    "1",
    "--hidden-size",
    "4",
    "--no-progress",
]
REVERSAL = [
    "task",
    "reversal",
    "--train-count",
    "20",
    "--test-count",
    "2",
    "--epochs",
    "1",
    "--hidden-size",
    "4",
    "--no-progress",
]
FORECAST = [
    "task",
    "forecast",
    "--train-count",
    "8",
    "--valid-count",
    "4",
    "--test-count",
    "2",
    "--epochs",
    "1",
    "--hidden-size",
    "4",
    "--length",
    "6",
    "--no-progress",
]
TINY_TASK = dict(hidden_size=4, epochs=1, batch_size=4, train_count=8, valid_count=4, test_count=4, **QUIET)
TINY_TRANSDUCTION = dict(hidden_size=4, embedding_size=4, epochs=1, batch_size=4, train_count=8, test_count=2, **QUIET)


def _symlink(path, target):
    """A symbolic link at ``path`` to ``target``."""
    path.symlink_to(target)
    return path


def run_task(**options):
    from gatedrnn.seq import run_task as run

    return run(**{"task": "brackets", **TINY_TASK, **options})


def run_transduction(**options):
    from gatedrnn.seq import run_transduction as run

    return run(**{"task": "reversal", **TINY_TRANSDUCTION, **options})


def run_forecast(**options):
    from gatedrnn.seq.forecast_training import run_forecast as run

    return run(**{**TINY_TASK, "length": 6, **options})


def forecast_numpy_scalars_work(_):
    """run_forecast takes NumPy integers and floats as Python ones: the results are plain JSON."""
    result = run_forecast(
        hidden_size=np.int64(4), length=np.int32(5), noise=np.float32(0.2), lr=np.float16(0.01), seed=np.uint8(1)
    )
    json.dumps(result)
    assert result["length"] == 5 and type(result["noise"]) is float


def numpy_scalars_work(_):
    """NumPy integers and floats are taken as Python ones: the results are plain JSON."""
    for result in (
        run_task(
            hidden_size=np.int64(4),
            epochs=np.int64(1),
            lr=np.float32(0.01),
            seed=np.int64(2),
            train_count=np.int32(8),
            bidirectional=np.bool_(True),
        ),
        run_transduction(
            hidden_size=np.int64(4),
            epochs=np.int64(1),
            lr=np.float32(0.01),
            lr_decay=np.float64(2.0),
            decay_start=np.int64(0),
            clip=np.float16(1.0),
            teacher_forcing=np.float64(0.5),
            beam_width=np.int64(2),
            seed=np.uint8(1),
        ),
    ):
        json.dumps({key: value for key, value in result.items()}, allow_nan=True)


def _reversal_model_and_data():
    """A tiny reversal task and a Seq2Seq for it: what fit_transduction and exact_match take."""
    from gatedrnn.seq import Seq2Seq, make_transduction_task

    data = make_transduction_task("reversal", train_count=8, test_count=2, seed=0)
    return Seq2Seq(data.vocab_size, hidden_size=4, embedding_size=4), data


def _fit_transduction(**options):
    """fit_transduction on the tiny task: every argument refused before its first step."""
    from gatedrnn.seq import fit_transduction

    return fit_transduction(*_reversal_model_and_data(), **{"epochs": 1, "batch_size": 4, **QUIET, **options})


def _exact_match(**options):
    from gatedrnn.seq import exact_match

    return exact_match(*_reversal_model_and_data(), **options)


def _fit(**options):
    """gatedrnn.seq.fit on a few bracket strings, as docs/sequences.md calls it."""
    from gatedrnn.data import BucketBatches
    from gatedrnn.optim import Adam
    from gatedrnn.seq import SequenceClassifier, fit, make_task

    model = SequenceClassifier(2, 2, hidden_size=4)
    batches = BucketBatches(*make_task("brackets", 8, seed=0), 4)
    return fit(model, Adam(model.parameters(), lr=0.01), batches, batches, **{"epochs": 1, **QUIET, **options})


def _seq2seq(**options):
    from gatedrnn.seq import Seq2Seq

    return Seq2Seq(8, hidden_size=4, embedding_size=4, **options)


def guard(policy, max_consecutive=10):
    from gatedrnn.training import NonFiniteGuard

    return NonFiniteGuard(policy, max_consecutive=max_consecutive)


def _users_file(context, name):
    """A file of the user's in the row's scratch folder (its bytes must survive the row)."""
    path = context.tmp / name
    path.write_bytes(b"mine")
    return path


def _copy(source, target):
    """A checkpoint copied out of its run directory, as a user keeps one."""
    target.write_bytes(source.read_bytes())
    return target


def _forecast_twice(context):
    """The arguments of a forecast that writes the results and figure a first run of it wrote:
    a command run again replaces its own files."""
    from gatedrnn.cli import main

    outputs = ["--plot", str(context.tmp / "f.png"), "--results", str(context.tmp / "f.json")]
    assert main(FORECAST + outputs) == 0
    return FORECAST + outputs


def _fit_regressor(**options):
    """fit_regressor on four flat sequences: its own argument checks, before any step."""
    from gatedrnn.optim import Adam
    from gatedrnn.seq.forecast_training import fit_regressor
    from gatedrnn.seq.regressor import SequenceRegressor

    model = SequenceRegressor(hidden_size=4)
    inputs, targets = np.zeros((4, 5, 1), np.float32), np.zeros((4, 1), np.float32)
    data = (inputs, targets)
    return fit_regressor(model, Adam(model.parameters(), lr=1e-3), data, data, 1, 2, **QUIET, **options)


ROWS = [
    # -- values that overflow later -----------------------------------------------------------------
    Row("seq-task-lr-1e300-overflows-the-weights", "cli", "lower the learning rate", args=BRACKETS + ["--lr", "1e300"]),
    Row(
        "seq-reversal-lr-1e300-overflows-the-weights",
        "cli",
        "lower the learning rate",
        args=REVERSAL + ["--lr", "1e300"],
    ),
    Row(
        "seq-reversal-lr-1e300-skip-still-refused",
        "cli",
        "lower the learning rate",
        args=REVERSAL + ["--lr", "1e300", "--on-nonfinite", "skip"],
    ),
    Row(
        "seq-reversal-lr-decay-1e300",
        "cli",
        "takes the learning rate 0.001 to 0",
        args=REVERSAL + ["--lr-decay", "1e300", "--epochs", "3"],
    ),
    Row(
        "seq-reversal-lr-decay-2-over-1100-epochs",
        "cli",
        "lr_decay 2.0 over 1100 decayed epochs",
        args=REVERSAL + ["--lr-decay", "2", "--epochs", "1100"],
    ),
    Row(
        "seq-reversal-old-multiplier-too-small", "cli", "too small to invert", args=REVERSAL + ["--lr-decay", "1e-320"]
    ),
    Row(
        "seq-api-lr-decay-overflows",
        "call",
        "takes the learning rate",
        action=lambda c: run_transduction(lr_decay=1e10, epochs=40),
    ),
    Row("seq-api-numpy-lr-1e300", "call", "lower the learning rate", action=lambda c: run_task(lr=np.float64(1e300))),
    # -- the lr-decay vocabulary ------------------------------------------------------------------
    Row(
        "seq-reversal-lr-decay-zero",
        "cli",
        "lr_decay (--lr-decay) must be a divisor ≥ 1",
        args=REVERSAL + ["--lr-decay", "0"],
    ),
    Row(
        "seq-reversal-lr-decay-nan",
        "cli",
        "lr_decay (--lr-decay) must be a divisor ≥ 1",
        args=REVERSAL + ["--lr-decay", "nan"],
    ),
    Row(
        "seq-reversal-decay-start-negative",
        "cli",
        "decay_start (--decay-start) must be a whole number ≥ 0",
        args=REVERSAL + ["--decay-start", "-1"],
    ),
    Row(
        "seq-reversal-decay-after-zero",
        "cli",
        "decay_after must be a whole number ≥ 1",
        args=REVERSAL + ["--decay-after", "0"],
    ),
    Row(
        "seq-reversal-decay-after-and-decay-start",
        "cli",
        "give decay_start only",
        args=REVERSAL + ["--decay-after", "2", "--decay-start", "3"],
    ),
    Row(
        "seq-api-lr-decay-string",
        "call",
        "lr_decay (--lr-decay) must be a divisor ≥ 1",
        action=lambda c: run_transduction(lr_decay="2"),
    ),
    Row(
        "seq-api-decay-start-float",
        "call",
        "decay_start (--decay-start) must be a whole number ≥ 0",
        action=lambda c: run_transduction(decay_start=1.5),
    ),
    # -- types at the Python door -----------------------------------------------------------------
    Row(
        "seq-addition-file-empty",
        "cli",
        "addition_file must be a path, got ''",  # said "addition file . is a directory"
        args=["task", "addition", "--addition-file", ""],
    ),
    Row("seq-api-task-not-a-name", "call", "unknown task 3", action=lambda c: run_task(task=3)),
    Row("seq-api-epochs-string", "call", "epochs must be a whole number ≥ 1", action=lambda c: run_task(epochs="2")),
    Row("seq-api-lr-string", "call", "lr must be a finite number > 0", action=lambda c: run_task(lr="0.01")),
    Row("seq-api-task-lr-zero", "call", "lr must be a finite number > 0", action=lambda c: run_task(lr=0.0)),
    Row(
        "seq-api-bidirectional-string",
        "call",
        "bidirectional must be True or False",
        action=lambda c: run_task(bidirectional="yes"),
    ),
    Row("seq-api-pooling-list", "call", "unknown pooling ['max']", action=lambda c: run_task(pooling=["max"])),
    Row("seq-api-cell-none", "call", "unknown cell None", action=lambda c: run_task(cell=None)),
    Row("seq-api-echo-not-callable", "call", "echo must be a function", action=lambda c: run_task(echo="print")),
    Row(
        "seq-api-progress-none",
        "call",
        "progress must be True or False",
        action=lambda c: run_transduction(progress=None),
    ),
    Row(
        "seq-api-on-nonfinite-unknown",
        "call",
        "unknown on_nonfinite 'ignore'; choose one of error, skip",
        action=lambda c: run_task(on_nonfinite="ignore"),
    ),
    Row(
        "seq-api-attention-list",
        "call",
        "unknown attention ['dot']",
        action=lambda c: run_transduction(attention=["dot"]),
    ),
    Row("seq-api-peeky-int", "call", "peeky must be True or False", action=lambda c: run_transduction(peeky=1)),
    Row(
        "seq-api-keep-model-string",
        "call",
        "keep_model must be True or False",
        action=lambda c: run_transduction(keep_model="no"),
    ),
    Row(
        "seq-api-teacher-forcing-nan",
        "call",
        "teacher_forcing (--teacher-forcing) must be a probability",
        action=lambda c: run_transduction(teacher_forcing=float("nan")),
    ),
    Row(
        "seq-api-clip-inf",
        "call",
        "clip must be a finite number ≥ 0 (0 turns clipping off), got inf",
        action=lambda c: run_transduction(clip=float("inf")),
    ),
    Row(
        "seq-api-embedding-size-float",
        "call",
        "embedding_size (--embedding-size) must be a whole number ≥ 1",
        action=lambda c: run_transduction(embedding_size=4.0),
    ),
    Row(
        "seq-api-train-count-bool",
        "call",
        "train_count (--train-count) must be a whole number ≥ 1",
        action=lambda c: run_transduction(train_count=True),
    ),
    Row("seq-api-numpy-scalars-work", "call", action=numpy_scalars_work, status=0),
    Row(
        "seq-api-guard-unknown-policy",
        "call",
        "on_nonfinite must be one of error, skip",
        action=lambda c: guard("ignore"),
    ),
    Row(
        "seq-api-guard-zero-in-a-row",
        "call",
        "max_consecutive must be a whole number ≥ 1",
        action=lambda c: guard("skip", 0),
    ),
    # -- sizes that cannot fit ------------------------------------------------------------------------
    Row(
        "seq-task-hidden-size-huge",
        "cli",
        "choose a smaller hidden_size or batch_size",
        args=BRACKETS + ["--hidden-size", "1000000"],
    ),
    Row(
        "seq-addition-hidden-size-huge",
        "cli",
        "choose a smaller hidden_size or batch_size",
        args=["task", "addition", "--hidden-size", "1000000"],
    ),
    Row(
        "seq-reversal-batch-size-huge",
        "cli",
        "choose a smaller hidden_size or batch_size",
        args=REVERSAL + ["--batch-size", "10000000000"],
    ),
    Row("seq-task-on-nonfinite-unknown", "cli", "invalid choice", args=BRACKETS + ["--on-nonfinite", "ignore"]),
    # -- the initialisation and the book's addition file (issue 31) ---------------------------
    Row("seq-reversal-init-unknown", "cli", "invalid choice", args=REVERSAL + ["--init", "xavier"]),
    Row("seq-api-init-unknown", "call", "unknown init 'xavier'", action=lambda c: run_transduction(init="xavier")),
    Row("seq-api-init-not-a-string", "call", "unknown init 3", action=lambda c: run_transduction(init=3)),
    Row(
        "seq-api-seq2seq-init-unknown",
        "call",
        "choose one of pytorch, book",
        action=lambda c: __import__("gatedrnn.seq.seq2seq", fromlist=["Seq2Seq"]).Seq2Seq(8, init="torch"),
    ),
    Row(
        "seq-addition-file-missing",
        "cli",
        "does not exist",
        args=lambda c: ["task", "addition", "--addition-file", str(c.tmp / "absent.txt"), "--epochs", "1"],
    ),
    Row(
        "seq-addition-file-is-a-directory",
        "cli",
        "is a directory",
        args=lambda c: ["task", "addition", "--addition-file", str(c.tmp), "--epochs", "1"],
    ),
    Row(
        "seq-addition-file-malformed-line",
        "cli",
        "line 2 is",
        args=lambda c: ["task", "addition", "--addition-file", str(_addition_file(c, ["1+2    _3   ", "1+2=3"]))],
    ),
    Row(
        "seq-addition-file-too-short",
        "cli",
        "has 1 questions",
        args=lambda c: ["task", "addition", "--addition-file", str(_addition_file(c, ["1+2    _3   "]))],
    ),
    Row(
        "seq-addition-file-train-count-too-large",
        "cli",
        "train_count (--train-count) 100 is more than the 18 training pairs",
        args=lambda c: [
            "task",
            "addition",
            "--addition-file",
            str(_addition_file(c, [f"{n}+{n}".ljust(7) + "_" + str(2 * n).ljust(4) for n in range(20)])),
            "--train-count",
            "100",
        ],
    ),
    Row(
        "seq-reversal-addition-file",
        "call",
        "task reversal generates its own data",
        action=lambda c: run_transduction(addition_file=str(_addition_file(c, ["1+2    _3   "] * 20))),
    ),
    Row(
        "seq-api-addition-file-not-a-path", "call", "must be a path", action=lambda c: run_transduction(addition_file=7)
    ),
    # -- the forecast task (regression) ---------------------------------------------------------
    Row(
        "seq-forecast-noise-negative",
        "cli",
        "noise must be a number from 0 to 1e+06 (σ of the added noise; the signal's amplitude is at most 1), "
        "got -1.0; pass one, such as 0.1",
        args=FORECAST + ["--noise", "-1"],
    ),
    Row("seq-forecast-noise-nan", "cli", "noise must be a number from 0 to 1e+06", args=FORECAST + ["--noise", "nan"]),
    Row("seq-forecast-length-zero", "cli", "length must be a whole number ≥ 1", args=FORECAST + ["--length", "0"]),
    Row(
        "seq-forecast-components-zero",
        "cli",
        "components must be a whole number ≥ 1",
        args=FORECAST + ["--components", "0"],
    ),
    Row(
        "seq-forecast-components-too-many",
        "cli",
        "components must be at most 64",
        args=FORECAST + ["--components", "100000000"],
    ),
    Row("seq-forecast-clip-negative", "cli", "clip must be a finite number ≥ 0", args=FORECAST + ["--clip", "-1"]),
    Row("seq-forecast-mode-unknown", "cli", "invalid choice", args=FORECAST + ["--mode", "many"]),
    Row("seq-forecast-plot-not-png", "cli", "must end in .png", args=FORECAST + ["--plot", "forecast.jpg"]),
    Row(
        "seq-forecast-plot-is-a-directory",
        "cli",
        "is a directory; name a .png file",
        args=lambda c: FORECAST + ["--plot", str(_directory(c, "figures.png"))],
    ),
    Row(
        "seq-forecast-results-is-the-plot",
        "cli",
        "give the figure and the results two files",
        args=lambda c: FORECAST + ["--plot", str(c.tmp / "f.png"), "--results", str(c.tmp / "f.png")],
    ),
    # -- nothing a task writes replaces a file it did not write --------------------------------------
    Row(
        "seq-task-results-is-a-users-file",
        "cli",
        "notes.txt exists and is not a gatedrnn results file; choose another --results",
        args=lambda c: BRACKETS + ["--results", str(_users_file(c, "notes.txt"))],
    ),
    Row(
        "seq-task-results-is-a-checkpoint",
        "cli",
        "exists and is not a gatedrnn results file",
        args=lambda c: BRACKETS + ["--results", str(_copy(c.checkpoint, c.tmp / "model.npz"))],
    ),
    Row(
        "seq-task-results-inside-a-run",
        "cli",
        "is inside the run directory",
        args=lambda c: BRACKETS + ["--results", str(c.run / "task.json")],
    ),
    Row(
        "seq-task-results-is-a-link-into-a-run",
        "cli",
        "(a link to",
        args=lambda c: BRACKETS + ["--results", str(_symlink(c.tmp / "r.json", c.run / "results.json"))],
    ),
    Row(
        "seq-forecast-plot-is-a-link-to-a-runs-figure",
        "cli",
        "is inside the run directory",
        args=lambda c: FORECAST + ["--plot", str(_symlink(c.tmp / "p.png", c.run / "perplexity.png"))],
    ),
    Row(
        "seq-forecast-plot-is-a-users-picture",
        "cli",
        "picture.png exists and is not a figure gatedrnn drew",
        args=lambda c: FORECAST + ["--plot", str(_users_file(c, "picture.png"))],
    ),
    Row(
        "seq-forecast-plot-is-a-runs-figure",
        "cli",
        "is inside the run directory",
        args=lambda c: FORECAST + ["--plot", str(c.run / "perplexity.png")],
    ),
    Row("seq-forecast-writes-its-own-files-again", "cli", args=_forecast_twice, status=0),
    Row(
        "seq-forecast-hidden-size-huge",
        "cli",
        "choose a smaller hidden_size or batch_size",
        args=FORECAST + ["--hidden-size", "1000000"],
    ),
    Row("seq-forecast-lr-1e300", "cli", "lower the learning rate", args=FORECAST + ["--lr", "1e300"]),
    Row("seq-api-forecast-mode-unknown", "call", "unknown mode 'many'", action=lambda c: run_forecast(mode="many")),
    Row(
        "seq-api-forecast-task-other", "call", "unknown task 'brackets'", action=lambda c: run_forecast(task="brackets")
    ),
    Row(
        "seq-api-forecast-noise-string",
        "call",
        "noise must be a number from 0 to 1e+06",
        action=lambda c: run_forecast(noise="0.1"),
    ),
    Row(
        "seq-api-fit-regressor-negative-clip",
        "call",
        "clip must be a finite number ≥ 0 (0 turns clipping off), got -1; pass a value ≥ 0",
        action=lambda c: _fit_regressor(clip=-1),
    ),
    Row(
        "seq-api-forecast-plot-number",
        "call",
        "plot must be a path to a .png file",
        action=lambda c: run_forecast(plot=3),
    ),
    Row(
        "seq-api-forecast-cell-unknown",
        "call",
        "unknown cell 'transformer'",
        action=lambda c: run_forecast(cell="transformer"),
    ),
    Row(
        "seq-api-regressor-mode-unknown",
        "call",
        "unknown mode 'one'",
        action=lambda c: __import__("gatedrnn.seq.regressor", fromlist=["x"]).SequenceRegressor(mode="one"),
    ),
    Row("seq-api-forecast-numpy-scalars-work", "call", action=forecast_numpy_scalars_work, status=0),
    # -- probe 3: every door refuses what the task command refuses, before any work ------------------
    Row(
        "seq-task-results-empty",  # trained, then wrote nothing, exit 0
        "cli",
        "results must be a path, got ''; pass one such as results.json",  # the words train uses
        args=BRACKETS + ["--results", ""],
    ),
    Row(
        "seq-forecast-plot-empty", "cli", "--plot must be a path to a .png file, got ''", args=FORECAST + ["--plot", ""]
    ),
    Row(
        "seq-addition-epochs-zero",  # ran nothing and printed nothing, exit 0
        "cli",
        "epochs must be a whole number ≥ 1, got 0",
        args=REVERSAL + ["--epochs", "0"],
    ),
    Row(
        "seq-neighbours-pooling",  # accepted, changed nothing, recorded nowhere
        "cli",
        "neighbours tags every step and pools nothing: leave pooling out",
        args=["task", "neighbours", "--pooling", "max", "--epochs", "1"],
    ),
    Row(
        "seq-api-neighbours-pooling",
        "call",
        "neighbours tags every step and pools nothing",
        action=lambda c: run_task(task="neighbours", pooling="last"),
    ),
    Row(
        "seq-numbers-bidirectional",
        "cli",
        "numbers is one-to-many, with no source sequence: bidirectional needs one; leave it out",
        args=["task", "numbers", "--bidirectional"],
    ),
    Row(
        "seq-numbers-input-feeding-and-peeky",
        "cli",
        "peeky, input_feeding (--input-feeding) need one; leave them out",
        args=["task", "numbers", "--input-feeding", "--peeky"],
    ),
    Row(
        "seq-numbers-addition-file",
        "cli",
        "addition_file (--addition-file) holds addition questions; task numbers generates its own data",
        args=lambda c: ["task", "numbers", "--addition-file", str(_addition_file(c, ["1+2    _3   "] * 20))],
    ),
    *(
        Row(f"seq-api-seq2seq-{name}-{value}", "call", f"{name} must be True or False, got {value!r}", action=action)
        for name, value, action in (
            ("peeky", "no", lambda c: _seq2seq(peeky="no")),
            ("reverse_source", "False", lambda c: _seq2seq(reverse_source="False")),
            ("input_feeding", 1, lambda c: _seq2seq(input_feeding=1, attention="dot")),
            ("bidirectional", "yes", lambda c: _seq2seq(bidirectional="yes")),
        )
    ),
    *(
        Row(
            f"seq-api-fit-transduction-{key}",
            "call",
            fragment,
            action=lambda c, options=options: _fit_transduction(**options),
        )
        for key, options, fragment in (
            (
                "teacher-forcing-nan",
                dict(teacher_forcing=float("nan")),
                "teacher_forcing (--teacher-forcing) must be a probability in [0, 1], got nan; "
                "pass a value in [0, 1], such as 1",
            ),
            (
                "teacher-forcing-negative",
                dict(teacher_forcing=-1.0),
                "teacher_forcing (--teacher-forcing) must be a probability",
            ),
            (
                "teacher-forcing-2",
                dict(teacher_forcing=2.0),
                "teacher_forcing (--teacher-forcing) must be a probability",
            ),
            (
                "batch-size-zero",
                dict(batch_size=0),
                "batch_size (--batch-size) must be a whole number ≥ 1, got 0; pass a whole number ≥ 1, such as 128",
            ),
            ("epochs-fraction", dict(epochs=1.5), "epochs must be a whole number ≥ 1, got 1.5"),
            ("epochs-negative", dict(epochs=-1), "epochs must be a whole number ≥ 1, got -1"),
            ("echo-none", dict(echo=None), "echo must be a function, got None"),
            ("progress-string", dict(progress="no"), "progress must be True or False, got 'no'"),
            ("lr-zero", dict(lr=0), "lr must be a finite number > 0, got 0"),
            (
                "on-nonfinite-unknown",
                dict(on_nonfinite="ignore"),
                "unknown on_nonfinite 'ignore'; choose one of error, skip",
            ),
        )
    ),
    *(
        Row(f"seq-api-exact-match-{key}", "call", fragment, action=lambda c, options=options: _exact_match(**options))
        for key, options, fragment in (
            ("batch-size-zero", dict(batch_size=0), "batch_size (--batch-size) must be a whole number ≥ 1, got 0"),
            ("split-valid", dict(split="valid"), "unknown split 'valid'; choose one of train, test"),
            (
                "beam-width-fraction",
                dict(beam_width=2.5),
                "beam_width (--beam-width) must be a whole number ≥ 1, got 2.5",
            ),
            ("beam-width-zero", dict(beam_width=0), "beam_width (--beam-width) must be a whole number ≥ 1, got 0"),
        )
    ),
    Row(
        "seq-api-fit-clip-negative",  # failed inside the first step, naming clip_coefficient
        "call",
        "clip must be a finite number ≥ 0 (0 turns clipping off), got -1; pass a value ≥ 0, such as 1",
        action=lambda c: _fit(clip=-1),
    ),
    Row(
        "seq-api-fit-epochs-negative",
        "call",
        "epochs must be a whole number ≥ 1, got -2",
        action=lambda c: _fit(epochs=-2),
    ),
    Row("seq-api-fit-echo-none", "call", "echo must be a function, got None", action=lambda c: _fit(echo=None)),
    Row(
        "seq-api-fit-float-epochs",
        "call",
        "epochs must be a whole number ≥ 1, got 1.0",
        action=lambda c: _fit(epochs=1.0),
    ),
    Row(
        "seq-api-fit-clip-zero-and-numpy-epochs-work",
        "call",
        action=lambda c: _fit(epochs=np.int64(1), clip=0),
        status=0,
    ),
    Row(
        "seq-api-fit-regressor-seed-negative",  # NumPy's ValueError
        "call",
        "seed must be a whole number ≥ 0, got -1; pass one such as 0",
        action=lambda c: _fit_regressor(seed=-1),
    ),
    Row(
        "seq-api-make-task-negative-seed",
        "call",
        "seed must be a whole number ≥ 0, got -1",
        action=lambda c: __import__("gatedrnn.seq", fromlist=["x"]).make_task("brackets", 5, seed=-1),
    ),
    Row(
        "seq-api-dates-negative-seed",
        "call",
        "seed must be a whole number ≥ 0, got -1",
        action=lambda c: __import__("gatedrnn.seq.transduction_tasks", fromlist=["x"]).dates(10, 2, seed=-1),
    ),
    Row(
        "seq-api-make-transduction-task-unknown-option",
        "call",
        "task addition takes no option 'bogus'; its options are train_count, test_count, seed, path",
        action=lambda c: __import__("gatedrnn.seq", fromlist=["x"]).make_transduction_task("addition", bogus=1),
    ),
    Row(
        "seq-api-make-task-seed-defaults-as-brackets",
        "call",
        action=lambda c: __import__("gatedrnn.seq", fromlist=["x"]).make_task("brackets", 5),
        status=0,
    ),
    # A model built of layers names its own argument, not the inner layer's (Linear's
    # out_features, Embedding's num_embeddings) that the value would have reached.
    Row(
        "seq-api-tagger-num-tags-0",
        "call",
        "SequenceTagger: num_tags must be a whole number ≥ 1, got 0",
        action=lambda c: _model("SequenceTagger", 10, 0),
    ),
    Row(
        "seq-api-classifier-num-classes-0",
        "call",
        "SequenceClassifier: num_classes must be a whole number ≥ 1, got 0",
        action=lambda c: _model("SequenceClassifier", 10, 0),
    ),
    Row(
        "seq-api-classifier-dropout-2",
        "call",
        "SequenceClassifier: dropout must be a number in [0, 1), got 2",
        action=lambda c: _model("SequenceClassifier", 10, 3, dropout=2),
    ),
    Row(
        "seq-api-seq2seq-vocab-size-0",
        "call",
        "Seq2Seq: vocab_size must be a whole number ≥ 1, got 0",
        action=lambda c: _model("Seq2Seq", 0),
    ),
    Row(
        "seq-api-seq2seq-embedding-size-float",
        "call",
        "Seq2Seq: embedding_size must be a whole number ≥ 1, got 2.5",
        action=lambda c: _model("Seq2Seq", 8, embedding_size=2.5),
    ),
    Row(
        "seq-api-one-to-many-hidden-size-0",
        "call",
        "OneToMany: hidden_size must be a whole number ≥ 1, got 0",
        action=lambda c: _model("OneToMany", 8, hidden_size=0),
    ),
    Row(
        "seq-api-regressor-output-size-0",
        "call",
        "SequenceRegressor: output_size must be a whole number ≥ 1, got 0",
        action=lambda c: _model("SequenceRegressor", output_size=0),
    ),
]


def _model(name, *args, **kwargs):
    """One of gatedrnn.seq's models, built as a user builds it."""
    import gatedrnn.seq
    from gatedrnn.seq.one_to_many import OneToMany

    return (OneToMany if name == "OneToMany" else getattr(gatedrnn.seq, name))(*args, **kwargs)


def _addition_file(context, lines):
    """A small file of the book's addition format in the row's scratch folder."""
    path = context.tmp / "addition.txt"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def _directory(context, name):
    """A directory named like a file, in the row's scratch folder."""
    path = context.tmp / name
    path.mkdir()
    return path
