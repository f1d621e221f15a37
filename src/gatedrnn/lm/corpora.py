"""Corpora by name, as the command line names them, and the check that a split fits its streams.

:func:`load_corpus` is the Python spelling of ``gatedrnn train``'s data options; both go
through :class:`~gatedrnn.lm.data_settings.DataSettings`, so they refuse the same things and
the corpus they return carries the record its checkpoints keep (``corpus.source``).
"""

from ..arguments import spelled
from ..data.batching import streams_refusal
from ..errors import GatedRNNError, check_whole_number
from .data_settings import DataSettings

CORPORA = ("ptb",)


def load_corpus(
    corpus="ptb",
    data_dir=None,
    text=None,
    level="word",
    train_tokens=None,
    valid_text=None,
    test_text=None,
    lowercase=False,
    min_count=1,
    max_vocab=None,
    vocab_order="appearance",
):
    """The Penn Treebank (``corpus="ptb"``) or a text file (``text=PATH``), optionally truncated.

    ``train_tokens`` keeps only the first N training tokens, for quick trials. An unknown
    corpus name is refused even with ``text`` (which replaces the corpus): a name that means
    nothing is a mistake either way. For a text: ``valid_text`` and ``test_text`` give the
    other splits (else the file is split 90/5/5 in order), ``lowercase``, ``min_count`` and
    ``max_vocab`` shape the vocabulary (gatedrnn.data.load_text). ``vocab_order``: "appearance"
    (ids in order of first appearance, the book's) or "frequency" (most frequent first, which a
    model with an adaptive softmax needs: its head is the lowest ids).
    """
    if corpus not in CORPORA:
        raise GatedRNNError(f"unknown corpus {corpus!r}; use {', '.join(CORPORA)} or --text FILE")
    return DataSettings.from_options(
        text=text,
        valid_text=valid_text,
        test_text=test_text,
        data_dir=data_dir,
        level=level,
        train_tokens=train_tokens,
        lowercase=lowercase,
        min_count=min_count,
        max_vocab=max_vocab,
        vocab_order=vocab_order,
    ).load()


def check_streams_fit(ids, batch_size, what, option, why=""):
    """GatedRNNError if ``ids`` are too short to be read as ``batch_size`` streams.

    ``what``: the ids in words ("the valid split", a file's name); ``option``: the setting that
    gave ``batch_size``, a flag ("--batch-size") or a keyword, which is named as both doors
    spell it ("eval_batch_size (--eval-batch-size)"); ``why``: where its value came from when
    the user did not give it. Each stream needs at least 2 tokens (an input and its target).
    Checked before training, so that a too large evaluation batch is not found only after the
    first epoch.
    """
    shown = option if option.startswith("-") else spelled(option)
    check_whole_number(shown, batch_size, 1)
    if (len(ids) - 1) // batch_size < 1:
        raise GatedRNNError(streams_refusal(len(ids), batch_size, what, shown, why))
