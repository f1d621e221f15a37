"""Cutting text into tokens, and reading text files as strict UTF-8.

Word level: each line split on whitespace, and the end of every line becomes the token
``<eos>``, as in the Mikolov / Zaremba Penn Treebank setup (so the model learns where
sentences end). Character level: every character is a token, ``"\\n"`` included.
"""

from pathlib import Path

from ..errors import GatedRNNError
from ..files import open_regular_file

EOS = "<eos>"


def word_tokens(text):
    """Whitespace-separated words with ``<eos>`` after every line (a last line without a newline
    counts as a line)."""
    lines = text.split("\n")
    if lines[-1] == "":  # the text ended with a newline: no further line after it
        lines.pop()
    tokens = []
    for line in lines:
        tokens.extend(line.split())
        tokens.append(EOS)
    return tokens


def typed_tokens(text, level):
    """The tokens of a text typed to a model (a prompt, a stop), read as its training text was.

    Character level: every character. Word level: as :func:`word_tokens` (a line end is
    ``<eos>``), except that a last line without a newline is left open, as the model is to
    continue it: ``"red cat"`` is ``[red, cat]`` and ``"red cat\n"`` is ``[red, cat, <eos>]``.
    """
    text = text.replace("\r\n", "\n")  # as read_utf8 reads a file
    if level == "char":
        return char_tokens(text)
    tokens = word_tokens(text)
    if tokens and not text.endswith("\n"):
        tokens.pop()  # the <eos> word_tokens gives a last line: here that line goes on
    return tokens


def char_tokens(text):
    """Every character of ``text`` as one token, newlines included."""
    return list(text)


def read_utf8(path):
    """The text of the file at ``path``, decoded as UTF-8 (``\\r\\n`` read as ``\\n``, a leading
    byte-order mark dropped); GatedRNNError when it is missing, not a regular file or not UTF-8.

    The whole file at once: for small files (PTB's). A text of any size is read in pieces
    (gatedrnn.data.pieces), as gatedrnn.data.load_text does; this is also the reference those
    pieces are tested against."""
    path = Path(path)
    with open_regular_file(path, "text file") as handle:  # a FIFO or a device is refused, not read for ever
        raw = handle.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        raise GatedRNNError(
            f"{path} is not UTF-8 (invalid byte at offset {bad.start}); convert it, e.g. "
            f"iconv -f LATIN1 -t UTF-8 {path} > converted.txt"
        ) from None
    # Windows line ends would otherwise make "\r" a character token of its own.
    return text.removeprefix("\ufeff").replace("\r\n", "\n")
