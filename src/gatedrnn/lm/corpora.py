"""Corpora by name, as the command line names them: the Penn Treebank or a text file.

Also what identifies a run's data (:func:`data_identity`), so that ``--resume`` can refuse to
continue a run on other data (:func:`check_same_data`), and the check that a split is long
enough for the streams it is read in (:func:`check_streams_fit`).
"""
import hashlib
import os

import numpy as np

from ..data import load_ptb, load_text
from ..errors import GatedRNNError, check_whole_number, is_whole_number

CORPORA = ("ptb",)
# The settings that pick the training tokens, in the order a mismatch is reported.
DATA_SETTINGS = ("corpus", "level", "train_tokens", "text")


def load_corpus(corpus="ptb", data_dir=None, text=None, level="word", train_tokens=None):
    """The Penn Treebank (``corpus="ptb"``) or a text file (``text=PATH``), optionally truncated.

    ``train_tokens`` keeps only the first N training tokens, for quick trials. An unknown
    corpus name is refused even with ``text`` (which replaces the corpus): a name that means
    nothing is a mistake either way.
    """
    if corpus not in CORPORA:
        raise GatedRNNError(f"unknown corpus {corpus!r}; use {', '.join(CORPORA)} or --text FILE")
    if train_tokens is not None and not is_whole_number(train_tokens, 2):
        raise GatedRNNError(f"--train-tokens must be a whole number of at least 2, got {train_tokens!r}")
    loaded = load_text(text, level=level) if text else load_ptb(data_dir)
    if train_tokens is not None:
        loaded.train = loaded.train[:train_tokens]
    return loaded


def fingerprint(ids):
    """SHA-256 of token ids (as little-endian int64), the same for the same tokens on any machine."""
    return "sha256:" + hashlib.sha256(np.ascontiguousarray(ids, dtype="<i8").tobytes()).hexdigest()


def data_identity(loaded, text=None, level="word", train_tokens=None):
    """What a run trains on, for its checkpoints' run info: names, settings and a fingerprint.

    The fingerprint of the training ids catches what the names cannot: a text file edited
    since the run started.
    """
    return dict(corpus=loaded.name, text=os.path.abspath(text) if text else None, level=level,
                train_tokens=train_tokens, fingerprint=fingerprint(loaded.train))


def check_same_data(path, saved, current):
    """GatedRNNError if ``current`` (data_identity) is not the data the checkpoint at ``path`` trained on.

    A checkpoint from before data identities were recorded (``saved`` None) is not checked. The
    text's path alone may differ (a moved file): the fingerprint decides whether the tokens do.
    """
    if not saved or saved.get("fingerprint") == current["fingerprint"]:
        return
    differing = [key for key in DATA_SETTINGS if saved.get(key) != current.get(key)]
    if differing:
        shown = ", ".join(f"{key}={saved.get(key)!r} (now {current.get(key)!r})" for key in differing)
        raise GatedRNNError(f"{path} was trained on other data: {shown}; resume with the data options the run was "
                            "started with")
    source = current.get("text") or current["corpus"]
    raise GatedRNNError(f"{path} was trained on other data: the training tokens of {source} have changed since the "
                        "run started (their SHA-256 differs); resume with the text the run was started with")


def check_streams_fit(ids, batch_size, split, option):
    """GatedRNNError if ``split`` (``ids``) is too short to be read as ``batch_size`` streams.

    Each stream needs at least 2 tokens (an input and its target). Checked before training,
    so that a too large evaluation batch is not found only after the first epoch.
    """
    check_whole_number(option, batch_size, 1)
    if (len(ids) - 1) // batch_size < 1:
        raise GatedRNNError(f"{option} {batch_size} is too large for the {split} split ({len(ids):,} tokens: each "
                            f"stream needs 2); use {option} {max(len(ids) - 1, 1)} or less")
