"""Rows for tests/robustness/test_bad_inputs.py: the command line and run directories.

Every subcommand (train, eval, generate, task, demo, toy, lab): options out of range, paths
that are files where a directory is meant (and the reverse), paths inside an existing run,
locked directories, resuming on other data. Each row fails before any training starts, so
the whole table stays fast; the long cases (a full disk mid-run, two runs at once) are in
tests/lm/test_run_directories.py.
"""

import json
import os
import shutil
import socket
import time

import pytest

from helpers.bad_inputs.rows import Row
from helpers.tiny_runs import tiny_word_train_args


def a_file(c, name="plain.txt"):
    """A regular file in the scratch folder, to be named where a directory is expected."""
    path = c.tmp / name
    path.write_text("not a directory\n")
    return path


def locked_copy(c, pid):
    """A copy of the finished run whose run.lock names ``pid`` on this host."""
    copy = c.tmp / "locked"
    shutil.copytree(c.run, copy)
    (copy / "run.lock").write_text(json.dumps(dict(pid=pid, host=socket.gethostname(), started="then")))
    return copy


def holding(c, *names, lock=None):
    """A new directory holding only the named files (copied from the finished run, else made up)."""
    directory = c.tmp / "holding"
    directory.mkdir()
    for name in names:
        source = c.run / name
        (directory / name).write_bytes(source.read_bytes() if source.exists() else b"made up")
    if lock is not None:
        (directory / "run.lock").write_text(lock)
        old = time.time() - 60  # an old lock: nobody is still writing it
        os.utime(directory / "run.lock", (old, old))
    return directory


def dead_pid():
    """A pid no process has: beyond the kernel's pid_max."""
    try:
        return int(open("/proc/sys/kernel/pid_max").read()) + 1
    except OSError:
        return 2**22 + 1


def edited_corpus(c):
    """The finished run's corpus with its lines in reverse order: the same words, other data."""
    path = c.tmp / "edited.txt"
    path.write_text("\n".join(reversed(c.corpus.read_text().splitlines())) + "\n")
    return path


def other_text(c):
    path = c.tmp / "other.txt"
    path.write_text("other words entirely\n" * 40)
    return path


def unwritable_directory(c):
    if os.geteuid() == 0:
        pytest.skip("root writes through chmod 0o500")
    directory = c.tmp / "locked-down"
    directory.mkdir()
    directory.chmod(0o500)
    return directory


def train(*extra):
    """A tiny `train` into a new directory of the scratch folder, with ``extra`` options."""
    return lambda c: tiny_word_train_args(c.corpus, c.tmp / "new", *extra)


def resume(*extra):
    """A tiny `train --resume` of the finished run, with ``extra`` options."""
    return lambda c: tiny_word_train_args(c.corpus, c.run, "--resume", *extra)


TASK = [
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
    "--no-progress",
]
DEMO = ["demo", "--chars", "20000", "--epochs", "1", "--no-progress"]


def _short_text(context):
    """Three words: fewer tokens than the run's evaluation batch needs."""
    path = context.tmp / "short.txt"
    path.write_text("w1 w2\n")
    return path


ROWS = [
    # -- train: options out of range, refused before anything is written -----------------------
    Row("train-negative-seed", "cli", "seed must be a whole number ≥ 0", args=train("--seed", "-1")),
    # --level char by hand, without a text: the Python door's reason, not "preset rnnlm is character-level"
    Row(
        "train-level-char-on-ptb",
        "cli",
        "the Penn Treebank is a word-level corpus; give a text with --text FILE for character level",
        args=["train", "--level", "char", "--dry-run"],
    ),
    Row(
        "train-negative-embedding",
        "cli",
        "embedding_size (--embedding-size) must be a whole number ≥ 1",
        args=train("--embedding-size", "-3"),
    ),
    Row("train-zero-lr", "cli", "lr must be a finite number > 0", args=train("--lr", "0")),
    Row("train-dropout-one", "cli", "dropout must be in [0, 1)", args=train("--dropout", "1")),
    Row("train-zero-seq-len", "cli", "seq_len", args=train("--seq-len", "0")),
    Row("train-zero-epochs", "cli", "epochs", args=train("--epochs", "0")),
    Row(
        "train-log-interval-zero", "cli", "--log-interval must be a whole number ≥ 1", args=train("--log-interval", "0")
    ),
    Row(
        "train-log-interval-negative",
        "cli",
        "--log-interval must be a whole number ≥ 1",
        args=train("--log-interval", "-1"),
    ),
    Row(
        "train-checkpoint-interval-zero",
        "cli",
        "--checkpoint-interval must be a whole number ≥ 1",
        args=train("--checkpoint-interval", "0"),
    ),
    Row(
        "train-checkpoint-interval-negative",
        "cli",
        "--checkpoint-interval must be a whole number ≥ 1",
        args=train("--checkpoint-interval", "-1"),
    ),
    Row(
        "train-eval-batch-size-zero",
        "cli",
        "eval_batch_size (--eval-batch-size) must be a whole number ≥ 1",
        args=train("--eval-batch-size", "0"),
    ),
    Row(
        "train-eval-batch-size-too-large",
        "cli",
        "eval_batch_size (--eval-batch-size) 100000 is too large for the valid split",
        args=train("--eval-batch-size", "100000"),
    ),
    Row(
        "train-batch-size-too-large",
        "cli",
        "batch_size (--batch-size) 100000 is too large for the training split",
        args=train("--batch-size", "100000"),
    ),
    Row(
        "train-train-tokens-one", "cli", "--train-tokens must be a whole number ≥ 2", args=train("--train-tokens", "1")
    ),
    Row(
        "train-train-tokens-negative",
        "cli",
        "--train-tokens must be a whole number ≥ 2",
        args=train("--train-tokens", "-5"),
    ),
    Row("train-seed-not-a-number", "cli", "invalid int value", args=train("--seed", "many")),
    Row("train-unknown-preset", "cli", "invalid choice", args=["train", "--preset", "gigantic"]),
    Row("train-unknown-level", "cli", "invalid choice", args=train("--level", "byte")),
    # -- train: the data --------------------------------------------------------------------------
    Row(
        "train-unknown-corpus",
        "cli",
        "unknown corpus 'wikitext2'",
        args=lambda c: ["train", "--corpus", "wikitext2", "--out", str(c.tmp / "new")],
    ),
    Row("train-unknown-corpus-with-text", "cli", "unknown corpus 'wikitext2'", args=train("--corpus", "wikitext2")),
    Row(
        "train-missing-text",
        "cli",
        "does not exist",
        args=lambda c: ["train", "--text", str(c.tmp / "missing.txt"), "--out", str(c.tmp / "new")],
    ),
    Row(
        "train-text-is-a-directory",
        "cli",
        "is a directory",
        args=lambda c: ["train", "--text", str(c.tmp), "--out", str(c.tmp / "new")],
    ),
    Row(
        "train-char-preset-without-text",
        "cli",
        "give it a text file with --text FILE",
        args=lambda c: ["train", "--preset", "char-small", "--out", str(c.tmp / "new")],
    ),
    # -- train: the run directory -------------------------------------------------------------------
    Row(
        "train-over-a-finished-run", "cli", "already holds a run", args=lambda c: tiny_word_train_args(c.corpus, c.run)
    ),
    Row(
        "train-over-best-and-results-only",
        "cli",
        "already holds a run (best.npz, results.json)",
        args=lambda c: tiny_word_train_args(c.corpus, holding(c, "best.npz", "results.json")),
    ),
    Row(
        "train-over-a-lone-metrics-file",
        "cli",
        "already holds a run (metrics.jsonl)",
        args=lambda c: tiny_word_train_args(c.corpus, holding(c, "metrics.jsonl")),
    ),
    Row(
        "train-over-a-lone-plot",
        "cli",
        "already holds a run (bits_per_char.png)",
        args=lambda c: tiny_word_train_args(c.corpus, holding(c, "bits_per_char.png")),
    ),
    Row(
        "train-resume-without-last",
        "cli",
        "the run stopped before its first checkpoint",
        args=lambda c: tiny_word_train_args(c.corpus, holding(c, "metrics.jsonl"), "--resume"),
    ),
    Row(
        "train-out-is-a-file",
        "cli",
        "is a file, not a directory",
        args=lambda c: tiny_word_train_args(c.corpus, a_file(c)),
    ),
    Row(
        "train-out-under-a-file",
        "cli",
        "is a file, not a directory",
        args=lambda c: tiny_word_train_args(c.corpus, a_file(c) / "run"),
    ),
    Row(
        "train-out-inside-a-finished-run",
        "cli",
        "is inside the run directory",
        args=lambda c: tiny_word_train_args(c.corpus, c.run / "again"),
    ),
    Row(
        "train-out-in-unwritable-directory",
        "cli",
        "permission denied",
        args=lambda c: tiny_word_train_args(c.corpus, unwritable_directory(c) / "run"),
    ),
    Row(
        "train-out-under-proc",
        "cli",
        "choose another --out",
        args=lambda c: tiny_word_train_args(c.corpus, "/proc/gatedrnn-run"),
    ),
    Row(
        "train-results-is-a-directory",
        "cli",
        "is a directory; name a file",
        args=lambda c: train("--results", str(c.tmp))(c),
    ),
    Row(
        "train-results-under-a-file",
        "cli",
        "is a file, not a directory",
        args=lambda c: train("--results", str(a_file(c) / "results.json"))(c),
    ),
    Row(
        "train-results-inside-a-finished-run",
        "cli",
        "is inside the run directory",
        args=lambda c: train("--results", str(c.run / "results.json"))(c),
    ),
    Row(
        "train-results-over-own-checkpoint",
        "cli",
        "would overwrite the run's own last.npz",
        args=lambda c: train("--results", str(c.tmp / "new" / "last.npz"))(c),
    ),
    Row(
        "train-results-in-unwritable-directory",
        "cli",
        "permission denied",
        args=lambda c: train("--results", str(unwritable_directory(c) / "r.json"))(c),
    ),
    # -- train --resume ------------------------------------------------------------------------------
    Row("train-resume-nothing", "cli", "nothing to resume", args=lambda c: train("--resume")(c)),
    Row(
        "train-resume-other-train-tokens",
        "cli",
        "trained on other data: train_tokens=None (now 500)",
        args=resume("--train-tokens", "500"),
    ),
    Row(
        "train-resume-edited-text",
        "cli",
        "trained on other data",
        args=lambda c: tiny_word_train_args(edited_corpus(c), c.run, "--resume"),
    ),
    Row(
        "train-resume-other-level",
        "cli",
        "trained on other data: level='word' (now 'char')",
        args=resume("--level", "char"),
    ),
    Row("train-resume-other-model", "cli", "other model settings", args=resume("--hidden-size", "16")),
    Row("train-resume-other-training", "cli", "other training settings", args=resume("--lr", "3")),
    Row("train-resume-unknown-corpus", "cli", "unknown corpus", args=resume("--corpus", "wikitext2")),
    Row(
        "train-resume-live-lock",
        "cli",
        "is in use by another run",
        args=lambda c: tiny_word_train_args(c.corpus, locked_copy(c, os.getppid()), "--resume"),
    ),
    Row(
        "train-new-into-live-lock",
        "cli",
        "is in use by another run",
        args=lambda c: tiny_word_train_args(c.corpus, locked_copy(c, os.getppid())),
    ),
    Row(
        "train-resume-stale-lock",
        "cli",
        "stale lock",
        args=lambda c: tiny_word_train_args(c.corpus, locked_copy(c, dead_pid()), "--resume"),
    ),
    Row(
        "train-resume-garbled-lock",
        "cli",
        "does not say by which run",
        args=lambda c: tiny_word_train_args(c.corpus, holding(c, "last.npz", lock="{"), "--resume"),
    ),
    Row(
        "train-new-into-empty-locked-directory",
        "cli",
        "is in use by another run",
        args=lambda c: tiny_word_train_args(
            c.corpus, holding(c, lock=json.dumps(dict(pid=os.getppid(), host=socket.gethostname())))
        ),
    ),
    Row(
        "train-into-an-empty-existing-directory",
        "cli",
        status=0,
        args=lambda c: tiny_word_train_args(c.corpus, holding(c)),
    ),
    # -- eval ---------------------------------------------------------------------------------------
    Row(
        "eval-batch-size-zero",
        "cli",
        "--batch-size must be a whole number ≥ 1",
        args=lambda c: ["eval", str(c.checkpoint), "--text", str(c.corpus), "--batch-size", "0"],
    ),
    Row(
        "eval-batch-size-negative",
        "cli",
        "--batch-size must be a whole number ≥ 1",
        args=lambda c: ["eval", str(c.checkpoint), "--text", str(c.corpus), "--batch-size", "-2"],
    ),
    Row(
        "eval-a-text-too-short-for-the-runs-batch",
        "cli",
        "(the run's evaluation batch size) is too large for",
        args=lambda c: ["eval", str(c.checkpoint), "--text", str(_short_text(c))],
    ),
    Row(
        "eval-batch-size-too-large",
        "cli",
        "--batch-size 100000 is too large for the test split",
        args=lambda c: [
            "eval",
            str(c.checkpoint),
            "--text",
            str(c.corpus),
            "--split",
            "test",
            "--batch-size",
            "100000",
        ],
    ),
    Row(
        "eval-text-model-text-gone",
        "cli",
        "gone.txt does not exist",
        args=lambda c: ["eval", str(c.checkpoint), "--text", str(c.tmp / "gone.txt")],
    ),
    Row(
        "train-data-is-a-file",
        "cli",
        "is a file; give a directory holding train.txt, valid.txt, test.txt",
        args=lambda c: ["train", "--data", str(c.corpus), "--dry-run"],
    ),
    Row(
        "eval-data-dir-for-a-text-model",
        "cli",
        "--data-dir says where the Penn Treebank is, but this model's test split was read from",
        args=lambda c: ["eval", str(c.checkpoint), "--data-dir", str(c.tmp)],
    ),
    Row(
        "eval-a-text-with-data-dir",
        "cli",
        "--text FILE alone scores that file: drop --data-dir",
        args=lambda c: ["eval", str(c.checkpoint), "--text", str(c.corpus), "--data-dir", str(c.tmp)],
    ),
    Row(
        "eval-split-with-a-mistyped-new-place",
        "cli",
        "typo.txt does not exist; check the path",
        args=lambda c: ["eval", str(c.checkpoint), "--split", "test", "--text", str(c.tmp / "typo.txt")],
    ),
    Row(
        "eval-other-text-in-place-of-the-training-text",
        "cli",
        "is not the text this model was trained on",
        args=lambda c: ["eval", str(c.checkpoint), "--text", str(other_text(c)), "--split", "valid"],
    ),
    Row(
        "eval-any-text-is-scored",
        "cli",
        status=0,
        args=lambda c: ["eval", str(c.checkpoint), "--text", str(other_text(c))],
    ),
    Row("eval-missing-checkpoint", "cli", "does not exist", args=lambda c: ["eval", str(c.tmp / "none.npz")]),
    Row("eval-unknown-split", "cli", "invalid choice", args=lambda c: ["eval", str(c.checkpoint), "--split", "dev"]),
    Row("eval-works", "cli", status=0, args=lambda c: ["eval", str(c.checkpoint), "--text", str(c.corpus)]),
    # -- generate -------------------------------------------------------------------------------------
    Row(
        "generate-negative-seed",
        "cli",
        "seed must be a whole number ≥ 0, got -1; pass one such as 0",
        args=lambda c: ["generate", str(c.checkpoint), "--seed", "-1"],
    ),
    Row("generate-negative-length", "cli", "length", args=lambda c: ["generate", str(c.checkpoint), "--length", "-1"]),
    Row(
        "generate-zero-temperature",
        "cli",
        "temperature",
        args=lambda c: ["generate", str(c.checkpoint), "--temperature", "0"],
    ),
    Row("generate-zero-top-k", "cli", "top_k", args=lambda c: ["generate", str(c.checkpoint), "--top-k", "0"]),
    Row("generate-top-p-above-one", "cli", "top_p", args=lambda c: ["generate", str(c.checkpoint), "--top-p", "1.5"]),
    Row("generate-empty-prompt", "cli", "prompt", args=lambda c: ["generate", str(c.checkpoint), "--prompt", ""]),
    Row("generate-missing-checkpoint", "cli", "does not exist", args=lambda c: ["generate", str(c.tmp / "x.npz")]),
    # -- task -------------------------------------------------------------------------------------------
    Row("task-negative-seed", "cli", "seed must be a whole number ≥ 0", args=TASK + ["--seed", "-1"]),
    Row("task-zero-epochs", "cli", "epochs must be a whole number ≥ 1", args=TASK + ["--epochs", "0"]),
    Row("task-negative-epochs", "cli", "epochs must be a whole number ≥ 1", args=TASK + ["--epochs", "-2"]),
    Row(
        "task-zero-batch-size",
        "cli",
        "batch_size (--batch-size) must be a whole number ≥ 1, got 0; pass a whole number ≥ 1, such as 32",
        args=TASK + ["--batch-size", "0"],
    ),
    Row(
        "task-zero-hidden-size",
        "cli",
        "hidden_size (--hidden-size) must be a whole number ≥ 1",
        args=TASK + ["--hidden-size", "0"],
    ),
    Row("task-unknown-task", "cli", "invalid choice", args=["task", "parity"]),
    Row(
        "task-addition-zero-hidden",
        "cli",
        "hidden_size (--hidden-size) must be a whole number ≥ 1, got 0; pass a whole number ≥ 1, such as 128",
        args=["task", "addition", "--hidden-size", "0"],
    ),
    Row("task-addition-negative-lr", "cli", "lr must be a finite number > 0", args=["task", "addition", "--lr", "-1"]),
    Row("task-reversal-bad-cell", "cli", "invalid choice", args=["task", "reversal", "--cell", "transformer"]),
    Row(
        "task-results-is-a-directory",
        "cli",
        "is a directory; name a file",
        args=lambda c: TASK + ["--results", str(c.tmp)],
    ),
    Row(
        "task-results-under-a-file",
        "cli",
        "is a file, not a directory",
        args=lambda c: TASK + ["--results", str(a_file(c) / "r.json")],
    ),
    Row(
        "task-results-inside-a-finished-run",
        "cli",
        "is inside the run directory",
        args=lambda c: TASK + ["--results", str(c.run / "task.json")],
    ),
    # -- demo -------------------------------------------------------------------------------------------
    Row(
        "demo-negative-seed",
        "cli",
        "seed must be a whole number ≥ 0",
        args=lambda c: DEMO + ["--seed", "-1", "--out", str(c.tmp / "demo")],
    ),
    Row(
        "demo-zero-epochs",
        "cli",
        "epochs must be a whole number ≥ 1, got 0; pass a whole number ≥ 1, such as 3",
        args=lambda c: DEMO + ["--epochs", "0", "--out", str(c.tmp / "demo")],
    ),
    Row(
        "demo-too-few-chars",
        "cli",
        "chars must be a whole number ≥ 10000",
        args=lambda c: DEMO + ["--chars", "5", "--out", str(c.tmp / "demo")],
    ),
    Row(
        "demo-zero-sample-every",
        "cli",
        "sample_every (--sample-every) must be a whole number ≥ 1",
        args=lambda c: DEMO + ["--sample-every", "0", "--out", str(c.tmp / "demo")],
    ),
    Row("demo-out-is-a-file", "cli", "is a file, not a directory", args=lambda c: DEMO + ["--out", str(a_file(c))]),
    Row(
        "demo-out-under-a-file",
        "cli",
        "is a file, not a directory",
        args=lambda c: DEMO + ["--out", str(a_file(c) / "demo")],
    ),
    Row(
        "demo-out-inside-a-finished-run",
        "cli",
        "is inside the run directory",
        args=lambda c: DEMO + ["--out", str(c.run / "demo")],
    ),
    Row(
        "demo-results-is-a-directory",
        "cli",
        "is a directory; name a file",
        args=lambda c: DEMO + ["--out", str(c.tmp / "demo"), "--results", str(c.tmp)],
    ),
    Row(
        "demo-results-inside-a-finished-run",
        "cli",
        "is inside the run directory",
        args=lambda c: DEMO + ["--out", str(c.tmp / "demo"), "--results", str(c.run / "demo.json")],
    ),
    # -- toy --------------------------------------------------------------------------------------------
    Row("toy-negative-seed", "cli", "seed must be a whole number ≥ 0", args=["toy", "--seed", "-1"]),
    Row("toy-zero-steps", "cli", "steps must be a whole number ≥ 1", args=["toy", "--steps", "0"]),
    Row("toy-negative-steps", "cli", "steps must be a whole number ≥ 1", args=["toy", "--steps", "-5"]),
    Row("toy-zero-hidden-size", "cli", "hidden_size must be a whole number ≥ 1", args=["toy", "--hidden-size", "0"]),
    Row("toy-zero-report-every", "cli", "report_every must be a whole number ≥ 1", args=["toy", "--report-every", "0"]),
    # -- lab --------------------------------------------------------------------------------------------
    Row(
        "lab-negative-seed",
        "cli",
        "seed",
        args=lambda c: ["lab", "matmul-norms", "--seed", "-1", "--out", str(c.tmp / "lab")],
    ),
    Row(
        "lab-zero-steps",
        "cli",
        "steps",
        args=lambda c: ["lab", "matmul-norms", "--steps", "0", "--out", str(c.tmp / "lab")],
    ),
    Row(
        "lab-out-is-a-file",
        "cli",
        "is a file, not a directory",
        args=lambda c: ["lab", "matmul-norms", "--out", str(a_file(c))],
    ),
    Row(
        "lab-out-under-a-file",
        "cli",
        "is a file, not a directory",
        args=lambda c: ["lab", "matmul-norms", "--out", str(a_file(c) / "lab")],
    ),
    Row(
        "lab-out-in-unwritable-directory",
        "cli",
        "permission denied",
        args=lambda c: ["lab", "matmul-norms", "--out", str(unwritable_directory(c) / "lab")],
    ),
    Row("lab-unknown-experiment", "cli", "invalid choice", args=["lab", "telepathy"]),
    Row(
        "lab-cells-missing-checkpoint",
        "cli",
        "does not exist",
        args=lambda c: ["lab", "cells", str(c.tmp / "none.npz"), "--out", str(c.tmp / "lab")],
    ),
]
