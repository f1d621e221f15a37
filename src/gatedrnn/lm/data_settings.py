"""DataSettings: which tokens a language model trains and is scored on, recorded once.

A run's data is named by a handful of settings: the Penn Treebank (and the directory it was
found in) or text files, the level (word or character), and how the text is shaped
(lowercase, min_count, max_vocab, a training-token budget). :class:`DataSettings` holds them,
checks them when it is made (so a bad value is refused by the Python API exactly as by the
command line), loads the corpus, and turns into the record every checkpoint carries::

    settings = DataSettings(text="my.txt", level="word", lowercase=True, min_count=2)
    corpus = settings.load()                      # a Corpus; corpus.source is settings.record(corpus)
    DataSettings.from_record(checkpoint_metadata["run"]["data"])   # the same settings again

With that record and the vocabulary (also in the checkpoint) ``eval`` scores any split, or any
new text, without the other files: :meth:`read_split` encodes one split with the stored
vocabulary, :meth:`encode_text` a new file. ``export`` and ``import`` carry the record through.
"""

import dataclasses
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..arguments import path_argument, spelled
from ..data import load_ptb, load_text
from ..data.paths import resolve_data_dir
from ..data.ptb import PTB_MD5, check_md5, find_ptb_file, ptb_file
from ..data.text import UNK_CHAR, UNK_WORD, encode_file, split_points
from ..data.vocab import LEVELS, check_order
from ..errors import GatedRNNError, check_whole_number, short_repr
from ..files import check_regular_file

KINDS = ("ptb", "text")
SPLITS = ("train", "valid", "test")
DEFAULT_SPLIT = (0.9, 0.05, 0.05)  # one text file: train, valid and test, in order
# The settings that turn files into tokens, in the order a mismatch is reported. The paths are
# not among them: a file may move; the fingerprints of its tokens say whether it changed.
COMPARED = ("kind", "level", "train_tokens", "lowercase", "min_count", "max_vocab", "vocab_order")
PATHS = ("text", "valid_text", "test_text")
SCORED_SPLITS = ("valid", "test")
SPLIT_NAMES = dict(train="training", valid="validation", test="test")


@dataclass(frozen=True)
class DataSettings:
    """The data of a language-model run; checked when made.

    kind: "ptb" (the Penn Treebank from ``data_dir``) or "text" (``text``, optionally with
        ``valid_text`` and ``test_text``; one file alone is split 90/5/5 in order); by default
        "text" when a text is given, else "ptb".
    data_dir: where the Penn Treebank is (default: $GATEDRNN_DATA, else ~/.cache/gatedrnn).
    level: "word" or "char". lowercase, min_count, max_vocab: shape a text's vocabulary.
    train_tokens: keep only the first N training tokens (quick trials).
    vocab_order: how the vocabulary numbers the training tokens: "appearance" (first
        appearance, the default) or "frequency" (the most frequent first, what a model with
        an adaptive softmax needs; TrainingRun chooses it for one). Records written before
        it existed mean "appearance".
    """

    # Paths may be given as str or os.PathLike; the instance holds them as str.
    kind: str | None = None
    data_dir: str | os.PathLike[str] | None = None
    text: str | os.PathLike[str] | None = None
    valid_text: str | os.PathLike[str] | None = None
    test_text: str | os.PathLike[str] | None = None
    level: str = "word"
    lowercase: bool = False
    min_count: int = 1
    max_vocab: int | None = None
    train_tokens: int | None = None
    vocab_order: str = "appearance"

    def __post_init__(self):
        if self.kind is None:
            self._set("kind", "text" if self.text else "ptb")
        if self.kind not in KINDS:
            raise GatedRNNError(f"unknown corpus {short_repr(self.kind)}; use ptb or a text file (--text FILE)")
        if self.level not in LEVELS:
            raise GatedRNNError(f"level must be 'word' or 'char', got {short_repr(self.level)}")
        for name in ("data_dir", "text", "valid_text", "test_text"):
            self._set(name, _path_or_none(name, getattr(self, name)))
        if not isinstance(self.lowercase, (bool, np.bool_)):
            raise GatedRNNError(f"lowercase must be True or False, got {short_repr(self.lowercase)}")
        self._set("lowercase", bool(self.lowercase))
        check_order(self.vocab_order)
        for name, low in (("min_count", 1), ("max_vocab", 2), ("train_tokens", 2)):
            self._set(name, _whole_or_none(name, getattr(self, name), low, required=name == "min_count"))
        self._check_together()

    def _set(self, name, value):
        object.__setattr__(self, name, value)  # frozen: only the constructor normalises its own fields

    def _check_together(self):
        if (self.valid_text is None) != (self.test_text is None):
            raise GatedRNNError("give both --valid-text and --test-text, or neither (then --text is split 90/5/5)")
        if self.kind == "text" and self.text is None:
            raise GatedRNNError("a text corpus needs its file: give it with --text FILE (or text=PATH)")
        if self.kind == "text" and self.data_dir is not None:  # as the command line's idle-option check says
            raise GatedRNNError(
                f"data_dir (--data-dir) says where the Penn Treebank is, but this corpus is the text {self.text}; "
                "drop data_dir"
            )
        if self.kind == "ptb" and (self.text or self.valid_text or self.test_text):
            raise GatedRNNError(
                "the Penn Treebank takes no text files; drop --text/--valid-text/--test-text or use a text corpus"
            )
        if self.kind == "ptb" and (self.lowercase or self.min_count != 1 or self.max_vocab is not None):
            raise GatedRNNError(
                "--lowercase, --min-count and --max-vocab apply to a text corpus: give it with "
                "--text FILE or --data DIR"
            )
        if self.kind == "ptb" and self.level != "word":
            raise GatedRNNError(
                "the Penn Treebank is a word-level corpus; give a text with --text FILE for character level"
            )

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def from_options(cls, text=None, valid_text=None, test_text=None, data=None, **settings):
        """Settings from the command line's spelling: ``--text``/``--valid-text``/``--test-text``
        or ``--data DIR`` (train.txt, valid.txt and test.txt in DIR); a text makes kind "text"."""
        if data is not None:
            if text or valid_text or test_text:
                raise GatedRNNError("give --data DIR or --text/--valid-text/--test-text, not both")
            text, valid_text, test_text = data_directory_files(data)
        return cls(text=text, valid_text=valid_text, test_text=test_text, **settings)

    @classmethod
    def from_record(cls, record, source="the checkpoint"):
        """The settings a checkpoint's data record describes (older records lack some keys: defaults)."""
        if not isinstance(record, dict):
            raise GatedRNNError(f"{source} does not record its data; give the text to score with --text FILE")
        kind = record.get("kind") or ("text" if record.get("text") else "ptb")
        names = {spec.name for spec in dataclasses.fields(cls)} - {"kind"}
        if kind == "text":
            names.discard("data_dir")  # an older text run could record one; it never read it
        try:
            return cls(kind=kind, **{name: record[name] for name in names if record.get(name) is not None})
        except GatedRNNError as error:
            raise GatedRNNError(f"{source}'s data record: {error}") from None

    def replace(self, **changes):
        """A copy with ``changes`` applied, checked again as a new DataSettings is."""
        return dataclasses.replace(self, **changes)

    # -- files -----------------------------------------------------------------------------
    def input_files(self):
        """The text files this run reads (absolute), for the checks that nothing writes over them."""
        return [Path(os.path.abspath(path)) for path in (self.text, self.valid_text, self.test_text) if path]

    def check_files(self):
        """GatedRNNError unless every text file is an existing regular file (no FIFO, no device)."""
        for option, path in (("--text", self.text), ("--valid-text", self.valid_text), ("--test-text", self.test_text)):
            if path:
                check_regular_file(path, f"{option} file")

    def ptb_root(self):
        """The directory the Penn Treebank is looked for in (absolute)."""
        return Path(os.path.abspath(resolve_data_dir(self.data_dir)))

    # -- loading ---------------------------------------------------------------------------
    def load(self):
        """The :class:`~gatedrnn.data.Corpus`; its ``source`` is this record (:meth:`record`)."""
        if self.kind == "text":
            self.check_files()
            corpus = load_text(
                self.text,
                level=self.level,
                valid_path=self.valid_text,
                test_path=self.test_text,
                lowercase=self.lowercase,
                min_count=self.min_count,
                max_vocab=self.max_vocab,
                order=self.vocab_order,
            )
            settings = self
        else:
            root = self.ptb_root()
            corpus = load_ptb(root, order=self.vocab_order)
            settings = self.replace(data_dir=str(root))  # recorded: eval looks there first
        if self.train_tokens is not None:
            corpus.train = corpus.train[: self.train_tokens]
        corpus.source = settings.record(corpus)
        return corpus

    def record(self, corpus):
        """What a checkpoint stores: these settings (paths absolute), the corpus's name, and the
        SHA-256 of its training ids (``fingerprint``) and of its validation and test ids
        (``split_fingerprints``), which catch a file edited since the run started."""
        absolute = {
            name: os.path.abspath(getattr(self, name)) if getattr(self, name) else None for name in ("data_dir", *PATHS)
        }
        scored = {split: getattr(corpus, split) for split in SCORED_SPLITS}
        return dict(
            dataclasses.asdict(self),
            **absolute,
            corpus=corpus.name,
            fingerprint=fingerprint(corpus.train),
            split_fingerprints={split: fingerprint(ids) for split, ids in scored.items() if ids is not None},
        )

    def read_split(self, split, vocab, record=None):
        """The ids of one split, encoded with ``vocab`` (the checkpoint's), reading only what it needs.

        The Penn Treebank's split file alone (md5-checked); a text run's own file for that
        split, or, for one file split 90/5/5, that file cut as training cut it. Given the
        checkpoint's data ``record``, the tokens must be the ones the run had: a file edited
        since, or another text given in its place, is refused, not scored as if it were the
        run's (records from before a fingerprint was kept are not checked for it).
        """
        if split not in SPLITS:
            raise GatedRNNError(f"unknown split {short_repr(split)}; choose one of {', '.join(SPLITS)}")
        record = record or {}
        if self.kind == "ptb":
            path = self._ptb_path(split)
            check_md5(path, PTB_MD5[split])
            ids = encode_file(path, vocab)
        elif self.valid_text is not None:
            ids = self._encode(self.file_of(split)[1], vocab)
        else:
            ids = self._encode(self.text, vocab)
            train_end, valid_end, _ = split_points(len(ids), DEFAULT_SPLIT)
            train_ids = ids[:train_end][: self.train_tokens]
            self._check_is_the_training_text(train_ids, record.get("fingerprint"))
            if split == "train":
                return train_ids  # checked just above
            ids = {"train": ids[:train_end], "valid": ids[train_end:valid_end], "test": ids[valid_end:]}[split]
        if split == "train" and self.train_tokens is not None:
            ids = ids[: self.train_tokens]
        self._check_split_is_the_runs(split, ids, record)
        return ids

    def _check_split_is_the_runs(self, split, ids, record):
        recorded = {"train": record.get("fingerprint"), **(record.get("split_fingerprints") or {})}
        expected = recorded.get(split)
        if expected is None or fingerprint(ids) == expected:
            return
        where = self.file_of(split)
        name = f"{where[0]} {where[1]}" if where else f"the Penn Treebank's {split} file"
        raise GatedRNNError(
            f"{name} has changed since the model was trained: its {SPLIT_NAMES[split]} tokens differ from the run's "
            "(their SHA-256); give the run's own file, or score this one as a new text with --text FILE alone"
        )

    def _check_is_the_training_text(self, train_ids, expected):
        if expected is not None and fingerprint(train_ids) != expected:
            raise GatedRNNError(
                f"{self.text} is not the text this model was trained on (its training tokens differ); "
                "score it as a new text with --text FILE alone"
            )

    def _ptb_path(self, split):
        """``ptb.<split>.txt`` where the run found it, else where this machine keeps it
        ($GATEDRNN_DATA, the cache), else fetched into the recorded directory."""
        for root in dict.fromkeys((self.ptb_root(), Path(os.path.abspath(resolve_data_dir(None))))):
            found = find_ptb_file(root, split)
            if found is not None:
                return found
        return ptb_file(self.ptb_root(), split)

    def encode_text(self, path, vocab):
        """All of the text file at ``path``, tokenised as this run's data was, encoded with ``vocab``;
        tokens the vocabulary does not know become its unknown token."""
        return self._encode(path, vocab)

    def _encode(self, path, vocab):
        return encode_file(path, vocab, lowercase=self.lowercase)  # bounded reading, as training's

    def file_of(self, split):
        """(the option that names it, the path) of the text file a split is read from; None for PTB."""
        if self.kind == "ptb":
            return None
        if self.valid_text is None or split == "train":
            return "--text", self.text
        return ("--valid-text", self.valid_text) if split == "valid" else ("--test-text", self.test_text)


def differences(saved, current, keys=COMPARED):
    """The ``keys`` in which two data records differ, as 'name=saved (now current)'."""
    return [
        f"{key}={saved.get(key)!r} (now {current.get(key)!r})"
        for key in keys
        if key in saved and saved.get(key) != current.get(key)
    ]


def check_same_data(path, saved, current):
    """GatedRNNError if ``current`` (a record) is not the data the checkpoint at ``path`` trained on.

    Every setting that turns files into tokens (COMPARED) must be the run's, and so must the
    tokens of every split, by their fingerprints: a text that moved resumes, one edited (even
    in its validation or test part only) is refused, so that the scores of one run are never
    of two data sets. A checkpoint from before data records (``saved`` None) is not checked, and
    one from before split fingerprints only for its training tokens.
    """
    if not saved:
        return
    check_same_data_options(path, saved, current)
    if saved.get("fingerprint") != current["fingerprint"]:
        _refuse_other_training_text(path, saved, current)
    for split, expected in (saved.get("split_fingerprints") or {}).items():
        if (current.get("split_fingerprints") or {}).get(split) != expected:
            _refuse_other_scored_text(path, split, saved, current)


def check_same_data_options(path, saved, current, keys=COMPARED):
    """GatedRNNError unless ``current`` (a record, or a DataSettings' fields) has the ``keys`` of
    ``saved``, the record in the checkpoint at ``path`` (by default the settings that turn files
    into tokens, COMPARED); needs no data, so a resume is refused before any loads
    (gatedrnn.lm.run.TrainingRun.check)."""
    differing = differences(saved or {}, current, keys)
    if differing:
        raise GatedRNNError(
            f"{path} was trained on other data: {', '.join(differing)}; resume with the data options "
            "the run was started with"
        )


def _refuse_other_training_text(path, saved, current):
    """Other training tokens: another file (named by its path), or the same file edited."""
    check_same_data_options(path, saved, current, PATHS)
    source = current.get("text") or current["corpus"]
    raise GatedRNNError(
        f"{path} was trained on other data: the training tokens of {source} have changed since the "
        "run started (their SHA-256 differs); resume with the text the run was started with"
    )


def _refuse_other_scored_text(path, split, saved, current):
    """Other validation or test tokens: another file (named by its path), or the same file edited."""
    name = SPLIT_NAMES[split]
    other_file = differences(saved, current, (f"{split}_text",))
    if other_file:
        raise GatedRNNError(
            f"{path} was trained on other data: {other_file[0]}, whose tokens differ; resume with the "
            f"{name} file the run was started with"
        )
    source = current.get(f"{split}_text") or current.get("text") or current["corpus"]
    raise GatedRNNError(
        f"{path} was trained on other data: the {name} tokens of {source} have changed since the run "
        f"started (their SHA-256 differs); resume with the {name} text the run was started with, or start a new run"
    )


def fingerprint(ids):
    """SHA-256 of token ids (as little-endian int64), the same for the same tokens on any machine."""
    return "sha256:" + hashlib.sha256(np.ascontiguousarray(ids, dtype="<i8").tobytes()).hexdigest()


DATA_DIRECTORY_FILES = ("train.txt", "valid.txt", "test.txt")  # as pytorch/examples' word_language_model


def data_directory_files(directory):
    """train.txt, valid.txt and test.txt of a data directory (--data DIR), each checked to exist."""
    if not os.path.isdir(directory):
        what = "a file" if os.path.exists(directory) else "not there"
        raise GatedRNNError(
            f"--data {directory} is {what}; give a directory holding {', '.join(DATA_DIRECTORY_FILES)}, "
            "or a single text with --text FILE"
        )
    paths = [os.path.join(directory, name) for name in DATA_DIRECTORY_FILES]
    missing = [name for name, path in zip(DATA_DIRECTORY_FILES, paths, strict=True) if not os.path.isfile(path)]
    if missing:
        raise GatedRNNError(
            f"--data {directory} needs {', '.join(DATA_DIRECTORY_FILES)}; missing: {', '.join(missing)}"
        )
    return paths


def _path_or_none(name, value):
    example = "~/.cache/gatedrnn" if name == "data_dir" else "corpus.txt"
    return None if value is None else path_argument(spelled(name), value, example)


def _whole_or_none(name, value, low, required=False):
    if value is None and not required:
        return None
    check_whole_number("--" + name.replace("_", "-"), value, low)
    return int(value)


__all__ = ["DataSettings", "check_same_data", "fingerprint", "data_directory_files", "UNK_WORD", "UNK_CHAR"]
