"""Tiny runs for tests that train: a generated text, and `gatedrnn train` arguments that finish in about a second."""

from pathlib import Path

import numpy as np

# A model of 8 units: every tiny run's size, character or word level.
TINY_MODEL_ARGS = (
    "--hidden-size",
    "8",
    "--embedding-size",
    "8",
    "--num-layers",
    "1",
    "--batch-size",
    "4",
    "--seq-len",
    "8",
)


def write_text(directory, repeats=80):
    """A small English text file in ``directory`` (for character-level runs); returns its path."""
    path = directory / "text.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * repeats)
    return path


def write_corpus(directory, lines=120, words=40):
    """A small generated word-level text: deterministic, ``words`` distinct words; returns its path."""
    generator = np.random.default_rng(0)
    words = [f"w{i}" for i in range(words)]
    text = "\n".join(" ".join(generator.choice(words, size=8)) for _ in range(lines)) + "\n"
    path = Path(directory) / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    return path


def tiny_train_args(text, out, *extra, epochs=1):
    """`gatedrnn train` at character level (the char-small preset, shrunk) on ``text`` into ``out``."""
    return [
        "train",
        "--preset",
        "char-small",
        "--text",
        str(text),
        *TINY_MODEL_ARGS,
        "--eval-batch-size",
        "2",
        "--epochs",
        str(epochs),
        "--out",
        str(out),
        *extra,
    ]


def tiny_word_train_args(corpus, out, *extra):
    """`gatedrnn train` at word level on ``corpus``, one epoch, no progress output, into ``out``."""
    return [
        "train",
        "--text",
        str(corpus),
        *TINY_MODEL_ARGS,
        "--epochs",
        "1",
        "--no-progress",
        "--out",
        str(out),
        *extra,
    ]
