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
DATA_SETTINGS = ("corpus", "level", "train_tokens", "text", "valid_text", "test_text", "lowercase", "min_count",
                 "max_vocab")
# The files of a data directory, as pytorch/examples' word_language_model reads them (--data DIR).
DATA_DIR_FILES = ("train.txt", "valid.txt", "test.txt")


def load_corpus(corpus="ptb", data_dir=None, text=None, level="word", train_tokens=None, valid_text=None,
                test_text=None, lowercase=False, min_count=1, max_vocab=None):
    """The Penn Treebank (``corpus="ptb"``) or a text file (``text=PATH``), optionally truncated.

    ``train_tokens`` keeps only the first N training tokens, for quick trials. An unknown
    corpus name is refused even with ``text`` (which replaces the corpus): a name that means
    nothing is a mistake either way. For a text: ``valid_text`` and ``test_text`` give the
    other splits (else the file is split 90/5/5 in order), ``lowercase``, ``min_count`` and
    ``max_vocab`` shape the vocabulary (gatedrnn.data.load_text).
    """
    if corpus not in CORPORA:
        raise GatedRNNError(f"unknown corpus {corpus!r}; use {', '.join(CORPORA)} or --text FILE")
    if train_tokens is not None and not is_whole_number(train_tokens, 2):
        raise GatedRNNError(f"--train-tokens must be a whole number of at least 2, got {train_tokens!r}")
    shaping = dict(lowercase=lowercase, min_count=min_count, max_vocab=max_vocab)
    if not text and (valid_text or test_text or lowercase or min_count != 1 or max_vocab is not None):
        raise GatedRNNError("--valid-text, --test-text, --lowercase, --min-count and --max-vocab apply to a text "
                            "corpus: give it with --text FILE or --data DIR")
    loaded = (load_text(text, level=level, valid_path=valid_text, test_path=test_text, **shaping) if text
              else load_ptb(data_dir))
    if train_tokens is not None:
        loaded.train = loaded.train[:train_tokens]
    return loaded


def fingerprint(ids):
    """SHA-256 of token ids (as little-endian int64), the same for the same tokens on any machine."""
    return "sha256:" + hashlib.sha256(np.ascontiguousarray(ids, dtype="<i8").tobytes()).hexdigest()


def data_files(directory):
    """train.txt, valid.txt and test.txt of a data directory (--data DIR), each checked to exist."""
    paths = [os.path.join(directory, name) for name in DATA_DIR_FILES]
    missing = [name for name, path in zip(DATA_DIR_FILES, paths) if not os.path.isfile(path)]
    if missing:
        raise GatedRNNError(f"--data {directory} needs {', '.join(DATA_DIR_FILES)}; missing: {', '.join(missing)}")
    return paths


def data_identity(loaded, text=None, level="word", train_tokens=None, valid_text=None, test_text=None,
                  lowercase=False, min_count=1, max_vocab=None):
    """What a run trains on, for its checkpoints' run info: names, settings and a fingerprint.

    The settings are load_corpus's arguments (paths made absolute), so that eval and
    generate can load the same data and shape prompts the same way from the checkpoint
    alone (:func:`corpus_options`). The fingerprint of the training ids catches what the
    names cannot: a text file edited since the run started.
    """
    absolute = lambda path: os.path.abspath(path) if path else None  # noqa: E731
    return dict(corpus=loaded.name, text=absolute(text), level=level, train_tokens=train_tokens,
                valid_text=absolute(valid_text), test_text=absolute(test_text), lowercase=lowercase,
                min_count=min_count, max_vocab=max_vocab, fingerprint=fingerprint(loaded.train))


def corpus_options(identity):
    """load_corpus's keyword arguments for the data a checkpoint records (its run info's "data").

    Checkpoints from before some settings were recorded get those settings' defaults.
    """
    identity = identity or {}
    return dict(text=identity.get("text"), level=identity.get("level", "word"),
                train_tokens=identity.get("train_tokens"), valid_text=identity.get("valid_text"),
                test_text=identity.get("test_text"), lowercase=bool(identity.get("lowercase", False)),
                min_count=identity.get("min_count", 1), max_vocab=identity.get("max_vocab"))


def check_files_present(path, options):
    """GatedRNNError naming the text files a checkpoint was trained on that are not there."""
    wanted = [(flag, options[key]) for flag, key in (("--text", "text"), ("--valid-text", "valid_text"),
                                                     ("--test-text", "test_text")) if options.get(key)]
    missing = [(flag, file) for flag, file in wanted if not os.path.isfile(file)]
    if missing:
        shown = ", ".join(file for _, file in missing)
        flags = " ".join(f"{flag} FILE" for flag, _ in missing)
        raise GatedRNNError(f"{path} was trained on {shown}, which is not there any more; give its place with {flags}")


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
