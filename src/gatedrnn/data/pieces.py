"""A text file read in bounded pieces, each cut where the tokens come out as if read whole.

Reading a whole file, decoding it and listing every token costs about 65× the file (a
Python object per token); here the file is read ``PIECE_BYTES`` at a time, decoded as
strict UTF-8 by an incremental decoder, and handed on as pieces of text, so that what is
held at once is a piece, not the file. The pieces say exactly what
:func:`gatedrnn.data.tokens.read_utf8` followed by ``word_tokens`` / ``char_tokens`` say
for the whole text (tests/data/test_text_pieces.py compares them):

* a leading byte-order mark is dropped and ``\\r\\n`` read as ``\\n``: a piece never ends
  between ``\\r`` and ``\\n``;
* ``lowercase``: each piece is lower-cased on its own, which equals lower-casing the whole
  text because the one context-dependent rule of ``str.lower`` (a capital sigma Σ becomes a
  final ς when a cased letter precedes it and none follows, looking past case-ignorable
  marks) never looks across a cut: a piece then ends only after whitespace, which is
  neither cased nor case-ignorable;
* word level: a piece ends only after whitespace, so no word is cut in two; every ``\\n``
  becomes ``<eos>`` (the text's ``"\\n"`` replaced by ``" <eos> "`` and split: the same
  tokens as splitting into lines and appending ``<eos>`` to each), and a text that does
  not end with ``\\n`` gets a last ``<eos>``, as its last line.

A piece with no place to cut (one 10 MB word) is carried over and grows with the next read,
so correctness never depends on the piece size; only memory does.
"""

import codecs

from ..errors import GatedRNNError
from .tokens import EOS

PIECE_BYTES = 1 << 20
# Cut after one of these; all are whitespace to str.split() and none is "\r" (of "\r\n").
CUT_AFTER = ("\n", " ", "\t")


def text_pieces(handle, path, level="word", lowercase=False, piece_bytes=None):
    """Yield the text of the open binary file ``handle`` (named ``path``) as normalised pieces (str).

    ``piece_bytes``: bytes read at a time (default ``PIECE_BYTES``).
    """
    piece_bytes = piece_bytes or PIECE_BYTES
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    consumed, carry, started = 0, "", False
    while True:
        data = handle.read(piece_bytes)
        final = not data
        buffer = carry + _decode(decoder, data, final, consumed, path)
        consumed += len(data)
        if not started and buffer:
            buffer, started = buffer.removeprefix("\ufeff"), True
        cut = len(buffer) if final else _safe_cut(buffer, level, lowercase)
        piece, carry = buffer[:cut], buffer[cut:]
        if piece:
            piece = piece.replace("\r\n", "\n")
            yield piece.lower() if lowercase else piece
        if final:
            return


def _decode(decoder, data, final, consumed, path):
    """``data`` decoded; a bad byte is reported at its offset in the file."""
    pending = len(decoder.getstate()[0])  # bytes of a character begun in the previous read
    try:
        return decoder.decode(data, final)
    except UnicodeDecodeError as bad:
        offset = consumed - pending + bad.start
        raise GatedRNNError(
            f"{path} is not UTF-8 (invalid byte at offset {offset}); convert it, e.g. "
            f"iconv -f LATIN1 -t UTF-8 {path} > converted.txt"
        ) from None


def _safe_cut(buffer, level, lowercase):
    """Where ``buffer`` may be cut (0: nowhere yet): see the module's docstring."""
    if level == "char" and not lowercase:
        return len(buffer) - 1 if buffer.endswith("\r") else len(buffer)
    return max(buffer.rfind(space) for space in CUT_AFTER) + 1


def token_pieces(pieces, level):
    """The tokens of each piece: a list of words (word level) or the piece itself (each character a token).

    Word level adds the ``<eos>`` of a last line without a newline, as a last piece of its own.
    """
    if level == "char":
        yield from pieces
        return
    last = ""
    for piece in pieces:
        yield piece.replace("\n", f" {EOS} ").split()
        last = piece[-1]
    if last and last != "\n":
        yield [EOS]
